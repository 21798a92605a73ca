// Rows read / total and the sheet, streamed from the core while a file is read and written. Shown once an import
// has run for a second (short ones finish before a bar would be readable), with a Cancel that stops it.
import { useEffect, useState } from 'react';
import { importProgressStore } from '../api/events';
import { formatNumber } from '../lib/format';
import { useStore } from '../lib/store';

/** How long an import runs before its progress is shown. */
export const PROGRESS_DELAY_MS = 1000;

function useShownAfter(ms: number): boolean {
  const [shown, setShown] = useState(ms <= 0);
  useEffect(() => {
    if (ms <= 0) return;
    const t = window.setTimeout(() => setShown(true), ms);
    return () => window.clearTimeout(t);
  }, [ms]);
  return shown;
}

export function progressPercent(done: number, total: number): number | null {
  if (!Number.isFinite(total) || total <= 0) return null;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

export function progressText(stage: string, sheet: string): string {
  const verb = stage === 'writing' ? 'Writing' : 'Reading';
  return sheet ? `${verb} sheet “${sheet}”…` : `${verb}…`;
}

export function ImportProgressBar({
  label,
  onCancel,
  delayMs = PROGRESS_DELAY_MS,
}: {
  label: string;
  /** Shown as a Cancel button next to the bar. */
  onCancel?: () => void;
  delayMs?: number;
}) {
  const progress = useStore(importProgressStore);
  const shown = useShownAfter(delayMs);
  const [cancelling, setCancelling] = useState(false);
  if (!shown) return null;
  const pct = progress ? progressPercent(progress.rows_done, progress.rows_total) : null;
  return (
    <div className="import-progress" data-testid="import-progress">
      <div className="row small">
        <span data-testid="import-progress-text">{progress ? progressText(progress.stage, progress.sheet) : label}</span>
        <div className="spacer" />
        {onCancel && (
          <button
            type="button"
            className="btn btn--small"
            data-testid="import-progress-cancel"
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              onCancel();
            }}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
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
