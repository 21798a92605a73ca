// "The click": opening an account in the panel calls open_account once per opening, never on a refresh.
// Background activity for the account refetches it only when that cannot create a snapshot.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { SnapshotOpen } from '../api/bindings/SnapshotOpen';
import { commands, type AccountId } from '../api/commands';
import { onActivity } from '../api/events';
import { invalidateData, keys } from '../api/queryClient';
import { pushToast } from '../components/toastStore';
import { useNow } from '../lib/clock';

/** Seconds left on the cooldown now, counting down from what the core said when the data arrived. */
export function remainingSeconds(reported: number, reportedAt: number, now: number): number {
  const elapsed = Math.max(0, now - reportedAt) / 1000;
  return Math.max(0, Math.ceil(reported - elapsed));
}

/** A refetch after an activity event is safe when the newest snapshot is still inside the cooldown window. */
const SAFE_MARGIN_SECONDS = 3;

export function useSnapshotOpen(accountId: AccountId, opening: number) {
  const client = useQueryClient();
  const key = keys.snapshotOpen(accountId, opening);
  const open = useQuery({
    queryKey: key,
    queryFn: async () => {
      const opened = await commands.openAccount(accountId);
      // A new snapshot shows up in the timeline, the table's "last snapshot" and the summary cards.
      if (opened.created) void invalidateData(client);
      return opened;
    },
    staleTime: Infinity,
    gcTime: 0,
    // Moving to the next account keeps the panel's elements (and this account on screen) until it is read.
    placeholderData: keepPreviousData,
  });
  const [missed, setMissed] = useState({ opening, count: 0 });
  const extraChanges = missed.opening === opening ? missed.count : 0;

  useEffect(
    () =>
      onActivity((item) => {
        if (item.account_id !== accountId) return;
        const safe =
          item.outcome === 'created' ||
          (item.outcome === 'skipped' && (item.cooldown_remaining_seconds ?? 0) > SAFE_MARGIN_SECONDS);
        if (safe) {
          setMissed({ opening, count: 0 });
          void client.refetchQueries({ queryKey: keys.snapshotOpen(accountId, opening), exact: true });
        } else if (item.outcome === 'skipped') {
          setMissed((m) => ({ opening, count: (m.opening === opening ? m.count : 0) + 1 }));
        }
      }),
    [client, accountId, opening],
  );

  // The panel stays mounted from one account to the next: a snapshot taken lands on the opening it was taken in.
  const take = useMutation({
    mutationFn: (at: { accountId: AccountId; opening: number }) => commands.takeSnapshot(at.accountId),
    onSuccess: (snapshot, at) => {
      client.setQueryData<SnapshotOpen>(keys.snapshotOpen(at.accountId, at.opening), (old) => ({
        created: true,
        snapshot,
        changes_since: 0,
        cooldown_seconds: old?.cooldown_seconds ?? 0,
        cooldown_remaining_seconds: old?.cooldown_seconds ?? 0,
      }));
      setMissed((m) => (m.opening === at.opening ? { opening: at.opening, count: 0 } : m));
      pushToast({ title: `Snapshot ${String(snapshot.id)} taken`, description: snapshot.account_name, tone: 'success' });
      void invalidateData(client);
    },
    onError: (err) => {
      const e = err as unknown as { code?: string; message?: string };
      pushToast({ title: 'Snapshot not taken', description: `${e.message ?? ''} (${e.code ?? 'ui'})`, tone: 'error' });
    },
  });

  const now = useNow();
  const cooldownLeft = open.data ? remainingSeconds(open.data.cooldown_remaining_seconds, open.dataUpdatedAt, now) : 0;

  const here = take.variables?.accountId === accountId && take.variables?.opening === opening;
  const taking = take.isPending && here;
  // While the next account loads (placeholder data), the action waits for it.
  const takeNow = () => {
    if (!taking && !open.isPlaceholderData) take.mutate({ accountId, opening });
  };

  return { open, takeNow, taking, extraChanges, cooldownLeft, now };
}
