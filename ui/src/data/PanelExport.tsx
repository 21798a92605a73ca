// The account panel's "Export snapshot…" (evidence pack of the snapshot shown, compared with the one before it)
// and "Export history…" (timeline, health and KPI history as a workbook).
import { FileDown, FileSpreadsheet } from 'lucide-react';
import { useState } from 'react';
import type { AccountId, SnapshotId } from '../api/commands';
import { exportAccountHistory, exportSnapshotPack } from './actions';

export function PanelExport({
  accountId,
  accountName,
  snapshotId,
  previousId,
}: {
  accountId: AccountId;
  accountName: string;
  snapshotId: SnapshotId | null;
  previousId: SnapshotId | null;
}) {
  const [busy, setBusy] = useState(false);
  const run = (work: () => Promise<boolean>) => {
    setBusy(true);
    void work().finally(() => setBusy(false));
  };
  return (
    <div className="row panel__export">
      <button
        type="button"
        className="btn btn--small"
        data-testid="export-snapshot"
        disabled={busy || snapshotId == null}
        onClick={() => snapshotId != null && run(() => exportSnapshotPack(snapshotId, previousId))}
      >
        <FileDown size={12} aria-hidden="true" />
        Export snapshot…
      </button>
      <button
        type="button"
        className="btn btn--small"
        data-testid="export-history"
        disabled={busy}
        onClick={() => run(() => exportAccountHistory(accountId, accountName))}
      >
        <FileSpreadsheet size={12} aria-hidden="true" />
        Export history…
      </button>
    </div>
  );
}
