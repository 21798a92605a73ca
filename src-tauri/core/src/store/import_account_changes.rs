//! The `import_account_changes` table: the accounts an import changed (profile, external id), as they were before
//! it, so the import can be undone.

use sqlx::SqliteConnection;

use crate::error::Result;

/// Keeps the stored profiles of these accounts as the profiles `import_id` replaces. Run before the import writes
/// them; an account already recorded by this import keeps the profile recorded first.
#[tracing::instrument(skip_all, err)]
pub async fn record_profiles(
    conn: &mut SqliteConnection,
    import_id: i64,
    account_ids: &[i64],
) -> Result<()> {
    if account_ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO import_account_changes (import_id, account_id, profile) \
         SELECT ?1, a.id, a.profile FROM accounts a WHERE a.id IN (SELECT value FROM json_each(?2)) \
         ON CONFLICT (import_id, account_id) DO UPDATE \
             SET profile = coalesce(import_account_changes.profile, excluded.profile)",
    )
    .bind(import_id)
    .bind(serde_json::to_string(account_ids)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that `import_id` gives this account its external id. Run before the id is written; an account that
/// already has one is not recorded (the import does not replace it).
#[tracing::instrument(skip_all, err)]
pub async fn record_external_id_set(
    conn: &mut SqliteConnection,
    import_id: i64,
    account_id: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO import_account_changes (import_id, account_id, external_id_set) \
         SELECT ?1, id, 1 FROM accounts WHERE id = ?2 AND external_id IS NULL \
         ON CONFLICT (import_id, account_id) DO UPDATE SET external_id_set = 1",
    )
    .bind(import_id)
    .bind(account_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The accounts whose profile or external id `import_id` changed (that still exist), ascending.
#[tracing::instrument(skip_all, err)]
pub async fn accounts_of(conn: &mut SqliteConnection, import_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT account_id FROM import_account_changes WHERE import_id = ? ORDER BY account_id",
    )
    .bind(import_id)
    .fetch_all(conn)
    .await?)
}

/// Puts back the profile and external id of every account `import_id` changed; returns how many accounts.
#[tracing::instrument(skip_all, err)]
pub async fn restore_all(conn: &mut SqliteConnection, import_id: i64, now: &str) -> Result<u32> {
    Ok(sqlx::query(
        "UPDATE accounts AS a SET profile = coalesce(c.profile, a.profile), \
             external_id = CASE WHEN c.external_id_set THEN NULL ELSE a.external_id END, updated_at = ?2 \
         FROM import_account_changes c WHERE c.import_id = ?1 AND a.id = c.account_id",
    )
    .bind(import_id)
    .bind(now)
    .execute(conn)
    .await?
    .rows_affected() as u32)
}
