//! Building the snapshot document: the account's whole state, read inside the caller's transaction.

use std::collections::HashMap;

use sqlx::{Row, SqliteConnection};

use crate::error::{Error, Result};
use crate::model::{
    Band, CategoryScore, ChangeSummary, Direction, HealthState, ImportBrief, ImportKind, KpiPoint,
    KpiState, SnapshotContent, TrendPoint,
};
use crate::{playbook, store};

/// Version of the snapshot document's shape; bump when a field changes meaning.
/// 2: each KPI carries `history`, its values over the recent periods (1 kept only the latest).
pub const SCHEMA_VERSION: u32 = 2;
const TREND_POINTS: i64 = 24;
/// Periods of each KPI's `history`: a year of monthly values.
const KPI_HISTORY: i64 = 12;
const RECENT_IMPORTS: i64 = 5;
const PLAYBOOKS: i64 = 20;

pub async fn build_content(
    conn: &mut SqliteConnection,
    account_id: i64,
) -> Result<SnapshotContent> {
    let mut all = build_contents(conn, &[account_id]).await?;
    all.remove(&account_id)
        .ok_or(Error::AccountIdNotFound { id: account_id })
}

/// The documents of many accounts at once: one query per section for all of them, so the subscriber's batch
/// of a few hundred snapshots costs a handful of statements, not a handful per account.
pub async fn build_contents(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
) -> Result<HashMap<i64, SnapshotContent>> {
    let ids = serde_json::to_string(account_ids)?;
    let mut out: HashMap<i64, SnapshotContent> = HashMap::with_capacity(account_ids.len());
    for (account, profile) in store::accounts::identities(conn, account_ids).await? {
        out.insert(
            account.id,
            SnapshotContent {
                schema_version: SCHEMA_VERSION,
                account,
                profile,
                kpis: Vec::new(),
                health: None,
                playbooks: Vec::new(),
                recent_imports: Vec::new(),
                changes: ChangeSummary::default(),
            },
        );
    }

    // Each KPI's value in its latest period, with its status against target.
    let mut kpi_at: HashMap<(i64, String), usize> = HashMap::new();
    for r in sqlx::query(
        // SQLite takes the bare columns of a MAX() aggregate from the row holding the maximum, so this is
        // each KPI's latest row, read in index order without sorting the account's whole history.
        "SELECT account_id, kpi_name, category, value, unit, target, direction, MAX(period), kpi_key \
         FROM kpi_values WHERE account_id IN (SELECT value FROM json_each(?)) GROUP BY account_id, kpi_key \
         ORDER BY account_id, coalesce(category, '~'), kpi_name",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    {
        let account: i64 = r.get(0);
        let Some(c) = out.get_mut(&account) else { continue };
        let value: f64 = r.get(3);
        let target: Option<f64> = r.get(5);
        let direction = Direction::parse(r.get(6)).unwrap_or_default();
        kpi_at.insert((account, r.get(8)), c.kpis.len());
        c.kpis.push(KpiState {
            name: r.get(1),
            category: r.get(2),
            value,
            unit: r.get(4),
            target,
            direction,
            period: r.get(7),
            status: kpi_status(value, target, direction).to_string(),
            history: Some(Vec::new()),
        });
    }

    // Each KPI's values over its recent periods, oldest first (the latest is the one above).
    for r in sqlx::query(
        "SELECT account_id, kpi_key, period, value FROM ( \
             SELECT account_id, kpi_key, period, value, \
                    ROW_NUMBER() OVER (PARTITION BY account_id, kpi_key ORDER BY period DESC) AS rn \
             FROM kpi_values WHERE account_id IN (SELECT value FROM json_each(?1))) \
         WHERE rn <= ?2 ORDER BY account_id, kpi_key, period",
    )
    .bind(&ids)
    .bind(KPI_HISTORY)
    .fetch_all(&mut *conn)
    .await?
    {
        let account: i64 = r.get(0);
        let (Some(c), Some(&i)) = (
            out.get_mut(&account),
            kpi_at.get(&(account, r.get::<String, _>(1))),
        ) else {
            continue;
        };
        if let Some(h) = c.kpis.get_mut(i).and_then(|k| k.history.as_mut()) {
            h.push(KpiPoint {
                period: r.get(2),
                value: r.get(3),
            });
        }
    }

    // Health: the latest period's breakdown and the recent trend.
    let band = |s: &str| Band::parse(s).ok_or_else(|| Error::Corrupt(format!("unknown band {s}")));
    for r in sqlx::query(
        "SELECT account_id, period, score, band, categories, rn FROM ( \
             SELECT *, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY period DESC) AS rn \
             FROM health_trends WHERE account_id IN (SELECT value FROM json_each(?1))) \
         WHERE rn <= ?2 ORDER BY account_id, period",
    )
    .bind(&ids)
    .bind(TREND_POINTS)
    .fetch_all(&mut *conn)
    .await?
    {
        let Some(c) = out.get_mut(&r.get::<i64, _>(0)) else {
            continue;
        };
        let point = TrendPoint {
            period: r.get(1),
            score: r.get(2),
            band: band(r.get(3))?,
        };
        if r.get::<i64, _>(5) == 1 {
            let categories: Vec<CategoryScore> = serde_json::from_str(r.get::<&str, _>(4))?;
            let trend = c.health.take().map(|h| h.trend).unwrap_or_default();
            c.health = Some(HealthState {
                period: point.period.clone(),
                score: point.score,
                band: point.band,
                categories,
                trend,
            });
        }
        match &mut c.health {
            Some(h) => h.trend.push(point),
            None => {
                // Older points arrive first; they wait in a placeholder until the latest one fills it in.
                c.health = Some(HealthState {
                    period: String::new(),
                    score: 0.0,
                    band: point.band,
                    categories: Vec::new(),
                    trend: vec![point],
                })
            }
        }
    }

    for exec in playbook::recent_of_accounts(conn, account_ids, PLAYBOOKS).await? {
        if let Some(c) = out.get_mut(&exec.account_id) {
            c.playbooks.push(exec);
        }
    }

    // An undone import no longer shaped the account: it is not among its recent imports.
    for r in sqlx::query(
        "SELECT ia.account_id, i.id, i.kind, i.file_name, ia.rows, i.created_at FROM ( \
             SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.account_id ORDER BY a.import_id DESC) AS rn \
             FROM import_accounts a JOIN imports u ON u.id = a.import_id AND u.undone_at IS NULL \
             WHERE a.account_id IN (SELECT value FROM json_each(?1))) ia \
         JOIN imports i ON i.id = ia.import_id WHERE ia.rn <= ?2 ORDER BY ia.account_id, i.id DESC",
    )
    .bind(&ids)
    .bind(RECENT_IMPORTS)
    .fetch_all(&mut *conn)
    .await?
    {
        let Some(c) = out.get_mut(&r.get::<i64, _>(0)) else {
            continue;
        };
        let kind: String = r.get(2);
        c.recent_imports.push(ImportBrief {
            id: r.get(1),
            kind: ImportKind::parse(&kind)
                .ok_or_else(|| Error::Corrupt(format!("unknown import kind {kind}")))?,
            file: r.get(3),
            rows_imported: r.get::<i64, _>(4) as u32,
            created_at: r.get(5),
        });
    }
    Ok(out)
}

pub fn kpi_status(value: f64, target: Option<f64>, direction: Direction) -> &'static str {
    match (target, direction) {
        (None, _) => "no_target",
        (Some(t), Direction::Higher) if value >= t => "on_target",
        (Some(t), Direction::Lower) if value <= t => "on_target",
        _ => "off_target",
    }
}
