//! The `imports`, `import_rejections` and `import_accounts` tables: the record of every file imported, its
//! rejected rows and the accounts it touched.

use std::collections::BTreeMap;

use sqlx::{Row, SqliteConnection};

use crate::error::{Error, Result};
use crate::model::{ImportKind, ImportListItem, ImportReport, Rejection};

/// What the import record says about its file.
pub struct ImportFile<'a> {
    pub kind: ImportKind,
    pub file: &'a str,
    pub path: Option<&'a str>,
    pub sha256: &'a str,
    pub now: &'a str,
}

/// Starts an import's record before its rows are written (they carry its id); [`complete`] fills it in.
#[tracing::instrument(skip_all, err)]
pub async fn start(conn: &mut SqliteConnection, file: &ImportFile<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO imports (kind, file_name, file_path, sha256, rows_read, rows_imported, rows_rejected, \
                              duration_ms, status, report, created_at) \
         VALUES (?, ?, ?, ?, 0, 0, 0, 0, 'running', '{}', ?) RETURNING id",
    )
    .bind(file.kind.as_str())
    .bind(file.file)
    .bind(file.path)
    .bind(file.sha256)
    .bind(file.now)
    .fetch_one(&mut *conn)
    .await?)
}

/// Records an import's counts, its rejected rows, the rows per account it touched and the accounts it created.
#[tracing::instrument(skip_all, err)]
pub async fn complete(
    conn: &mut SqliteConnection,
    id: i64,
    report: &ImportReport,
    touched: &BTreeMap<i64, u32>,
    created: &[i64],
) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET rows_read = ?, rows_imported = ?, rows_rejected = ?, status = ? WHERE id = ?",
    )
    .bind(report.rows_read)
    .bind(report.rows_imported)
    .bind(report.rows_rejected)
    .bind(&report.status)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if !report.rejected.is_empty() {
        let json = serde_json::to_string(
            &report
                .rejected
                .iter()
                .enumerate()
                .map(|(i, r)| (i, &r.sheet, r.row, &r.column, &r.reason))
                .collect::<Vec<_>>(),
        )?;
        sqlx::query(
            "INSERT INTO import_rejections (import_id, seq, sheet, row_number, column_name, reason) \
             SELECT ?1, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4 FROM json_each(?2) j",
        )
        .bind(id)
        .bind(json)
        .execute(&mut *conn)
        .await?;
    }
    let touched_json = serde_json::to_string(&touched.iter().collect::<Vec<_>>())?;
    sqlx::query(
        "INSERT INTO import_accounts (import_id, account_id, rows) \
         SELECT ?1, j.value->>0, j.value->>1 FROM json_each(?2) j",
    )
    .bind(id)
    .bind(touched_json)
    .execute(&mut *conn)
    .await?;
    if !created.is_empty() {
        sqlx::query(
            "UPDATE import_accounts SET created = 1 \
             WHERE import_id = ?1 AND account_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(id)
        .bind(serde_json::to_string(created)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What an undo needs to know about an import.
pub struct UndoState {
    pub kind: ImportKind,
    pub file: String,
    pub undone: bool,
    /// The import kept what undoing it needs (imports made before that was kept did not).
    pub recorded: bool,
}

#[tracing::instrument(skip_all, err)]
pub async fn undo_state(conn: &mut SqliteConnection, id: i64) -> Result<UndoState> {
    let row = sqlx::query(
        "SELECT kind, file_name, undone_at IS NOT NULL, undo_recorded FROM imports WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::ImportNotFound { id })?;
    let kind: String = row.get(0);
    Ok(UndoState {
        kind: ImportKind::parse(&kind)
            .ok_or_else(|| Error::Corrupt(format!("import kind {kind}")))?,
        file: row.get(1),
        undone: row.get(2),
        recorded: row.get(3),
    })
}

/// The latest import (not undone) after import `id` that changed values it wrote, added to accounts it created,
/// or changed what it changed on an account (the profile; the external id).
#[tracing::instrument(skip_all, err)]
pub async fn later_import_on(
    conn: &mut SqliteConnection,
    id: i64,
) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.file_name FROM imports i WHERE i.undone_at IS NULL AND i.id > ?1 AND ( \
             EXISTS (SELECT 1 FROM import_kpi_changes c WHERE c.import_id = i.id AND c.previous_import_id = ?1) \
             OR EXISTS (SELECT 1 FROM import_accounts mine JOIN import_accounts a \
                            ON a.account_id = mine.account_id AND a.import_id = i.id \
                        WHERE mine.import_id = ?1 AND mine.created = 1) \
             OR EXISTS (SELECT 1 FROM import_account_changes mine JOIN import_account_changes c \
                            ON c.account_id = mine.account_id AND c.import_id = i.id \
                        WHERE mine.import_id = ?1 \
                            AND ((mine.profile IS NOT NULL AND c.profile IS NOT NULL) \
                                 OR (mine.external_id_set AND c.external_id_set)))) \
         ORDER BY i.id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The accounts import `id` created that still exist, ascending.
#[tracing::instrument(skip_all, err)]
pub async fn created_accounts(conn: &mut SqliteConnection, id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM import_accounts WHERE import_id = ? AND created = 1 ORDER BY account_id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Removes the accounts import `id` created; returns how many. Everything that refers to an account goes with
/// it by the schema's cascades: its KPI values, health trends, playbook executions, snapshots (with Ask's facts
/// of them), events and import lines. Ask's free-text index is not bound by a foreign key: the caller clears it
/// first (`snapshot_text::delete_of_accounts`).
#[tracing::instrument(skip_all, err)]
pub async fn delete_created_accounts(conn: &mut SqliteConnection, id: i64) -> Result<u32> {
    Ok(sqlx::query(
        "DELETE FROM accounts WHERE id IN \
             (SELECT account_id FROM import_accounts WHERE import_id = ? AND created = 1)",
    )
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected() as u32)
}

/// Marks an import undone in the history.
#[tracing::instrument(skip_all, err)]
pub async fn mark_undone(conn: &mut SqliteConnection, id: i64, now: &str) -> Result<()> {
    sqlx::query("UPDATE imports SET status = 'undone', undone_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores the final report (with its id and duration) on the import record.
#[tracing::instrument(skip_all, err)]
pub async fn finish(conn: &mut SqliteConnection, report: &ImportReport) -> Result<()> {
    sqlx::query("UPDATE imports SET duration_ms = ?, report = ? WHERE id = ?")
        .bind(report.duration_ms as i64)
        .bind(serde_json::to_string(report)?)
        .bind(report.import_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The import history, newest first.
#[tracing::instrument(skip_all, err)]
pub async fn list(conn: &mut SqliteConnection, limit: u32) -> Result<Vec<ImportListItem>> {
    let rows = sqlx::query(
        "SELECT id, kind, file_name, sha256, rows_read, rows_imported, rows_rejected, duration_ms, status, created_at, \
                undo_recorded, \
                (SELECT COUNT(*) FROM import_accounts a WHERE a.import_id = imports.id AND a.created = 1) \
         FROM imports ORDER BY id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind: String = r.get(1);
            Ok(ImportListItem {
                id: r.get(0),
                kind: ImportKind::parse(&kind)
                    .ok_or_else(|| Error::Corrupt(format!("import kind {kind}")))?,
                file: r.get(2),
                sha256: r.get(3),
                rows_read: r.get::<i64, _>(4) as u32,
                rows_imported: r.get::<i64, _>(5) as u32,
                rows_rejected: r.get::<i64, _>(6) as u32,
                duration_ms: r.get::<i64, _>(7) as u64,
                status: r.get(8),
                created_at: r.get(9),
                undo_recorded: r.get(10),
                accounts_created: r.get::<i64, _>(11) as u32,
            })
        })
        .collect()
}

/// A past import's full report, with every rejected row.
#[tracing::instrument(skip_all, err)]
pub async fn load(conn: &mut SqliteConnection, id: i64) -> Result<ImportReport> {
    let text: String = sqlx::query_scalar("SELECT report FROM imports WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::ImportNotFound { id })?;
    let mut report: ImportReport = serde_json::from_str(&text)?;
    let rejected = sqlx::query(
        "SELECT sheet, row_number, column_name, reason FROM import_rejections WHERE import_id = ? ORDER BY seq",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    report.rejected = rejected
        .into_iter()
        .map(|r| Rejection {
            sheet: r.get(0),
            row: r.get::<i64, _>(1) as u32,
            column: r.get(2),
            reason: r.get(3),
        })
        .collect();
    Ok(report)
}

/// The `(account_id, period)` pairs whose values this import wrote (new or changed; periods `YYYY-MM-DD`).
/// CROSS JOIN keeps the import's few accounts as the outer loop: SQLite would otherwise scan every KPI value.
#[tracing::instrument(skip_all, err)]
pub async fn written_periods(
    conn: &mut SqliteConnection,
    import_id: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT k.account_id, k.period FROM import_accounts a \
         CROSS JOIN kpi_values k ON k.account_id = a.account_id AND k.import_id = a.import_id \
         WHERE a.import_id = ?",
    )
    .bind(import_id)
    .fetch_all(conn)
    .await?)
}
