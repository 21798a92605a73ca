// The account's snapshots, newest first: click one to view it, tick two to compare them side by side.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { GitCompareArrows } from 'lucide-react';
import { commands, type AccountId, type SnapshotId } from '../api/commands';
import { keys } from '../api/queryClient';
import { RelativeTime } from '../components/RelativeTime';
import { SnapshotTypeBadge } from '../components/SnapshotTypeBadge';
import { EmptyState, ErrorState, Skeleton } from '../components/States';
import { formatScore } from '../lib/format';
import { Settling } from './Settling';

export const TIMELINE_LIMIT = 50;

/** Ticking a third snapshot replaces the older pick: at most two are compared. */
export function togglePick(picked: SnapshotId[], id: SnapshotId): SnapshotId[] {
  if (picked.includes(id)) return picked.filter((p) => p !== id);
  return [...picked, id].slice(-2);
}

export function Timeline({
  accountId,
  viewing,
  shownId,
  picked,
  onView,
  onPick,
  ready,
}: {
  accountId: AccountId;
  /** False until the account has been opened (which may add a snapshot to this list). */
  ready: boolean;
  viewing: SnapshotId | null;
  shownId: SnapshotId | null;
  picked: SnapshotId[];
  onView: (id: SnapshotId) => void;
  onPick: (id: SnapshotId) => void;
}) {
  const list = useQuery({
    queryKey: keys.snapshots(accountId),
    queryFn: () => commands.listSnapshots(accountId, TIMELINE_LIMIT),
    enabled: ready,
    placeholderData: keepPreviousData,
  });
  if (list.isPending) return <Skeleton lines={4} />;
  if (list.error) return <ErrorState error={list.error} title="Snapshots could not be loaded" onRetry={() => void list.refetch()} />;
  if (list.data.length === 0) return <EmptyState title="No snapshots yet">Take one with “Take snapshot now”.</EmptyState>;
  const current = viewing ?? shownId;
  return (
    <Settling busy={list.isPlaceholderData}>
      <p className="muted small timeline__hint">
        <GitCompareArrows size={12} aria-hidden="true" /> Tick two snapshots to compare them.
      </p>
      <ol className="timeline" data-testid="snapshot-timeline">
        {list.data.map((s, i) => {
          const isPicked = picked.includes(s.id);
          // Keyed by position: the panel moving to another account reuses the items (see AccountPanel).
          return (
            <li
              key={i}
              className={`timeline__item${s.id === current ? ' timeline__item--current' : ''}`}
              data-testid="timeline-item"
              data-snapshot-id={String(s.id)}
            >
              <input
                type="checkbox"
                className="timeline__pick"
                aria-label={`Compare snapshot ${String(s.id)}`}
                data-testid="timeline-compare"
                checked={isPicked}
                onChange={() => onPick(s.id)}
              />
              <button type="button" className="timeline__open" onClick={() => onView(s.id)} aria-current={s.id === current ? 'true' : undefined}>
                <span className="timeline__line">
                  <span className="tabular">#{String(s.id)}</span>
                  <SnapshotTypeBadge type={s.snapshot_type} />
                  <span className="muted mono truncate">{s.trigger_event}</span>
                  <span className="spacer" />
                  {s.health_score != null && <span className="tabular muted">{formatScore(s.health_score)}</span>}
                  <RelativeTime value={s.created_at} />
                </span>
                {s.changes.length > 0 && (
                  <span className="timeline__changes muted small">
                    {s.changes.slice(0, 3).join(' · ')}
                    {s.changes.length > 3 ? ` · +${s.changes.length - 3} more` : ''}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </Settling>
  );
}
