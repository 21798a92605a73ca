//! The `health_trends` table: one record per account per month (`YYYY-MM`).

use sqlx::{Row, SqliteConnection};

use crate::error::Result;

/// A stored trend's score, band and category breakdown (JSON), keyed by `(account_id, month)`.
pub type StoredTrend = ((i64, String), (f64, String, String));

/// The stored trends of one account (or all) in one month (or all).
#[tracing::instrument(skip_all, err)]
pub async fn filtered(
    conn: &mut SqliteConnection,
    account_id: Option<i64>,
    month: Option<&str>,
) -> Result<Vec<StoredTrend>> {
    let rows = sqlx::query(
        "SELECT account_id, period, score, band, categories FROM health_trends \
         WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR period = ?2)",
    )
    .bind(account_id)
    .bind(month)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4))))
        .collect())
}

/// The stored trends of exactly these `(account_id, month)` pairs.
#[tracing::instrument(skip_all, err)]
pub async fn of_pairs(
    conn: &mut SqliteConnection,
    pairs: &[(i64, String)],
) -> Result<Vec<StoredTrend>> {
    let rows = sqlx::query(
        "SELECT h.account_id, h.period, h.score, h.band, h.categories \
         FROM json_each(?1) j JOIN health_trends h ON h.account_id = j.value->>0 AND h.period = j.value->>1",
    )
    .bind(serde_json::to_string(pairs)?)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4))))
        .collect())
}

/// Creates or updates a batch of trends: `rows_json` is a JSON array of `[account_id, month, score, band,
/// categories_json]`.
#[tracing::instrument(skip_all, err)]
pub async fn upsert_batch(conn: &mut SqliteConnection, rows_json: &str, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO health_trends (account_id, period, score, band, categories, created_at, updated_at) \
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, ?2, ?2 \
         FROM json_each(?1) j WHERE true \
         ON CONFLICT (account_id, period) DO UPDATE SET score = excluded.score, band = excluded.band, \
             categories = excluded.categories, updated_at = excluded.updated_at",
    )
    .bind(rows_json)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the trends of these `(account_id, month)` pairs (a JSON array of pairs).
#[tracing::instrument(skip_all, err)]
pub async fn delete_pairs(conn: &mut SqliteConnection, pairs_json: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM health_trends WHERE (account_id, period) IN \
             (SELECT j.value->>0, j.value->>1 FROM json_each(?1) j)",
    )
    .bind(pairs_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(account_id, month, score, band, categories_json, updated_at)`.
pub type TrendRow = (i64, String, f64, String, String, String);

/// An account's trends, oldest first.
#[tracing::instrument(skip_all, err)]
pub async fn history(conn: &mut SqliteConnection, account_id: i64) -> Result<Vec<TrendRow>> {
    Ok(sqlx::query_as(
        "SELECT account_id, period, score, band, categories, updated_at FROM health_trends \
         WHERE account_id = ? ORDER BY period",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?)
}
