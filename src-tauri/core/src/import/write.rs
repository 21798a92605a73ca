//! The write stage's shared parts, inside the import's one transaction: resolving (and creating) accounts, the
//! import's record and report, and applying profile files (small: one row per account, classified and written at
//! the end). KPI rows are written batch by batch as they are parsed (`write_kpis`). A dry run runs the same code
//! and rolls back instead of committing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::{Row, SqliteConnection};

use super::parse::{merge_profile, AccountKey, ParseSummary, ProfileRow};
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{ImportKind, ImportReport, Profile, Rejection};
use crate::store;

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

    pub(super) fn file_record(&self) -> store::imports::ImportFile<'_> {
        store::imports::ImportFile {
            kind: self.kind,
            file: self.file,
            path: self.path,
            sha256: self.sha256,
            now: self.now,
        }
    }

    pub(super) fn progress(&self, sheet: &str, done: u32, total: u32) {
        if let Some(p) = self.progress {
            p(sheet, done, total);
        }
    }
}

/// An account as the resolution sees it: stored, or planned by an earlier row of this file (negative id until it
/// is created).
struct Binding {
    id: i64,
    name: String,
    external_id: Option<String>,
}

/// What became of an account key.
pub(super) enum Resolution<'a> {
    /// The account's id (negative: planned, not created yet).
    Account(i64),
    /// The name and the external id point at different accounts: whether it is the Account ID column (else the
    /// Account column) that conflicts, and the reason.
    Conflict(bool, &'a str),
}

/// Finds each account by external id, then by normalised name; unknown ones are planned for creation. A key
/// whose external id belongs to another account than its name (in the database or by an earlier row of the
/// file), or whose name is bound to another external id, is a conflict: never merged, its rows are rejected.
/// Keys are resolved in the order the file first names them, so the earlier row of a file binds first; they can
/// be given in batches as a file streams in, with the same outcome as all at once.
#[derive(Default)]
pub(super) struct Resolver {
    bindings: Vec<Binding>,
    name_index: foldhash::HashMap<String, usize>,
    ext_index: foldhash::HashMap<String, usize>,
    /// Ids of the stored accounts already read.
    loaded: foldhash::HashSet<i64>,
    /// Key → binding, or the conflict (looked up once per row: a fast hash).
    ids: foldhash::HashMap<AccountKey, std::result::Result<usize, (bool, String)>>,
    /// Planned accounts not created yet: binding index and key.
    pending: Vec<(usize, AccountKey)>,
    /// Accounts that exist (stored or created by this import) and learn the external id the file gives them.
    link_external: Vec<(i64, String)>,
    /// Every account planned by this file, in the order it first names them (their current ids).
    planned: Vec<usize>,
    next_placeholder: i64,
}

