// The portfolio Ask, on the Health tab and in the command palette: portfolio questions ("Which accounts are at
// risk?") or questions naming accounts. The accounts an answer names are buttons that open their panel.
import { useQueryClient } from '@tanstack/react-query';
import { commands, type AccountId } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { openAccountPanel } from '../lib/nav';
import { AskConversation } from './AskConversation';
import type { RenderAsk } from './CommandPalette';
import { PORTFOLIO_SUGGESTIONS } from './askSuggestions';

export function AskPortfolio({
  onOpenAccount,
  initialQuestion,
  autoFocus,
}: {
  onOpenAccount: (id: AccountId, name: string) => void;
  initialQuestion?: string;
  autoFocus?: boolean;
}) {
  const client = useQueryClient();
  return (
    <section className="card ask ask--portfolio" aria-label="Ask about the portfolio" data-testid="ask-portfolio">
      <AskConversation
        scope="portfolio"
        ask={(q, stream) => commands.askPortfolio(q, stream)}
        onAnswer={(answer) => {
          if (answer.snapshots_created.length > 0) void invalidateData(client);
        }}
        suggestions={PORTFOLIO_SUGGESTIONS}
        inputLabel="Ask about your accounts"
        placeholder="Which accounts are at risk?"
        testId="ask-portfolio"
        onOpenAccount={onOpenAccount}
        initialQuestion={initialQuestion}
        autoFocus={autoFocus}
      />
    </section>
  );
}

/** The palette's "Ask: …": the portfolio Ask, whose named accounts open their panel on the Health tab. */
export const paletteAsk: RenderAsk = (question, close) => (
  <AskPortfolio
    initialQuestion={question}
    autoFocus
    onOpenAccount={(id, name) => {
      close();
      openAccountPanel(id, name);
    }}
  />
);
