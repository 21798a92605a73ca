//! The `import_kpi_changes` table: the KPI values an import replaced, as they were before it.

use sqlx::SqliteConnection;

use super::kpi_values::StoredKpi;
use crate::error::Result;

/// Copies the stored values of these `(account_id, kpi_key, period)` keys (a JSON array of triples) as the values
/// `import_id` replaces. Run before the import writes them; keys without a stored value are skipped.
#[tracing::instrument(skip_all, err)]
pub async fn record_previous(
    conn: &mut SqliteConnection,
    import_id: i64,
    keys_json: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO import_kpi_changes (import_id, account_id, kpi_key, period, kpi_name, category, value, unit, \
                                         target, direction, weight, previous_import_id, updated_at) \
         SELECT ?1, k.account_id, k.kpi_key, k.period, k.kpi_name, k.category, k.value, k.unit, k.target, \
                k.direction, k.weight, k.import_id, k.updated_at \
         FROM json_each(?2) j JOIN kpi_values k \
             ON k.account_id = j.value->>0 AND k.kpi_key = j.value->>1 AND k.period = j.value->>2",
    )
    .bind(import_id)
    .bind(keys_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// The values `import_id` replaced, for these keys (a JSON array of `(account_id, kpi_key, period)`).
#[tracing::instrument(skip_all, err)]
pub async fn previous_of(
    conn: &mut SqliteConnection,
    import_id: i64,
    keys_json: &str,
) -> Result<Vec<StoredKpi>> {
    let rows = sqlx::query(
        "SELECT c.account_id, c.kpi_key, c.period, c.kpi_name, c.category, c.value, c.unit, c.target, \
                c.direction, c.weight \
         FROM json_each(?2) j JOIN import_kpi_changes c \
             ON c.import_id = ?1 AND c.account_id = j.value->>0 AND c.kpi_key = j.value->>1 \
                AND c.period = j.value->>2",
    )
    .bind(import_id)
    .bind(keys_json)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(super::kpi_values::stored_kpi)
        .collect())
}

/// Puts back the value `import_id` replaced for one key and forgets the change (a row repeated later in the same
/// file restored what was stored).
#[tracing::instrument(skip_all, err)]
pub async fn restore_one(
    conn: &mut SqliteConnection,
    import_id: i64,
    account_id: i64,
    kpi_key: &str,
    period: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE kpi_values SET (kpi_name, category, value, unit, target, direction, weight, import_id, updated_at) = \
             (SELECT kpi_name, category, value, unit, target, direction, weight, previous_import_id, updated_at \
              FROM import_kpi_changes WHERE import_id = ?1 AND account_id = ?2 AND kpi_key = ?3 AND period = ?4) \
         WHERE account_id = ?2 AND kpi_key = ?3 AND period = ?4",
    )
    .bind(import_id)
    .bind(account_id)
    .bind(kpi_key)
    .bind(period)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM import_kpi_changes WHERE import_id = ?1 AND account_id = ?2 AND kpi_key = ?3 AND period = ?4",
    )
    .bind(import_id)
    .bind(account_id)
    .bind(kpi_key)
    .bind(period)
    .execute(conn)
    .await?;
    Ok(())
}

/// Puts back every value import `id` replaced; returns how many.
#[tracing::instrument(skip_all, err)]
pub async fn restore_all(conn: &mut SqliteConnection, import_id: i64) -> Result<u32> {
    Ok(sqlx::query(
        "UPDATE kpi_values AS k SET kpi_name = c.kpi_name, category = c.category, value = c.value, unit = c.unit, \
             target = c.target, direction = c.direction, weight = c.weight, import_id = c.previous_import_id, \
             updated_at = c.updated_at \
         FROM import_kpi_changes c \
         WHERE c.import_id = ?1 AND k.account_id = c.account_id AND k.kpi_key = c.kpi_key AND k.period = c.period",
    )
    .bind(import_id)
    .execute(conn)
    .await?
    .rows_affected() as u32)
}