impl Resolver {
    pub(super) fn get(&self, key: &AccountKey) -> Option<Resolution<'_>> {
        Some(match self.ids.get(key)? {
            Ok(b) => Resolution::Account(self.bindings[*b].id),
            Err((id_column, reason)) => Resolution::Conflict(*id_column, reason),
        })
    }

    pub(super) fn has_conflicts(&self) -> bool {
        self.ids.values().any(|r| r.is_err())
    }

    /// The ids of accounts this file creates (or would create), in the order it first names them.
    pub(super) fn planned_ids(&self) -> Vec<i64> {
        self.planned_ids_from(0)
    }

    /// [`Resolver::planned_ids`] from the `from`-th on (those planned since).
    pub(super) fn planned_ids_from(&self, from: usize) -> Vec<i64> {
        self.planned
            .get(from..)
            .unwrap_or_default()
            .iter()
            .map(|b| self.bindings[*b].id)
            .collect()
    }

    /// The ids of the stored accounts the resolved keys name.
    pub(super) fn known_ids(&self) -> Vec<i64> {
        let planned: HashSet<usize> = self.planned.iter().copied().collect();
        let mut ids: Vec<i64> = self
            .ids
            .values()
            .filter_map(|r| r.as_ref().ok())
            .filter(|b| !planned.contains(b))
            .map(|b| self.bindings[*b].id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Account id → display name, for every resolved account.
    pub(super) fn names(&self) -> HashMap<i64, String> {
        self.ids
            .values()
            .filter_map(|r| r.as_ref().ok())
            .map(|b| (self.bindings[*b].id, self.bindings[*b].name.clone()))
            .collect()
    }

    /// Resolves the keys not seen yet, in the order given (the file's).
    pub(super) async fn resolve(
        &mut self,
        conn: &mut SqliteConnection,
        keys: &[AccountKey],
    ) -> Result<()> {
        let keys: Vec<&AccountKey> = keys.iter().filter(|k| !self.ids.contains_key(*k)).collect();
        if keys.is_empty() {
            return Ok(());
        }
        let by_name: Vec<String> = keys.iter().map(|k| k.name_key()).collect();
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
        for r in rows {
            let id: i64 = r.get(0);
            if !self.loaded.insert(id) {
                continue;
            }
            let ext: Option<String> = r.get(3);
            if let Some(ext) = &ext {
                self.ext_index
                    .entry(ext.clone())
                    .or_insert(self.bindings.len());
            }
            self.name_index
                .entry(r.get(2))
                .or_insert(self.bindings.len());
            self.bindings.push(Binding {
                id,
                name: r.get(1),
                external_id: ext,
            });
        }
        for key in keys {
            let resolution = self.resolve_one(key);
            self.ids.insert(key.clone(), resolution);
        }
        Ok(())
    }

    fn resolve_one(&mut self, key: &AccountKey) -> std::result::Result<usize, (bool, String)> {
        let ext = key.external_id.as_ref();
        let name_key = key.name_key();
        let by_e = ext.and_then(|e| self.ext_index.get(e)).copied();
        let by_n = self.name_index.get(&name_key).copied();
        let bindings = &mut self.bindings;
        let found = match (by_e, by_n) {
            // A row giving only an id is that id's account; a name nobody has yet is the id's account renamed.
            (Some(a), _) if !key.named => Some(a),
            (Some(a), None) => Some(a),
            (Some(a), Some(b)) if a == b => Some(a),
            // The id is one account's and the name another's: merging would move one account's data into the
            // other, so the rows are refused.
            (Some(a), Some(b)) => {
                return Err((
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
                ));
            }
            (None, Some(b)) => match (&bindings[b].external_id, ext) {
                (Some(bound), Some(e)) => {
                    return Err((
                        false,
                        format!(
                            "the account \"{}\" already has the Account ID \"{bound}\", not \"{e}\"; the row \
                             was not imported (correct the id or the name)",
                            bindings[b].name
                        ),
                    ));
                }
                (None, Some(e)) => {
                    // An account known by name learns the external id the file gives it.
                    bindings[b].external_id = Some(e.clone());
                    self.ext_index.insert(e.clone(), b);
                    let id = bindings[b].id;
                    if id > 0 {
                        self.link_external.push((id, e.clone()));
                    } else if let Some(slot) = self.pending.iter_mut().find(|(p, _)| *p == b) {
                        slot.1.external_id = Some(e.clone());
                    }
                    Some(b)
                }
                (_, None) => Some(b),
            },
            (None, None) => None,
        };
        Ok(match found {
            Some(b) => b,
            None => {
                self.next_placeholder -= 1;
                let b = self.bindings.len();
                self.pending.push((b, key.clone()));
                self.planned.push(b);
                if let Some(e) = ext {
                    self.ext_index.insert(e.clone(), b);
                }
                self.name_index.insert(name_key, b);
                self.bindings.push(Binding {
                    id: self.next_placeholder,
                    name: key.name.clone(),
                    external_id: key.external_id.clone(),
                });
                b
            }
        })
    }

    /// Creates the planned accounts not created yet (each with its profile, by placeholder id) and records the
    /// external ids learned by existing accounts, each kept as a change of import `import_id` (so undoing it
    /// takes the id away again). Afterwards every resolved key has its real id.
    pub(super) async fn write_accounts(
        &mut self,
        conn: &mut SqliteConnection,
        import_id: i64,
        profiles: &HashMap<i64, Profile>,
        now: &str,
    ) -> Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            let planned: Vec<(i64, AccountKey)> = pending
                .iter()
                .map(|(b, key)| (self.bindings[*b].id, key.clone()))
                .collect();
            let created = create_accounts(conn, &planned, profiles, now).await?;
            for (b, _) in &pending {
                let binding = &mut self.bindings[*b];
                binding.id = real(binding.id, &created);
            }
        }
        for (id, ext) in std::mem::take(&mut self.link_external) {
            store::import_account_changes::record_external_id_set(conn, import_id, id).await?;
            sqlx::query("UPDATE accounts SET external_id = ?, updated_at = ? WHERE id = ? AND external_id IS NULL")
                .bind(ext)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// The distinct account keys of the rows, in the order the file first names them.
pub(super) fn keys_in_file_order<'a>(
    accounts: impl Iterator<Item = &'a AccountKey>,
) -> Vec<AccountKey> {
    let mut seen = HashSet::new();
    let mut keys = Vec::new();
    for k in accounts {
        if seen.insert(k) {
            keys.push(k.clone());
        }
    }
    keys
}

/// Puts rejections in sheet order (as `sheets` lists them), then row order.
pub(super) fn sort_by_place(rejected: &mut [Rejection], sheets: &[String]) {
    let sheet_order: HashMap<&str, usize> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    rejected.sort_by_key(|r| (sheet_order.get(r.sheet.as_str()).copied(), r.row));
}

/// Moves the rows of conflicting accounts to the rejected list (kept in sheet and row order).
fn reject_conflicts<'a>(
    report: &mut ImportReport,
    resolver: &Resolver,
    rows: &'a [ProfileRow],
) -> Vec<&'a ProfileRow> {
    if !resolver.has_conflicts() {
        return rows.iter().collect();
    }
    let mut kept = Vec::with_capacity(rows.len());
    for r in rows {
        match resolver.get(&r.account) {
            Some(Resolution::Conflict(id_column, reason)) => report
                .rejected
                .push(r.place.reject(r.row, id_column, reason)),
            _ => kept.push(r),
        }
    }
    sort_by_place(&mut report.rejected, &report.sheets);
    report.rows_rejected = report.rejected.len() as u32;
    report.rows_imported = kept.len() as u32;
    report.status = "completed_with_rejections".into();
    kept
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

