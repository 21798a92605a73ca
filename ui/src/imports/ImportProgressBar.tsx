// Rows read / total, streamed from the core while a file is read and written.
import { importProgressStore } from '../api/events';
import { formatNumber } from '../lib/format';
import { useStore } from '../lib/store';

export function progressPercent(done: number, total: number): number | null {
  if (!Number.isFinite(total) || total <= 0) return null;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

export function ImportProgressBar({ label }: { label: string }) {
  const progress = useStore(importProgressStore);
  const pct = progress ? progressPercent(progress.rows_done, progress.rows_total) : null;
  return (
    <div className="import-progress" data-testid="import-progress">
      <div className="row small">
        <span>{progress ? `${progress.stage === 'writing' ? 'Writing' : 'Reading'}…` : label}</span>
        <div className="spacer" />
        {progress && progress.rows_total > 0 && (
          <span className="tabular muted">
            {formatNumber(progress.rows_done, 0)} / {formatNumber(progress.rows_total, 0)} rows
          </span>
        )}
      </div>
      <div
        className={`progress${pct == null ? ' progress--indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct == null ? undefined : Math.round(pct)}
      >
        <div className="progress__bar" style={pct == null ? undefined : { width: `${pct}%` }} />
      </div>
    </div>
  );
}
