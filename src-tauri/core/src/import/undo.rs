//! Undoing an import: the KPI values it replaced are put back (from `import_kpi_changes`), the values it added
//! are removed, the profiles and external ids it changed are put back (from `import_account_changes`), and the
//! accounts it created are removed; all in one transaction, with the events that follow (so snapshots record the
//! reverted state; earlier snapshots are history and stay as they are). Only the latest import on those values
//! and accounts can be undone: one that a later import built on is refused, naming it.

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{ImportKind, UndoReport};
use crate::{clock, store, Tideline};

/// What undoing an import removes with each account the import created (what the schema's cascades take). The
/// UI's confirmation says the same (`ui/src/screens/Imports.tsx`).
pub const REMOVED_WITH_ACCOUNTS: &str =
    "all their snapshots (manual ones too), health scores, KPI values, playbook runs and activity";

/// The sentence telling that undoing removes `n` accounts the import created, with what goes with them.
pub fn accounts_removed_notice(n: u32) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!(
            "the account this import created was removed, with {REMOVED_WITH_ACCOUNTS}"
        )),
        n => Some(format!(
            "the {n} accounts this import created were removed, with {REMOVED_WITH_ACCOUNTS}"
        )),
    }
}

impl Tideline {
    /// Undoes import `id` (see the module documentation), then rescores health for the accounts and months whose
    /// KPI values it touched.
    #[tracing::instrument(skip(self), err)]
    pub async fn undo_import(&self, id: i64) -> Result<UndoReport> {
        let now = clock::to_db(self.now());
        let mut tx = begin_write(self.pool()).await?;
        let record = store::imports::undo_state(&mut tx, id).await?;
        if record.undone {
            return Err(Error::ImportAlreadyUndone {
                id,
                file: record.file,
            });
        }
        if !record.recorded {
            return Err(Error::ImportUndoUnsupported {
                id,
                file: record.file,
            });
        }
        if let Some((later_id, later_file)) = store::imports::later_import_on(&mut tx, id).await? {
            return Err(Error::ImportUndoBlocked {
                id,
                file: record.file,
                later_id,
                later_file,
            });
        }
        let pairs = store::imports::written_periods(&mut tx, id).await?;
        let restored = store::import_kpi_changes::restore_all(&mut tx, id).await?;
        let removed = store::kpi_values::delete_of_import(&mut tx, id).await?;
        let mut accounts = store::import_account_changes::accounts_of(&mut tx, id).await?;
        let accounts_restored =
            store::import_account_changes::restore_all(&mut tx, id, &now).await?;
        let created = store::imports::created_accounts(&mut tx, id).await?;
        store::snapshot_text::delete_of_accounts(&mut tx, &created).await?;
        let accounts_removed = store::imports::delete_created_accounts(&mut tx, id).await?;
        accounts.extend(pairs.iter().map(|(a, _)| *a));
        accounts.sort_unstable();
        accounts.dedup();
        let remaining = store::accounts::existing(&mut tx, &accounts).await?;
        let event = match record.kind {
            ImportKind::Kpi => EventType::KpiDataUploaded,
            ImportKind::Profile => EventType::AccountDataChanged,
        };
        let events = outbox::record(
            &mut tx,
            event,
            &remaining,
            &format!("undo of import {id}"),
            &now,
        )
        .await?;
        store::imports::mark_undone(&mut tx, id, &now).await?;
        tx.commit().await?;
        if events > 0 {
            self.events_written();
        }
        let kept: Vec<(i64, String)> = pairs
            .into_iter()
            .filter(|(a, _)| remaining.binary_search(a).is_ok())
            .collect();
        if !kept.is_empty() {
            if let Err(e) = self.rescore_pairs(&kept).await {
                tracing::warn!("undo of import {id}: health scores were not updated: {e}");
            }
        }
        tracing::info!(
            "Undid import {id} ({}): {restored} values restored, {removed} removed, {accounts_restored} accounts \
             put back, {accounts_removed} accounts removed",
            record.file
        );
        Ok(UndoReport {
            import_id: id,
            file: record.file,
            values_restored: restored,
            values_removed: removed,
            accounts_restored,
            accounts_removed,
            events,
        })
    }
}
