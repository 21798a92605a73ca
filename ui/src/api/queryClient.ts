// Server state lives in TanStack Query. Keys are built here so invalidation (on Tauri events) stays in one place.
import { QueryClient, type Query } from '@tanstack/react-query';
import type { AccountQuery } from './bindings/AccountQuery';
import type { AccountId, SnapshotId, ImportId } from './commands';

/**
 * What the account panel reads about one account (or one of its snapshots). A long review visits hundreds of
 * accounts: these are dropped 30 s after their panel closes (not the default 5 min), so memory stays where it
 * started; coming back to an account later reads it again, locally, in milliseconds.
 */
export const PER_ACCOUNT_KEYS = ['snapshots', 'snapshot', 'diff', 'health-history', 'executions', 'suggestion'] as const;
export const PER_ACCOUNT_GC_MS = 30_000;

export function createQueryClient(): QueryClient {
  const client = new QueryClient({
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
  for (const head of PER_ACCOUNT_KEYS) {
    client.setQueryDefaults([head], { gcTime: PER_ACCOUNT_GC_MS });
  }
  return client;
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

/** Changes arriving within this window share one refetch. */
export const INVALIDATE_COALESCE_MS = 50;
const scheduled = new WeakMap<QueryClient, Promise<void>>();

/**
 * Everything that reflects stored data is stale after a change. Changes come in bursts (a click creates a
 * snapshot and its activity event follows; an import ends with several events): the calls of one burst share a
 * single refetch of what is on screen instead of one each.
 */
export function invalidateData(client: QueryClient = queryClient): Promise<void> {
  const pending = scheduled.get(client);
  if (pending) return pending;
  const next = new Promise<void>((resolve) => setTimeout(resolve, INVALIDATE_COALESCE_MS)).then(() => {
    scheduled.delete(client);
    return client.invalidateQueries({ predicate: isDataQuery });
  });
  scheduled.set(client, next);
  return next;
}
