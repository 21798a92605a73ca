//! The `accounts` table: lookups by name key, external id or id, the Health table's page, and the profile fields
//! the filters offer.

use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::error::Result;
use crate::model::{AccountQuery, AccountRow, AccountSort, Band, Profile, SnapshotAccount};

/// The account whose name key is `name_key`, else the one whose external id is `external_id`: `(id, name)`.
#[tracing::instrument(skip_all, err)]
pub async fn find_by_key_or_external_id(
    conn: &mut SqliteConnection,
    name_key: &str,
    external_id: &str,
) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM accounts WHERE name_key = ?1 \
         UNION ALL SELECT id, name FROM accounts WHERE external_id = ?2 LIMIT 1",
    )
    .bind(name_key)
    .bind(external_id)
    .fetch_optional(conn)
    .await?)
}

/// `(id, name)` of the account with this id.
#[tracing::instrument(skip_all, err)]
pub async fn by_id(conn: &mut SqliteConnection, id: i64) -> Result<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, name FROM accounts WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

/// Every account's id and name (what questions can name).
pub async fn names(conn: &mut SqliteConnection) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, name FROM accounts ORDER BY id")
        .fetch_all(conn)
        .await?)
}

/// Identity and profile of each listed account that exists, in no particular order.
#[tracing::instrument(skip_all, err)]
pub async fn identities(
    conn: &mut SqliteConnection,
    account_ids: &[i64],
) -> Result<Vec<(SnapshotAccount, Profile)>> {
    let rows = sqlx::query(
        "SELECT id, name, external_id, profile FROM accounts WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(account_ids)?)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                SnapshotAccount {
                    id: r.get(0),
                    name: r.get(1),
                    external_id: r.get(2),
                },
                serde_json::from_str::<Profile>(r.get::<&str, _>(3))?,
            ))
        })
        .collect()
}

pub async fn count(conn: &mut SqliteConnection) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The distinct values of a profile field (`owner`, `segment`), sorted.
#[tracing::instrument(skip(conn), err)]
pub async fn distinct_profile_values(
    conn: &mut SqliteConnection,
    field: &str,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT json_extract(profile, ?1) AS v FROM accounts WHERE v IS NOT NULL ORDER BY v",
    )
    .bind(format!("$.{field}"))
    .fetch_all(conn)
    .await?)
}

/// One page of the Health table with the latest health and snapshot columns (sparklines empty) and the number of
/// rows matching the filter. `search_key` is the search already normalised like a name key (matched against names
/// and owners); `limit` is the page size the caller settled on.
#[tracing::instrument(skip_all, err)]
pub async fn page(
    conn: &mut SqliteConnection,
    q: &AccountQuery,
    search_key: Option<&str>,
    limit: u32,
) -> Result<(Vec<AccountRow>, i64)> {
    const FROM: &str = " FROM accounts a \
        LEFT JOIN health_trends l ON l.account_id = a.id \
            AND l.period = (SELECT MAX(period) FROM health_trends h WHERE h.account_id = a.id) \
        LEFT JOIN (SELECT account_id, MAX(created_at) AS last_at, COUNT(*) AS n FROM snapshots GROUP BY account_id) s \
            ON s.account_id = a.id";

    // Count with the same filter (binds are re-pushed in the same order).
    let mut count: QueryBuilder<Sqlite> = QueryBuilder::new(format!("SELECT COUNT(*){FROM}"));
    push_filter(&mut count, q, search_key);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

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
    push_filter(&mut page, q, search_key);
    page.push(format!(" ORDER BY {order_sql} LIMIT "))
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(i64::from(q.offset.unwrap_or(0)));
    let rows = page.build().fetch_all(&mut *conn).await?;

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
    Ok((out, total))
}

fn push_filter(b: &mut QueryBuilder<Sqlite>, q: &AccountQuery, search_key: Option<&str>) {
    b.push(" WHERE 1=1");
    if let Some(search) = search_key.filter(|s| !s.is_empty()) {
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

/// Those of these account ids that exist, ascending.
#[tracing::instrument(skip_all, err)]
pub async fn existing(conn: &mut SqliteConnection, ids: &[i64]) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM accounts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
    )
    .bind(serde_json::to_string(ids)?)
    .fetch_all(conn)
    .await?)
}
