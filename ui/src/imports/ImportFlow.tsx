// The dialogs of the import flow (see dropFlow.ts): kind question, account question, dry-run preview with
// Import / Cancel, progress while importing, the report, or the error — one file at a time.
import { FileQuestion, FileSpreadsheet, ListChecks } from 'lucide-react';
import type { ReactNode } from 'react';
import type { ImportReport } from '../api/bindings/ImportReport';
import { Dialog } from '../components/Dialog';
import { ErrorState, Skeleton } from '../components/States';
import { formatNumber } from '../lib/format';
import { useStore } from '../lib/store';
import { AccountChoice } from './AccountChoice';
import {
  cancelAll,
  cancelRunning,
  cancelCurrent,
  chooseAccount,
  chooseKind,
  confirmImport,
  fileName,
  flowStore,
  type FlowState,
} from './dropFlow';
import { ImportProgressBar } from './ImportProgressBar';
import { ImportReportView, RejectedRows, SupersededRows } from './ImportReportView';

function PreviewCounts({ report }: { report: ImportReport | null }) {
  const cell = (label: string, testId: string, value: number | undefined, tone?: string) => (
    <div className={`count${tone ? ` count--${tone}` : ''}`}>
      <div className="count__value tabular" data-testid={report ? testId : undefined}>
        {value == null ? <span className="skeleton" /> : formatNumber(value, 0)}
      </div>
      <div className="count__label">{label}</div>
    </div>
  );
  return (
    <div className="counts">
      {cell('new', 'preview-new', report?.rows_new, 'ok')}
      {cell('changed', 'preview-changed', report?.rows_changed)}
      {cell('unchanged', 'preview-unchanged', report?.rows_unchanged)}
      {cell('rejected', 'preview-rejected', report?.rows_rejected, report && report.rows_rejected > 0 ? 'bad' : undefined)}
    </div>
  );
}

function PreviewAccounts({ report }: { report: ImportReport }) {
  const parts: string[] = [];
  if (report.accounts_new.length) parts.push(`${formatNumber(report.accounts_new.length, 0)} new`);
  if (report.accounts_updated.length) parts.push(`${formatNumber(report.accounts_updated.length, 0)} updated`);
  if (report.accounts_unchanged.length) parts.push(`${formatNumber(report.accounts_unchanged.length, 0)} unchanged`);
  return (
    <div className="preview-accounts">
      <p>
        <strong>Accounts:</strong> {parts.length ? parts.join(', ') : 'none'}
      </p>
      {report.accounts_new.length > 0 && (
        <p className="muted small">New: {report.accounts_new.slice(0, 20).join(', ')}{report.accounts_new.length > 20 ? ' …' : ''}</p>
      )}
      {report.skipped_sheets.map((sh) => (
        <p key={sh.sheet} className="muted small">
          Sheet “{sh.sheet}” will be skipped: {sh.reason}
        </p>
      ))}
      {report.rows_imported === 0 && report.rows_rejected === 0 && (
        <p className="muted small">Nothing new in this file: importing it again changes nothing.</p>
      )}
    </div>
  );
}

interface View {
  testId: string;
  title: ReactNode;
  description?: ReactNode;
  body: ReactNode;
  footer?: ReactNode;
  dismissable: boolean;
  wide?: boolean;
  /** The report doesn't block the window: the user can go on working (and it closes on a click elsewhere). */
  modal?: boolean;
}

