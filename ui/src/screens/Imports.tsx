// Imports: a drop zone and "Choose file…" buttons, then the history of every import with its report.
import { useQuery } from '@tanstack/react-query';
import { FileUp, FolderOpen, History, Undo2 } from 'lucide-react';
import { useState } from 'react';
import type { ImportListItem } from '../api/bindings/ImportListItem';
import { commands, type ImportId } from '../api/commands';
import { useImports } from '../api/queries';
import { invalidateData, keys, queryClient } from '../api/queryClient';
import { Dialog } from '../components/Dialog';
import { RelativeTime } from '../components/RelativeTime';
import { EmptyState, ErrorState, Skeleton } from '../components/States';
import { chooseFiles, fileName } from '../imports/dropFlow';
import { ImportReportView } from '../imports/ImportReportView';
import { undoConfirmation } from '../imports/undoConfirmation';
import { formatDuration, formatNumber } from '../lib/format';

function PastReport({ item, onClose }: { item: ImportListItem; onClose: () => void }) {
  const id = item.id;
  const report = useQuery({ queryKey: keys.importReport(id), queryFn: () => commands.getImport(id), staleTime: Infinity });
  const [confirming, setConfirming] = useState(false);
  const [undoError, setUndoError] = useState<unknown>(null);
  const [undoing, setUndoing] = useState(false);
  const undo = async () => {
    setUndoing(true);
    setUndoError(null);
    try {
      await commands.undoImport(id);
      await invalidateData(queryClient);
      onClose();
    } catch (e) {
      setUndoError(e);
      setConfirming(false);
    } finally {
      setUndoing(false);
    }
  };
  const undone = item.status === 'undone';
  const canUndo = !undone && item.undo_recorded;
  const confirmation = undoConfirmation(item);
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={`Import #${String(id)}`}
      testId="import-report-dialog"
      wide
      footer={
        <>
          {canUndo &&
            (confirming ? (
              <>
                <span className="undo-confirm small" data-testid="undo-import-confirm-text">
                  <span className="muted">{confirmation.revert}</span>
                  {confirmation.accountsRemoved != null && (
                    <strong className="undo-confirm__loss" data-testid="undo-import-accounts-removed">
                      {' '}
                      {confirmation.accountsRemoved}
                    </strong>
                  )}
                </span>
                <button type="button" className="btn" onClick={() => setConfirming(false)} disabled={undoing}>
                  Keep it
                </button>
                <button
                  type="button"
                  className="btn btn--danger"
                  data-testid="undo-import-confirm"
                  onClick={() => void undo()}
                  disabled={undoing}
                >
                  Undo import
                </button>
              </>
            ) : (
              <button type="button" className="btn" data-testid="undo-import" onClick={() => setConfirming(true)}>
                <Undo2 size={14} aria-hidden="true" />
                Undo import…
              </button>
            ))}
          {!undone && !item.undo_recorded && (
            <span className="undo-confirm muted small" data-testid="undo-import-unavailable">
              Made before Tideline kept what undoing an import needs, so it can’t be undone.
            </span>
          )}
          <button type="button" className="btn btn--primary" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      {undoError != null && (
        <ErrorState error={undoError} title="The import could not be undone" onRetry={() => setConfirming(true)} />
      )}
      {report.isPending ? (
        <Skeleton lines={5} />
      ) : report.error ? (
        <ErrorState error={report.error} title="The report could not be loaded" onRetry={() => void report.refetch()} />
      ) : (
        <ImportReportView report={report.data} />
      )}
    </Dialog>
  );
}

function HistoryTable({ items, onOpen }: { items: ImportListItem[]; onOpen: (id: ImportId) => void }) {
  return (
    <table className="mini-table history">
      <thead>
        <tr>
          <th>When</th>
          <th>File</th>
          <th>Kind</th>
          <th className="num">Read</th>
          <th className="num">Imported</th>
          <th className="num">Rejected</th>
          <th className="num">Took</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr
            key={String(i.id)}
            className="history__row"
            data-testid="import-history-row"
            data-import-id={String(i.id)}
            tabIndex={0}
            onClick={() => onOpen(i.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onOpen(i.id);
              }
            }}
          >
            <td>
              <RelativeTime value={i.created_at} />
            </td>
            <td className="truncate history__file" title={i.file}>
              {fileName(i.file)}
            </td>
            <td>{i.kind === 'kpi' ? 'KPI' : 'Profile'}</td>
            <td className="num">{formatNumber(i.rows_read, 0)}</td>
            <td className="num">{formatNumber(i.rows_imported, 0)}</td>
            <td className={`num${i.rows_rejected > 0 ? ' text-bad' : ''}`}>{formatNumber(i.rows_rejected, 0)}</td>
            <td className="num">{formatDuration(i.duration_ms)}</td>
            <td>{i.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Imports() {
  const history = useImports();
  const [openId, setOpenId] = useState<ImportId | null>(null);
  const openItem = openId == null ? undefined : history.data?.find((i) => i.id === openId);
  return (
    <div className="page__inner">
      <div className="page__header">
        <h1>Imports</h1>
      </div>
      <section
        className="drop-zone"
        data-testid="drop-zone"
        aria-label="Drop KPI or profile workbooks anywhere on the window"
      >
        <FileUp size={32} aria-hidden="true" />
        <div>
          <div className="drop-zone__title">Drop KPI or profile workbooks anywhere on this window</div>
          <div className="muted">Each file is checked and previewed before anything is imported.</div>
        </div>
        <div className="spacer" />
        <div className="drop-zone__actions">
          <button type="button" className="btn btn--primary" data-testid="choose-kpi" onClick={() => void chooseFiles('kpi')}>
            <FolderOpen size={14} aria-hidden="true" />
            Choose KPI file…
          </button>
          <button type="button" className="btn" data-testid="choose-profile" onClick={() => void chooseFiles('profile')}>
            <FolderOpen size={14} aria-hidden="true" />
            Choose profile file…
          </button>
          <span className="muted small">
            <kbd>Ctrl</kbd> <kbd>O</kbd> choose any file
          </span>
        </div>
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title" className="section-title">
          <History size={16} aria-hidden="true" />
          History
        </h2>
        {history.isPending ? (
          <Skeleton lines={5} />
        ) : history.error ? (
          <ErrorState error={history.error} title="Import history could not be loaded" onRetry={() => void history.refetch()} />
        ) : (
          <div data-testid="import-history" data-count={history.data.length}>
            {history.data.length === 0 ? (
              <EmptyState title="No imports yet">Drop a workbook on the window or choose one above; its report will be kept here.</EmptyState>
            ) : (
              <HistoryTable items={history.data} onOpen={setOpenId} />
            )}
          </div>
        )}
      </section>
      {openItem != null && <PastReport item={openItem} onClose={() => setOpenId(null)} />}
    </div>
  );
}
