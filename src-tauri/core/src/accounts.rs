//! Accounts: identity by normalised name (or external id), the Health table's query, and the overview cards.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row, Sqlite};

use crate::error::{Error, Result};
use crate::model::{AccountPage, AccountQuery, AccountRow, AccountSort, Band, Overview, Profile};
use crate::Tideline;

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
        let key = normalize_name(name);
        let row = sqlx::query(
            "SELECT id, name FROM accounts WHERE name_key = ?1 \
             UNION ALL SELECT id, name FROM accounts WHERE external_id = ?2 LIMIT 1",
        )
        .bind(&key)
        .bind(name.trim())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(AccountRef {
                id: r.get(0),
                name: r.get(1),
            }),
            None => Err(Error::AccountNotFound {
                name: clean_name(name),
            }),
        }
    }

    pub async fn account_by_id(&self, id: i64) -> Result<AccountRef> {
        let row = sqlx::query("SELECT id, name FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(AccountRef {
                id: r.get(0),
                name: r.get(1),
            }),
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
        const FROM: &str = " FROM accounts a \
            LEFT JOIN health_trends l ON l.account_id = a.id \
                AND l.period = (SELECT MAX(period) FROM health_trends h WHERE h.account_id = a.id) \
            LEFT JOIN (SELECT account_id, MAX(created_at) AS last_at, COUNT(*) AS n FROM snapshots GROUP BY account_id) s \
                ON s.account_id = a.id";

        // Count with the same filter (binds are re-pushed in the same order).
        let mut count: QueryBuilder<Sqlite> = QueryBuilder::new(format!("SELECT COUNT(*){FROM}"));
        push_filter(&mut count, q);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;

        let order = match q.sort.unwrap_or_default() {
            AccountSort::Name => "a.name_key",
            AccountSort::Health => "l.score IS NULL, l.score",
            AccountSort::Arr => "json_extract(a.profile, '$.arr') IS NULL, json_extract(a.profile, '$.arr')",
            AccountSort::Renewal => {
                "json_extract(a.profile, '$.renewal_date') IS NULL, json_extract(a.profile, '$.renewal_date')"
            }
            AccountSort::Owner => "json_extract(a.profile, '$.owner') IS NULL, json_extract(a.profile, '$.owner')",
            AccountSort::LastSnapshot => "s.last_at IS NULL, s.last_at",
        };
        let dir = if q.descending == Some(true) {
            " DESC"
        } else {
            ""
        };
        // Apply the direction to the value, not to the "IS NULL" guard, so blanks always sort last.
        let order_sql = match order.rsplit_once(", ") {
            Some((nulls, value)) => format!("{nulls}, {value}{dir}, a.name_key"),
            None => format!("{order}{dir}, a.id"),
        };

        let mut page: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT a.id, a.name, a.external_id, a.profile, l.score, l.band, l.period, s.last_at, coalesce(s.n, 0){FROM}"
        ));
        push_filter(&mut page, q);
        let limit = match q.limit {
            // `all_accounts` asks for everything; the UI pages.
            Some(u32::MAX) => u32::MAX,
            limit => limit.unwrap_or(200).min(MAX_PAGE),
        };
        page.push(format!(" ORDER BY {order_sql} LIMIT "))
            .push_bind(i64::from(limit))
            .push(" OFFSET ")
            .push_bind(i64::from(q.offset.unwrap_or(0)));
        let rows = page.build().fetch_all(self.pool()).await?;

        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let profile_json: String = r.get(3);
            let profile: Profile = serde_json::from_str(&profile_json)?;
            let band: Option<String> = r.get(5);
            out.push(AccountRow {
                id: r.get(0),
                name: r.get(1),
                external_id: r.get(2),
                health_score: r.get(4),
                band: band.as_deref().and_then(Band::parse),
                health_period: r.get(6),
                trend: Vec::new(),
                last_snapshot_at: r.get(7),
                snapshot_count: r.get(8),
                profile,
            });
        }
        self.fill_sparklines(&mut out).await?;
        Ok(AccountPage {
            rows: out,
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
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(self.pool())
            .await?;
        let latest = sqlx::query(
            "SELECT l.score, l.band FROM health_trends l \
             WHERE l.period = (SELECT MAX(period) FROM health_trends h WHERE h.account_id = l.account_id)",
        )
        .fetch_all(self.pool())
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
        let snaps = sqlx::query(
            "SELECT COUNT(*), coalesce(SUM(created_at >= ?), 0), MAX(created_at) FROM snapshots",
        )
        .bind(today_start)
        .fetch_one(self.pool())
        .await?;
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE handled_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        let owners = self.distinct_profile_values("owner").await?;
        let segments = self.distinct_profile_values("segment").await?;
        let scored = latest.len() as u32;
        Ok(Overview {
            accounts: accounts as u32,
            scored,
            average_health: (scored > 0).then(|| (sum / f64::from(scored) * 10.0).round() / 10.0),
            healthy,
            at_risk,
            critical,
            distribution,
            snapshots_total: snaps.get::<i64, _>(0) as u32,
            snapshots_today: snaps.get::<i64, _>(1) as u32,
            last_snapshot_at: snaps.get(2),
            pending_events: pending as u32,
            owners,
            segments,
            data_dir: self.data_dir().display().to_string(),
        })
    }

    async fn distinct_profile_values(&self, field: &str) -> Result<Vec<String>> {
        let path = format!("$.{field}");
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT json_extract(profile, ?1) AS v FROM accounts WHERE v IS NOT NULL ORDER BY v",
        )
        .bind(path)
        .fetch_all(self.pool())
        .await?)
    }
}

fn push_filter(b: &mut QueryBuilder<Sqlite>, q: &AccountQuery) {
    b.push(" WHERE 1=1");
    if let Some(search) = q
        .search
        .as_deref()
        .map(normalize_name)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!(
            "%{}%",
            search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        b.push(" AND (a.name_key LIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR lower(coalesce(json_extract(a.profile, '$.owner'), '')) LIKE ")
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(band) = q.band {
        b.push(" AND l.band = ").push_bind(band.as_str());
    }
    if q.unscored == Some(true) {
        b.push(" AND l.band IS NULL");
    }
    if let Some(owner) = q.owner.as_deref().filter(|s| !s.is_empty()) {
        b.push(" AND json_extract(a.profile, '$.owner') = ")
            .push_bind(owner.to_string());
    }
    if let Some(segment) = q.segment.as_deref().filter(|s| !s.is_empty()) {
        b.push(" AND json_extract(a.profile, '$.segment') = ")
            .push_bind(segment.to_string());
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
