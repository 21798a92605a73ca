//! The write stage of a KPI import: rows arrive in batches while the file is still being parsed. Each batch is
//! resolved to accounts, classified new / changed / unchanged against what is stored with one keyed read, and its
//! new and changed values written with prepared statements stepped per row, the values they replace kept in
//! `import_kpi_changes` (so the import can be undone). Everything runs in the caller's one transaction; a dry run
//! classifies and writes nothing.
//!
//! A row repeated in the file (same account, KPI and month) supersedes the earlier one, as if the rows were
//! imported one after another; it is classified against the value stored before the import, which for a key this
//! import already wrote is the one kept in `import_kpi_changes`.

use std::collections::hash_map::Entry;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};

use chrono::{Datelike, NaiveDate};
use sqlx::SqliteConnection;

use super::parse::{KpiRow, ParseSummary};
use super::write::{
    base_report, keys_in_file_order, sort_by_place, ImportMeta, Resolution, Resolver, WriteStage,
};
use crate::error::{Error, Result};
use crate::events::{outbox, EventType};
use crate::model::{ImportReport, Rejection, Superseded};
use crate::store;
use crate::store::kpi_values::{NewKpi, StoredKpi};

/// A value's identity: account id, KPI (its index among the file's KPI keys), month (days from the common era).
type Key = (i64, u32, i32);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    New = 0,
    Changed = 1,
    Unchanged = 2,
}

/// What is known about a key the file named.
struct Seen {
    /// Where its latest row is: sheet index and row number.
    sheet: u32,
    row: u32,
    /// Its latest row against the value stored before the import; `None` until its first batch is classified.
    class: Option<Class>,
    /// A value was stored before the import.
    existed: bool,
    /// This import has written it (the value it replaced, if any, is in `import_kpi_changes`).
    written: bool,
}

/// The fields of a KPI value compared with an incoming row (its identity is the key).
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

/// The index of `key` in `list` (added when new).
fn intern(index: &mut HashMap<String, u32>, list: &mut Vec<String>, key: &str) -> u32 {
    if let Some(i) = index.get(key) {
        return *i;
    }
    let i = list.len() as u32;
    list.push(key.to_string());
    index.insert(key.to_string(), i);
    i
}

/// The write stage's state across batches.
#[derive(Default)]
pub struct KpiWriter {
    resolver: Resolver,
    import_id: Option<i64>,
    kpi_index: HashMap<String, u32>,
    kpi_keys: Vec<String>,
    sheet_index: HashMap<String, u32>,
    sheet_names: Vec<String>,
    last_sheet: Option<(std::sync::Arc<super::parse::SheetPlace>, u32)>,
    period_text: HashMap<i32, String>,
    seen: HashMap<Key, Seen>,
    /// Per account: rows new, changed, unchanged.
    per_account: HashMap<i64, [u32; 3]>,
    /// Accounts this import creates (or would), by id.
    new_accounts: HashSet<i64>,
    /// Earlier rows of repeated keys (sheet index, row, key), in the order they were superseded.
    superseded: Vec<(u32, u32, Key)>,
    /// The KPI name of the latest row of each repeated key.
    repeated_names: HashMap<Key, String>,
    rejected: Vec<Rejection>,
    conflicts: bool,
    done: u32,
}

impl KpiWriter {
    fn kpi(&mut self, key: &str) -> u32 {
        intern(&mut self.kpi_index, &mut self.kpi_keys, key)
    }

    fn period(&mut self, days: i32) -> String {
        self.period_text
            .entry(days)
            .or_insert_with(|| {
                NaiveDate::from_num_days_from_ce_opt(days)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            })
            .clone()
    }

    /// The sheet index of a row's sheet: rows come sheet after sheet, so the last one is checked first.
    fn sheet_of(&mut self, place: &std::sync::Arc<super::parse::SheetPlace>) -> u32 {
        if let Some((last, i)) = &self.last_sheet {
            if std::sync::Arc::ptr_eq(last, place) {
                return *i;
            }
        }
        let i = intern(&mut self.sheet_index, &mut self.sheet_names, &place.sheet);
        self.last_sheet = Some((std::sync::Arc::clone(place), i));
        i
    }

    /// The import's record, started before its first value is written (values carry the import id).
    async fn import_id(
        &mut self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
    ) -> Result<i64> {
        if let Some(id) = self.import_id {
            return Ok(id);
        }
        let id = store::imports::start(conn, &meta.file_record()).await?;
        self.import_id = Some(id);
        Ok(id)
    }

    fn key_of(&self, s: &StoredKpi) -> Key {
        let days = NaiveDate::parse_from_str(&s.period, "%Y-%m-%d")
            .map(|d| d.num_days_from_ce())
            .unwrap_or_default();
        let kpi = self.kpi_index.get(&s.kpi_key).copied().unwrap_or(u32::MAX);
        (s.account_id, kpi, days)
    }

