//! Undoing an import: the KPI values it replaced are put back (from `import_kpi_changes`), the values it added
//! are removed, and so are the accounts it created; all in one transaction, with the events that follow (so
//! snapshots record the reverted state; earlier snapshots are history and stay as they are). Only the latest
//! import on those values can be undone: one whose values a later import changed is refused, naming it.

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{ImportKind, UndoReport};
use crate::{clock, store, Tideline};

impl Tideline {
    /// Undoes import `id` (see the module documentation), then rescores health for the accounts and months it
    /// touched.
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
        if record.kind != ImportKind::Kpi {
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
        let accounts_removed = store::imports::delete_created_accounts(&mut tx, id).await?;
        let mut accounts: Vec<i64> = pairs.iter().map(|(a, _)| *a).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let remaining = store::accounts::existing(&mut tx, &accounts).await?;
        let events = outbox::record(
            &mut tx,
            EventType::KpiDataUploaded,
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
            "Undid import {id} ({}): {restored} values restored, {removed} removed, {accounts_removed} accounts removed",
            record.file
        );
        Ok(UndoReport {
            import_id: id,
            file: record.file,
            values_restored: restored,
            values_removed: removed,
            accounts_removed,
            events,
        })
    }
}
