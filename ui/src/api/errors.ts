// Errors reach the UI as the core's `{code, message}`; this normalises anything thrown and says what to try.
// The codes are the Rust `ErrorCode` enum (generated); HINTS is keyed by every one of them, so a code added in
// Rust without a hint here fails the type check.
import type { ErrorCode } from './bindings/ErrorCode';

/** A core error, or `ui` for one raised in the window itself. */
export type ShownErrorCode = ErrorCode | 'ui';
export type ShownError = { code: ShownErrorCode; message: string };

const HINTS: Record<ShownErrorCode, string> = {
  file_not_spreadsheet: 'Choose an Excel or OpenDocument workbook (.xlsx, .xlsm, .xlsb, .xls, .ods).',
  file_unreadable: 'Check that the file still exists and is not open in another program, then try again.',
  file_encrypted: 'Save a copy of the workbook without a password and import that copy.',
  file_empty: 'The workbook has no rows to read. Check you picked the right file.',
  file_too_large: 'Split the workbook into smaller files, or remove stray cells far outside the data.',
  file_permission_denied: 'Ask the owner of the file for read access, or save a copy of it in a folder of yours and import that.',
  header_not_found: 'Put a header row (e.g. Account, KPI, Value) in the first 20 rows of a sheet.',
  account_required: 'Choose which account this file belongs to.',
  kind_unknown: 'Tell Tideline whether this is a KPI or a profile workbook.',
  account_not_found: 'The account may have been renamed or removed. Refresh the table and try again.',
  snapshot_not_found: 'The snapshot no longer exists. Open the account again to load its latest snapshot.',
  import_not_found: 'That import is no longer in the history.',
  playbook_not_found: 'The playbook catalog changed. Reload the Playbooks screen.',
  execution_not_found: 'The playbook run no longer exists. Reload the Playbooks screen.',
  execution_closed: 'Only a playbook that is still in progress can be changed.',
  step_not_found: 'The playbook changed. Reload the Playbooks screen.',
  invalid_setting: 'Correct the highlighted value and save again.',
  invalid_input: 'Check the value you entered and try again.',
  settings_file: 'The settings file could not be read or written. Check the data folder is writable.',
  data_dir: 'Check that the data folder exists and is writable.',
  data_dir_read_only: 'Make the data folder writable (or move it off a read-only drive), then restart Tideline.',
  data_dir_missing: 'Reconnect the drive the data folder is on, or start Tideline on another data folder.',
  database: 'Try again. If it keeps failing, restart Tideline and check the log file in the data folder.',
  database_busy: 'Close other programs using the data folder (another Tideline, a database browser), then try again.',
  disk_full: 'Free some space on the disk that holds the data folder, then try again. Your data was not changed.',
  migration: 'This data folder was written by a different Tideline version. Update Tideline.',
  corrupt: 'Stored data is damaged. Check the log file in the data folder.',
  internal: 'Try again. If it keeps failing, check the log file in the data folder.',
  not_tideline_database: 'Move that file out of the data folder (or start Tideline on another folder); Tideline did not touch it.',
  database_too_new: 'Update Tideline to the version that wrote this data, or restore a backup made by this version.',
  backup_invalid: 'Choose a .tideline-backup file made by Tideline.',
  backup_too_new: 'Update Tideline to restore this backup; your current data was not changed.',
  write_failed: 'Check that the folder exists, is writable and has free space, then try again.',
  import_cancelled: 'The import was stopped before anything was written. Import the file again when you are ready.',
  import_already_undone: 'That import was undone already; its values are back to what they were before it.',
  import_undo_blocked: 'Undo the later import named in the message first, then this one.',
  import_undo_unsupported:
    'This import was made before Tideline kept what undoing needs. Import a corrected workbook instead.',
  app: 'The window could not do that. Try again; if it keeps failing, restart Tideline.',
  ui: 'Try again. If it keeps failing, check the log file in the data folder.',
};

function isShownErrorCode(code: unknown): code is ShownErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(HINTS, code);
}

export function isErrorPayload(value: unknown): value is ShownError {
  return (
    typeof value === 'object' &&
    value !== null &&
    isShownErrorCode((value as { code?: unknown }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function toErrorPayload(err: unknown): ShownError {
  if (isErrorPayload(err)) return { code: err.code, message: err.message };
  if (typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string') {
    return { code: 'ui', message: (err as { message: string }).message };
  }
  if (typeof err === 'string') return { code: 'ui', message: err };
  return { code: 'ui', message: 'Something went wrong.' };
}

export function hintFor(code: ShownErrorCode): string {
  return HINTS[code];
}