/// Stores the final report (with its id and duration) on the import record.
pub async fn finish_import(conn: &mut SqliteConnection, report: &ImportReport) -> Result<()> {
    store::imports::finish(conn, report).await
}

pub(super) fn base_report(
    meta: &ImportMeta<'_>,
    summary: &ParseSummary,
    rejected: Vec<Rejection>,
) -> ImportReport {
    ImportReport {
        import_id: None,
        kind: meta.kind,
        file: meta.file.to_string(),
        sha256: meta.sha256.to_string(),
        rows_read: summary.rows_read,
        rows_imported: 0,
        rows_rejected: rejected.len() as u32,
        accounts: Vec::new(),
        status: if rejected.is_empty() {
            "completed".into()
        } else {
            "completed_with_rejections".into()
        },
        rejected,
        duration_ms: 0,
        dry_run: meta.dry_run,
        rows_new: 0,
        rows_changed: 0,
        rows_unchanged: 0,
        accounts_new: Vec::new(),
        accounts_updated: Vec::new(),
        accounts_unchanged: Vec::new(),
        sheets: summary.sheets.clone(),
        skipped_sheets: summary.skipped.clone(),
        events: 0,
        created_at: meta.now.to_string(),
        rows_superseded: 0,
        superseded: Vec::new(),
    }
}

/// Parsed rows per write batch: the points where a cancel is noticed and progress reported.
pub const WRITE_BATCH: usize = 5000;

/// Applies a profile file's rows (profiles are per account, so they are few: classified and written at the end).
pub async fn apply_profiles(
    conn: &mut SqliteConnection,
    meta: &ImportMeta<'_>,
    summary: &ParseSummary,
    parsed_rows: &[ProfileRow],
    rejected: Vec<Rejection>,
) -> Result<ImportReport> {
    let mut report = base_report(meta, summary, rejected);
    report.rows_imported = parsed_rows.len() as u32;
    let keys = keys_in_file_order(parsed_rows.iter().map(|r| &r.account));
    let mut resolver = Resolver::default();
    resolver.resolve(conn, &keys).await?;
    let rows = reject_conflicts(&mut report, &resolver, parsed_rows);
    meta.check_cancel()?;
    let known = resolver.known_ids();
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
        let Some(Resolution::Account(id)) = resolver.get(&r.account) else {
            continue;
        };
        let entry = merged
            .entry(id)
            .or_insert_with(|| (stored.get(&id).cloned().unwrap_or_default(), 0));
        entry.0 = merge_profile(&entry.0, &r.patch);
        entry.1 += 1;
    }
    let names = resolver.names();
    let mut updates: Vec<(i64, &Profile)> = Vec::new();
    let mut new_profiles: HashMap<i64, Profile> = HashMap::new();
    for (id, (profile, rows)) in &merged {
        let name = names.get(id).cloned().unwrap_or_default();
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

    // The record first: the changes it keeps (previous profiles, external ids given) carry its id.
    let import_id = store::imports::start(conn, &meta.file_record()).await?;
    report.import_id = Some(import_id);
    let placeholders = resolver.planned_ids();
    resolver
        .write_accounts(conn, import_id, &new_profiles, meta.now)
        .await?;
    let created: HashMap<i64, i64> = placeholders
        .into_iter()
        .zip(resolver.planned_ids())
        .collect();
    let updated: Vec<i64> = updates.iter().map(|(id, _)| *id).collect();
    store::import_account_changes::record_profiles(conn, import_id, &updated).await?;
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
    let created_ids: Vec<i64> = created.values().copied().collect();
    store::imports::complete(conn, import_id, &report, &touched, &created_ids).await?;
    let updated: BTreeSet<i64> = updated.into_iter().collect();
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

/// The write stage of one kind of row.
pub(super) trait WriteStage<T> {
    async fn batch(
        &mut self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        rows: &[T],
        rejected: Vec<Rejection>,
        rows_read: u32,
    ) -> Result<()>;

    async fn finish(
        self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        summary: &ParseSummary,
    ) -> Result<ImportReport>;
}
