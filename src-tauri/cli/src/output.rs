//! Printing results: one JSON document on stdout with `--json`, else readable text.

use serde::Serialize;
use tideline_core::model::{
    AccountRow, Band, ImportReport, PlaybookExecution, ProcessReport, Snapshot, SnapshotDiff,
};
use tideline_core::Error;

#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Prints `value` as JSON, or the text `text` renders.
    pub fn print<T: Serialize + ?Sized>(
        &self,
        value: &T,
        text: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        if self.json {
            let doc =
                serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
            println!("{doc}");
        } else {
            println!("{}", text());
        }
        Ok(())
    }
}

pub fn score(score: Option<f64>, band: Option<Band>) -> String {
    match (score, band) {
        (Some(s), Some(b)) => format!("{s:5.1} {}", b.label()),
        _ => "–".to_string(),
    }
}

pub fn accounts(rows: &[AccountRow]) -> String {
    if rows.is_empty() {
        return "No accounts yet. Import a workbook (tideline-cli import kpi FILE) or load the sample data \
                (tideline-cli sample load)."
            .into();
    }
    let mut out = format!(
        "{:>6}  {:<32} {:>14}  {:<18} LAST SNAPSHOT",
        "ID", "ACCOUNT", "HEALTH", "OWNER"
    );
    for r in rows {
        out.push_str(&format!(
            "\n{:>6}  {:<32} {:>14}  {:<18} {}",
            r.id,
            r.name,
            score(r.health_score, r.band),
            r.profile.owner.as_deref().unwrap_or("–"),
            r.last_snapshot_at.as_deref().unwrap_or("never")
        ));
    }
    out
}

pub fn import_report(r: &ImportReport, events: Option<&ProcessReport>) -> String {
    let mut out = format!(
        "{}{} ({} import): {} rows read, {} imported ({} new, {} changed, {} unchanged), {} rejected; {} accounts{}",
        if r.dry_run { "Dry run — nothing written. " } else { "" },
        r.file,
        r.kind.as_str(),
        r.rows_read,
        r.rows_imported,
        r.rows_new,
        r.rows_changed,
        r.rows_unchanged,
        r.rows_rejected,
        r.accounts.len(),
        r.import_id.map(|id| format!("; import #{id}")).unwrap_or_default()
    );
    if r.rows_superseded > 0 {
        out.push_str(&format!(
            "\n  {} rows repeated later in the file (same account, KPI and month): the later row was used",
            r.rows_superseded
        ));
    }
    for s in &r.superseded {
        out.push_str(&format!(
            "\n  superseded {} row {} ({}, {}, {}): row {} of {} used",
            s.sheet, s.row, s.account, s.kpi, s.period, s.used_row, s.used_sheet
        ));
    }
    for s in &r.skipped_sheets {
        out.push_str(&format!("\n  skipped sheet {}: {}", s.sheet, s.reason));
    }
    for rej in &r.rejected {
        out.push_str(&format!(
            "\n  rejected {} row {} ({}): {}",
            rej.sheet, rej.row, rej.column, rej.reason
        ));
    }
    if let Some(e) = events {
        out.push('\n');
        out.push_str(&process_report(e));
    }
    out
}

pub fn process_report(r: &ProcessReport) -> String {
    format!(
        "Events: {} handled, {} snapshots created, {} skipped (cooldown).",
        r.processed,
        r.created.len(),
        r.skipped
    )
}

pub fn snapshot_line(s: &Snapshot) -> String {
    format!(
        "#{:<6} {:<28} {:<13} {:<36} {}",
        s.id,
        s.account_name,
        s.snapshot_type.as_str(),
        s.trigger_event,
        s.created_at
    )
}

pub fn snapshot_detail(s: &Snapshot) -> String {
    let c = &s.content;
    let mut out = snapshot_line(s);
    if let Some(h) = &c.health {
        out.push_str(&format!(
            "\nHealth {:.1} ({}) for {}",
            h.score,
            h.band.label(),
            h.period
        ));
        for cat in &h.categories {
            out.push_str(&format!("\n  {:<22} {:5.1}", cat.category, cat.score));
        }
    }
    for k in &c.kpis {
        out.push_str(&format!(
            "\n  KPI {:<28} {:>10} target {:>10}  {}",
            k.name,
            k.value,
            k.target
                .map(|t| t.to_string())
                .unwrap_or_else(|| "–".into()),
            k.status
        ));
    }
    for line in &c.changes.lines {
        out.push_str(&format!("\n  changed: {line}"));
    }
    out.push_str(&format!("\nSHA-256 {}", s.content_sha256));
    out
}

pub fn execution(e: &PlaybookExecution) -> String {
    let done = e.steps.iter().filter(|s| s.done).count();
    format!(
        "#{:<5} {:<20} {:<28} {:<12} {done}/{} steps",
        e.id,
        e.playbook_name,
        e.account_name,
        e.status.as_str(),
        e.steps.len()
    )
}

pub fn diff(d: &SnapshotDiff) -> String {
    let mut out = format!(
        "Snapshot #{} → #{}: {} differences",
        d.from.id,
        d.to.id,
        d.entries.len()
    );
    for e in &d.entries {
        out.push_str(&format!(
            "\n  {:<40} {:>20} → {}",
            e.path,
            e.before.as_deref().unwrap_or("—"),
            e.after.as_deref().unwrap_or("—")
        ));
    }
    out
}

/// `ask --json`: the answer with `accounts` as names (issue 9 §6 shape), plus the app's extra fields.
pub fn ask_json(a: &tideline_core::model::AskAnswer) -> serde_json::Value {
    serde_json::json!({
        "answer": a.answer,
        "intent": a.intent,
        "accounts": a.accounts.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        "period": a.period,
        "claims": a.claims,
        "snapshot_id": a.snapshot_id,
        "snapshot_created": a.snapshot_created,
        "snapshots_created": a.snapshots_created,
        "sources": a.sources,
        "changes_since": a.changes_since,
        "choices": a.choices,
        "note": a.note,
    })
}

/// `ask`: the answer, then its citations one a line.
pub fn ask(a: &tideline_core::model::AskAnswer) -> String {
    let mut out = a.answer.clone();
    if let Some(n) = &a.note {
        out.push_str(&format!("\n({n})"));
    }
    if !a.claims.is_empty() {
        out.push_str("\n\nSources:");
        for c in &a.claims {
            out.push_str(&format!(
                "\n  {} — snapshot #{} {}",
                c.text, c.snapshot_id, c.path
            ));
        }
    }
    out
}
