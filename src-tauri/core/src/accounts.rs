//! Accounts: identity by normalised name (or external id), the Health table's query, and the overview cards.

use std::collections::HashMap;

use sqlx::Row;

use crate::error::{Error, Result};
use crate::health::score;
use crate::model::{AccountPage, AccountQuery, AccountRow, Band, Overview};
use crate::{store, Tideline};

/// Trimmed, inner whitespace collapsed, case-folded: two names with the same key are one account.
pub fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The display form of a name: trimmed, inner whitespace collapsed, case kept.
pub fn clean_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

const MAX_PAGE: u32 = 1000;
const SPARKLINE_POINTS: usize = 12;

/// A minimal handle on an account.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRef {
    pub id: i64,
    pub name: String,
}

impl Tideline {
    /// Finds an account by name (case- and whitespace-insensitive) or, failing that, by external id.
    pub async fn find_account(&self, name: &str) -> Result<AccountRef> {
        let mut conn = self.pool().acquire().await?;
        match store::accounts::find_by_key_or_external_id(
            &mut conn,
            &normalize_name(name),
            name.trim(),
        )
        .await?
        {
            Some((id, name)) => Ok(AccountRef { id, name }),
            None => Err(Error::AccountNotFound {
                name: clean_name(name),
            }),
        }
    }

    pub async fn account_by_id(&self, id: i64) -> Result<AccountRef> {
        let mut conn = self.pool().acquire().await?;
        match store::accounts::by_id(&mut conn, id).await? {
            Some((id, name)) => Ok(AccountRef { id, name }),
            None => Err(Error::AccountIdNotFound { id }),
        }
    }

    /// Every account, by name: what `accounts list` prints.
    pub async fn all_accounts(&self) -> Result<Vec<AccountRow>> {
        Ok(self
            .query_accounts(&AccountQuery {
                limit: Some(u32::MAX),
                ..Default::default()
            })
            .await?
            .rows)
    }

    /// The Health table: search, filter, sort and page in SQL, so 10,000 accounts stay quick.
    #[tracing::instrument(skip_all, err)]
    pub async fn query_accounts(&self, q: &AccountQuery) -> Result<AccountPage> {
        let limit = match q.limit {
            // `all_accounts` asks for everything; the UI pages.
            Some(u32::MAX) => u32::MAX,
            limit => limit.unwrap_or(200).min(MAX_PAGE),
        };
        let search = q.search.as_deref().map(normalize_name);
        let mut conn = self.pool().acquire().await?;
        let (mut rows, total) =
            store::accounts::page(&mut conn, q, search.as_deref(), limit).await?;
        drop(conn);
        self.fill_sparklines(&mut rows).await?;
        Ok(AccountPage {
            rows,
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    async fn fill_sparklines(&self, rows: &mut [AccountRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
        let points = sqlx::query(
            "SELECT account_id, score FROM health_trends \
             WHERE account_id IN (SELECT value FROM json_each(?)) ORDER BY account_id, period",
        )
        .bind(ids)
        .fetch_all(self.pool())
        .await?;
        let mut by_account: HashMap<i64, Vec<f64>> = HashMap::new();
        for p in points {
            by_account.entry(p.get(0)).or_default().push(p.get(1));
        }
        for row in rows {
            if let Some(mut scores) = by_account.remove(&row.id) {
                let skip = scores.len().saturating_sub(SPARKLINE_POINTS);
                scores.drain(..skip);
                row.trend = scores;
            }
        }
        Ok(())
    }

    /// The summary cards, the distribution chart and the status bar, in one read.
    #[tracing::instrument(skip_all, err)]
    pub async fn overview(&self) -> Result<Overview> {
        // "Today" is the user's day: local midnight, stored times being UTC.
        let local_midnight = self
            .now()
            .with_timezone(&chrono::Local)
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| self.now());
        let today_start = crate::clock::to_db(local_midnight);
        let settings = self.settings()?;
        let mut conn = self.pool().acquire().await?;
        let accounts = store::accounts::count(&mut conn).await?;
        let latest = sqlx::query(
            "SELECT l.score, l.band FROM health_trends l \
             WHERE l.period = (SELECT MAX(period) FROM health_trends h WHERE h.account_id = l.account_id)",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut distribution = vec![0u32; 10];
        let (mut healthy, mut at_risk, mut critical, mut sum) = (0u32, 0u32, 0u32, 0f64);
        for r in &latest {
            let score: f64 = r.get(0);
            let band: String = r.get(1);
            sum += score;
            let bucket = (score.clamp(0.0, 100.0) / 10.0).floor() as usize;
            distribution[bucket.min(9)] += 1;
            match Band::parse(&band) {
                Some(Band::Healthy) => healthy += 1,
                Some(Band::AtRisk) => at_risk += 1,
                Some(Band::Critical) => critical += 1,
                None => {}
            }
        }
        let snaps = store::snapshots::totals(&mut conn, &today_start).await?;
        let pending = store::events::pending_count(&mut conn).await?;
        let owners = store::accounts::distinct_profile_values(&mut conn, "owner").await?;
        let segments = store::accounts::distinct_profile_values(&mut conn, "segment").await?;
        let scored = latest.len() as u32;
        let average_health = (scored > 0).then(|| (sum / f64::from(scored) * 10.0).round() / 10.0);
        Ok(Overview {
            accounts,
            scored,
            average_health,
            average_band: average_health.map(|a| score::band_of(a, &settings)),
            healthy,
            at_risk,
            critical,
            distribution,
            distribution_bands: (0..10)
                .map(|i| score::band_of(f64::from(i) * 10.0, &settings))
                .collect(),
            snapshots_total: snaps.total,
            snapshots_today: snaps.since,
            last_snapshot_at: snaps.newest_at,
            pending_events: pending,
            owners,
            segments,
            data_dir: self.data_dir().display().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_case_and_spacing() {
        assert_eq!(
            normalize_name("  TechCorp   Solutions "),
            "techcorp solutions"
        );
        assert_eq!(
            normalize_name("TECHCORP\tSOLUTIONS"),
            normalize_name("techcorp solutions")
        );
        assert_eq!(clean_name("  Acme   Corp "), "Acme Corp");
    }
}