function viewFor(s: FlowState, waiting: number): View | null {
  const more = waiting > 0 ? ` · ${waiting} more ${waiting === 1 ? 'file' : 'files'} waiting` : '';
  const skip = (label = 'Cancel') => (
    <>
      {waiting > 0 && (
        <button type="button" className="btn btn--ghost" onClick={cancelAll}>
          Cancel all
        </button>
      )}
      <button type="button" className="btn" data-testid="import-cancel" onClick={() => void cancelCurrent()}>
        {label}
      </button>
    </>
  );
  switch (s.step) {
    case 'idle':
      return null;
    case 'probing':
      return {
        testId: 'import-checking',
        title: `Checking ${fileName(s.path)}`,
        description: `Looking at the headers${more}`,
        body: <ImportProgressBar label="Reading headers" />,
        footer: skip(),
        dismissable: true,
      };
    case 'ask-kind':
      return {
        testId: 'kind-dialog',
        title: (
          <span className="row">
            <FileQuestion size={16} aria-hidden="true" />
            KPI or profile?
          </span>
        ),
        description: `Tideline could not tell what ${fileName(s.path)} holds${more}.`,
        body: (
          <div className="kind-choice">
            {s.probe.sheets.length > 0 && <p className="muted small">Sheets: {s.probe.sheets.join(', ')}</p>}
            <button type="button" className="kind-choice__option" data-testid="kind-kpi" onClick={() => void chooseKind('kpi')}>
              <ListChecks size={18} aria-hidden="true" />
              <span>
                <strong>KPI workbook</strong>
                <span className="muted small">Account, KPI, Value, Target, Period…</span>
              </span>
            </button>
            <button
              type="button"
              className="kind-choice__option"
              data-testid="kind-profile"
              onClick={() => void chooseKind('profile')}
            >
              <FileSpreadsheet size={18} aria-hidden="true" />
              <span>
                <strong>Profile workbook</strong>
                <span className="muted small">Account, Industry, ARR, Renewal Date, Owner…</span>
              </span>
            </button>
          </div>
        ),
        footer: skip('Skip this file'),
        dismissable: true,
      };
    case 'ask-account':
      return {
        testId: 'account-dialog',
        title: 'Which account is this file for?',
        description: `${fileName(s.path)} has no Account column${more}.`,
        body: <AccountChoice onConfirm={(name) => void chooseAccount(name)} onCancel={() => void cancelCurrent()} busy={false} />,
        dismissable: true,
      };
    case 'previewing':
    case 'preview':
    case 'importing': {
      const report = s.step === 'preview' ? s.report : null;
      const importing = s.step === 'importing';
      return {
        testId: 'import-preview',
        title: `Import ${fileName(s.path)}?`,
        description: `${s.kind === 'kpi' ? 'KPI workbook' : 'Profile workbook'}${s.account ? ` for ${s.account}` : ''} · nothing is written until you choose Import${more}`,
        wide: true,
        dismissable: !importing,
        body: (
          <div className="preview">
            <PreviewCounts report={report} />
            {s.step !== 'preview' && (
              <ImportProgressBar label={importing ? 'Importing' : 'Reading the file'} onCancel={() => void cancelRunning()} />
            )}
            {report && <PreviewAccounts report={report} />}
            {report && <RejectedRows report={report} />}
            {report && <SupersededRows report={report} />}
            {!report && !importing && <Skeleton lines={2} />}
          </div>
        ),
        footer: (
          <>
            {!importing && skip()}
            <button
              type="button"
              className="btn btn--primary"
              data-testid="import-confirm"
              disabled={s.step !== 'preview'}
              onClick={() => void confirmImport()}
            >
              {importing ? 'Importing…' : 'Import'}
            </button>
          </>
        ),
      };
    }
    case 'report':
      return {
        testId: 'import-finished',
        title: 'Import finished',
        description: more ? `Next${more}` : 'Also kept in Imports › History.',
        wide: true,
        dismissable: true,
        modal: false,
        body: <ImportReportView report={s.report} />,
        footer: (
          <button type="button" className="btn btn--primary" data-testid="import-report-close" onClick={() => void cancelCurrent()} autoFocus>
            {waiting > 0 ? 'Next file' : 'Done'}
          </button>
        ),
      };
    case 'error':
      return {
        testId: 'import-error',
        title: `${fileName(s.path)} was not imported`,
        description: more ? `Next${more}` : undefined,
        dismissable: true,
        body: <ErrorState error={s.error} title="Nothing was changed" />,
        footer: (
          <button type="button" className="btn btn--primary" onClick={() => void cancelCurrent()} autoFocus>
            {waiting > 0 ? 'Next file' : 'Close'}
          </button>
        ),
      };
  }
}

export function ImportFlow() {
  const flow = useStore(flowStore);
  const view = viewFor(flow.current, flow.queue.length);
  if (!view) return null;
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) void cancelCurrent();
      }}
      title={view.title}
      description={view.description}
      footer={view.footer}
      testId={view.testId}
      wide={view.wide}
      dismissable={view.dismissable}
      modal={view.modal ?? true}
    >
      {view.body}
    </Dialog>
  );
}
