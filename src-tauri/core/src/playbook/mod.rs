//! Playbooks: the shipped catalog, executions per account (start, tick steps, complete or cancel) and a
//! suggestion from the account's band and signals ([`suggest`], a pure function over a snapshot document).
//! Completing writes ACCOUNT_DATA_CHANGED in the same transaction.

pub mod catalog;
pub mod suggest;

use sqlx::SqliteConnection;

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::model::{EventType, ExecutionStatus, Playbook, PlaybookExecution, StepResult};
use crate::store::events as event_rows;
use crate::store::playbook_executions::{self as rows, ExecutionRow};
use crate::{clock, Tideline};

/// A stored execution as the app shows it, named from the catalog.
pub fn execution(row: ExecutionRow) -> PlaybookExecution {
    PlaybookExecution {
        id: row.id,
        account_id: row.account_id,
        account_name: row.account_name,
        playbook_name: catalog::name_of(&row.playbook_key),
        playbook_key: row.playbook_key,
        status: row.status,
        steps: row.steps,
        notes: row.notes,
        started_at: row.started_at,
        updated_at: row.updated_at,
        completed_at: row.completed_at,
    }
}

/// The newest `per_account` executions of each listed account, by account then newest first.
pub async fn recent_of_accounts(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
    per_account: i64,
) -> Result<Vec<PlaybookExecution>> {
    Ok(rows::recent_of_accounts(conn, account_ids, per_account)
        .await?
        .into_iter()
        .map(execution)
        .collect())
}

async fn load(conn: &mut SqliteConnection, id: i64) -> Result<PlaybookExecution> {
    Ok(execution(rows::load(conn, id).await?))
}

impl Tideline {
    pub fn playbooks(&self) -> Vec<Playbook> {
        catalog::all()
    }

    pub async fn list_executions(&self, account_id: Option<i64>) -> Result<Vec<PlaybookExecution>> {
        let mut conn = self.pool().acquire().await?;
        Ok(rows::list(&mut conn, account_id, 500)
            .await?
            .into_iter()
            .map(execution)
            .collect())
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
        let id = rows::insert(&mut tx, account_id, &playbook.key, &steps, &now).await?;
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
        rows::set_steps(&mut tx, id, &exec.steps, &now).await?;
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
        rows::close(&mut tx, id, status, &now).await?;
        if status == ExecutionStatus::Completed {
            event_rows::record(
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
