//! The `kpi_values` table: what is stored for the months an import touches, the import's upserts, and the KPI
//! inputs a health run scores (all of them, or only some accounts and months), and an account's history for exports.

use sqlx::{Row, SqliteConnection};

use crate::error::Result;
use crate::model::Direction;

/// A stored KPI value with its identity `(account_id, kpi_key, period)`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKpi {
    pub account_id: i64,
    pub kpi_key: String,
    /// `YYYY-MM-DD`, the first day of the month.
    pub period: String,
    pub kpi_name: String,
    pub category: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub direction: String,
    pub weight: f64,
}

/// The values stored for these accounts in these periods (`YYYY-MM-DD`).
#[tracing::instrument(skip_all, err)]
pub async fn in_periods(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
    periods: &[String],
) -> Result<Vec<StoredKpi>> {
    let rows = sqlx::query(
        "SELECT account_id, kpi_key, period, kpi_name, category, value, unit, target, direction, weight \
         FROM kpi_values WHERE account_id IN (SELECT value FROM json_each(?1)) \
             AND period IN (SELECT value FROM json_each(?2))",
    )
    .bind(serde_json::to_string(account_ids)?)
    .bind(serde_json::to_string(periods)?)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredKpi {
            account_id: r.get(0),
            kpi_key: r.get(1),
            period: r.get(2),
            kpi_name: r.get(3),
            category: r.get(4),
            value: r.get(5),
            unit: r.get(6),
            target: r.get(7),
            direction: r.get(8),
            weight: r.get(9),
        })
        .collect())
}

/// Inserts or updates a batch of values for one import. `rows_json` is a JSON array of
/// `[account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, period]`: one statement per
/// batch, because sqlx pays a round trip per statement (FIELD-NOTES.md).
#[tracing::instrument(skip_all, err)]
pub async fn upsert_batch(
    conn: &mut SqliteConnection,
    rows_json: &str,
    import_id: i64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kpi_values (account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, \
                                 period, import_id, updated_at) \
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, \
                j.value->>7, j.value->>8, j.value->>9, ?2, ?3 FROM json_each(?1) j WHERE true \
         ON CONFLICT (account_id, kpi_key, period) DO UPDATE SET kpi_name = excluded.kpi_name, \
             category = excluded.category, value = excluded.value, unit = excluded.unit, target = excluded.target, \
             direction = excluded.direction, weight = excluded.weight, import_id = excluded.import_id, \
             updated_at = excluded.updated_at",
    )
    .bind(rows_json)
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// One KPI value as a health run scores it, with its account and month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringInput {
    pub account_id: i64,
    pub month: String,
    pub kpi_name: String,
    pub category: Option<String>,
    pub value: f64,
    pub target: Option<f64>,
    pub direction: Direction,
    pub weight: f64,
}

fn scoring_inputs(rows: Vec<sqlx::sqlite::SqliteRow>) -> Vec<ScoringInput> {
    rows.into_iter()
        .map(|r| ScoringInput {
            account_id: r.get(0),
            month: r.get(1),
            kpi_name: r.get(2),
            category: r.get(3),
            value: r.get(4),
            target: r.get(5),
            direction: Direction::parse(r.get(6)).unwrap_or_default(),
            weight: r.get(7),
        })
        .collect()
}

/// Every value of one account (or all) in one month (`YYYY-MM`, or all months).
#[tracing::instrument(skip_all, err)]
pub async fn scoring_inputs_filtered(
    conn: &mut SqliteConnection,
    account_id: Option<i64>,
    month: Option<&str>,
) -> Result<Vec<ScoringInput>> {
    let rows = sqlx::query(
        "SELECT account_id, substr(period, 1, 7) AS month, kpi_name, category, value, target, direction, weight \
         FROM kpi_values WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR substr(period, 1, 7) = ?2) \
         ORDER BY account_id, month",
    )
    .bind(account_id)
    .bind(month)
    .fetch_all(conn)
    .await?;
    Ok(scoring_inputs(rows))
}

/// The values of exactly these `(account_id, period)` pairs, periods as stored (`YYYY-MM-DD`). Each pair is a
/// range seek on the `(account_id, kpi_key, period)` index's first column.
#[tracing::instrument(skip_all, err)]
pub async fn scoring_inputs_of(
    conn: &mut SqliteConnection,
    pairs: &[(i64, String)],
) -> Result<Vec<ScoringInput>> {
    let rows = sqlx::query(
        "SELECT k.account_id, substr(k.period, 1, 7) AS month, k.kpi_name, k.category, k.value, k.target, \
                k.direction, k.weight \
         FROM json_each(?1) j JOIN kpi_values k \
             ON k.account_id = j.value->>0 AND k.period = j.value->>1 \
         ORDER BY k.account_id, month",
    )
    .bind(serde_json::to_string(pairs)?)
    .fetch_all(conn)
    .await?;
    Ok(scoring_inputs(rows))
}

/// One stored KPI value of an account.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiHistoryRow {
    pub period: String,
    pub kpi: String,
    pub category: Option<String>,
    pub value: f64,
    pub unit: Option<String>,
    pub target: Option<f64>,
    pub direction: String,
    pub weight: f64,
    pub import_id: Option<i64>,
}

/// Every KPI value of the account, by period then KPI name.
#[tracing::instrument(skip(conn), err)]
pub async fn history(conn: &mut SqliteConnection, account_id: i64) -> Result<Vec<KpiHistoryRow>> {
    let rows = sqlx::query(
        "SELECT period, kpi_name, category, value, unit, target, direction, weight, import_id \
         FROM kpi_values WHERE account_id = ? ORDER BY period, kpi_name",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| KpiHistoryRow {
            period: r.get(0),
            kpi: r.get(1),
            category: r.get(2),
            value: r.get(3),
            unit: r.get(4),
            target: r.get(5),
            direction: r.get(6),
            weight: r.get(7),
            import_id: r.get(8),
        })
        .collect())
}
