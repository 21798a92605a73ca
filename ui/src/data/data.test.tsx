import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccountId } from '../api/commands';
import { commands } from '../api/commands';
import type { BackupInfo } from '../api/bindings/BackupInfo';
import { toastStore } from '../components/toastStore';
import { renderWithProviders } from '../test/render';
import { exportTable, formatBytes, safeFileName } from './actions';
import { BackupsSection, reloadWindow } from './BackupsSection';
import { PanelExport } from './PanelExport';

vi.mock('../api/commands', () => ({
  commands: {
    pickPath: vi.fn(),
    backupNow: vi.fn(),
    restoreBackup: vi.fn(),
    listBackups: vi.fn(),
    getBackupSettings: vi.fn(),
    saveBackupSettings: vi.fn(),
    exportAccounts: vi.fn(),
    exportAccount: vi.fn(),
    exportSnapshot: vi.fn(),
  },
}));
const api = vi.mocked(commands);

function backup(over: Partial<BackupInfo> = {}): BackupInfo {
  return {
    path: '/data/backups/auto-20250115-100000.tideline-backup',
    file_name: 'auto-20250115-100000.tideline-backup',
    size_bytes: 2_621_440,
    created_at: '2025-01-15T10:00:00Z',
    app_version: '0.1.0',
    schema_version: 1,
    kind: 'auto',
    ...over,
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  toastStore.set(() => []);
  api.listBackups.mockResolvedValue([backup()]);
  api.getBackupSettings.mockResolvedValue({ auto_daily: true, keep: 7 });
});

describe('Settings → Backups', () => {
  it('lists the automatic backups with their size and kind', async () => {
    renderWithProviders(<BackupsSection />);
    const rows = await screen.findAllByTestId('backup-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Daily');
    expect(rows[0]).toHaveTextContent('2.5 MB');
    expect(rows[0]).toHaveTextContent('auto-20250115-100000.tideline-backup');
    expect(screen.getByTestId('backup-auto-daily')).toBeChecked();
    expect(screen.getByTestId('backup-keep')).toHaveValue(7);
  });

  it('backs up to the file picked and says where and how big', async () => {
    const user = userEvent.setup();
    api.pickPath.mockResolvedValue('/home/me/mine.tideline-backup');
    api.backupNow.mockResolvedValue(backup({ path: '/home/me/mine.tideline-backup', size_bytes: 1536, kind: 'manual' }));
    renderWithProviders(<BackupsSection />);
    await user.click(screen.getByTestId('backup-now'));
    await waitFor(() => expect(api.backupNow).toHaveBeenCalledWith('/home/me/mine.tideline-backup'));
    expect(api.pickPath.mock.calls[0]![0]).toBe('backup_save');
    await waitFor(() => expect(toastStore.get()).toHaveLength(1));
    expect(toastStore.get()[0]!.description).toBe('/home/me/mine.tideline-backup (1.5 KB)');
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const user = userEvent.setup();
    api.pickPath.mockResolvedValue(null);
    renderWithProviders(<BackupsSection />);
    await user.click(screen.getByTestId('backup-now'));
    await waitFor(() => expect(api.pickPath).toHaveBeenCalled());
    expect(api.backupNow).not.toHaveBeenCalled();
    expect(toastStore.get()).toHaveLength(0);
  });

  it('restores only after confirming, then reloads the window', async () => {
    const user = userEvent.setup();
    const reload = vi.spyOn(reloadWindow, 'run').mockImplementation(() => {});
    api.pickPath.mockResolvedValue('/home/me/old.tideline-backup');
    api.restoreBackup.mockResolvedValue({
      restored: backup({ kind: 'manual' }),
      safety_backup: backup({ kind: 'pre_restore' }),
      tables: [],
      settings_restored: true,
    });
    renderWithProviders(<BackupsSection />);
    await user.click(screen.getByTestId('restore-choose'));
    const confirm = await screen.findByTestId('restore-confirm');
    expect(confirm).toHaveTextContent('/home/me/old.tideline-backup');
    expect(api.restoreBackup).not.toHaveBeenCalled();
    await user.click(within(confirm).getByTestId('restore-confirm-yes'));
    await waitFor(() => expect(reload).toHaveBeenCalledTimes(1));
    expect(api.restoreBackup).toHaveBeenCalledWith('/home/me/old.tideline-backup');
  });

  it('shows why a backup was refused and keeps the window', async () => {
    const user = userEvent.setup();
    const reload = vi.spyOn(reloadWindow, 'run').mockImplementation(() => {});
    api.pickPath.mockResolvedValue('/home/me/new.tideline-backup');
    api.restoreBackup.mockRejectedValue({
      code: 'backup_too_new',
      message: '/home/me/new.tideline-backup: the backup is from a newer Tideline (schema 9, this build reads 1)',
    });
    renderWithProviders(<BackupsSection />);
    await user.click(screen.getByTestId('restore-choose'));
    await user.click(await screen.findByTestId('restore-confirm-yes'));
    expect(await screen.findByText(/schema 9, this build reads 1/)).toBeInTheDocument();
    expect(reload).not.toHaveBeenCalled();
  });

  it('saves the daily toggle and refuses a keep count of zero', async () => {
    const user = userEvent.setup();
    api.saveBackupSettings.mockResolvedValue({ auto_daily: false, keep: 7 });
    renderWithProviders(<BackupsSection />);
    await user.click(await screen.findByTestId('backup-auto-daily'));
    await waitFor(() => expect(api.saveBackupSettings).toHaveBeenCalledWith({ auto_daily: false, keep: 7 }));
    const keep = screen.getByTestId('backup-keep');
    await user.clear(keep);
    await user.type(keep, '0');
    await user.tab();
    expect(await screen.findByText(/from 1 to 365/)).toBeInTheDocument();
    expect(api.saveBackupSettings).toHaveBeenCalledTimes(1);
  });
});

