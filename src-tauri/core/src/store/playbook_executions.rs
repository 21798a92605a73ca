//! The `playbook_executions` table: starting, updating and closing executions, and reading them per account.
//! Rows come back as [`ExecutionRow`]; the playbook's display name is the catalog's business, added by `playbook`.

use sqlx::{Row, SqliteConnection};

use crate::error::{Error, Result};
use crate::model::{ExecutionStatus, StepResult};

/// One stored execution, with its account's name.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionRow {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub playbook_key: String,
    pub status: ExecutionStatus,
    pub steps: Vec<StepResult>,
    pub notes: Option<String>,
    pub started_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
}

/// The columns [`from_row`] reads, in order; a macro so the queries stay `&'static str` for sqlx.
macro_rules! columns {
    () => {
        "e.id, e.account_id, a.name, e.playbook_key, e.status, e.steps, e.notes, e.started_at, e.updated_at, \
         e.completed_at"
    };
}

/// Inserts an in-progress execution; returns its id.
#[tracing::instrument(skip(conn, steps), err)]
pub async fn insert(
    conn: &mut SqliteConnection,
    account_id: i64,
    playbook_key: &str,
    steps: &[StepResult],
    now: &str,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO playbook_executions (account_id, playbook_key, status, steps, started_at, updated_at) \
         VALUES (?, ?, 'in_progress', ?, ?, ?) RETURNING id",
    )
    .bind(account_id)
    .bind(playbook_key)
    .bind(serde_json::to_string(steps)?)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

#[tracing::instrument(skip(conn), err)]
pub async fn load(conn: &mut SqliteConnection, id: i64) -> Result<ExecutionRow> {
    let row = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM playbook_executions e JOIN accounts a ON a.id = e.account_id WHERE e.id = ?"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::ExecutionNotFound { id })?;
    from_row(&row)
}

#[tracing::instrument(skip(conn, steps), err)]
pub async fn set_steps(
    conn: &mut SqliteConnection,
    id: i64,
    steps: &[StepResult],
    now: &str,
) -> Result<()> {
    sqlx::query("UPDATE playbook_executions SET steps = ?, updated_at = ? WHERE id = ?")
        .bind(serde_json::to_string(steps)?)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the final status, stamping `updated_at` and `completed_at` with `now`.
#[tracing::instrument(skip(conn), err)]
pub async fn close(
    conn: &mut SqliteConnection,
    id: i64,
    status: ExecutionStatus,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE playbook_executions SET status = ?, updated_at = ?, completed_at = ? WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Executions newest first: of one account, or of all.
#[tracing::instrument(skip(conn), err)]
pub async fn list(
    conn: &mut SqliteConnection,
    account_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ExecutionRow>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM playbook_executions e JOIN accounts a ON a.id = e.account_id \
         WHERE ?1 IS NULL OR e.account_id = ?1 ORDER BY e.id DESC LIMIT ?2"
    ))
    .bind(account_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The newest `per_account` executions of each listed account, by account then newest first.
#[tracing::instrument(skip_all, err)]
pub async fn recent_of_accounts(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
    per_account: i64,
) -> Result<Vec<ExecutionRow>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM ( \
             SELECT *, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY id DESC) AS rn \
             FROM playbook_executions WHERE account_id IN (SELECT value FROM json_each(?1))) e \
         JOIN accounts a ON a.id = e.account_id WHERE e.rn <= ?2 ORDER BY e.account_id, e.id DESC"
    ))
    .bind(serde_json::to_string(account_ids)?)
    .bind(per_account)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

fn from_row(r: &sqlx::sqlite::SqliteRow) -> Result<ExecutionRow> {
    let status: String = r.get(4);
    Ok(ExecutionRow {
        id: r.get(0),
        account_id: r.get(1),
        account_name: r.get(2),
        playbook_key: r.get(3),
        status: ExecutionStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("unknown execution status {status}")))?,
        steps: serde_json::from_str(r.get::<&str, _>(5))?,
        notes: r.get(6),
        started_at: r.get(7),
        updated_at: r.get(8),
        completed_at: r.get(9),
    })
}
