//! Applying parsed rows to the database inside one transaction: resolve (or create) accounts, classify each row
//! as new / changed / unchanged against what is stored, write only what differs, record the import and its
//! events. The same code runs for a dry run, which rolls back instead of committing.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::{Row, SqliteConnection};

use super::parse::{merge_profile, AccountKey, KpiRow, Parsed, ProfileRow};
use crate::error::Result;
use crate::events::{outbox, EventType};
use crate::model::{ImportKind, ImportReport, Profile, Rejection};

/// What is known about the file being imported.
pub struct ImportMeta<'a> {
    pub kind: ImportKind,
    pub file: &'a str,
    pub path: Option<&'a str>,
    pub sha256: &'a str,
    pub now: &'a str,
    pub dry_run: bool,
}

struct Resolved {
    /// account key → (id, display name); new accounts get negative placeholder ids until created.
    ids: HashMap<AccountKey, (i64, String)>,
    new_accounts: Vec<(i64, AccountKey)>,
    /// Accounts found by name that the file gives an external id they did not have yet.
    link_external: Vec<(i64, String)>,
}

impl Resolved {
    /// The ids of the accounts that already exist.
    fn known_ids(&self) -> Vec<i64> {
        self.ids
            .values()
            .map(|(id, _)| *id)
            .filter(|id| *id > 0)
            .collect()
    }
}

/// Finds each account by external id, then by normalised name; unknown ones are planned for creation.
async fn resolve_accounts(
    conn: &mut SqliteConnection,
    keys: &BTreeSet<AccountKey>,
) -> Result<Resolved> {
    let by_name: Vec<String> = keys.iter().map(AccountKey::name_key).collect();
    let by_ext: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.external_id.as_deref())
        .collect();
    let rows = sqlx::query(
        "SELECT id, name, name_key, external_id FROM accounts \
         WHERE name_key IN (SELECT value FROM json_each(?1)) OR external_id IN (SELECT value FROM json_each(?2))",
    )
    .bind(serde_json::to_string(&by_name)?)
    .bind(serde_json::to_string(&by_ext)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut name_index: HashMap<String, (i64, String, Option<String>)> = HashMap::new();
    let mut ext_index: HashMap<String, (i64, String)> = HashMap::new();
    for r in rows {
        let (id, name, ext): (i64, String, Option<String>) = (r.get(0), r.get(1), r.get(3));
        if let Some(ext) = &ext {
            ext_index.insert(ext.clone(), (id, name.clone()));
        }
        name_index.insert(r.get(2), (id, name, ext));
    }
    let mut ids = HashMap::new();
    let mut new_accounts: Vec<(i64, AccountKey)> = Vec::new();
    let mut link_external = Vec::new();
    // New accounts are planned once per external id and once per name (names are unique), so rows naming
    // the same new account either way share one placeholder.
    let mut planned_by_ext: HashMap<String, usize> = HashMap::new();
    let mut planned_by_name: HashMap<String, usize> = HashMap::new();
    for key in keys {
        let ext = key.external_id.as_ref();
        if let Some(found) = ext.and_then(|e| ext_index.get(e)) {
            ids.insert(key.clone(), found.clone());
            continue;
        }
        if let Some((id, name, stored_ext)) = name_index.get(&key.name_key()) {
            // An account known by name learns the external id the file gives it.
            if let (Some(e), None) = (ext, stored_ext) {
                if !link_external.iter().any(|(i, _)| i == id) {
                    link_external.push((*id, e.clone()));
                }
            }
            ids.insert(key.clone(), (*id, name.clone()));
            continue;
        }
        let slot = ext
            .and_then(|e| planned_by_ext.get(e))
            .or_else(|| planned_by_name.get(&key.name_key()))
            .copied();
        let slot = match slot {
            Some(slot) => {
                if new_accounts[slot].1.external_id.is_none() {
                    new_accounts[slot].1.external_id = key.external_id.clone();
                }
                slot
            }
            None => {
                new_accounts.push((-(new_accounts.len() as i64) - 1, key.clone()));
                new_accounts.len() - 1
            }
        };
        if let Some(e) = ext {
            planned_by_ext.entry(e.clone()).or_insert(slot);
        }
        planned_by_name.entry(key.name_key()).or_insert(slot);
        let (placeholder, planned) = &new_accounts[slot];
        ids.insert(key.clone(), (*placeholder, planned.name.clone()));
    }
    Ok(Resolved {
        ids,
        new_accounts,
        link_external,
    })
}

