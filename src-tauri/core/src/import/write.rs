//! Applying parsed rows to the database inside one transaction: resolve (or create) accounts, classify each row
//! as new / changed / unchanged against what is stored, write only what differs, record the import and its
//! events. The same code runs for a dry run, which rolls back instead of committing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Row, SqliteConnection};

use super::parse::{merge_profile, AccountKey, KpiRow, Parsed, ProfileRow, SheetPlace};
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{ImportKind, ImportReport, Profile, Superseded};
use crate::store;
use crate::store::kpi_values::StoredKpi;

/// What is known about the file being imported.
pub struct ImportMeta<'a> {
    pub kind: ImportKind,
    pub file: &'a str,
    pub path: Option<&'a str>,
    pub sha256: &'a str,
    pub now: &'a str,
    pub dry_run: bool,
    /// Set from elsewhere to stop the import; checked between write batches and before the commit.
    pub cancel: Option<&'a AtomicBool>,
    /// Rows written so far of the rows to write, with the sheet of the last one.
    pub progress: Option<&'a WriteProgress<'a>>,
}

/// Called with the sheet, the rows written so far and the rows to write.
pub type WriteProgress<'a> = dyn Fn(&str, u32, u32) + Send + Sync + 'a;

impl ImportMeta<'_> {
    /// `ImportCancelled` once the cancel flag is set: the caller's transaction then rolls back.
    pub fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::ImportCancelled {
                file: self.file.to_string(),
            });
        }
        Ok(())
    }

    fn progress(&self, sheet: &str, done: u32, total: u32) {
        if let Some(p) = self.progress {
            p(sheet, done, total);
        }
    }
}

struct Resolved {
    /// account key → (id, display name); new accounts get negative placeholder ids until created.
    ids: HashMap<AccountKey, (i64, String)>,
    new_accounts: Vec<(i64, AccountKey)>,
    /// Accounts found by name that the file gives an external id they did not have yet.
    link_external: Vec<(i64, String)>,
    /// Keys whose rows can't be used: the name and the external id point at different accounts. The reason,
    /// and whether it is the Account ID column (else the Account column) that conflicts.
    conflicts: HashMap<AccountKey, (bool, String)>,
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

/// An account as the resolution sees it: stored, or planned by an earlier row of this file (negative id).
struct Binding {
    id: i64,
    name: String,
    external_id: Option<String>,
}

/// Finds each account by external id, then by normalised name; unknown ones are planned for creation. A key
/// whose external id belongs to another account than its name (in the database or by an earlier row of the
/// file), or whose name is bound to another external id, is a conflict: never merged, its rows are rejected.
/// Keys are resolved in the order the file first names them, so the earlier row of a file binds first.
async fn resolve_accounts(conn: &mut SqliteConnection, keys: &[AccountKey]) -> Result<Resolved> {
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
    let mut bindings: Vec<Binding> = Vec::with_capacity(rows.len() + keys.len());
    let mut name_index: HashMap<String, usize> = HashMap::new();
    let mut ext_index: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let ext: Option<String> = r.get(3);
        if let Some(ext) = &ext {
            ext_index.insert(ext.clone(), bindings.len());
        }
        name_index.insert(r.get(2), bindings.len());
        bindings.push(Binding {
            id: r.get(0),
            name: r.get(1),
            external_id: ext,
        });
    }
    let mut ids = HashMap::new();
    let mut new_accounts: Vec<(i64, AccountKey)> = Vec::new();
    let mut new_slot: HashMap<i64, usize> = HashMap::new();
    let mut link_external = Vec::new();
    let mut conflicts = HashMap::new();
    for key in keys {
        let ext = key.external_id.as_ref();
        let name_key = key.name_key();
        let by_e = ext.and_then(|e| ext_index.get(e)).copied();
        let by_n = name_index.get(&name_key).copied();
        let found = match (by_e, by_n) {
            // A row giving only an id is that id's account; a name nobody has yet is the id's account renamed.
            (Some(a), _) if !key.named => Some(a),
            (Some(a), None) => Some(a),
            (Some(a), Some(b)) if a == b => Some(a),
            // The id is one account's and the name another's: merging would move one account's data into the
            // other, so the rows are refused.
            (Some(a), Some(b)) => {
                conflicts.insert(
                    key.clone(),
                    (
                        true,
                        format!(
                            "Account ID \"{}\" belongs to the account \"{}\", but \"{}\" is another account{}; \
                             the row was not imported (correct the id or the name)",
                            ext.map(String::as_str).unwrap_or_default(),
                            bindings[a].name,
                            bindings[b].name,
                            bindings[b]
                                .external_id
                                .as_ref()
                                .map(|e| format!(" (Account ID \"{e}\")"))
                                .unwrap_or_default()
                        ),
                    ),
                );
                continue;
            }
            (None, Some(b)) => match (&bindings[b].external_id, ext) {
                (Some(bound), Some(e)) => {
                    conflicts.insert(
                        key.clone(),
                        (
                            false,
                            format!(
                                "the account \"{}\" already has the Account ID \"{bound}\", not \"{e}\"; the row \
                                 was not imported (correct the id or the name)",
                                bindings[b].name
                            ),
                        ),
                    );
                    continue;
                }
                (None, Some(e)) => {
                    // An account known by name learns the external id the file gives it.
                    bindings[b].external_id = Some(e.clone());
                    ext_index.insert(e.clone(), b);
                    let id = bindings[b].id;
                    if id > 0 {
                        link_external.push((id, e.clone()));
                    } else if let Some(slot) = new_slot.get(&id) {
                        new_accounts[*slot].1.external_id = Some(e.clone());
                    }
                    Some(b)
                }
                (_, None) => Some(b),
            },
            (None, None) => None,
        };
        let b = match found {
            Some(b) => b,
            None => {
                let placeholder = -(new_accounts.len() as i64) - 1;
                new_slot.insert(placeholder, new_accounts.len());
                new_accounts.push((placeholder, key.clone()));
                if let Some(e) = ext {
                    ext_index.insert(e.clone(), bindings.len());
                }
                name_index.insert(name_key, bindings.len());
                bindings.push(Binding {
                    id: placeholder,
                    name: key.name.clone(),
                    external_id: key.external_id.clone(),
                });
                bindings.len() - 1
            }
        };
        ids.insert(key.clone(), (bindings[b].id, bindings[b].name.clone()));
    }
    Ok(Resolved {
        ids,
        new_accounts,
        link_external,
        conflicts,
    })
}

