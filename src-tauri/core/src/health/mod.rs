//! Health scores and trends: one record per account per month, created or updated by a calculation run in one
//! transaction, each creation or update writing HEALTH_SCORES_UPDATED for its account. Recalculating unchanged
//! data writes nothing and fires nothing.

pub mod score;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use sqlx::Row;

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{Band, CategoryScore, Direction, HealthRecord, HealthRunReport};
use crate::{clock, Tideline};

/// Checks a `YYYY-MM` period.
pub fn parse_period(text: &str) -> Result<String> {
    let t = text.trim();
    chrono::NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m").to_string())
        .map_err(|_| Error::InvalidInput {
            what: "period".into(),
            reason: format!("\"{t}\" is not a month (YYYY-MM)"),
        })
}

impl Tideline {
    /// Calculates health for every account (or one) and every month with KPI data (or one month).
    #[tracing::instrument(skip(self), err)]
    pub async fn calculate_health(
        &self,
        account_id: Option<i64>,
        period: Option<&str>,
    ) -> Result<HealthRunReport> {
        let started = Instant::now();
        let period = period.map(parse_period).transpose()?;
        if let Some(id) = account_id {
            self.account_by_id(id).await?;
        }
        let settings = self.settings()?;
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());

        let rows = sqlx::query(
            "SELECT account_id, substr(period, 1, 7) AS month, kpi_name, category, value, target, direction, weight \
             FROM kpi_values WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR substr(period, 1, 7) = ?2) \
             ORDER BY account_id, month",
        )
        .bind(account_id)
        .bind(&period)
        .fetch_all(&mut *tx)
        .await?;
        let mut groups: BTreeMap<(i64, String), Vec<score::KpiInput>> = BTreeMap::new();
        for r in rows {
            groups
                .entry((r.get(0), r.get(1)))
                .or_default()
                .push(score::KpiInput {
                    name: r.get(2),
                    category: r.get(3),
                    value: r.get(4),
                    target: r.get(5),
                    direction: Direction::parse(r.get(6)).unwrap_or_default(),
                    weight: r.get(7),
                });
        }

        let stored_rows = sqlx::query(
            "SELECT account_id, period, score, band, categories FROM health_trends \
             WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR period = ?2)",
        )
        .bind(account_id)
        .bind(&period)
        .fetch_all(&mut *tx)
        .await?;
        let mut stored: HashMap<(i64, String), (f64, String, String)> =
            HashMap::with_capacity(stored_rows.len());
        for r in stored_rows {
            stored.insert((r.get(0), r.get(1)), (r.get(2), r.get(3), r.get(4)));
        }

        let mut report = HealthRunReport {
            accounts: 0,
            periods: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            events: 0,
            duration_ms: 0,
        };
        let mut writes = Vec::new();
        let mut accounts = BTreeSet::new();
        let mut periods = BTreeSet::new();
        let mut changed_accounts = BTreeSet::new();
        for ((account, month), kpis) in &groups {
            let Some((score, band, categories)) = score::score(kpis, &settings) else {
                continue;
            };
            accounts.insert(*account);
            periods.insert(month.clone());
            let categories_json = serde_json::to_string(&categories)?;
            match stored.get(&(*account, month.clone())) {
                Some((s, b, c)) if *s == score && b == band.as_str() && *c == categories_json => {
                    report.unchanged += 1
                }
                found => {
                    if found.is_some() {
                        report.updated += 1;
                    } else {
                        report.created += 1;
                    }
                    changed_accounts.insert(*account);
                    writes.push(serde_json::json!([
                        account,
                        month,
                        score,
                        band.as_str(),
                        categories_json
                    ]));
                }
            }
        }
        for chunk in writes.chunks(5000) {
            sqlx::query(
                "INSERT INTO health_trends (account_id, period, score, band, categories, created_at, updated_at) \
                 SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, ?2, ?2 \
                 FROM json_each(?1) j WHERE true \
                 ON CONFLICT (account_id, period) DO UPDATE SET score = excluded.score, band = excluded.band, \
                     categories = excluded.categories, updated_at = excluded.updated_at",
            )
            .bind(serde_json::to_string(chunk)?)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        let changed: Vec<i64> = changed_accounts.into_iter().collect();
        report.events = outbox::record(
            &mut tx,
            EventType::HealthScoresUpdated,
            &changed,
            "health run",
            &now,
        )
        .await?;
        tx.commit().await?;
        if report.events > 0 {
            self.events_written();
        }
        report.accounts = accounts.len() as u32;
        report.periods = periods.len() as u32;
        report.duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            "Health calculated for {} accounts over {} periods: {} created, {} updated, {} unchanged, {} events",
            report.accounts,
            report.periods,
            report.created,
            report.updated,
            report.unchanged,
            report.events
        );
        Ok(report)
    }

    /// An account's health records, oldest first (the trend chart).
    pub async fn health_history(&self, account_id: i64) -> Result<Vec<HealthRecord>> {
        let rows = sqlx::query(
            "SELECT account_id, period, score, band, categories, updated_at FROM health_trends \
             WHERE account_id = ? ORDER BY period",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let band: String = r.get(3);
                let categories: Vec<CategoryScore> = serde_json::from_str(r.get::<&str, _>(4))?;
                Ok(HealthRecord {
                    account_id: r.get(0),
                    period: r.get(1),
                    score: r.get(2),
                    band: Band::parse(&band)
                        .ok_or_else(|| Error::Corrupt(format!("unknown band {band}")))?,
                    categories,
                    updated_at: r.get(5),
                })
            })
            .collect()
    }
}
