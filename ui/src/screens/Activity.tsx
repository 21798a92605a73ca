// Activity: the live feed of events and what the snapshot subscriber did with each (created / skipped).
import * as Tabs from '@radix-ui/react-tabs';
import { Camera, Clock3, SkipForward } from 'lucide-react';
import { useState } from 'react';
import type { ActivityItem } from '../api/bindings/ActivityItem';
import { useActivity } from '../api/queries';
import { RelativeTime } from '../components/RelativeTime';
import { EmptyState, ErrorState, Skeleton } from '../components/States';
import { formatCountdown } from '../lib/format';

type Filter = 'all' | 'created' | 'skipped' | 'pending';

const EVENT_LABELS: Record<string, string> = {
  KPI_DATA_UPLOADED: 'KPI data uploaded',
  HEALTH_SCORES_UPDATED: 'Health scores updated',
  ACCOUNT_DATA_CHANGED: 'Account data changed',
};

export function Outcome({ item }: { item: ActivityItem }) {
  if (item.outcome === 'created') {
    return (
      <span className="badge badge--ok">
        <Camera size={11} aria-hidden="true" />
        Snapshot {item.snapshot_id != null ? `#${String(item.snapshot_id)}` : ''} created
      </span>
    );
  }
  if (item.outcome === 'skipped') {
    return (
      <span className="badge badge--warn">
        <SkipForward size={11} aria-hidden="true" />
        Skipped
        {item.cooldown_remaining_seconds != null && ` · cooldown ${formatCountdown(item.cooldown_remaining_seconds)} left`}
      </span>
    );
  }
  return (
    <span className="badge">
      <Clock3 size={11} aria-hidden="true" />
      Pending
    </span>
  );
}

function Feed({ items }: { items: ActivityItem[] }) {
  if (items.length === 0) {
    return (
      <div data-testid="activity-feed" data-empty="true">
        <EmptyState title="Nothing here yet">Events appear as imports, health runs and completed playbooks change accounts.</EmptyState>
      </div>
    );
  }
  return (
    <ol className="feed" data-testid="activity-feed">
      {items.map((item) => (
        <li key={String(item.event_id)} className="feed__item" data-testid="activity-item" data-outcome={item.outcome} data-event-id={String(item.event_id)}>
          <div className="feed__main">
            <span className="feed__event">{EVENT_LABELS[item.event_type] ?? item.event_type}</span>
            <span className="feed__account">{item.account_name}</span>
            <span className="muted small mono">{item.trigger_event}</span>
          </div>
          <div className="feed__meta">
            <Outcome item={item} />
            <span className="muted small">{item.source}</span>
            <RelativeTime value={item.handled_at ?? item.created_at} />
          </div>
        </li>
      ))}
    </ol>
  );
}

export function Activity() {
  const activity = useActivity();
  const [filter, setFilter] = useState<Filter>('all');
  const all = activity.data ?? [];
  const count = (f: Filter) => (f === 'all' ? all.length : all.filter((i) => i.outcome === f).length);
  const shown = filter === 'all' ? all : all.filter((i) => i.outcome === filter);
  return (
    <div className="page__inner">
      <div className="page__header">
        <h1>Activity</h1>
        <p>Snapshots created or skipped by the background subscriber, newest first.</p>
      </div>
      {activity.isPending ? (
        <Skeleton lines={8} />
      ) : activity.error ? (
        <ErrorState error={activity.error} title="Activity could not be loaded" onRetry={() => void activity.refetch()} />
      ) : (
        <Tabs.Root value={filter} onValueChange={(v) => setFilter(v as Filter)}>
          <Tabs.List className="tabs" aria-label="Filter activity">
            {(['all', 'created', 'skipped', 'pending'] as const).map((f) => (
              <Tabs.Trigger key={f} value={f} className="tabs__tab">
                {f[0]!.toUpperCase() + f.slice(1)} <span className="tabular muted">{count(f)}</span>
              </Tabs.Trigger>
            ))}
          </Tabs.List>
          <Tabs.Content value={filter} className="tabs__panel">
            <Feed items={shown} />
          </Tabs.Content>
        </Tabs.Root>
      )}
    </div>
  );
}
