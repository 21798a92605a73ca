// The one typed door to the Rust core: every Tauri command the UI calls, with its argument and result types
// taken from the generated bindings. Arguments are camelCase (Tauri maps them to the Rust names).
import { invoke } from '@tauri-apps/api/core';
import type { AccountPage } from './bindings/AccountPage';
import type { AccountQuery } from './bindings/AccountQuery';
import type { AccountRow } from './bindings/AccountRow';
import type { ActivityItem } from './bindings/ActivityItem';
import type { AppInfo } from './bindings/AppInfo';
import type { AskAnswer } from './bindings/AskAnswer';
import type { BackupInfo } from './bindings/BackupInfo';
import type { BackupSettings } from './bindings/BackupSettings';
import type { EvidencePack } from './bindings/EvidencePack';
import type { ExportReport } from './bindings/ExportReport';
import type { FileProbe } from './bindings/FileProbe';
import type { HealthRecord } from './bindings/HealthRecord';
import type { HealthRunReport } from './bindings/HealthRunReport';
import type { ImportKind } from './bindings/ImportKind';
import type { ImportListItem } from './bindings/ImportListItem';
import type { ImportReport } from './bindings/ImportReport';
import type { Overview } from './bindings/Overview';
import type { Playbook } from './bindings/Playbook';
import type { PlaybookExecution } from './bindings/PlaybookExecution';
import type { PlaybookSuggestion } from './bindings/PlaybookSuggestion';
import type { RestoreReport } from './bindings/RestoreReport';
import type { Settings } from './bindings/Settings';
import type { Snapshot } from './bindings/Snapshot';
import type { SnapshotDiff } from './bindings/SnapshotDiff';
import type { SnapshotListItem } from './bindings/SnapshotListItem';
import type { SnapshotOpen } from './bindings/SnapshotOpen';
import type { UndoReport } from './bindings/UndoReport';
import { toErrorPayload } from './errors';

/** Ids exactly as the bindings type them (the values crossing IPC are JSON numbers). */
export type AccountId = AccountRow['id'];
export type SnapshotId = Snapshot['id'];
export type ImportId = ImportListItem['id'];
export type ExecutionId = PlaybookExecution['id'];

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    // A failed command rejects with `{code, message}`; anything else is normalised to that shape.
    throw toErrorPayload(err);
  }
}

export const commands = {
  overview: () => call<Overview>('overview'),
  listAccounts: (query: AccountQuery) => call<AccountPage>('list_accounts', { query }),

  openAccount: (accountId: AccountId) => call<SnapshotOpen>('open_account', { accountId }),
  takeSnapshot: (accountId: AccountId) => call<Snapshot>('take_snapshot', { accountId }),
  listSnapshots: (accountId: AccountId, limit: number) =>
    call<SnapshotListItem[]>('list_snapshots', { accountId, limit }),
  getSnapshot: (id: SnapshotId) => call<Snapshot>('get_snapshot', { id }),
  diffSnapshots: (from: SnapshotId, to: SnapshotId) => call<SnapshotDiff>('diff_snapshots', { from, to }),
  /** `stream`: the id the local model's reply streams under (`tideline://ask-delta`), if the caller listens. */
  askAccount: (accountId: AccountId, question: string, stream: number | null = null) =>
    call<AskAnswer>('ask_account', { accountId, question, stream }),
  askPortfolio: (question: string, stream: number | null = null) =>
    call<AskAnswer>('ask_portfolio', { question, stream }),
  healthHistory: (accountId: AccountId) => call<HealthRecord[]>('health_history', { accountId }),

  pickFiles: (kind: ImportKind | null) => call<string[]>('pick_files', { kind }),
  probeFile: (path: string) => call<FileProbe>('probe_file', { path }),
  previewImport: (path: string, kind: ImportKind, account: string | null) =>
    call<ImportReport>('preview_import', { path, kind, account }),
  runImport: (path: string, kind: ImportKind, account: string | null) =>
    call<ImportReport>('run_import', { path, kind, account }),
  listImports: (limit: number) => call<ImportListItem[]>('list_imports', { limit }),
  getImport: (id: ImportId) => call<ImportReport>('get_import', { id }),
  /** Undoes a KPI or profile import (only the latest on its values and accounts; `import_undo_blocked` names the
   * later one; the accounts it created are removed). */
  undoImport: (id: ImportId) => call<UndoReport>('undo_import', { id }),
  /** Stops the imports running now (they fail with `import_cancelled`, nothing written); how many were asked. */
  cancelImport: () => call<number>('cancel_import'),
  loadSample: () => call<ImportReport[]>('load_sample'),

  listActivity: (limit: number) => call<ActivityItem[]>('list_activity', { limit }),

  getSettings: () => call<Settings>('get_settings'),
  settingsNotice: () => call<string | null>('settings_notice'),
  takeOpenedFiles: () => call<string[]>('take_opened_files'),
  appInfo: () => call<AppInfo>('app_info'),
  defaultSettings: () => call<Settings>('default_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  calculateHealth: (accountId: AccountId | null) => call<HealthRunReport>('calculate_health', { accountId }),

  listPlaybooks: () => call<Playbook[]>('list_playbooks'),
  listExecutions: (accountId: AccountId | null) => call<PlaybookExecution[]>('list_executions', { accountId }),
  startPlaybook: (accountId: AccountId, playbookKey: string) =>
    call<PlaybookExecution>('start_playbook', { accountId, playbookKey }),
  setStep: (executionId: ExecutionId, step: number, done: boolean, note: string | null) =>
    call<PlaybookExecution>('set_step', { executionId, step, done, note }),
  completePlaybook: (executionId: ExecutionId) => call<PlaybookExecution>('complete_playbook', { executionId }),
  cancelPlaybook: (executionId: ExecutionId) => call<PlaybookExecution>('cancel_playbook', { executionId }),
  suggestPlaybook: (accountId: AccountId) => call<PlaybookSuggestion | null>('suggest_playbook', { accountId }),

  pickPath: (purpose: PickPurpose, suggested: string | null) =>
    call<string | null>('pick_path', { purpose, suggested }),
  backupNow: (path: string) => call<BackupInfo>('backup_now', { path }),
  restoreBackup: (path: string) => call<RestoreReport>('restore_backup', { path }),
  listBackups: () => call<BackupInfo[]>('list_backups'),
  getBackupSettings: () => call<BackupSettings>('get_backup_settings'),
  saveBackupSettings: (settings: BackupSettings) => call<BackupSettings>('save_backup_settings', { settings }),
  exportAccounts: (query: AccountQuery, path: string) => call<ExportReport>('export_accounts', { query, path }),
  exportAccount: (accountId: AccountId, path: string) => call<ExportReport>('export_account', { accountId, path }),
  exportSnapshot: (snapshotId: SnapshotId, dir: string, diffFrom: SnapshotId | null) =>
    call<EvidencePack>('export_snapshot', { snapshotId, dir, diffFrom }),
};

/** What a native dialog is for (`pick_path`): save or open a backup, save a workbook, choose a folder. */
export type PickPurpose = 'backup_save' | 'backup_open' | 'xlsx_save' | 'folder';

export type Commands = typeof commands;
