//! Snapshot evidence packs: one self-contained HTML page (inline CSS, no scripts, no remote content; prints to
//! PDF from any browser) and, beside it, the snapshot's stored JSON document byte for byte, so `sha256sum` on it
//! prints the SHA-256 in the page's footer. Every text from the data is escaped with `html-escape`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use html_escape::encode_text;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::{DiffEntry, EvidencePack, Snapshot};
use crate::store::snapshots;
use crate::Tideline;

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2430;max-width:56rem;\
margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem;\
border-bottom:1px solid #d5dbe3;padding-bottom:.2rem}table{border-collapse:collapse;width:100%;margin:.3rem 0}\
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e6e9ee;vertical-align:top}th{background:#f3f5f8}\
td.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#56627a}.band{font-weight:600}\
.healthy{color:#1f7a3f}.at_risk{color:#a86500}.critical{color:#b3261e}dl{display:grid;grid-template-columns:12rem 1fr;\
gap:.2rem .8rem}dt{color:#56627a}dd{margin:0}footer{margin-top:2rem;border-top:1px solid #d5dbe3;padding-top:.5rem;\
font-size:12px;color:#56627a;word-break:break-all}code{font-family:ui-monospace,monospace}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}";

fn e(text: &str) -> String {
    encode_text(text).into_owned()
}

fn opt(v: Option<&str>) -> String {
    v.map(e).unwrap_or_else(|| "–".into())
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The page for `snap`, with the diff entries against `diff_from` (its id and entries) when given.
pub fn render(snap: &Snapshot, diff: Option<(i64, &[DiffEntry])>) -> String {
    let c = &snap.content;
    let mut h = String::with_capacity(16 * 1024);
    let title = format!("{} — snapshot {}", snap.account_name, snap.id);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        e(&title)
    );
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"meta\">Snapshot {} · taken {} UTC · type {} · trigger {}</p></header>",
        e(&snap.account_name),
        snap.id,
        e(&snap.created_at),
        e(snap.snapshot_type.as_str()),
        e(&snap.trigger_event)
    );

    h.push_str("<section><h2>Health</h2>\n");
    match &c.health {
        Some(health) => {
            let _ = writeln!(
                h,
                "<p><span class=\"band {}\">{} — {}</span> for {}</p>",
                health.band.as_str(),
                num(health.score),
                health.band.label(),
                e(&health.period)
            );
            h.push_str(
                "<table><thead><tr><th>Category</th><th>Score</th><th>Weight</th><th>KPIs behind it</th></tr>\
                 </thead><tbody>\n",
            );
            for cat in &health.categories {
                let drivers = cat
                    .drivers
                    .iter()
                    .map(|d| {
                        format!(
                            "{}: {}{} (score {}, {})",
                            e(&d.kpi),
                            num(d.value),
                            d.target
                                .map(|t| format!(" vs target {}", num(t)))
                                .unwrap_or_default(),
                            num(d.score),
                            e(&d.basis)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>");
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                    e(&cat.category),
                    num(cat.score),
                    num(cat.weight),
                    drivers
                );
            }
            h.push_str("</tbody></table>\n");
            if !health.trend.is_empty() {
                let trend = health
                    .trend
                    .iter()
                    .map(|t| format!("{} {}", e(&t.period), num(t.score)))
                    .collect::<Vec<_>>()
                    .join(" → ");
                let _ = writeln!(h, "<p class=\"meta\">Trend: {trend}</p>");
            }
        }
        None => h.push_str("<p>No health score yet.</p>\n"),
    }
    h.push_str("</section>\n");

    h.push_str("<section><h2>KPIs</h2>\n");
    if c.kpis.is_empty() {
        h.push_str("<p>No KPIs.</p>\n");
    } else {
        h.push_str(
            "<table><thead><tr><th>KPI</th><th>Category</th><th>Value</th><th>Target</th><th>Period</th>\
             <th>Status</th></tr></thead><tbody>\n",
        );
        for k in &c.kpis {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                e(&k.name),
                opt(k.category.as_deref()),
                num(k.value),
                k.unit.as_deref().map(|u| format!(" {}", e(u))).unwrap_or_default(),
                k.target.map(num).unwrap_or_else(|| "–".into()),
                e(&k.period),
                e(&k.status.replace('_', " "))
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");

    h.push_str("<section><h2>Profile</h2>\n<dl>\n");
    let p = &c.profile;
    let fields: [(&str, Option<String>); 10] = [
        ("Owner", p.owner.clone()),
        ("Segment", p.segment.clone()),
        ("Industry", p.industry.clone()),
        ("Region", p.region.clone()),
        ("ARR", p.arr.map(num)),
        ("Employees", p.employees.map(|n| n.to_string())),
        ("Contract start", p.contract_start.clone()),
        ("Renewal date", p.renewal_date.clone()),
        ("Website", p.website.clone()),
        ("Notes", p.notes.clone()),
    ];
    for (label, value) in fields.iter() {
        if let Some(v) = value {
            let _ = writeln!(h, "<dt>{label}</dt><dd>{}</dd>", e(v));
        }
    }
    for (k, v) in &p.custom {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", e(k), e(v));
    }
    h.push_str("</dl></section>\n");

    h.push_str("<section><h2>Playbooks</h2>\n");
    if c.playbooks.is_empty() {
        h.push_str("<p>No playbooks.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for pb in &c.playbooks {
            let done = pb.steps.iter().filter(|s| s.done).count();
            let _ = writeln!(
                h,
                "<li>{} — {} ({done} of {} steps done, started {})</li>",
                e(&pb.playbook_name),
                e(&pb.status.as_str().replace('_', " ")),
                pb.steps.len(),
                e(&pb.started_at)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    if !c.changes.lines.is_empty() {
        h.push_str("<section><h2>Changes since the previous snapshot</h2>\n<ul>\n");
        for line in &c.changes.lines {
            let _ = writeln!(h, "<li>{}</li>", e(line));
        }
        h.push_str("</ul></section>\n");
    }

    if let Some((from, entries)) = diff {
        let _ = writeln!(h, "<section><h2>Compared with snapshot {from}</h2>");
        if entries.is_empty() {
            h.push_str("<p>No differences.</p>\n");
        } else {
            h.push_str(
                "<table><thead><tr><th>Section</th><th>What</th><th>Before</th><th>After</th></tr></thead><tbody>\n",
            );
            for d in entries {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    e(&d.section),
                    e(&d.path),
                    opt(d.before.as_deref()),
                    opt(d.after.as_deref())
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str("</section>\n");
    }

    let _ = write!(
        h,
        "<footer>Snapshot id {} · schema version {} · SHA-256 <code>{}</code><br>\
         The stored document is in <code>snapshot-{}.json</code> beside this page; \
         <code>sha256sum snapshot-{}.json</code> prints the same SHA-256 if it is unchanged.</footer>\n\
         </body></html>\n",
        snap.id,
        snap.schema_version,
        e(&snap.content_sha256),
        snap.id,
        snap.id
    );
    h
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|err| Error::write_failed(path, &err))
}

impl Tideline {
    /// Writes `snapshot-<id>.html` and `snapshot-<id>.json` into `dir` (created if missing).
    #[tracing::instrument(skip(self), err, fields(dir = %dir.display()))]
    pub async fn export_snapshot(
        &self,
        id: i64,
        dir: &Path,
        diff_from: Option<i64>,
    ) -> Result<EvidencePack> {
        let mut conn = self.pool().acquire().await?;
        let snap = snapshots::load(&mut conn, id).await?;
        let (stored, sha) = snapshots::content_and_hash(&mut conn, id).await?;
        let diff = match diff_from {
            Some(from) => {
                let earlier = snapshots::load(&mut conn, from).await?;
                Some((
                    from,
                    crate::snapshot::diff::diff(&earlier.content, &snap.content),
                ))
            }
            None => None,
        };
        drop(conn);
        let verified = hex::encode(Sha256::digest(stored.as_bytes())) == sha;
        if !verified {
            tracing::warn!(id, "snapshot does not match its recorded SHA-256");
        }
        std::fs::create_dir_all(dir).map_err(|err| Error::write_failed(dir, &err))?;
        let json_path: PathBuf = dir.join(format!("snapshot-{id}.json"));
        let html_path: PathBuf = dir.join(format!("snapshot-{id}.html"));
        write_file(&json_path, stored.as_bytes())?;
        let page = render(&snap, diff.as_ref().map(|(f, d)| (*f, d.as_slice())));
        write_file(&html_path, page.as_bytes())?;
        Ok(EvidencePack {
            snapshot_id: id,
            html_path: html_path.display().to_string(),
            json_path: json_path.display().to_string(),
            content_sha256: sha,
            verified,
        })
    }
}
