// The account table's data: pages of 200 rows fetched from the core as they scroll into view.
// Sorting, filtering and paging are the core's (`list_accounts`); `total` sizes the virtual list.
import { keepPreviousData, useQueries, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { AccountPage } from '../api/bindings/AccountPage';
import type { AccountQuery } from '../api/bindings/AccountQuery';
import type { AccountRow } from '../api/bindings/AccountRow';
import { commands } from '../api/commands';
import { keys } from '../api/queryClient';

export const PAGE_SIZE = 200;

export type TableQuery = Omit<AccountQuery, 'offset' | 'limit'>;

interface FetchedPage extends AccountPage {
  page: number;
}

async function fetchPage(query: TableQuery, page: number): Promise<FetchedPage> {
  const result = await commands.listAccounts({ ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
  return { ...result, page };
}

/** Page numbers covering rows start..end (inclusive); page 0 is always included (it carries `total`). */
export function pagesFor(start: number, end: number): number[] {
  const out = [0];
  if (end < start || end < 0) return out;
  for (let p = Math.floor(Math.max(0, start) / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) {
    if (p > 0) out.push(p);
  }
  return out;
}

/** Whether two visible ranges need the same pages (so scrolling within a page changes nothing upstream). */
export function samePages(a: { start: number; end: number }, start: number, end: number): boolean {
  return Math.floor(a.start / PAGE_SIZE) === Math.floor(start / PAGE_SIZE) && Math.floor(a.end / PAGE_SIZE) === Math.floor(end / PAGE_SIZE);
}

export interface PageSet {
  /** Loaded pages by page number; a new Map only when a page's data changes. */
  pages: Map<number, AccountRow[]>;
  total: number;
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
}

// Stable (module-level), so TanStack Query memoises the combined result across renders.
function combinePages(results: UseQueryResult<FetchedPage>[]): PageSet {
  const pages = new Map<number, AccountRow[]>();
  for (const r of results) if (r.data) pages.set(r.data.page, r.data.rows);
  const first = results[0];
  return {
    pages,
    total: first?.data?.total ?? 0,
    isPending: first?.isPending ?? true,
    isFetching: results.some((r) => r.isFetching),
    error: first?.error ?? null,
  };
}

export function rowFrom(pages: Map<number, AccountRow[]>, index: number): AccountRow | undefined {
  return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

export interface AccountPages extends PageSet {
  rowAt: (index: number) => AccountRow | undefined;
  /** Loads the page holding `index` if needed and returns its row. */
  ensureRow: (index: number) => Promise<AccountRow | undefined>;
  refetch: () => void;
}

export function useAccountPages(query: TableQuery, range: { start: number; end: number }): AccountPages {
  const client = useQueryClient();
  const pageNumbers = useMemo(() => pagesFor(range.start, range.end), [range.start, range.end]);
  const set = useQueries({
    queries: pageNumbers.map((p) => ({
      queryKey: keys.accounts(query, p),
      queryFn: () => fetchPage(query, p),
      // While a new search or sort loads, keep showing the previous rows rather than a blank table.
      placeholderData: p === 0 ? keepPreviousData : undefined,
    })),
    combine: combinePages,
  });

  return {
    ...set,
    rowAt: (index) => rowFrom(set.pages, index),
    ensureRow: async (index) => {
      const page = Math.floor(index / PAGE_SIZE);
      const data = await client.fetchQuery({ queryKey: keys.accounts(query, page), queryFn: () => fetchPage(query, page) });
      return data.rows[index % PAGE_SIZE];
    },
    refetch: () => void client.refetchQueries({ queryKey: keys.accounts(query, 0), exact: true }),
  };
}