/// The distinct account keys of the rows, in the order the file first names them.
fn keys_in_file_order<'a>(accounts: impl Iterator<Item = &'a AccountKey>) -> Vec<AccountKey> {
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for k in accounts {
        if seen.insert(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// Moves the rows of conflicting accounts to the rejected list (kept in sheet and row order).
fn reject_conflicts<'a, T>(
    report: &mut ImportReport,
    resolved: &Resolved,
    rows: &'a [T],
    at: impl Fn(&T) -> (&AccountKey, &SheetPlace, u32),
) -> Vec<&'a T> {
    if resolved.conflicts.is_empty() {
        return rows.iter().collect();
    }
    let mut kept = Vec::with_capacity(rows.len());
    for r in rows {
        let (key, place, row) = at(r);
        match resolved.conflicts.get(key) {
            Some((id_column, reason)) => {
                report.rejected.push(place.reject(row, *id_column, reason))
            }
            None => kept.push(r),
        }
    }
    let sheet_order: HashMap<&str, usize> = report
        .sheets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut rejected = std::mem::take(&mut report.rejected);
    rejected.sort_by_key(|r| (sheet_order.get(r.sheet.as_str()).copied(), r.row));
    report.rejected = rejected;
    report.rows_rejected = report.rejected.len() as u32;
    report.rows_imported = kept.len() as u32;
    report.status = "completed_with_rejections".into();
    kept
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
        let id = by_key
            .get(&key.name_key())
            .copied()
            .ok_or_else(|| Error::Internal(format!("account {} was not created", key.name)))?;
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
    let file = store::imports::ImportFile {
        kind: meta.kind,
        file: meta.file,
        path: meta.path,
        sha256: meta.sha256,
        now: meta.now,
    };
    store::imports::insert(conn, &file, report, touched).await
}

/// Stores the final report (with its id and duration) on the import record.
pub async fn finish_import(conn: &mut SqliteConnection, report: &ImportReport) -> Result<()> {
    store::imports::finish(conn, report).await
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
        rows_superseded: 0,
        superseded: Vec::new(),
    }
}

/// The fields of a KPI value compared with an incoming row (its identity is the map key).
#[derive(PartialEq)]
struct KpiFields<'a> {
    kpi_name: &'a str,
    category: Option<&'a str>,
    value: f64,
    unit: Option<&'a str>,
    target: Option<f64>,
    direction: &'a str,
    weight: f64,
}

impl<'a> KpiFields<'a> {
    fn of_row(r: &'a KpiRow) -> Self {
        KpiFields {
            kpi_name: &r.kpi_name,
            category: r.category.as_deref(),
            value: r.value,
            unit: r.unit.as_deref(),
            target: r.target,
            direction: r.direction.as_str(),
            weight: r.weight,
        }
    }

