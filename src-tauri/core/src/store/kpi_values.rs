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

pub(crate) fn stored_kpi(r: sqlx::sqlite::SqliteRow) -> StoredKpi {
    StoredKpi {
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
    }
}

/// The values stored for exactly these keys: a JSON array of `(account_id, kpi_key, period)`, one index seek each.
#[tracing::instrument(skip_all, err)]
pub async fn stored_of(conn: &mut SqliteConnection, keys_json: &str) -> Result<Vec<StoredKpi>> {
    let rows = sqlx::query(
        "SELECT k.account_id, k.kpi_key, k.period, k.kpi_name, k.category, k.value, k.unit, k.target, k.direction, \
                k.weight \
         FROM json_each(?1) j JOIN kpi_values k \
             ON k.account_id = j.value->>0 AND k.kpi_key = j.value->>1 AND k.period = j.value->>2",
    )
    .bind(keys_json)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(stored_kpi).collect())
}

/// A KPI value as an import writes it.
pub struct NewKpi<'a> {
    pub account_id: i64,
    pub kpi_name: &'a str,
    pub kpi_key: &'a str,
    pub category: Option<&'a str>,
    pub value: f64,
    pub unit: Option<&'a str>,
    pub target: Option<f64>,
    pub direction: &'static str,
    pub weight: f64,
    pub period: &'a str,
    /// The table holds a value for this key now (stored before the import, or written by it earlier): when
    /// false the value is inserted, and a stored value would fail the import with a unique-constraint error.
    pub stored: bool,
}

/// The columns an import writes, in the order of the statements' parameters.
macro_rules! insert_values {
    () => {
        "INSERT INTO kpi_values (account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, \
                                 period, import_id, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    };
}

/// A key with no stored value: a plain insert. With the table's foreign keys an upsert needs a statement journal
/// (SQLite copies each page it first touches, for every statement), a plain insert of one row does not.
const INSERT_SQL: &str = insert_values!();

/// A key with a stored value.
const UPSERT_SQL: &str = concat!(
    insert_values!(),
    " ON CONFLICT (account_id, kpi_key, period) DO UPDATE SET kpi_name = excluded.kpi_name, \
         category = excluded.category, value = excluded.value, unit = excluded.unit, target = excluded.target, \
         direction = excluded.direction, weight = excluded.weight, import_id = excluded.import_id, \
         updated_at = excluded.updated_at"
);

/// Rows written per turn on the handle: each turn runs synchronously on the async task (a millisecond or two),
/// and the runtime gets the thread back between turns.
const ROWS_PER_TURN: usize = 1_000;

/// Inserts or updates values for one import: two statements (a key without a stored value is inserted, one with
/// a value upserted) prepared per turn of [`ROWS_PER_TURN`] rows and stepped per row on the connection's own
/// handle (see [`super::raw`]), in the caller's transaction. The import id and time are bound once per turn;
/// only a row's own values are bound for each row.
#[tracing::instrument(skip_all, err)]
pub async fn upsert(
    conn: &mut SqliteConnection,
    rows: &[NewKpi<'_>],
    import_id: i64,
    now: &str,
) -> Result<()> {
    for turn in rows.chunks(ROWS_PER_TURN) {
        super::raw::with_handle(&mut *conn, |db| {
            let mut insert = db.prepare(INSERT_SQL)?;
            let mut upsert = db.prepare(UPSERT_SQL)?;
            for stmt in [&mut insert, &mut upsert] {
                stmt.raw_bind_parameter(11, import_id)?;
                stmt.raw_bind_parameter(12, now)?;
            }
            for r in turn {
                let stmt = if r.stored { &mut upsert } else { &mut insert };
                stmt.raw_bind_parameter(1, r.account_id)?;
                stmt.raw_bind_parameter(2, r.kpi_name)?;
                stmt.raw_bind_parameter(3, r.kpi_key)?;
                stmt.raw_bind_parameter(4, r.category)?;
                stmt.raw_bind_parameter(5, r.value)?;
                stmt.raw_bind_parameter(6, r.unit)?;
                stmt.raw_bind_parameter(7, r.target)?;
                stmt.raw_bind_parameter(8, r.direction)?;
                stmt.raw_bind_parameter(9, r.weight)?;
                stmt.raw_bind_parameter(10, r.period)?;
                stmt.raw_execute()?;
            }
            Ok(())
        })
        .await?;
        tokio::task::yield_now().await;
    }
    Ok(())
}

/// Removes the values an import wrote and that no one changed since (after an undo put back the ones it
/// replaced, these are the ones it added); returns how many.
#[tracing::instrument(skip_all, err)]
pub async fn delete_of_import(conn: &mut SqliteConnection, import_id: i64) -> Result<u32> {
    Ok(sqlx::query(
        "DELETE FROM kpi_values WHERE import_id = ?1 \
             AND account_id IN (SELECT account_id FROM import_accounts WHERE import_id = ?1)",
    )
    .bind(import_id)
    .execute(conn)
    .await?
    .rows_affected() as u32)
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
