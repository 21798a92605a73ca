// The bottom status bar: data folder, accounts, pending events, last snapshot.
import { Camera, Clock3, Folder, Users } from 'lucide-react';
import type { Overview } from '../api/bindings/Overview';
import { formatNumber, plural } from '../lib/format';
import { RelativeTime } from './RelativeTime';
import { Tooltip } from './Tooltip';

export function StatusBar({ overview }: { overview: Overview | undefined }) {
  return (
    <footer className="statusbar" data-testid="status-bar">
      {overview ? (
        <>
          <Tooltip content={overview.data_dir}>
            <span className="statusbar__item" tabIndex={0}>
              <Folder size={12} aria-hidden="true" />
              <span className="statusbar__path truncate">{overview.data_dir}</span>
            </span>
          </Tooltip>
          <span className="statusbar__item">
            <Users size={12} aria-hidden="true" />
            {plural(overview.accounts, 'account')}
          </span>
          <span className="statusbar__item">
            <Clock3 size={12} aria-hidden="true" />
            {formatNumber(overview.pending_events, 0)} pending {overview.pending_events === 1 ? 'event' : 'events'}
          </span>
          <span className="statusbar__item">
            <Camera size={12} aria-hidden="true" />
            Last snapshot <RelativeTime value={overview.last_snapshot_at} never="none yet" />
          </span>
        </>
      ) : (
        <span className="statusbar__item">Loading…</span>
      )}
    </footer>
  );
}