    fn keys_json(&mut self, keys: &[Key]) -> Result<String> {
        let triples: Vec<(i64, &str, String)> = keys
            .iter()
            .map(|k| {
                let period = NaiveDate::from_num_days_from_ce_opt(k.2)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                (k.0, self.kpi_keys[k.1 as usize].as_str(), period)
            })
            .collect();
        Ok(serde_json::to_string(&triples)?)
    }
}

impl WriteStage<KpiRow> for KpiWriter {
    /// One batch of parsed rows (in file order) and the rows the parse rejected beside them.
    async fn batch(
        &mut self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        rows: &[KpiRow],
        rejected: Vec<Rejection>,
        rows_read: u32,
    ) -> Result<()> {
        meta.check_cancel()?;
        self.rejected.extend(rejected);
        if rows.is_empty() {
            return Ok(());
        }
        let keys = keys_in_file_order(rows.iter().map(|r| &r.account));
        self.resolver.resolve(conn, &keys).await?;
        if !meta.dry_run {
            let import_id = self.import_id(conn, meta).await?;
            self.resolver
                .write_accounts(conn, import_id, &std::collections::HashMap::new(), meta.now)
                .await?;
        }
        let planned = self.resolver.planned_ids_from(self.new_accounts.len());
        self.new_accounts.extend(planned);

        // The batch's keys, each with its latest row in the batch.
        let mut work: Vec<(Key, usize)> = Vec::with_capacity(rows.len());
        let mut in_batch: HashMap<Key, usize> = HashMap::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let id = match self.resolver.get(&r.account) {
                Some(Resolution::Account(id)) => id,
                Some(Resolution::Conflict(id_column, reason)) => {
                    let rejection = r.place.reject(r.row, id_column, reason);
                    self.rejected.push(rejection);
                    self.conflicts = true;
                    continue;
                }
                None => {
                    return Err(Error::Internal(format!(
                        "account {} was not resolved",
                        r.account.name
                    )))
                }
            };
            let sheet = self.sheet_of(&r.place);
            let key = (id, self.kpi(&r.kpi_key), r.period.num_days_from_ce());
            match self.seen.entry(key) {
                Entry::Vacant(v) => {
                    v.insert(Seen {
                        sheet,
                        row: r.row,
                        class: None,
                        existed: false,
                        written: false,
                    });
                }
                Entry::Occupied(mut o) => {
                    let s = o.get_mut();
                    self.superseded.push((s.sheet, s.row, key));
                    s.sheet = sheet;
                    s.row = r.row;
                    self.repeated_names.insert(key, r.kpi_name.clone());
                }
            }
            match in_batch.entry(key) {
                Entry::Occupied(o) => work[*o.get()].1 = i,
                Entry::Vacant(v) => {
                    v.insert(work.len());
                    work.push((key, i));
                }
            }
        }

        // The values stored before the import: still in kpi_values for keys this import hasn't written, in
        // import_kpi_changes for those it has. New accounts had none.
        let mut stored_keys = Vec::new();
        let mut replaced_keys = Vec::new();
        for (key, _) in &work {
            if self.new_accounts.contains(&key.0) {
                continue;
            }
            let s = &self.seen[key];
            if !s.written {
                stored_keys.push(*key);
            } else if s.existed {
                replaced_keys.push(*key);
            }
        }
        let mut before: HashMap<Key, StoredKpi> = HashMap::new();
        if !stored_keys.is_empty() {
            let json = self.keys_json(&stored_keys)?;
            for s in store::kpi_values::stored_of(conn, &json).await? {
                before.insert(self.key_of(&s), s);
            }
        }
        if !replaced_keys.is_empty() {
            let import_id = self.import_id(conn, meta).await?;
            let json = self.keys_json(&replaced_keys)?;
            for s in store::import_kpi_changes::previous_of(conn, import_id, &json).await? {
                before.insert(self.key_of(&s), s);
            }
        }

        let mut to_write: Vec<(Key, usize, bool)> = Vec::new();
        let mut to_record: Vec<Key> = Vec::new();
        let mut to_restore: Vec<Key> = Vec::new();
        for (key, i) in work {
            let row = &rows[i];
            let previous = before.get(&key);
            let class = match previous {
                None => Class::New,
                Some(p) if KpiFields::of_stored(p) != KpiFields::of_row(row) => Class::Changed,
                Some(_) => Class::Unchanged,
            };
            let Some(s) = self.seen.get_mut(&key) else {
                continue;
            };
            let counts = self.per_account.entry(key.0).or_default();
            match s.class {
                None => s.existed = previous.is_some(),
                Some(old) => counts[old as usize] -= 1,
            }
            counts[class as usize] += 1;
            s.class = Some(class);
            if meta.dry_run {
                // Nothing is written: what is stored stays the value from before the import.
            } else if class != Class::Unchanged {
                if !s.written && s.existed {
                    to_record.push(key);
                }
                // The import never deletes a value that existed, and restores only those.
                let stored = s.existed || s.written;
                s.written = true;
                to_write.push((key, i, stored));
            } else if s.written {
                // A later row put back what was stored: so does the import.
                s.written = false;
                to_restore.push(key);
            }
        }