    fn of_stored(s: &'a StoredKpi) -> Self {
        KpiFields {
            kpi_name: &s.kpi_name,
            category: s.category.as_deref(),
            value: s.value,
            unit: s.unit.as_deref(),
            target: s.target,
            direction: &s.direction,
            weight: s.weight,
        }
    }
}

/// Rows per write statement, and the points where a cancel is noticed.
const WRITE_BATCH: usize = 5000;

pub async fn apply_kpis(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    parsed: &Parsed<KpiRow>,
) -> Result<ImportReport> {
    let mut report = base_report(meta, parsed);
    let keys = keys_in_file_order(parsed.rows.iter().map(|r| &r.account));
    let resolved = resolve_accounts(conn, &keys).await?;
    let rows = reject_conflicts(&mut report, &resolved, &parsed.rows, |r| {
        (&r.account, &*r.place, r.row)
    });
    meta.check_cancel()?;

    // What is stored for the known accounts. Only the months the file holds can match: the rest of the history
    // is not read.
    let known = resolved.known_ids();
    let periods: Vec<String> = rows
        .iter()
        .map(|r| r.period.format("%Y-%m-%d").to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stored_rows = store::kpi_values::in_periods(conn, &known, &periods).await?;
    let stored: HashMap<(i64, &str, &str), &StoredKpi> = stored_rows
        .iter()
        .map(|s| ((s.account_id, s.kpi_key.as_str(), s.period.as_str()), s))
        .collect();

    // The last row for an (account, KPI, period) is used, as if the rows were imported one after another;
    // every earlier one is reported as superseded by it.
    let mut latest: HashMap<(i64, String, String), &KpiRow> = HashMap::with_capacity(rows.len());
    let mut order = Vec::with_capacity(rows.len());
    let mut replaced: Vec<(&KpiRow, (i64, String, String))> = Vec::new();
    for r in rows.iter().copied() {
        let (id, _) = &resolved.ids[&r.account];
        let key = (
            *id,
            r.kpi_key.clone(),
            r.period.format("%Y-%m-%d").to_string(),
        );
        match latest.insert(key.clone(), r) {
            None => order.push(key),
            Some(earlier) => replaced.push((earlier, key)),
        }
    }
    let names: HashMap<i64, String> = resolved.ids.values().cloned().collect();
    for (earlier, key) in &replaced {
        let used = latest[key];
        report.superseded.push(Superseded {
            sheet: earlier.place.sheet.clone(),
            row: earlier.row,
            used_sheet: used.place.sheet.clone(),
            used_row: used.row,
            account: names[&key.0].clone(),
            kpi: used.kpi_name.clone(),
            period: used.period.format("%Y-%m").to_string(),
        });
    }
    report.rows_superseded = replaced.len() as u32;
    report.rows_imported = order.len() as u32;

    let mut to_write: Vec<(&(i64, String, String), &KpiRow)> = Vec::new();
    let mut per_account: BTreeMap<i64, (u32, u32, u32)> = BTreeMap::new(); // new, changed, unchanged
    for key in &order {
        let row = latest[key];
        let counts = per_account.entry(key.0).or_default();
        match stored.get(&(key.0, key.1.as_str(), key.2.as_str())) {
            None => {
                report.rows_new += 1;
                counts.0 += 1;
                to_write.push((key, row));
            }
            Some(s) if KpiFields::of_stored(s) != KpiFields::of_row(row) => {
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

    let total = to_write.len() as u32;
    let mut done = 0u32;
    for chunk in to_write.chunks(WRITE_BATCH) {
        meta.check_cancel()?;
        // Tuples serialise straight to JSON arrays, without building a `Value` per row.
        let batch: Vec<_> = chunk
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
        store::kpi_values::upsert_batch(conn, &serde_json::to_string(&batch)?, import_id, meta.now)
            .await?;
        done += chunk.len() as u32;
        if let Some((_, last)) = chunk.last() {
            meta.progress(&last.place.sheet, done, total);
        }
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
    meta.check_cancel()?;
    Ok(report)
}

pub async fn apply_profiles(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    parsed: &Parsed<ProfileRow>,
) -> Result<ImportReport> {
    let mut report = base_report(meta, parsed);
    let keys = keys_in_file_order(parsed.rows.iter().map(|r| &r.account));
    let resolved = resolve_accounts(conn, &keys).await?;
    let rows = reject_conflicts(&mut report, &resolved, &parsed.rows, |r| {
        (&r.account, &*r.place, r.row)
    });
    meta.check_cancel()?;
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
    for r in &rows {
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
