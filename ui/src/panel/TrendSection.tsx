// The account's health per period over time (uPlot), from its health history.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { commands, type AccountId } from '../api/commands';
import { keys } from '../api/queryClient';
import { TrendChart } from '../components/charts/TrendChart';
import { EmptyState, ErrorState, Skeleton } from '../components/States';
import type { Thresholds } from '../lib/bands';

export function TrendSection({ accountId, thresholds }: { accountId: AccountId; thresholds: Thresholds }) {
  const history = useQuery({
    queryKey: keys.healthHistory(accountId),
    queryFn: () => commands.healthHistory(accountId),
    placeholderData: keepPreviousData,
  });
  return (
    <div data-testid="trend-chart" data-points={history.data?.length ?? 0} aria-busy={history.isPlaceholderData || undefined}>
      {history.isPending ? (
        <Skeleton lines={3} />
      ) : history.error ? (
        <ErrorState error={history.error} title="Health history could not be loaded" onRetry={() => void history.refetch()} />
      ) : history.data.length === 0 ? (
        <EmptyState title="No health history yet">Calculate health scores to start the trend.</EmptyState>
      ) : (
        <TrendChart records={history.data} thresholds={thresholds} />
      )}
    </div>
  );
}
