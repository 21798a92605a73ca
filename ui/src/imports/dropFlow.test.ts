import { beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../api/commands';
import type { ImportReport } from '../api/bindings/ImportReport';
import { asId, importReport, probe } from '../test/fixtures';
import {
  cancelAll,
  cancelCurrent,
  chooseAccount,
  chooseFiles,
  chooseKind,
  confirmImport,
  flowStore,
  handleDroppedPaths,
  resetFlow,
} from './dropFlow';

vi.mock('../api/commands', () => ({
  commands: {
    probeFile: vi.fn(),
    previewImport: vi.fn(),
    runImport: vi.fn(),
    pickFiles: vi.fn(),
  },
}));

const api = vi.mocked(commands);
const step = () => flowStore.get().current.step;

beforeEach(() => {
  resetFlow();
  vi.resetAllMocks();
  api.previewImport.mockImplementation(async (path, kind) => importReport({ file: path, kind }));
  api.runImport.mockImplementation(async (path, kind) =>
    importReport({ file: path, kind, dry_run: false, import_id: asId<ImportReport['import_id']>(7), status: 'ok' }),
  );
});

describe('the drop flow', () => {
  it('previews a recognised file straight away and imports it only after Import', async () => {
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx', { kind: 'kpi' }));
    await handleDroppedPaths(['/data/kpis.xlsx']);

    expect(step()).toBe('preview');
    expect(api.previewImport).toHaveBeenCalledWith('/data/kpis.xlsx', 'kpi', null);
    expect(api.runImport).not.toHaveBeenCalled();

    await confirmImport();
    expect(api.runImport).toHaveBeenCalledWith('/data/kpis.xlsx', 'kpi', null);
    const s = flowStore.get().current;
    expect(s.step).toBe('report');
    expect(s.step === 'report' && s.report.rows_imported).toBe(10);
  });

  it('asks "KPI or profile?" when the headers do not tell, and previews as the answer says', async () => {
    api.probeFile.mockResolvedValue(probe('/data/mystery.xlsx', { kind: null }));
    await handleDroppedPaths(['/data/mystery.xlsx']);
    expect(step()).toBe('ask-kind');
    expect(api.previewImport).not.toHaveBeenCalled();

    await chooseKind('profile');
    expect(api.previewImport).toHaveBeenCalledWith('/data/mystery.xlsx', 'profile', null);
    expect(step()).toBe('preview');
  });

  it('asks which account a KPI file without an Account column is for, and passes the name on', async () => {
    api.probeFile.mockResolvedValue(probe('/data/techcorp.xlsx', { kind: 'kpi', needs_account: true }));
    await handleDroppedPaths(['/data/techcorp.xlsx']);
    expect(step()).toBe('ask-account');

    await chooseAccount('   ');
    expect(step()).toBe('ask-account');

    await chooseAccount('  TechCorp   Solutions ');
    expect(api.previewImport).toHaveBeenCalledWith('/data/techcorp.xlsx', 'kpi', 'TechCorp Solutions');
    await confirmImport();
    expect(api.runImport).toHaveBeenCalledWith('/data/techcorp.xlsx', 'kpi', 'TechCorp Solutions');
  });

  it('asks for the kind first, then the account, when both are unknown', async () => {
    api.probeFile.mockResolvedValue(probe('/data/x.xlsx', { kind: null, needs_account: true }));
    await handleDroppedPaths(['/data/x.xlsx']);
    await chooseKind('kpi');
    expect(step()).toBe('ask-account');
  });

  it('Cancel on the preview imports nothing and moves on to the next dropped file', async () => {
    api.probeFile.mockImplementation(async (path) => probe(path, { kind: 'profile' }));
    await handleDroppedPaths(['/data/a.xlsx', '/data/b.xlsx']);
    expect(flowStore.get().queue).toHaveLength(1);

    await cancelCurrent();
    expect(api.runImport).not.toHaveBeenCalled();
    const s = flowStore.get().current;
    expect(s.step === 'preview' && s.path).toBe('/data/b.xlsx');

    await cancelCurrent();
    expect(step()).toBe('idle');
  });

  it('files dropped while a preview is open wait their turn', async () => {
    api.probeFile.mockImplementation(async (path) => probe(path));
    await handleDroppedPaths(['/data/a.xlsx']);
    await handleDroppedPaths(['/data/b.xlsx']);
    expect(api.probeFile).toHaveBeenCalledTimes(1);
    await confirmImport();
    await cancelCurrent(); // close the report
    expect(api.probeFile).toHaveBeenLastCalledWith('/data/b.xlsx');
  });

  it('Cancel all drops every waiting file', async () => {
    api.probeFile.mockImplementation(async (path) => probe(path));
    await handleDroppedPaths(['/data/a.xlsx', '/data/b.xlsx', '/data/c.xlsx']);
    cancelAll();
    expect(step()).toBe('idle');
    expect(flowStore.get().queue).toEqual([]);
  });

  it('shows a file the core cannot read as an error with its code, and changes nothing', async () => {
    api.probeFile.mockRejectedValue({ code: 'file_not_spreadsheet', message: 'notes.txt: not a spreadsheet' });
    await handleDroppedPaths(['/data/notes.txt']);
    const s = flowStore.get().current;
    expect(s.step).toBe('error');
    expect(s.step === 'error' && s.error).toEqual({ code: 'file_not_spreadsheet', message: 'notes.txt: not a spreadsheet' });
    expect(api.previewImport).not.toHaveBeenCalled();
    await cancelCurrent();
    expect(step()).toBe('idle');
  });

  it('a failed import is shown as an error, not as a report', async () => {
    api.probeFile.mockResolvedValue(probe('/data/kpis.xlsx'));
    api.runImport.mockRejectedValue({ code: 'database', message: 'database: disk full' });
    await handleDroppedPaths(['/data/kpis.xlsx']);
    await confirmImport();
    const s = flowStore.get().current;
    expect(s.step === 'error' && s.error.code).toBe('database');
  });

  it('"Choose KPI file…" skips the kind question; a cancelled file dialog does nothing', async () => {
    api.pickFiles.mockResolvedValueOnce([]);
    await chooseFiles('kpi');
    expect(step()).toBe('idle');

    api.pickFiles.mockResolvedValueOnce(['/data/odd.xlsx']);
    api.probeFile.mockResolvedValue(probe('/data/odd.xlsx', { kind: null }));
    await chooseFiles('kpi');
    expect(api.pickFiles).toHaveBeenLastCalledWith('kpi');
    expect(api.previewImport).toHaveBeenCalledWith('/data/odd.xlsx', 'kpi', null);
  });
});
