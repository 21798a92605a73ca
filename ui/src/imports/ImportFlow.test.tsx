import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../api/commands';
import type { ImportReport } from '../api/bindings/ImportReport';
import { importProgressStore } from '../api/events';
import { accountRow, asId, importReport, probe } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { flowStore, handleDroppedPaths, resetFlow } from './dropFlow';
import { ImportFlow } from './ImportFlow';

vi.mock('../api/commands', () => ({
  commands: {
    probeFile: vi.fn(),
    previewImport: vi.fn(),
    runImport: vi.fn(),
    cancelImport: vi.fn(),
    listAccounts: vi.fn(),
  },
}));
const api = vi.mocked(commands);

beforeEach(() => {
  resetFlow();
  vi.resetAllMocks();
  api.previewImport.mockResolvedValue(importReport());
  api.runImport.mockResolvedValue(
    importReport({ dry_run: false, import_id: asId<ImportReport['import_id']>(12), rows_imported: 10, rows_rejected: 2 }),
  );
});

describe('import dialogs', () => {
  it('walks a dropped file from preview to report', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    renderWithProviders(<ImportFlow />);

    await act(() => handleDroppedPaths(['/data/kpis.xlsx']));
    const preview = await screen.findByTestId('import-preview');
    expect(within(preview).getByTestId('preview-new')).toHaveTextContent('8');
    expect(within(preview).getByTestId('preview-changed')).toHaveTextContent('2');
    expect(within(preview).getByTestId('preview-unchanged')).toHaveTextContent('0');
    expect(within(preview).getByTestId('preview-rejected')).toHaveTextContent('2');
    expect(api.runImport).not.toHaveBeenCalled();

    // The preview is modal: the rest of the window waits for Import or Cancel.
    expect(document.body.style.pointerEvents).toBe('none');
    await user.click(screen.getByTestId('import-confirm'));
    const report = await screen.findByTestId('import-report');
    // The report is not: the window stays usable while it is shown.
    await waitFor(() => expect(document.body.style.pointerEvents).not.toBe('none'));
    expect(within(report).getByTestId('report-imported')).toHaveTextContent('10');
    expect(within(report).getByTestId('report-rejected')).toHaveTextContent('2');
    const rejected = within(report).getAllByTestId('rejected-row');
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toHaveTextContent('KPIs');
    expect(rejected[0]).toHaveTextContent('7');
    expect(rejected[0]).toHaveTextContent('not a number: "n/a"');
    expect(within(report).getByTestId('report-accounts')).toHaveTextContent('TechCorp Solutions');
  });

  it('Cancel on the preview closes it without importing', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/kpis.xlsx']));
    await user.click(await screen.findByTestId('import-cancel'));
    expect(screen.queryByTestId('import-preview')).not.toBeInTheDocument();
    expect(api.runImport).not.toHaveBeenCalled();
    expect(flowStore.get().current.step).toBe('idle');
  });

  it('asks the kind with two buttons', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/q.xlsx', { kind: null }));
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/q.xlsx']));
    expect(await screen.findByTestId('kind-dialog')).toHaveTextContent('KPI or profile?');
    await user.click(screen.getByTestId('kind-profile'));
    expect(api.previewImport).toHaveBeenCalledWith('/data/q.xlsx', 'profile', null);
    expect(await screen.findByTestId('import-preview')).toBeInTheDocument();
  });

  it('asks for the account: existing accounts to pick from, or a new name typed in', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/t.xlsx', { needs_account: true }));
    api.listAccounts.mockResolvedValue({
      rows: [accountRow(1, { name: 'TechCorp Solutions' })],
      total: 1,
    });
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/t.xlsx']));
    const dialog = await screen.findByTestId('account-dialog');
    await user.type(within(dialog).getByTestId('account-choice-input'), 'techcorp solutions');
    expect(within(dialog).getByText('Rows will be added to TechCorp Solutions.')).toBeInTheDocument();
    await user.click(within(dialog).getByTestId('account-choice-confirm'));
    expect(api.previewImport).toHaveBeenCalledWith('/data/t.xlsx', 'kpi', 'TechCorp Solutions');
  });

  it('shows why a file was refused, with its code and what to try', async () => {
    api.probeFile.mockRejectedValue({ code: 'file_encrypted', message: 'q.xlsx: the workbook is encrypted or password-protected' });
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/q.xlsx']));
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveAttribute('data-code', 'file_encrypted');
    expect(error).toHaveTextContent('password-protected');
    expect(error).toHaveTextContent('Save a copy of the workbook without a password');
  });

  it('an import running over a second shows its progress and a Cancel that stops it with nothing written', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/big.xlsx'));
    let reject: (e: unknown) => void = () => undefined;
    api.runImport.mockReturnValue(
      new Promise<ImportReport>((_, r) => {
        reject = r;
      }),
    );
    api.cancelImport.mockImplementation(() => {
      reject({ code: 'import_cancelled', message: 'big.xlsx: the import was cancelled; nothing was written' });
      return Promise.resolve(1);
    });
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/big.xlsx']));
    await user.click(await screen.findByTestId('import-confirm'));
    expect(screen.queryByTestId('import-progress-cancel')).not.toBeInTheDocument();
    act(() => importProgressStore.set({ file: 'big.xlsx', stage: 'writing', sheet: 'KPIs', rows_done: 5000, rows_total: 12000 }));
    const cancel = await screen.findByTestId('import-progress-cancel', {}, { timeout: 2000 });
    expect(screen.getByTestId('import-progress')).toHaveTextContent('Writing sheet “KPIs”…');
    expect(screen.getByTestId('import-progress')).toHaveTextContent('5,000 / 12,000 rows');
    await user.click(cancel);
    expect(api.cancelImport).toHaveBeenCalledTimes(1);
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveAttribute('data-code', 'import_cancelled');
    expect(error).toHaveTextContent('nothing was written');
    act(() => importProgressStore.set(null));
  });

  it('the report lists rows repeated in the file and the row used instead', async () => {
    const user = userEvent.setup();
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    api.runImport.mockResolvedValue(
      importReport({
        dry_run: false,
        rows_superseded: 1,
        superseded: [
          { sheet: 'Jan', row: 3, used_sheet: 'Late corrections', used_row: 2, account: 'Acme', kpi: 'Active Users', period: '2025-01' },
        ],
      }),
    );
    renderWithProviders(<ImportFlow />);
    await act(() => handleDroppedPaths(['/data/kpis.xlsx']));
    await user.click(await screen.findByTestId('import-confirm'));
    const report = await screen.findByTestId('import-report');
    expect(within(report).getByTestId('report-superseded')).toHaveTextContent('1');
    const rows = within(report).getAllByTestId('superseded-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Acme');
    expect(rows[0]).toHaveTextContent('Late corrections row 2');
  });
});
