//! Comparing two snapshot documents: both are flattened to `path → text` and compared key by key.
//! The same comparison gives a new snapshot's "what changed" summary and the side-by-side diff.

use std::collections::BTreeMap;

use crate::model::{DiffEntry, SnapshotContent};

const SUMMARY_LINES: usize = 12;

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{:.2}", v)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// Every comparable fact of a document, keyed `section.path`.
fn flatten(c: &SnapshotContent) -> BTreeMap<String, (String, String)> {
    let mut m: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut put = |section: &str, path: String, value: String| {
        m.insert(format!("{section}.{path}"), (section.to_string(), value));
    };
    let p = &c.profile;
    let fields: [(&str, Option<String>); 10] = [
        ("industry", p.industry.clone()),
        ("region", p.region.clone()),
        ("segment", p.segment.clone()),
        ("arr", p.arr.map(fmt_num)),
        ("contract_start", p.contract_start.clone()),
        ("renewal_date", p.renewal_date.clone()),
        ("owner", p.owner.clone()),
        ("employees", p.employees.map(|e| e.to_string())),
        ("website", p.website.clone()),
        ("notes", p.notes.clone()),
    ];
    for (k, v) in fields {
        if let Some(v) = v {
            put("profile", k.to_string(), v);
        }
    }
    for (k, v) in &p.custom {
        put("profile", format!("custom.{k}"), v.clone());
    }
    if let Some(h) = &c.health {
        put("health", "score".into(), format!("{:.1}", h.score));
        put("health", "band".into(), h.band.label().into());
        put("health", "period".into(), h.period.clone());
        for cat in &h.categories {
            put(
                "health",
                format!("category.{}", cat.category),
                format!("{:.1}", cat.score),
            );
        }
    }
    for k in &c.kpis {
        let unit = k
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        put(
            "kpis",
            format!("{}.value", k.name),
            format!("{}{unit}", fmt_num(k.value)),
        );
        if let Some(t) = k.target {
            put(
                "kpis",
                format!("{}.target", k.name),
                format!("{}{unit}", fmt_num(t)),
            );
        }
        put("kpis", format!("{}.status", k.name), k.status.clone());
        put("kpis", format!("{}.period", k.name), k.period.clone());
    }
    for e in &c.playbooks {
        let done = e.steps.iter().filter(|s| s.done).count();
        put(
            "playbooks",
            format!("{} #{}.status", e.playbook_name, e.id),
            e.status.as_str().into(),
        );
        put(
            "playbooks",
            format!("{} #{}.steps", e.playbook_name, e.id),
            format!("{done}/{}", e.steps.len()),
        );
    }
    for i in &c.recent_imports {
        put(
            "imports",
            format!("#{}", i.id),
            format!("{} ({} rows)", i.file, i.rows_imported),
        );
    }
    m
}

/// What differs between two documents, in path order.
pub fn diff(before: &SnapshotContent, after: &SnapshotContent) -> Vec<DiffEntry> {
    let a = flatten(before);
    let b = flatten(after);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (a.get(k), b.get(k));
            if x.map(|v| &v.1) == y.map(|v| &v.1) {
                return None;
            }
            let section = x.or(y).map(|v| v.0.clone()).unwrap_or_default();
            Some(DiffEntry {
                path: k.clone(),
                section,
                before: x.map(|v| v.1.clone()),
                after: y.map(|v| v.1.clone()),
            })
        })
        .collect()
}

/// Short human lines for the "what changed since the previous snapshot" summary.
pub fn summary_lines(entries: &[DiffEntry]) -> Vec<String> {
    let mut lines: Vec<String> = entries
        .iter()
        .take(SUMMARY_LINES)
        .map(|e| match (&e.before, &e.after) {
            (Some(b), Some(a)) => format!("{}: {b} → {a}", e.path),
            (None, Some(a)) => format!("{}: added ({a})", e.path),
            (Some(b), None) => format!("{}: removed (was {b})", e.path),
            (None, None) => e.path.clone(),
        })
        .collect();
    if entries.len() > SUMMARY_LINES {
        lines.push(format!(
            "… and {} more changes",
            entries.len() - SUMMARY_LINES
        ));
    }
    lines
}
