// Getting data out: the save / folder dialog, then the export, then a toast saying where it went and how big.
import type { AccountQuery } from '../api/bindings/AccountQuery';
import { commands, type AccountId, type SnapshotId } from '../api/commands';
import { toErrorPayload } from '../api/errors';
import { pushToast } from '../components/toastStore';

/** 1536 → "1.5 KB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** A file name safe on every platform, from an account name or similar. */
export function safeFileName(text: string): string {
  const printable = Array.from(text, (ch) => (ch.charCodeAt(0) < 32 ? ' ' : ch)).join('');
  const cleaned = printable.replace(/[\\/:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim();
  return cleaned.length > 0 ? cleaned.slice(0, 80) : 'Tideline';
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function fail(title: string, err: unknown): void {
  pushToast({ title, description: toErrorPayload(err).message, tone: 'error' });
}

/** "Export…" on the Health table: exactly what is shown (search, filters, sort), every page. */
export async function exportTable(query: AccountQuery): Promise<boolean> {
  try {
    const path = await commands.pickPath('xlsx_save', `Tideline health ${today()}.xlsx`);
    if (!path) return false;
    // The core exports every page of the query, whatever page the table is showing.
    const report = await commands.exportAccounts(query, path);
    pushToast({
      title: `Exported ${report.rows} accounts`,
      description: `${report.path} (${formatBytes(report.size_bytes)})`,
      tone: 'success',
    });
    return true;
  } catch (err) {
    fail('Export failed', err);
    return false;
  }
}

/** An account's snapshot timeline, health and KPI history to a workbook. */
export async function exportAccountHistory(accountId: AccountId, accountName: string): Promise<boolean> {
  try {
    const path = await commands.pickPath('xlsx_save', `${safeFileName(accountName)} ${today()}.xlsx`);
    if (!path) return false;
    const report = await commands.exportAccount(accountId, path);
    pushToast({
      title: `Exported ${accountName}'s history`,
      description: `${report.path} (${formatBytes(report.size_bytes)})`,
      tone: 'success',
    });
    return true;
  } catch (err) {
    fail('Export failed', err);
    return false;
  }
}

/** "Export snapshot…": the evidence pack (HTML + the stored JSON) into a folder the user picks. */
export async function exportSnapshotPack(snapshotId: SnapshotId, diffFrom: SnapshotId | null): Promise<boolean> {
  try {
    const dir = await commands.pickPath('folder', null);
    if (!dir) return false;
    const pack = await commands.exportSnapshot(snapshotId, dir, diffFrom);
    pushToast({
      title: pack.verified ? 'Evidence pack written' : 'Evidence pack written, but the snapshot does not verify',
      description: `${pack.html_path} · SHA-256 ${pack.content_sha256.slice(0, 12)}…`,
      tone: pack.verified ? 'success' : 'warning',
    });
    return true;
  } catch (err) {
    fail('Export failed', err);
    return false;
  }
}
