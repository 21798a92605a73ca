import { QueryClient } from '@tanstack/react-query';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { toastStore } from '../components/toastStore';
import { asId } from '../test/fixtures';
import type { ActivityItem } from './bindings/ActivityItem';
import { activityToast, handleActivity, onActivity } from './events';
import { invalidateData, keys } from './queryClient';

function item(patch: Partial<ActivityItem>): ActivityItem {
  return {
    event_id: asId(1),
    event_type: 'KPI_DATA_UPLOADED',
    trigger_event: 'kpi_data_uploaded',
    account_id: asId(5),
    account_name: 'TechCorp Solutions',
    source: 'import 12',
    created_at: '2025-03-12T10:00:00Z',
    outcome: 'created',
    snapshot_id: asId(123),
    cooldown_remaining_seconds: null,
    handled_at: '2025-03-12T10:00:01Z',
    ...patch,
  };
}

beforeEach(() => toastStore.set([]));

describe('activity events', () => {
  it('says which snapshot was created, for which account and why', () => {
    expect(activityToast(item({}))).toEqual({
      title: 'Snapshot 123 created',
      description: 'TechCorp Solutions · kpi_data_uploaded',
      tone: 'success',
    });
  });

  it('says a snapshot was skipped and how long the cooldown still runs', () => {
    const t = activityToast(item({ outcome: 'skipped', snapshot_id: null, cooldown_remaining_seconds: 180 }));
    expect(t.title).toBe('Snapshot skipped for TechCorp Solutions');
    expect(t.description).toContain('3:00 remaining');
  });

  it('raises a toast, tells listeners (the open panel) and marks stored data stale', async () => {
    const client = new QueryClient();
    client.setQueryData(keys.overview(), { accounts: 1 });
    const heard: ActivityItem[] = [];
    const off = onActivity((i) => heard.push(i));
    handleActivity(client, item({}));
    off();
    expect(toastStore.get().map((t) => t.title)).toEqual(['Snapshot 123 created']);
    expect(heard).toHaveLength(1);
    await vi.waitFor(() => expect(client.getQueryState(keys.overview())?.isInvalidated).toBe(true));
  });
});

describe('invalidation after a data change', () => {
  it('refreshes stored data but never re-runs "the click" (which could create a snapshot)', async () => {
    const client = new QueryClient();
    client.setQueryData(keys.overview(), {});
    client.setQueryData(keys.snapshots(asId(1)), []);
    client.setQueryData(keys.snapshotOpen(asId(1), 1), {});
    client.setQueryData(keys.snapshot(asId(9)), {});
    await invalidateData(client);
    expect(client.getQueryState(keys.overview())?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.snapshots(asId(1)))?.isInvalidated).toBe(true);
    expect(client.getQueryState(keys.snapshotOpen(asId(1), 1))?.isInvalidated).toBe(false);
    expect(client.getQueryState(keys.snapshot(asId(9)))?.isInvalidated).toBe(false);
  });
});
