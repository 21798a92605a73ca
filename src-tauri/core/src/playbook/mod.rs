//! Playbooks: the shipped catalog, executions per account (start, tick steps, complete or cancel) and a
//! suggestion from the account's band and signals. Completing writes ACCOUNT_DATA_CHANGED in the same transaction.

pub mod catalog;

use sqlx::SqliteConnection;

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{
    Band, ExecutionStatus, Playbook, PlaybookExecution, PlaybookSuggestion, StepResult,
};
use crate::snapshot::build;
use crate::{clock, Tideline};

/// Renewals this close count as "near" for Renewal Rescue.
const RENEWAL_WINDOW_DAYS: i64 = 120;
/// A category scoring below this is a signal worth a playbook.
const WEAK_CATEGORY: f64 = 60.0;

async fn load(conn: &mut SqliteConnection, id: i64) -> Result<PlaybookExecution> {
    let row = sqlx::query(
        "SELECT e.id, e.account_id, a.name, e.playbook_key, e.status, e.steps, e.notes, e.started_at, e.updated_at, \
                e.completed_at \
         FROM playbook_executions e JOIN accounts a ON a.id = e.account_id WHERE e.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::ExecutionNotFound { id })?;
    build::execution_from_row(&row)
}

impl Tideline {
    pub fn playbooks(&self) -> Vec<Playbook> {
        catalog::all()
    }

    pub async fn list_executions(&self, account_id: Option<i64>) -> Result<Vec<PlaybookExecution>> {
        let mut conn = self.pool().acquire().await?;
        build::executions(&mut conn, account_id, 500).await
    }

    pub async fn start_playbook(
        &self,
        account_id: i64,
        playbook_key: &str,
    ) -> Result<PlaybookExecution> {
        let playbook = catalog::find(playbook_key).ok_or_else(|| Error::PlaybookNotFound {
            key: playbook_key.into(),
        })?;
        let account = self.account_by_id(account_id).await?;
        let steps: Vec<StepResult> = playbook
            .steps
            .iter()
            .map(|t| StepResult {
                title: t.clone(),
                done: false,
                note: None,
                done_at: None,
            })
            .collect();
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO playbook_executions (account_id, playbook_key, status, steps, started_at, updated_at) \
             VALUES (?, ?, 'in_progress', ?, ?, ?) RETURNING id",
        )
        .bind(account_id)
        .bind(&playbook.key)
        .bind(serde_json::to_string(&steps)?)
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let exec = load(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(
            "Started playbook {} (execution {id}) for account {}",
            playbook.name,
            account.name
        );
        Ok(exec)
    }

    /// Ticks (or unticks) step `step` (1-based) of an in-progress execution, with an optional note.
    pub async fn set_playbook_step(
        &self,
        id: i64,
        step: u32,
        done: bool,
        note: Option<&str>,
    ) -> Result<PlaybookExecution> {
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());
        let mut exec = load(&mut tx, id).await?;
        open_or_err(&exec)?;
        let index = (step as usize)
            .checked_sub(1)
            .filter(|i| *i < exec.steps.len());
        let Some(index) = index else {
            return Err(Error::StepNotFound { id, step });
        };
        let s = &mut exec.steps[index];
        s.done = done;
        s.done_at = done.then(|| now.clone());
        if let Some(n) = note {
            s.note = Some(n.trim().to_string()).filter(|n| !n.is_empty());
        }
        sqlx::query("UPDATE playbook_executions SET steps = ?, updated_at = ? WHERE id = ?")
            .bind(serde_json::to_string(&exec.steps)?)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let exec = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(exec)
    }

    /// Saves the execution as completed and, in the same transaction, writes ACCOUNT_DATA_CHANGED.
    pub async fn complete_playbook(&self, id: i64) -> Result<PlaybookExecution> {
        self.close_playbook(id, ExecutionStatus::Completed).await
    }

    pub async fn cancel_playbook(&self, id: i64) -> Result<PlaybookExecution> {
        self.close_playbook(id, ExecutionStatus::Cancelled).await
    }

    async fn close_playbook(&self, id: i64, status: ExecutionStatus) -> Result<PlaybookExecution> {
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());
        let exec = load(&mut tx, id).await?;
        open_or_err(&exec)?;
        sqlx::query("UPDATE playbook_executions SET status = ?, updated_at = ?, completed_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(&now)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if status == ExecutionStatus::Completed {
            outbox::record(
                &mut tx,
                EventType::AccountDataChanged,
                &[exec.account_id],
                &format!("playbook {id}"),
                &now,
            )
            .await?;
        }
        let exec = load(&mut tx, id).await?;
        tx.commit().await?;
        if status == ExecutionStatus::Completed {
            self.events_written();
        }
        tracing::info!(
            "Playbook {} (execution {id}) for account {} {}",
            exec.playbook_name,
            exec.account_name,
            status.as_str()
        );
        Ok(exec)
    }

    /// The playbook that fits the account best right now, if any, and why.
    pub async fn suggest_playbook(&self, account_id: i64) -> Result<Option<PlaybookSuggestion>> {
        let mut conn = self.pool().acquire().await?;
        let content = build::build_content(&mut conn, account_id).await?;
        let running: Vec<&str> = content
            .playbooks
            .iter()
            .filter(|e| e.status == ExecutionStatus::InProgress)
            .map(|e| e.playbook_key.as_str())
            .collect();
        let Some(health) = &content.health else {
            return Ok(None);
        };
        let category = |name: &str| {
            health
                .categories
                .iter()
                .find(|c| c.category == name)
                .map(|c| c.score)
        };
        let today = self.now().with_timezone(&chrono::Local).date_naive();
        let renewal_days = content
            .profile
            .renewal_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| (d - today).num_days());
        let mut candidates: Vec<(&str, String)> = Vec::new();
        if health.band != Band::Healthy {
            if let Some(days) = renewal_days.filter(|d| (0..=RENEWAL_WINDOW_DAYS).contains(d)) {
                candidates.push((
                    "renewal_rescue",
                    format!("{} with the renewal in {days} days", health.band.label()),
                ));
            }
        }
        for (key, cat) in [
            ("support_stabilizer", "Support"),
            ("activation_blitz", "Product Usage"),
            ("voc_sprint", "Customer Sentiment"),
        ] {
            if let Some(score) = category(cat).filter(|s| *s < WEAK_CATEGORY) {
                candidates.push((
                    key,
                    format!("{cat} scores {score:.1}, below {WEAK_CATEGORY:.0}"),
                ));
            }
        }
        if health.band == Band::Healthy && category("Product Usage").is_some_and(|s| s >= 90.0) {
            candidates.push((
                "expansion_play",
                format!("Healthy ({:.1}) with strong product usage", health.score),
            ));
        }
        Ok(candidates
            .into_iter()
            .find(|(key, _)| !running.contains(key))
            .map(|(key, reason)| PlaybookSuggestion {
                playbook_key: key.into(),
                reason,
            }))
    }
}

fn open_or_err(exec: &PlaybookExecution) -> Result<()> {
    if exec.status != ExecutionStatus::InProgress {
        return Err(Error::ExecutionClosed {
            id: exec.id,
            status: exec.status.as_str().into(),
        });
    }
    Ok(())
}
