import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryObserver } from '@tanstack/react-query';
import { createQueryClient, keys, PER_ACCOUNT_GC_MS } from './queryClient';

describe('query cache in a long review', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function observeThenLeave(key: readonly unknown[]) {
    const client = createQueryClient();
    const observer = new QueryObserver(client, { queryKey: key, queryFn: () => Promise.resolve({ big: 'x'.repeat(1000) }) });
    const unsubscribe = observer.subscribe(() => {});
    await vi.runOnlyPendingTimersAsync();
    expect(client.getQueryData(key)).toBeDefined();
    unsubscribe();
    return client;
  }

  it("drops an account's panel data 30 s after its panel closes", async () => {
    for (const key of [keys.snapshots(7 as never), keys.snapshot(12 as never), keys.healthHistory(7 as never), keys.suggestion(7 as never)]) {
      const client = await observeThenLeave(key);
      await vi.advanceTimersByTimeAsync(PER_ACCOUNT_GC_MS - 1_000);
      expect(client.getQueryData(key)).toBeDefined();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(client.getQueryCache().find({ queryKey: key })).toBeUndefined();
    }
  });

  it('keeps portfolio-wide data for the default five minutes', async () => {
    const client = await observeThenLeave(keys.overview());
    await vi.advanceTimersByTimeAsync(PER_ACCOUNT_GC_MS + 1_000);
    expect(client.getQueryData(keys.overview())).toBeDefined();
  });
});

describe('invalidateData', () => {
  it('refetches once for a burst of changes, and again for a later change', async () => {
    const { invalidateData } = await import('./queryClient');
    const client = createQueryClient();
    let fetched = 0;
    const observer = new QueryObserver(client, {
      queryKey: keys.overview(),
      queryFn: () => {
        fetched += 1;
        return Promise.resolve(fetched);
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    await vi.waitFor(() => expect(fetched).toBe(1));
    // A snapshot taken by a click, then its activity event.
    await Promise.all([invalidateData(client), invalidateData(client), invalidateData(client)]);
    await vi.waitFor(() => expect(fetched).toBe(2));
    await invalidateData(client);
    await vi.waitFor(() => expect(fetched).toBe(3));
    expect(client.getQueryData(keys.overview())).toBe(3);
    unsubscribe();
  });
});