/// Records the external ids a file gave to accounts that were known only by name.
async fn link_external_ids(
    conn: &mut SqliteConnection,
    resolved: &Resolved,
    now: &str,
) -> Result<()> {
    for (id, ext) in &resolved.link_external {
        sqlx::query("UPDATE accounts SET external_id = ?, updated_at = ? WHERE id = ? AND external_id IS NULL")
            .bind(ext)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Creates the planned accounts in one statement; returns placeholder id → real id.
async fn create_accounts(
    conn: &mut SqliteConnection,
    new_accounts: &[(i64, AccountKey)],
    profiles: &HashMap<i64, Profile>,
    now: &str,
) -> Result<HashMap<i64, i64>> {
    if new_accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows = Vec::with_capacity(new_accounts.len());
    for (placeholder, key) in new_accounts {
        let profile = profiles.get(placeholder).cloned().unwrap_or_default();
        rows.push((
            &key.name,
            key.name_key(),
            &key.external_id,
            serde_json::to_string(&profile)?,
        ));
    }
    let created: Vec<(i64, String)> = sqlx::query_as(
        "INSERT INTO accounts (name, name_key, external_id, profile, created_at, updated_at) \
         SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, ?2, ?2 FROM json_each(?1) j \
         RETURNING id, name_key",
    )
    .bind(serde_json::to_string(&rows)?)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    // Matched by name key, not by the order RETURNING happens to give.
    let by_key: HashMap<String, i64> = created.into_iter().map(|(id, key)| (key, id)).collect();
    let mut map = HashMap::with_capacity(new_accounts.len());
    for (placeholder, key) in new_accounts {
        let id = by_key.get(&key.name_key()).copied().ok_or_else(|| {
            crate::error::Error::Internal(format!("account {} was not created", key.name))
        })?;
        map.insert(*placeholder, id);
    }
    Ok(map)
}

fn real(id: i64, created: &HashMap<i64, i64>) -> i64 {
    if id < 0 {
        created.get(&id).copied().unwrap_or(id)
    } else {
        id
    }
}

/// Records the import, its rejected rows and the accounts it touched; returns the import id.
async fn record_import(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    report: &ImportReport,
    touched: &BTreeMap<i64, u32>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO imports (kind, file_name, file_path, sha256, rows_read, rows_imported, rows_rejected, \
                              duration_ms, status, report, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, '{}', ?) RETURNING id",
    )
    .bind(meta.kind.as_str())
    .bind(meta.file)
    .bind(meta.path)
    .bind(meta.sha256)
    .bind(report.rows_read)
    .bind(report.rows_imported)
    .bind(report.rows_rejected)
    .bind(&report.status)
    .bind(meta.now)
    .fetch_one(&mut *conn)
    .await?;
    if !report.rejected.is_empty() {
        let rows: Vec<(usize, &Rejection)> = report.rejected.iter().enumerate().collect();
        let json = serde_json::to_string(
            &rows
                .iter()
                .map(|(i, r)| (i, &r.sheet, r.row, &r.column, &r.reason))
                .collect::<Vec<_>>(),
        )?;
        sqlx::query(
            "INSERT INTO import_rejections (import_id, seq, sheet, row_number, column_name, reason) \
             SELECT ?1, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4 FROM json_each(?2) j",
        )
        .bind(id)
        .bind(json)
        .execute(&mut *conn)
        .await?;
    }
    let touched_json = serde_json::to_string(&touched.iter().collect::<Vec<_>>())?;
    sqlx::query(
        "INSERT INTO import_accounts (import_id, account_id, rows) \
         SELECT ?1, j.value->>0, j.value->>1 FROM json_each(?2) j",
    )
    .bind(id)
    .bind(touched_json)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Stores the final report (with its id and duration) on the import record.
pub async fn finish_import(conn: &mut SqliteConnection, report: &ImportReport) -> Result<()> {
    sqlx::query("UPDATE imports SET duration_ms = ?, report = ? WHERE id = ?")
        .bind(report.duration_ms as i64)
        .bind(serde_json::to_string(report)?)
        .bind(report.import_id)
        .execute(conn)
        .await?;
    Ok(())
}

fn base_report<T>(meta: &ImportMeta<'_>, parsed: &Parsed<T>) -> ImportReport {
    ImportReport {
        import_id: None,
        kind: meta.kind,
        file: meta.file.to_string(),
        sha256: meta.sha256.to_string(),
        rows_read: parsed.rows_read,
        rows_imported: parsed.rows.len() as u32,
        rows_rejected: parsed.rejected.len() as u32,
        accounts: Vec::new(),
        rejected: parsed.rejected.clone(),
        duration_ms: 0,
        dry_run: meta.dry_run,
        rows_new: 0,
        rows_changed: 0,
        rows_unchanged: 0,
        accounts_new: Vec::new(),
        accounts_updated: Vec::new(),
        accounts_unchanged: Vec::new(),
        sheets: parsed.sheets.clone(),
        skipped_sheets: parsed.skipped.clone(),
        events: 0,
        status: if parsed.rejected.is_empty() {
            "completed".into()
        } else {
            "completed_with_rejections".into()
        },
        created_at: meta.now.to_string(),
    }
}

/// A stored KPI value, as compared with an incoming row.
#[derive(PartialEq)]
struct StoredKpi {
    kpi_name: String,
    category: Option<String>,
    value: f64,
    unit: Option<String>,
    target: Option<f64>,
    direction: String,
    weight: f64,
}

impl StoredKpi {
    fn of(r: &KpiRow) -> StoredKpi {
        StoredKpi {
            kpi_name: r.kpi_name.clone(),
            category: r.category.clone(),
            value: r.value,
            unit: r.unit.clone(),
            target: r.target,
            direction: r.direction.as_str().to_string(),
            weight: r.weight,
        }
    }
}

pub async fn apply_kpis(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    parsed: &Parsed<KpiRow>,
) -> Result<ImportReport> {
    let mut report = base_report(meta, parsed);
    let keys: BTreeSet<AccountKey> = parsed.rows.iter().map(|r| r.account.clone()).collect();
    let resolved = resolve_accounts(conn, &keys).await?;

    // What is stored for the known accounts.
    let known = resolved.known_ids();
    // Only the months the file holds can match: the rest of the history is not read.
    let periods: BTreeSet<String> = parsed
        .rows
        .iter()
        .map(|r| r.period.format("%Y-%m-%d").to_string())
        .collect();
    let stored_rows = sqlx::query(
        "SELECT account_id, kpi_key, period, kpi_name, category, value, unit, target, direction, weight \
         FROM kpi_values WHERE account_id IN (SELECT value FROM json_each(?1)) \
             AND period IN (SELECT value FROM json_each(?2))",
    )
    .bind(serde_json::to_string(&known)?)
    .bind(serde_json::to_string(&periods)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut stored: HashMap<(i64, String, String), StoredKpi> =
        HashMap::with_capacity(stored_rows.len());
    for r in stored_rows {
        stored.insert(
            (r.get(0), r.get(1), r.get(2)),
            StoredKpi {
                kpi_name: r.get(3),
                category: r.get(4),
                value: r.get(5),
                unit: r.get(6),
                target: r.get(7),
                direction: r.get(8),
                weight: r.get(9),
            },
        );
    }

    // The last row for an (account, KPI, period) wins, as if the rows were imported one after another.
    let mut latest: HashMap<(i64, String, String), &KpiRow> =
        HashMap::with_capacity(parsed.rows.len());
    let mut order = Vec::with_capacity(parsed.rows.len());
    for r in &parsed.rows {
        let (id, _) = &resolved.ids[&r.account];
        let key = (
            *id,
            r.kpi_key.clone(),
            r.period.format("%Y-%m-%d").to_string(),
        );
        if latest.insert(key.clone(), r).is_none() {
            order.push(key);
        }
    }
    let mut to_write: Vec<(&(i64, String, String), &KpiRow)> = Vec::new();
    let mut per_account: BTreeMap<i64, (u32, u32, u32)> = BTreeMap::new(); // new, changed, unchanged
    for key in &order {
        let row = latest[key];
        let counts = per_account.entry(key.0).or_default();
        match stored.get(key) {
            None => {
                report.rows_new += 1;
                counts.0 += 1;
                to_write.push((key, row));
            }
            Some(s) if *s != StoredKpi::of(row) => {
                report.rows_changed += 1;
                counts.1 += 1;
                to_write.push((key, row));
            }
            Some(_) => {
                report.rows_unchanged += 1;
                counts.2 += 1;
            }
        }
    }
    // Rows overridden by a later row of the same file count as imported and unchanged.
    report.rows_unchanged += (parsed.rows.len() - order.len()) as u32;

    let names: HashMap<i64, String> = resolved.ids.values().cloned().collect();
    let new_ids: BTreeSet<i64> = resolved.new_accounts.iter().map(|(id, _)| *id).collect();
    for (id, (n, c, _)) in &per_account {
        let name = names[id].clone();
        report.accounts.push(name.clone());
        if new_ids.contains(id) {
            report.accounts_new.push(name);
        } else if n + c > 0 {
            report.accounts_updated.push(name);
        } else {
            report.accounts_unchanged.push(name);
        }
    }
    report.accounts.sort();
    if meta.dry_run {
        return Ok(report);
    }

    let created = create_accounts(conn, &resolved.new_accounts, &HashMap::new(), meta.now).await?;
    link_external_ids(conn, &resolved, meta.now).await?;
    let touched: BTreeMap<i64, u32> = per_account
        .iter()
        .map(|(id, (n, c, u))| (real(*id, &created), n + c + u))
        .collect();
    let import_id = record_import(conn, meta, &report, &touched).await?;
    report.import_id = Some(import_id);

    // One statement per few thousand rows: sqlx pays a round trip per statement (FIELD-NOTES.md).
    for chunk in to_write.chunks(5000) {
        // Tuples serialise straight to JSON arrays, without building a `Value` per row.
        let rows: Vec<_> = chunk
            .iter()
            .map(|((account, key, period), r)| {
                (
                    real(*account, &created),
                    &r.kpi_name,
                    key,
                    &r.category,
                    r.value,
                    &r.unit,
                    r.target,
                    r.direction.as_str(),
                    r.weight,
                    period,
                )
            })
            .collect();
        let json = serde_json::to_string(&rows)?;
        sqlx::query(
            "INSERT INTO kpi_values (account_id, kpi_name, kpi_key, category, value, unit, target, direction, weight, \
                                     period, import_id, updated_at) \
             SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, \
                    j.value->>7, j.value->>8, j.value->>9, ?2, ?3 FROM json_each(?1) j WHERE true \
             ON CONFLICT (account_id, kpi_key, period) DO UPDATE SET kpi_name = excluded.kpi_name, \
                 category = excluded.category, value = excluded.value, unit = excluded.unit, target = excluded.target, \
                 direction = excluded.direction, weight = excluded.weight, import_id = excluded.import_id, \
                 updated_at = excluded.updated_at",
        )
        .bind(json)
        .bind(import_id)
        .bind(meta.now)
        .execute(&mut *conn)
        .await?;
    }

    let changed: Vec<i64> = per_account
        .iter()
        .filter(|(_, (n, c, _))| n + c > 0)
        .map(|(id, _)| real(*id, &created))
        .collect();
    report.events = outbox::record(
        conn,
        EventType::KpiDataUploaded,
        &changed,
        &format!("import {import_id}"),
        meta.now,
    )
    .await?;
    Ok(report)
}

pub async fn apply_profiles(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    parsed: &Parsed<ProfileRow>,
) -> Result<ImportReport> {
    let mut report = base_report(meta, parsed);
    let keys: BTreeSet<AccountKey> = parsed.rows.iter().map(|r| r.account.clone()).collect();
    let resolved = resolve_accounts(conn, &keys).await?;
    let known = resolved.known_ids();
    let mut stored: HashMap<i64, Profile> = HashMap::new();
    for r in
        sqlx::query("SELECT id, profile FROM accounts WHERE id IN (SELECT value FROM json_each(?))")
            .bind(serde_json::to_string(&known)?)
            .fetch_all(&mut *conn)
            .await?
    {
        stored.insert(r.get(0), serde_json::from_str(r.get::<&str, _>(1))?);
    }

    // Rows for one account are laid over each other in file order.
    let mut merged: BTreeMap<i64, (Profile, u32)> = BTreeMap::new();
    for r in &parsed.rows {
        let (id, _) = resolved.ids[&r.account];
        let entry = merged
            .entry(id)
            .or_insert_with(|| (stored.get(&id).cloned().unwrap_or_default(), 0));
        entry.0 = merge_profile(&entry.0, &r.patch);
        entry.1 += 1;
    }
    let names: HashMap<i64, String> = resolved.ids.values().cloned().collect();
    let mut updates: Vec<(i64, &Profile)> = Vec::new();
    let mut new_profiles: HashMap<i64, Profile> = HashMap::new();
    for (id, (profile, rows)) in &merged {
        let name = names[id].clone();
        if *id < 0 {
            report.rows_new += rows;
            report.accounts_new.push(name.clone());
            report.accounts.push(name);
            new_profiles.insert(*id, profile.clone());
        } else if stored.get(id) != Some(profile) {
            report.rows_changed += rows;
            report.accounts_updated.push(name.clone());
            report.accounts.push(name);
            updates.push((*id, profile));
        } else {
            report.rows_unchanged += rows;
            report.accounts_unchanged.push(name);
        }
    }
    report.accounts.sort();
    if meta.dry_run {
        return Ok(report);
    }

    let created = create_accounts(conn, &resolved.new_accounts, &new_profiles, meta.now).await?;
    link_external_ids(conn, &resolved, meta.now).await?;
    for (id, profile) in &updates {
        sqlx::query("UPDATE accounts SET profile = ?, updated_at = ? WHERE id = ?")
            .bind(serde_json::to_string(profile)?)
            .bind(meta.now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let touched: BTreeMap<i64, u32> = merged
        .iter()
        .map(|(id, (_, rows))| (real(*id, &created), *rows))
        .collect();
    let import_id = record_import(conn, meta, &report, &touched).await?;
    report.import_id = Some(import_id);
    let updated: BTreeSet<i64> = updates.iter().map(|(id, _)| *id).collect();
    let changed: Vec<i64> = merged
        .keys()
        .filter(|id| **id < 0 || updated.contains(id))
        .map(|id| real(*id, &created))
        .collect();
    report.events = outbox::record(
        conn,
        EventType::AccountDataChanged,
        &changed,
        &format!("import {import_id}"),
        meta.now,
    )
    .await?;
    Ok(report)
}
