//! Account snapshots: explicit creation, the Health-tab click rule, reading, listing, diffing and verifying.
//! Event-driven snapshots are made only by the subscriber (`crate::events`).

pub mod build;
pub mod cooldown;
pub mod diff;
pub mod take;

use sha2::{Digest, Sha256};

use crate::clock;
use crate::db::begin_write;
use crate::error::Result;
use crate::model::{
    PlaybookSuggestion, Snapshot, SnapshotDiff, SnapshotListItem, SnapshotOpen, SnapshotType,
};
use crate::store::{self, snapshots};
use crate::{playbook, Tideline};

/// The trigger recorded when a CSM opens an account in the Health tab.
pub const CLICK_TRIGGER: &str = "User clicked account in Health tab";
/// The trigger recorded when a question finds no snapshot to answer from.
pub const RAG_TRIGGER: &str = "rag_query_missing_snapshot";
pub const MANUAL_TRIGGER: &str = "manual";

impl Tideline {
    /// An explicit snapshot ("Take snapshot now", `snapshot create`): any type, no cooldown.
    #[tracing::instrument(skip(self), err)]
    pub async fn create_snapshot(
        &self,
        account_id: i64,
        snapshot_type: SnapshotType,
        trigger_event: Option<&str>,
    ) -> Result<Snapshot> {
        let trigger = trigger_event
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(MANUAL_TRIGGER);
        let mut tx = begin_write(self.pool()).await?;
        // Read the time under the write lock: writers are serialised, so time order is commit order.
        let now = clock::to_db(self.now());
        let snap = take::create(&mut tx, account_id, snapshot_type, trigger, &now).await?;
        tx.commit().await?;
        tracing::info!(
            "Created {} snapshot {} for account {} (trigger: {})",
            snapshot_type.as_str(),
            snap.id,
            snap.account_name,
            trigger
        );
        Ok(snap)
    }

    /// What a click on an account in the Health tab does: show the latest snapshot if it is younger than the
    /// cooldown window, else take a `manual` one and show that. Check and create are one transaction, so a
    /// double click never makes two.
    #[tracing::instrument(skip(self), err)]
    pub async fn open_account(&self, account_id: i64) -> Result<SnapshotOpen> {
        let cooldown = self.settings()?.cooldown_seconds;
        let mut tx = begin_write(self.pool()).await?;
        let now = self.now();
        let now_text = clock::to_db(now);
        let newest = snapshots::newest(&mut tx, account_id).await?;
        let fresh = match &newest {
            Some((id, at)) => {
                cooldown::remaining(Some(snapshots::parse_time(at)?), now, cooldown).map(|_| *id)
            }
            None => None,
        };
        let (snapshot, created) = match fresh {
            Some(id) => (snapshots::load(&mut tx, id).await?, false),
            None => (
                take::create(
                    &mut tx,
                    account_id,
                    SnapshotType::Manual,
                    CLICK_TRIGGER,
                    &now_text,
                )
                .await?,
                true,
            ),
        };
        let changes_since =
            store::events::unsnapshotted_since(&mut tx, account_id, &snapshot.created_at).await?;
        tx.commit().await?;
        if created {
            tracing::info!(
                "Created manual snapshot {} for account {} (trigger: {})",
                snapshot.id,
                snapshot.account_name,
                CLICK_TRIGGER
            );
        }
        let remaining = cooldown::remaining(
            Some(snapshots::parse_time(&snapshot.created_at)?),
            now,
            cooldown,
        );
        Ok(SnapshotOpen {
            created,
            snapshot,
            changes_since,
            cooldown_remaining_seconds: remaining.unwrap_or(0),
            cooldown_seconds: cooldown,
        })
    }

    pub async fn latest_snapshot(&self, account_id: i64) -> Result<Option<Snapshot>> {
        let mut conn = self.pool().acquire().await?;
        match snapshots::newest(&mut conn, account_id).await? {
            Some((id, _)) => Ok(Some(snapshots::load(&mut conn, id).await?)),
            None => Ok(None),
        }
    }

    /// The account's snapshots, newest first.
    pub async fn list_snapshots(
        &self,
        account_id: i64,
        limit: u32,
    ) -> Result<Vec<SnapshotListItem>> {
        let mut conn = self.pool().acquire().await?;
        snapshots::list(&mut conn, account_id, limit).await
    }

    pub async fn get_snapshot(&self, id: i64) -> Result<Snapshot> {
        let mut conn = self.pool().acquire().await?;
        snapshots::load(&mut conn, id).await
    }

    /// Whether snapshot `id` still matches the SHA-256 recorded when it was taken.
    pub async fn verify_snapshot(&self, id: i64) -> Result<bool> {
        let mut conn = self.pool().acquire().await?;
        let (text, sha) = snapshots::content_and_hash(&mut conn, id).await?;
        Ok(hex::encode(Sha256::digest(text.as_bytes())) == sha)
    }

    /// Side-by-side comparison of two snapshots (usually of one account; any two are allowed).
    pub async fn diff_snapshots(&self, from: i64, to: i64) -> Result<SnapshotDiff> {
        let mut conn = self.pool().acquire().await?;
        let a = snapshots::load(&mut conn, from).await?;
        let b = snapshots::load(&mut conn, to).await?;
        Ok(SnapshotDiff {
            from: snapshots::list_item_of(&mut conn, from).await?,
            to: snapshots::list_item_of(&mut conn, to).await?,
            entries: diff::diff(&a.content, &b.content),
        })
    }

    /// The snapshot a question is answered from: the latest, or a `rag_auto` one made now if the account has none.
    pub async fn snapshot_for_question(&self, account_id: i64) -> Result<(Snapshot, bool)> {
        let account = self.account_by_id(account_id).await?;
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());
        if let Some((id, _)) = snapshots::newest(&mut tx, account_id).await? {
            let snap = snapshots::load(&mut tx, id).await?;
            tx.commit().await?;
            return Ok((snap, false));
        }
        tracing::info!(
            "📸 No snapshot found for {}, creating one automatically...",
            account.name
        );
        let snap = take::create(
            &mut tx,
            account_id,
            SnapshotType::RagAuto,
            RAG_TRIGGER,
            &now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!("✓ Auto-created snapshot {} for {}", snap.id, account.name);
        Ok((snap, true))
    }

    /// The playbook that fits the account best right now, if any, and why: judged on the account's document as
    /// it is now. It lives here, not in `playbook`, because it builds a snapshot document, and playbooks must not
    /// depend on snapshots (snapshots list the account's playbook executions).
    pub async fn suggest_playbook(&self, account_id: i64) -> Result<Option<PlaybookSuggestion>> {
        let mut conn = self.pool().acquire().await?;
        let content = build::build_content(&mut conn, account_id).await?;
        let today = self.now().with_timezone(&chrono::Local).date_naive();
        Ok(playbook::suggest::suggest(&content, today))
    }
}
