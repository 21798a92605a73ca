//! The `kpi_values` table, read side for exports: an account's KPI history.

use sqlx::{Row, SqliteConnection};

use crate::error::Result;

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
