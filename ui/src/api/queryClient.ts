// Server state lives in TanStack Query. Keys are built here so invalidation (on Tauri events) stays in one place.
import { QueryClient, type Query } from '@tanstack/react-query';
import type { AccountQuery } from './bindings/AccountQuery';
import type { AccountId, SnapshotId, ImportId } from './commands';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Commands are local and fail for a reason (a code and a message): show it rather than retry.
        retry: false,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}

export const queryClient = createQueryClient();

export const keys = {
  overview: () => ['overview'] as const,
  accounts: (query: AccountQuery, page: number) => ['accounts', query, page] as const,
  accountsAll: () => ['accounts'] as const,
  accountNames: () => ['account-names'] as const,
  accountChoice: (search: string) => ['account-choice', search] as const,
  /** "The click": one query per opening, so opening again calls the command again. */
  snapshotOpen: (accountId: AccountId, opening: number) => ['snapshot-open', accountId, opening] as const,
  snapshotOpenFor: (accountId: AccountId) => ['snapshot-open', accountId] as const,
  snapshots: (accountId: AccountId) => ['snapshots', accountId] as const,
  snapshot: (id: SnapshotId | null) => ['snapshot', id] as const,
  diff: (from: SnapshotId, to: SnapshotId) => ['diff', from, to] as const,
  healthHistory: (accountId: AccountId) => ['health-history', accountId] as const,
  imports: () => ['imports'] as const,
  importReport: (id: ImportId) => ['import', id] as const,
  activity: () => ['activity'] as const,
  settings: () => ['settings'] as const,
  defaultSettings: () => ['default-settings'] as const,
  playbooks: () => ['playbooks'] as const,
  executions: (accountId: AccountId | null) => ['executions', accountId] as const,
  suggestion: (accountId: AccountId) => ['suggestion', accountId] as const,
};

/**
 * Queries whose result never changes (a stored snapshot, a diff, a past import report), and "the click",
 * which must only run when the user opens an account: refetching it on a data change could create a snapshot.
 */
const NOT_INVALIDATED = new Set(['snapshot-open', 'snapshot', 'diff', 'import', 'playbooks']);

export function isDataQuery(query: Pick<Query, 'queryKey'>): boolean {
  return !NOT_INVALIDATED.has(String(query.queryKey[0]));
}

/** Everything that reflects stored data is stale after a change. */
export function invalidateData(client: QueryClient = queryClient): Promise<void> {
  return client.invalidateQueries({ predicate: isDataQuery });
}
