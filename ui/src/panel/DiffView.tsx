// Two snapshots side by side: every field that differs, before (older) and after (newer).
import { useQuery } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { commands, type SnapshotId } from '../api/commands';
import { keys } from '../api/queryClient';
import { RelativeTime } from '../components/RelativeTime';
import { ErrorState, Skeleton } from '../components/States';

/** Older snapshot first, whatever order they were ticked in (ids increase with time). */
export function orderPair(a: SnapshotId, b: SnapshotId): [SnapshotId, SnapshotId] {
  return Number(a) <= Number(b) ? [a, b] : [b, a];
}

export function DiffView({ pair, onClose }: { pair: [SnapshotId, SnapshotId]; onClose: () => void }) {
  const [from, to] = orderPair(pair[0], pair[1]);
  const diff = useQuery({ queryKey: keys.diff(from, to), queryFn: () => commands.diffSnapshots(from, to), staleTime: Infinity });
  return (
    <section className="diff card" data-testid="diff-view" aria-label={`Differences between snapshot ${String(from)} and ${String(to)}`}>
      <header className="diff__head">
        <h3>
          #{String(from)} → #{String(to)}
        </h3>
        <div className="spacer" />
        <button type="button" className="icon-btn" aria-label="Close comparison" onClick={onClose}>
          <X size={14} aria-hidden="true" />
        </button>
      </header>
      {diff.isPending ? (
        <Skeleton lines={4} />
      ) : diff.error ? (
        <ErrorState error={diff.error} title="The snapshots could not be compared" onRetry={() => void diff.refetch()} />
      ) : diff.data.entries.length === 0 ? (
        <p className="muted">These snapshots hold the same data.</p>
      ) : (
        <table className="mini-table diff__table">
          <thead>
            <tr>
              <th>Field</th>
              <th>
                Before · #{String(diff.data.from.id)} <RelativeTime value={diff.data.from.created_at} />
              </th>
              <th>
                After · #{String(diff.data.to.id)} <RelativeTime value={diff.data.to.created_at} />
              </th>
            </tr>
          </thead>
          <tbody>
            {diff.data.entries.map((e) => (
              <tr key={e.path} data-testid="diff-entry" data-path={e.path}>
                <td>
                  <div className="small muted">{e.section}</div>
                  <div className="mono">{e.path}</div>
                </td>
                <td className={e.before == null ? 'muted diff__cell' : 'diff__cell diff__cell--before'}>{e.before ?? '—'}</td>
                <td className={e.after == null ? 'muted diff__cell' : 'diff__cell diff__cell--after'}>{e.after ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