describe('exports', () => {
  it('exports the Health table with the query the table shows', async () => {
    api.pickPath.mockResolvedValue('/home/me/health.xlsx');
    api.exportAccounts.mockResolvedValue({ path: '/home/me/health.xlsx', rows: 12, size_bytes: 4096 });
    const query = { search: 'tech', band: 'at_risk' as const, sort: 'health' as const, descending: true };
    expect(await exportTable(query)).toBe(true);
    expect(api.pickPath.mock.calls[0]![0]).toBe('xlsx_save');
    expect(api.exportAccounts).toHaveBeenCalledWith(query, '/home/me/health.xlsx');
    expect(toastStore.get()[0]!.title).toBe('Exported 12 accounts');
  });

  it('reports a failed export in a toast', async () => {
    api.pickPath.mockResolvedValue('/readonly/health.xlsx');
    api.exportAccounts.mockRejectedValue({ code: 'write_failed', message: '/readonly/health.xlsx: could not write: denied' });
    expect(await exportTable({})).toBe(false);
    expect(toastStore.get()[0]).toMatchObject({ tone: 'error', description: '/readonly/health.xlsx: could not write: denied' });
  });

  it('writes the evidence pack of the shown snapshot, compared with the one before', async () => {
    const user = userEvent.setup();
    api.pickPath.mockResolvedValue('/home/me/packs');
    api.exportSnapshot.mockResolvedValue({
      snapshot_id: 42,
      html_path: '/home/me/packs/snapshot-42.html',
      json_path: '/home/me/packs/snapshot-42.json',
      content_sha256: 'ab'.repeat(32),
      verified: true,
    });
    renderWithProviders(
      <PanelExport accountId={7 as AccountId} accountName="<img src=x>" snapshotId={42 as never} previousId={40 as never} />,
    );
    await user.click(screen.getByTestId('export-snapshot'));
    await waitFor(() => expect(api.exportSnapshot).toHaveBeenCalledWith(42, '/home/me/packs', 40));
    expect(api.pickPath.mock.calls[0]![0]).toBe('folder');
  });

  it('suggests a safe file name for an account history', () => {
    expect(safeFileName('<img src=x onerror=alert(1)>')).toBe('img src=x onerror=alert(1)');
    expect(safeFileName('a/b:c')).toBe('a b c');
    expect(safeFileName('///')).toBe('Tideline');
    expect(formatBytes(512)).toBe('512 bytes');
  });
});