        if !meta.dry_run {
            let import_id = self.import_id(conn, meta).await?;
            if !to_record.is_empty() {
                let json = self.keys_json(&to_record)?;
                store::import_kpi_changes::record_previous(conn, import_id, &json).await?;
            }
            for (key, _, _) in &to_write {
                if !self.period_text.contains_key(&key.2) {
                    let text = self.period(key.2);
                    self.period_text.insert(key.2, text);
                }
            }
            let period_text = &self.period_text;
            let values: Vec<NewKpi<'_>> = to_write
                .iter()
                .map(|(key, i, stored)| {
                    let period = period_text.get(&key.2).map_or("", String::as_str);
                    let r = &rows[*i];
                    NewKpi {
                        account_id: key.0,
                        kpi_name: &r.kpi_name,
                        kpi_key: &r.kpi_key,
                        category: r.category.as_deref(),
                        value: r.value,
                        unit: r.unit.as_deref(),
                        target: r.target,
                        direction: r.direction.as_str(),
                        weight: r.weight,
                        period,
                        stored: *stored,
                    }
                })
                .collect();
            store::kpi_values::upsert(conn, &values, import_id, meta.now).await?;
            for key in to_restore {
                let period = self.period(key.2);
                let kpi_key = self.kpi_keys[key.1 as usize].clone();
                store::import_kpi_changes::restore_one(conn, import_id, key.0, &kpi_key, &period)
                    .await?;
            }
        }
        self.done += rows.len() as u32;
        if let Some(last) = rows.last() {
            meta.progress(&last.place.sheet, self.done, rows_read.max(self.done));
        }
        Ok(())
    }

    /// The end of the file: the report, and for a real import its record and events.
    async fn finish(
        mut self,
        conn: &mut SqliteConnection,
        meta: &ImportMeta<'_>,
        summary: &ParseSummary,
    ) -> Result<ImportReport> {
        let mut report = base_report(meta, summary, std::mem::take(&mut self.rejected));
        if self.conflicts {
            sort_by_place(&mut report.rejected, &summary.sheets);
            report.status = "completed_with_rejections".into();
        }
        report.rows_rejected = report.rejected.len() as u32;
        report.rows_imported = self.seen.len() as u32;

        let names = self.resolver.names();
        let name_of = |id: &i64| names.get(id).cloned().unwrap_or_default();
        for (sheet, row, key) in &self.superseded {
            let used = &self.seen[key];
            report.superseded.push(Superseded {
                sheet: self.sheet_names[*sheet as usize].clone(),
                row: *row,
                used_sheet: self.sheet_names[used.sheet as usize].clone(),
                used_row: used.row,
                account: name_of(&key.0),
                kpi: self.repeated_names.get(key).cloned().unwrap_or_default(),
                period: NaiveDate::from_num_days_from_ce_opt(key.2)
                    .map(|d| d.format("%Y-%m").to_string())
                    .unwrap_or_default(),
            });
        }
        report.rows_superseded = report.superseded.len() as u32;

        let per_account: BTreeMap<i64, [u32; 3]> =
            std::mem::take(&mut self.per_account).into_iter().collect();
        for [n, c, u] in per_account.values() {
            report.rows_new += n;
            report.rows_changed += c;
            report.rows_unchanged += u;
        }
        for id in self.resolver.planned_ids() {
            if per_account.contains_key(&id) {
                report.accounts_new.push(name_of(&id));
            }
        }
        for (id, [n, c, _]) in &per_account {
            if self.new_accounts.contains(id) {
                continue;
            }
            if n + c > 0 {
                report.accounts_updated.push(name_of(id));
            } else {
                report.accounts_unchanged.push(name_of(id));
            }
        }
        report.accounts = per_account.keys().map(name_of).collect();
        report.accounts.sort();
        if meta.dry_run {
            return Ok(report);
        }

        let import_id = self.import_id(conn, meta).await?;
        report.import_id = Some(import_id);
        let touched: BTreeMap<i64, u32> = per_account
            .iter()
            .map(|(id, [n, c, u])| (*id, n + c + u))
            .collect();
        let created = self.resolver.planned_ids();
        store::imports::complete(conn, import_id, &report, &touched, &created).await?;
        let changed: Vec<i64> = per_account
            .iter()
            .filter(|(_, [n, c, _])| n + c > 0)
            .map(|(id, _)| *id)
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
}
