// The top of the panel: which snapshot is shown (id, type, trigger, when), whether opening created it,
// how stale it is, the cooldown countdown, and "Take snapshot now".
import { Camera, Clock3, History } from 'lucide-react';
import type { SnapshotOpen } from '../api/bindings/SnapshotOpen';
import { RelativeTime } from '../components/RelativeTime';
import { SnapshotTypeBadge } from '../components/SnapshotTypeBadge';
import { formatCountdown, plural } from '../lib/format';

export function SnapshotContext({
  data,
  extraChanges,
  cooldownLeft,
  now,
  onTake,
  taking,
}: {
  data: SnapshotOpen;
  extraChanges: number;
  cooldownLeft: number;
  now: number;
  onTake: () => void;
  taking: boolean;
}) {
  const s = data.snapshot;
  const changes = data.changes_since + extraChanges;
  const ageSeconds = Math.max(0, (now - Date.parse(s.created_at)) / 1000);
  const fresh = ageSeconds < data.cooldown_seconds;
  return (
    <section className="snapshot-context" aria-label="Snapshot">
      <div className="snapshot-context__line">
        <Camera size={14} aria-hidden="true" />
        <span className="snapshot-context__id">
          Snapshot #<span data-testid="snapshot-id">{String(s.id)}</span>
        </span>
        <SnapshotTypeBadge type={s.snapshot_type} testId="snapshot-type" />
        <span className="muted">
          trigger: <span data-testid="snapshot-trigger" className="mono">{s.trigger_event}</span>
        </span>
      </div>
      <div className="snapshot-context__line muted">
        <span data-testid="snapshot-created" data-created={String(data.created)}>
          {data.created ? 'Taken now, as you opened the account' : 'Latest snapshot, taken'}
        </span>{' '}
        <RelativeTime value={s.created_at} />
        <span className={`badge ${fresh ? 'badge--ok' : 'badge--warn'}`}>{fresh ? 'Fresh' : 'Stale'}</span>
      </div>
      <div className="snapshot-context__line">
        <History size={14} aria-hidden="true" />
        <span data-testid="changes-since" data-count={changes} className={changes > 0 ? 'changes changes--some' : 'changes'}>
          {changes > 0 ? `${plural(changes, 'change')} since this snapshot` : 'No changes since this snapshot'}
        </span>
        <div className="spacer" />
        <button
          type="button"
          className={`btn btn--small${changes > 0 ? ' btn--primary' : ''}`}
          data-testid="take-snapshot"
          onClick={onTake}
          disabled={taking}
          title="Take snapshot now (Ctrl+S)"
        >
          <Camera size={12} aria-hidden="true" />
          {taking ? 'Taking…' : 'Take snapshot now'}
          <kbd>Ctrl S</kbd>
        </button>
      </div>
      <div className="snapshot-context__line muted">
        <Clock3 size={14} aria-hidden="true" />
        <span data-testid="cooldown-remaining" data-seconds={cooldownLeft} className="tabular" aria-live="off">
          {cooldownLeft > 0
            ? `Next automatic snapshot possible in ${formatCountdown(cooldownLeft)}`
            : 'Automatic snapshots possible now'}
        </span>
      </div>
    </section>
  );
}
