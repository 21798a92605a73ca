// Renders a component inside the providers the app gives it (a fresh query client, tooltips).
import * as RadixTooltip from '@radix-ui/react-tooltip';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createQueryClient } from '../api/queryClient';

export function renderWithProviders(ui: ReactElement) {
  const client = createQueryClient();
  const result = render(
    <QueryClientProvider client={client}>
      <RadixTooltip.Provider>{ui}</RadixTooltip.Provider>
    </QueryClientProvider>,
  );
  return { ...result, client };
}
