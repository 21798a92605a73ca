// What an import did (or, as a preview, would do): counts, accounts touched, skipped sheets, rejected rows, and
// rows repeated later in the same file (superseded: the later row was used).
import { CircleAlert, CircleCheck, CopyMinus, FileSpreadsheet } from 'lucide-react';
import type { ImportReport } from '../api/bindings/ImportReport';
import { formatDuration, formatNumber } from '../lib/format';
import { fileName } from './dropFlow';

const MAX_REJECTED_SHOWN = 500;

function Count({ label, value, testId, tone }: { label: string; value: number; testId?: string; tone?: 'bad' | 'ok' }) {
  return (
    <div className={`count${tone ? ` count--${tone}` : ''}`}>
      <div className="count__value tabular" data-testid={testId}>
        {formatNumber(value, 0)}
      </div>
      <div className="count__label">{label}</div>
    </div>
  );
}

export function RejectedRows({ report }: { report: ImportReport }) {
  if (report.rejected.length === 0) return null;
  const shown = report.rejected.slice(0, MAX_REJECTED_SHOWN);
  return (
    <div className="rejected">
      <h3 className="section-title">
        <CircleAlert size={14} aria-hidden="true" />
        Rejected rows
      </h3>
      <div className="rejected__scroll">
        <table className="mini-table">
          <thead>
            <tr>
              <th>Sheet</th>
              <th className="num">Row</th>
              <th>Column</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => (
              <tr key={`${r.sheet}-${r.row}-${r.column}-${i}`} data-testid="rejected-row">
                <td>{r.sheet}</td>
                <td className="num">{formatNumber(r.row, 0)}</td>
                <td>{r.column}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.rejected.length > shown.length && (
        <p className="muted small">
          Showing the first {formatNumber(shown.length, 0)} of {formatNumber(report.rejected.length, 0)} rejected rows.
        </p>
      )}
    </div>
  );
}

export function SupersededRows({ report }: { report: ImportReport }) {
  const superseded = report.superseded;
  if (superseded.length === 0) return null;
  const shown = superseded.slice(0, MAX_REJECTED_SHOWN);
  return (
    <div className="rejected" data-testid="superseded" data-count={report.rows_superseded}>
      <h3 className="section-title">
        <CopyMinus size={14} aria-hidden="true" />
        Repeated rows: the later row was used
      </h3>
      <div className="rejected__scroll">
        <table className="mini-table">
          <thead>
            <tr>
              <th>Sheet</th>
              <th className="num">Row</th>
              <th>Account</th>
              <th>KPI</th>
              <th>Month</th>
              <th>Used instead</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => (
              <tr key={`${r.sheet}-${r.row}-${i}`} data-testid="superseded-row">
                <td>{r.sheet}</td>
                <td className="num">{formatNumber(r.row, 0)}</td>
                <td>{r.account}</td>
                <td>{r.kpi}</td>
                <td>{r.period}</td>
                <td>
                  {r.used_sheet === r.sheet ? 'row' : `${r.used_sheet} row`} {formatNumber(r.used_row, 0)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {superseded.length > shown.length && (
        <p className="muted small">
          Showing the first {formatNumber(shown.length, 0)} of {formatNumber(superseded.length, 0)} repeated rows.
        </p>
      )}
    </div>
  );
}

export function ImportReportView({ report }: { report: ImportReport }) {
  const touched = report.accounts;
  return (
    <div className="report" data-testid="import-report" data-import-id={report.import_id == null ? undefined : String(report.import_id)}>
      <div className="report__file">
        <FileSpreadsheet size={16} aria-hidden="true" />
        <span className="truncate" title={report.file}>
          {fileName(report.file)}
        </span>
        <span className="badge">{report.kind === 'kpi' ? 'KPI workbook' : 'Profile workbook'}</span>
        <span className="muted small">in {formatDuration(report.duration_ms)}</span>
      </div>
      <div className="counts">
        <Count label="rows read" value={report.rows_read} />
        <Count label="imported" value={report.rows_imported} testId="report-imported" tone="ok" />
        <Count label="rejected" value={report.rows_rejected} testId="report-rejected" tone={report.rows_rejected > 0 ? 'bad' : undefined} />
        <Count label="new" value={report.rows_new} />
        <Count label="changed" value={report.rows_changed} />
        <Count label="unchanged" value={report.rows_unchanged} />
        {report.rows_superseded > 0 && <Count label="repeated" value={report.rows_superseded} testId="report-superseded" />}
      </div>
      <div className="report__accounts" data-testid="report-accounts" data-count={touched.length}>
        <CircleCheck size={14} aria-hidden="true" />
        {touched.length === 0 ? (
          <span className="muted">No account was changed.</span>
        ) : (
          <span>
            {formatNumber(touched.length, 0)} {touched.length === 1 ? 'account' : 'accounts'} touched:{' '}
            <span className="report__names">{touched.slice(0, 40).join(', ')}</span>
            {touched.length > 40 && <span className="muted"> and {formatNumber(touched.length - 40, 0)} more</span>}
          </span>
        )}
      </div>
      {report.skipped_sheets.length > 0 && (
        <ul className="muted small report__skipped">
          {report.skipped_sheets.map((s) => (
            <li key={s.sheet}>
              Sheet “{s.sheet}” skipped: {s.reason}
            </li>
          ))}
        </ul>
      )}
      <RejectedRows report={report} />
      <SupersededRows report={report} />
    </div>
  );
}
