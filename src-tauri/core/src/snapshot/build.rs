//! Building the snapshot document: the account's whole state, read inside the caller's transaction.

use sqlx::{Row, SqliteConnection};

use crate::error::{Error, Result};
use crate::model::{
    Band, CategoryScore, ChangeSummary, Direction, ExecutionStatus, HealthState, ImportBrief,
    ImportKind, KpiState, PlaybookExecution, Profile, SnapshotAccount, SnapshotContent, StepResult,
    TrendPoint,
};
use crate::playbook::catalog;

/// Version of the snapshot document's shape; bump when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;
const TREND_POINTS: i64 = 24;
const RECENT_IMPORTS: i64 = 5;
const PLAYBOOKS: i64 = 20;

pub async fn build_content(
    conn: &mut SqliteConnection,
    account_id: i64,
) -> Result<SnapshotContent> {
    let account = sqlx::query("SELECT id, name, external_id, profile FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::AccountIdNotFound { id: account_id })?;
    let profile: Profile = serde_json::from_str(account.get::<&str, _>(3))?;

    Ok(SnapshotContent {
        schema_version: SCHEMA_VERSION,
        account: SnapshotAccount {
            id: account.get(0),
            name: account.get(1),
            external_id: account.get(2),
        },
        profile,
        kpis: latest_kpis(conn, account_id).await?,
        health: health(conn, account_id).await?,
        playbooks: executions(conn, Some(account_id), PLAYBOOKS).await?,
        recent_imports: recent_imports(conn, account_id).await?,
        changes: ChangeSummary::default(),
    })
}

/// Each KPI's value in its latest period, with its status against target.
pub async fn latest_kpis(conn: &mut SqliteConnection, account_id: i64) -> Result<Vec<KpiState>> {
    let rows = sqlx::query(
        "SELECT kpi_name, category, value, unit, target, direction, period FROM ( \
             SELECT *, ROW_NUMBER() OVER (PARTITION BY kpi_key ORDER BY period DESC) AS rn \
             FROM kpi_values WHERE account_id = ?) \
         WHERE rn = 1 ORDER BY coalesce(category, '~'), kpi_name",
    )
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let value: f64 = r.get(2);
            let target: Option<f64> = r.get(4);
            let direction = Direction::parse(r.get(5)).unwrap_or_default();
            KpiState {
                name: r.get(0),
                category: r.get(1),
                value,
                unit: r.get(3),
                target,
                direction,
                period: r.get(6),
                status: kpi_status(value, target, direction).to_string(),
            }
        })
        .collect())
}

pub fn kpi_status(value: f64, target: Option<f64>, direction: Direction) -> &'static str {
    match (target, direction) {
        (None, _) => "no_target",
        (Some(t), Direction::Higher) if value >= t => "on_target",
        (Some(t), Direction::Lower) if value <= t => "on_target",
        _ => "off_target",
    }
}

async fn health(conn: &mut SqliteConnection, account_id: i64) -> Result<Option<HealthState>> {
    let rows = sqlx::query(
        "SELECT period, score, band, categories FROM health_trends WHERE account_id = ? ORDER BY period DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(TREND_POINTS)
    .fetch_all(&mut *conn)
    .await?;
    let Some(latest) = rows.first() else {
        return Ok(None);
    };
    let band = |s: &str| Band::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown band {s}")));
    let categories: Vec<CategoryScore> = serde_json::from_str(latest.get::<&str, _>(3))?;
    let mut trend = Vec::with_capacity(rows.len());
    for r in rows.iter().rev() {
        trend.push(TrendPoint {
            period: r.get(0),
            score: r.get(1),
            band: band(r.get(2))?,
        });
    }
    Ok(Some(HealthState {
        period: latest.get(0),
        score: latest.get(1),
        band: band(latest.get(2))?,
        categories,
        trend,
    }))
}

/// Playbook executions, newest first: of one account, or of all.
pub async fn executions(
    conn: &mut SqliteConnection,
    account_id: Option<i64>,
    limit: i64,
) -> Result<Vec<PlaybookExecution>> {
    let rows = sqlx::query(
        "SELECT e.id, e.account_id, a.name, e.playbook_key, e.status, e.steps, e.notes, e.started_at, e.updated_at, \
                e.completed_at \
         FROM playbook_executions e JOIN accounts a ON a.id = e.account_id \
         WHERE ?1 IS NULL OR e.account_id = ?1 ORDER BY e.id DESC LIMIT ?2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(|r| execution_from_row(&r)).collect()
}

pub fn execution_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<PlaybookExecution> {
    let key: String = r.get(3);
    let status: String = r.get(4);
    let steps: Vec<StepResult> = serde_json::from_str(r.get::<&str, _>(5))?;
    Ok(PlaybookExecution {
        id: r.get(0),
        account_id: r.get(1),
        account_name: r.get(2),
        playbook_name: catalog::name_of(&key),
        playbook_key: key,
        status: ExecutionStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("unknown execution status {status}")))?,
        steps,
        notes: r.get(6),
        started_at: r.get(7),
        updated_at: r.get(8),
        completed_at: r.get(9),
    })
}

async fn recent_imports(conn: &mut SqliteConnection, account_id: i64) -> Result<Vec<ImportBrief>> {
    let rows = sqlx::query(
        "SELECT i.id, i.kind, i.file_name, ia.rows, i.created_at FROM import_accounts ia \
         JOIN imports i ON i.id = ia.import_id WHERE ia.account_id = ? ORDER BY i.id DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(RECENT_IMPORTS)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let kind: String = r.get(1);
            Ok(ImportBrief {
                id: r.get(0),
                kind: ImportKind::parse(&kind)
                    .ok_or_else(|| Error::Corrupt(format!("unknown import kind {kind}")))?,
                file: r.get(2),
                rows_imported: r.get::<i64, _>(3) as u32,
                created_at: r.get(4),
            })
        })
        .collect()
}
