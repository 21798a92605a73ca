// Settings → Backups: back up now (to a file the user picks), restore from one (after a confirmation; the
// current data is backed up first and the window reloads), the automatic backups in the data folder, and the
// daily toggle with how many to keep.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArchiveRestore, HardDriveDownload } from 'lucide-react';
import { useState } from 'react';
import type { BackupInfo } from '../api/bindings/BackupInfo';
import type { BackupSettings } from '../api/bindings/BackupSettings';
import { commands } from '../api/commands';
import { toErrorPayload } from '../api/errors';
import { ErrorState, Skeleton } from '../components/States';
import { pushToast } from '../components/toastStore';
import { formatExact } from '../lib/format';
import { formatBytes } from './actions';

const backupKeys = {
  list: () => ['backups'] as const,
  settings: () => ['backup-settings'] as const,
};

const KIND_LABEL: Record<string, string> = {
  auto: 'Daily',
  pre_restore: 'Before a restore',
  manual: 'Manual',
};

/** Reloads the window after a restore; a seam so tests can see it happen. */
export const reloadWindow = { run: () => window.location.reload() };

function BackupList({ backups }: { backups: BackupInfo[] }) {
  if (backups.length === 0) {
    return <p className="muted small" data-testid="backups-empty">No automatic backups yet.</p>;
  }
  return (
    <table className="mini-table" data-testid="backups-list">
      <thead>
        <tr>
          <th>Taken</th>
          <th>Kind</th>
          <th className="num">Size</th>
          <th>File</th>
        </tr>
      </thead>
      <tbody>
        {backups.map((b) => (
          <tr key={b.path} data-testid="backup-row">
            <td className="tabular">{formatExact(b.created_at)}</td>
            <td>{KIND_LABEL[b.kind] ?? b.kind}</td>
            <td className="num tabular">{formatBytes(b.size_bytes)}</td>
            <td className="mono" title={b.path}>
              {b.file_name}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AutoBackupFields({ saved }: { saved: BackupSettings }) {
  const client = useQueryClient();
  const [keep, setKeep] = useState(String(saved.keep));
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (s: BackupSettings) => commands.saveBackupSettings(s),
    onSuccess: (s) => {
      client.setQueryData(backupKeys.settings(), s);
      void client.invalidateQueries({ queryKey: backupKeys.list() });
    },
    onError: (err) => setError(toErrorPayload(err).message),
  });
  const commitKeep = () => {
    const n = Number(keep);
    if (!Number.isInteger(n) || n < 1 || n > 365) {
      setError('Keep a whole number of backups from 1 to 365.');
      return;
    }
    setError(null);
    if (n !== saved.keep) save.mutate({ ...saved, keep: n });
  };
  return (
    <div className="settings__row">
      <label className="row">
        <input
          type="checkbox"
          data-testid="backup-auto-daily"
          checked={saved.auto_daily}
          onChange={(e) => save.mutate({ ...saved, auto_daily: e.target.checked })}
        />
        Back up automatically every day
      </label>
      <div className="field">
        <label htmlFor="backup-keep">Keep the last</label>
        <input
          id="backup-keep"
          className="input input--number num"
          type="number"
          min={1}
          max={365}
          value={keep}
          data-testid="backup-keep"
          aria-invalid={error ? true : undefined}
          onChange={(e) => setKeep(e.target.value)}
          onBlur={commitKeep}
        />
        <span className={error ? 'field__error' : 'field__help'}>{error ?? 'daily backups, in the data folder’s backups/'}</span>
      </div>
    </div>
  );
}

export function BackupsSection() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: backupKeys.list(), queryFn: commands.listBackups });
  const settings = useQuery({ queryKey: backupKeys.settings(), queryFn: commands.getBackupSettings });
  const [confirming, setConfirming] = useState<string | null>(null);

  const backup = useMutation({
    mutationFn: async () => {
      const path = await commands.pickPath('backup_save', `Tideline ${new Date().toISOString().slice(0, 10)}.tideline-backup`);
      return path ? commands.backupNow(path) : null;
    },
    onSuccess: (info) => {
      if (!info) return;
      pushToast({ title: 'Backed up', description: `${info.path} (${formatBytes(info.size_bytes)})`, tone: 'success' });
      void client.invalidateQueries({ queryKey: backupKeys.list() });
    },
    onError: (err) => pushToast({ title: 'Backup failed', description: toErrorPayload(err).message, tone: 'error' }),
  });

  const restore = useMutation({
    mutationFn: (path: string) => commands.restoreBackup(path),
    onSuccess: () => {
      setConfirming(null);
      reloadWindow.run();
    },
  });

  const chooseRestore = async () => {
    try {
      const path = await commands.pickPath('backup_open', null);
      if (path) setConfirming(path);
    } catch (err) {
      pushToast({ title: 'Restore failed', description: toErrorPayload(err).message, tone: 'error' });
    }
  };

  return (
    <section className="card settings__group" aria-labelledby="set-backups" data-testid="settings-backups">
      <h2 id="set-backups">Backups</h2>
      <div className="row">
        <button
          type="button"
          className="btn"
          data-testid="backup-now"
          disabled={backup.isPending || restore.isPending}
          onClick={() => backup.mutate()}
        >
          <HardDriveDownload size={14} aria-hidden="true" />
          {backup.isPending ? 'Backing up…' : 'Back up now…'}
        </button>
        <button
          type="button"
          className="btn"
          data-testid="restore-choose"
          disabled={backup.isPending || restore.isPending}
          onClick={() => void chooseRestore()}
        >
          <ArchiveRestore size={14} aria-hidden="true" />
          Restore…
        </button>
      </div>
      {confirming && (
        <div className="card" role="alertdialog" aria-labelledby="restore-confirm-title" data-testid="restore-confirm">
          <p id="restore-confirm-title">
            Replace all data and settings with <span className="mono">{confirming}</span>? The current data is backed
            up to the data folder’s backups/ first.
          </p>
          <div className="row">
            <button
              type="button"
              className="btn btn--primary"
              data-testid="restore-confirm-yes"
              disabled={restore.isPending}
              onClick={() => restore.mutate(confirming)}
            >
              {restore.isPending ? 'Restoring…' : 'Restore'}
            </button>
            <button
              type="button"
              className="btn"
              data-testid="restore-confirm-no"
              disabled={restore.isPending}
              onClick={() => {
                setConfirming(null);
                restore.reset();
              }}
            >
              Cancel
            </button>
          </div>
          {restore.error && <ErrorState error={restore.error} title="Nothing was restored" />}
        </div>
      )}
      {settings.data && <AutoBackupFields key={`${settings.data.keep}`} saved={settings.data} />}
      {list.isPending ? (
        <Skeleton lines={3} />
      ) : list.error ? (
        <ErrorState error={list.error} title="Backups could not be listed" onRetry={() => void list.refetch()} />
      ) : (
        <BackupList backups={list.data} />
      )}
    </section>
  );
}
