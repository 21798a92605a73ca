// What the undo confirmation in the import history says: what comes back and, when the import created accounts,
// that undoing deletes them with everything Tideline holds on them (what the schema's cascades remove; the core
// says the same in `REMOVED_WITH_ACCOUNTS`, src-tauri/core/src/import/undo.rs, which the CLI prints).
import type { ImportListItem } from '../api/bindings/ImportListItem';
import { formatNumber } from '../lib/format';

const removedWith = (their: 'its' | 'their') =>
  `all ${their} snapshots (manual ones too), health scores, KPI values, playbook runs and activity`;

export type UndoConfirmation = {
  /** What undoing puts back and removes. */
  revert: string;
  /** The accounts undoing deletes, and what goes with them; null when the import created none. */
  accountsRemoved: string | null;
};

export function undoConfirmation(item: Pick<ImportListItem, 'kind' | 'accounts_created'>): UndoConfirmation {
  const revert =
    item.kind === 'kpi'
      ? 'Put back the KPI values this import replaced and remove what it added?'
      : 'Put back the profiles and account IDs this import changed and remove what it added?';
  const n = item.accounts_created;
  const accountsRemoved =
    n === 0
      ? null
      : n === 1
        ? `This also deletes the account this import created, with ${removedWith('its')}; none of it can be brought back.`
        : `This also deletes the ${formatNumber(n)} accounts this import created, with ${removedWith('their')}; none of it can be brought back.`;
  return { revert, accountsRemoved };
}
