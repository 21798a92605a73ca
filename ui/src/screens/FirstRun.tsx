// The empty first run: an invitation to drop a workbook, choose one, or load the sample data.
import { useMutation } from '@tanstack/react-query';
import { Database, FileUp, FolderOpen } from 'lucide-react';
import { commands } from '../api/commands';
import { invalidateData } from '../api/queryClient';
import { ErrorState } from '../components/States';
import { pushToast } from '../components/toastStore';
import { chooseFiles } from '../imports/dropFlow';
import { formatNumber } from '../lib/format';

export function FirstRun() {
  const sample = useMutation({
    mutationFn: commands.loadSample,
    onSuccess: (reports) => {
      const rows = reports.reduce((n, r) => n + r.rows_imported, 0);
      pushToast({ title: 'Sample data loaded', description: `${formatNumber(rows, 0)} rows from ${reports.length} workbooks`, tone: 'success' });
      void invalidateData();
    },
  });
  return (
    <div className="page__inner">
      <section className="first-run" data-testid="first-run" aria-labelledby="first-run-title">
        <FileUp size={44} aria-hidden="true" className="first-run__icon" />
        <h1 id="first-run-title">Welcome to Tideline</h1>
        <p className="muted">
          Drop a KPI or customer-profile workbook anywhere on this window to get started. Every file is previewed before
          anything is imported, and nothing leaves this computer.
        </p>
        <div className="first-run__actions">
          <button type="button" className="btn btn--primary" onClick={() => void chooseFiles(null)}>
            <FolderOpen size={14} aria-hidden="true" />
            Choose file… <kbd>Ctrl</kbd>
            <kbd>O</kbd>
          </button>
          <button
            type="button"
            className="btn"
            data-testid="load-sample"
            disabled={sample.isPending}
            onClick={() => sample.mutate()}
          >
            <Database size={14} aria-hidden="true" />
            {sample.isPending ? 'Loading sample data…' : 'Load sample data'}
          </button>
        </div>
        <p className="muted first-run__formats">.xlsx, .xlsm, .xlsb, .xls and .ods workbooks are supported.</p>
        {sample.error && <ErrorState error={sample.error} title="Sample data could not be loaded" />}
      </section>
    </div>
  );
}
