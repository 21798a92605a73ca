//! Health scores and trends: one record per account per month, created or updated by a calculation run in one
//! transaction, each creation or update writing HEALTH_SCORES_UPDATED for its account. Recalculating unchanged
//! data writes nothing and fires nothing.

pub mod score;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{Band, CategoryScore, HealthRecord, HealthRunReport};
use crate::{clock, store, Tideline};

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

/// What a health run covers.
enum Scope<'a> {
    /// One account (or all) and one month (or all).
    Filtered {
        account_id: Option<i64>,
        month: Option<&'a str>,
    },
    /// Exactly these `(account_id, period)` pairs, periods as stored (`YYYY-MM-DD`).
    Pairs(&'a [(i64, String)]),
}

impl Tideline {
    /// Calculates health for every account (or one) and every month with KPI data (or one month).
    #[tracing::instrument(skip(self), err)]
    pub async fn calculate_health(
        &self,
        account_id: Option<i64>,
        period: Option<&str>,
    ) -> Result<HealthRunReport> {
        let period = period.map(parse_period).transpose()?;
        if let Some(id) = account_id {
            self.account_by_id(id).await?;
        }
        self.run_health(Scope::Filtered {
            account_id,
            month: period.as_deref(),
        })
        .await
    }

    /// Recalculates health only for the accounts and months whose KPI values this import wrote (new or changed):
    /// the rest of the history is neither read nor scored. Same records and events as a full run gives for them.
    #[tracing::instrument(skip(self), err)]
    pub async fn calculate_health_after_import(&self, import_id: i64) -> Result<HealthRunReport> {
        let pairs = {
            let mut conn = self.pool().acquire().await?;
            store::imports::load(&mut conn, import_id).await?;
            store::imports::written_periods(&mut conn, import_id).await?
        };
        self.run_health(Scope::Pairs(&pairs)).await
    }

    /// Recalculates health for exactly these `(account_id, period)` pairs (periods as stored).
    pub(crate) async fn rescore_pairs(&self, pairs: &[(i64, String)]) -> Result<HealthRunReport> {
        self.run_health(Scope::Pairs(pairs)).await
    }

    async fn run_health(&self, scope: Scope<'_>) -> Result<HealthRunReport> {
        let started = Instant::now();
        let settings = self.settings()?;
        let mut tx = begin_write(self.pool()).await?;
        let now = clock::to_db(self.now());

        let (inputs, stored_rows) = match &scope {
            Scope::Filtered { account_id, month } => (
                store::kpi_values::scoring_inputs_filtered(&mut tx, *account_id, *month).await?,
                store::health_trends::filtered(&mut tx, *account_id, *month).await?,
            ),
            Scope::Pairs(pairs) => {
                let months: Vec<(i64, String)> = pairs
                    .iter()
                    .map(|(a, p)| (*a, p.get(..7).unwrap_or(p).to_string()))
                    .collect();
                (
                    store::kpi_values::scoring_inputs_of(&mut tx, pairs).await?,
                    store::health_trends::of_pairs(&mut tx, &months).await?,
                )
            }
        };
        let mut groups: BTreeMap<(i64, String), Vec<score::KpiInput>> = BTreeMap::new();
        for r in inputs {
            groups
                .entry((r.account_id, r.month))
                .or_default()
                .push(score::KpiInput {
                    name: r.kpi_name,
                    category: r.category,
                    value: r.value,
                    target: r.target,
                    direction: r.direction,
                    weight: r.weight,
                });
        }
        let stored: HashMap<(i64, String), (f64, String, String)> =
            stored_rows.into_iter().collect();

        let mut report = HealthRunReport {
            accounts: 0,
            periods: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            removed: 0,
            events: 0,
            duration_ms: 0,
        };
        let mut writes = Vec::new();
        let mut accounts = BTreeSet::new();
        let mut periods = BTreeSet::new();
        let mut changed_accounts = BTreeSet::new();
        let mut scored = BTreeSet::new();
        for ((account, month), kpis) in &groups {
            let Some((score, band, categories)) = score::score(kpis, &settings) else {
                continue;
            };
            scored.insert((*account, month.clone()));
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
            store::health_trends::upsert_batch(&mut tx, &serde_json::to_string(chunk)?, &now)
                .await?;
        }
        // A month in scope that scores nothing now (its KPI values were removed, as by undoing an import) has no
        // health any more: its record goes, and the account's snapshot follows through the event.
        let stale: Vec<&(i64, String)> = stored.keys().filter(|k| !scored.contains(*k)).collect();
        for chunk in stale.chunks(5000) {
            store::health_trends::delete_pairs(&mut tx, &serde_json::to_string(chunk)?).await?;
        }
        changed_accounts.extend(stale.iter().map(|(account, _)| *account));
        report.removed = stale.len() as u32;
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
            "Health calculated for {} accounts over {} periods: {} created, {} updated, {} unchanged, {} removed, {} events",
            report.accounts,
            report.periods,
            report.created,
            report.updated,
            report.unchanged,
            report.removed,
            report.events
        );
        Ok(report)
    }

    /// An account's health records, oldest first (the trend chart).
    pub async fn health_history(&self, account_id: i64) -> Result<Vec<HealthRecord>> {
        let mut conn = self.pool().acquire().await?;
        let rows = store::health_trends::history(&mut conn, account_id).await?;
        rows.into_iter()
            .map(
                |(account_id, period, score, band, categories, updated_at)| {
                    let categories: Vec<CategoryScore> = serde_json::from_str(&categories)?;
                    Ok(HealthRecord {
                        account_id,
                        period,
                        score,
                        band: Band::parse(&band)
                            .ok_or_else(|| Error::Corrupt(format!("unknown band {band}")))?,
                        categories,
                        updated_at,
                    })
                },
            )
            .collect()
    }
}
