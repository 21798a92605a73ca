//! Answering a question about an account from its latest snapshot (created on the spot, as `rag_auto`, when the
//! account has none). The answer is composed from the snapshot's facts and names the snapshot it used; the
//! question's words choose which facts lead.

pub mod llm;

use crate::error::{Error, Result};
use crate::model::{AskAnswer, ExecutionStatus, Snapshot};
use crate::Tideline;

impl Tideline {
    #[tracing::instrument(skip(self), err)]
    pub async fn ask(&self, account_id: i64, question: &str) -> Result<AskAnswer> {
        if question.trim().is_empty() {
            return Err(Error::InvalidInput {
                what: "question".into(),
                reason: "the question is empty".into(),
            });
        }
        let (snapshot, created) = self.snapshot_for_question(account_id).await?;
        let (answer, sources) = compose(&snapshot, question);
        Ok(AskAnswer {
            answer,
            snapshot_id: snapshot.id,
            snapshot_created: created,
            sources,
        })
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The answer text and the snapshot parts it drew on.
pub fn compose(s: &Snapshot, question: &str) -> (String, Vec<String>) {
    let q = question.to_lowercase();
    let c = &s.content;
    let wants = |words: &[&str]| words.iter().any(|w| q.contains(w));
    let mut parts: Vec<String> = Vec::new();
    let mut sources: Vec<String> = Vec::new();

    let health_line = match &c.health {
        Some(h) => {
            sources.push("health".into());
            let trend = match h.trend.len() {
                n if n >= 2 => {
                    let prev = h.trend[n - 2].score;
                    let delta = h.score - prev;
                    format!(
                        ", {} {} points since {}",
                        if delta >= 0.0 { "up" } else { "down" },
                        num(delta.abs()),
                        h.trend[n - 2].period
                    )
                }
                _ => String::new(),
            };
            format!(
                "{} is {} with a health score of {} for {}{}.",
                c.account.name,
                h.band.label(),
                num(h.score),
                h.period,
                trend
            )
        }
        None => format!(
            "{} has no health score yet (calculate health scores to get one).",
            c.account.name
        ),
    };
    parts.push(health_line);

    let off: Vec<_> = c.kpis.iter().filter(|k| k.status == "off_target").collect();
    if wants(&[
        "kpi", "metric", "target", "usage", "nps", "status", "risk", "why", "health", "doing",
    ]) || !off.is_empty()
    {
        if off.is_empty() && !c.kpis.is_empty() {
            parts.push(format!(
                "All {} KPIs with a target are on target.",
                c.kpis.iter().filter(|k| k.target.is_some()).count()
            ));
            sources.push("kpis".into());
        } else if !off.is_empty() {
            let list: Vec<String> = off
                .iter()
                .take(5)
                .map(|k| {
                    sources.push(format!("kpis.{}", k.name));
                    let unit = k
                        .unit
                        .as_deref()
                        .map(|u| format!(" {u}"))
                        .unwrap_or_default();
                    format!(
                        "{} {}{unit} (target {}{unit})",
                        k.name,
                        num(k.value),
                        k.target.map(num).unwrap_or_default()
                    )
                })
                .collect();
            let more = if off.len() > 5 {
                format!(" and {} more", off.len() - 5)
            } else {
                String::new()
            };
            parts.push(format!("Off target: {}{more}.", list.join(", ")));
        }
    }

    if wants(&[
        "renew", "contract", "arr", "revenue", "owner", "csm", "profile", "status",
    ]) {
        let p = &c.profile;
        let mut facts = Vec::new();
        if let Some(arr) = p.arr {
            facts.push(format!("ARR {}", num(arr)));
        }
        if let Some(r) = &p.renewal_date {
            facts.push(format!("renews on {r}"));
        }
        if let Some(o) = &p.owner {
            facts.push(format!("owned by {o}"));
        }
        if !facts.is_empty() {
            sources.push("profile".into());
            parts.push(format!("Profile: {}.", facts.join(", ")));
        }
    }

    let open: Vec<_> = c
        .playbooks
        .iter()
        .filter(|e| e.status == ExecutionStatus::InProgress)
        .collect();
    if !open.is_empty() || wants(&["playbook", "plan", "action", "next"]) {
        sources.push("playbooks".into());
        if open.is_empty() {
            parts.push("No playbook is in progress.".into());
        } else {
            let list: Vec<String> = open
                .iter()
                .map(|e| {
                    let done = e.steps.iter().filter(|s| s.done).count();
                    format!("{} ({done}/{} steps)", e.playbook_name, e.steps.len())
                })
                .collect();
            parts.push(format!("In progress: {}.", list.join(", ")));
        }
    }

    if let Some(first) = c.changes.lines.first() {
        sources.push("changes".into());
        parts.push(format!("Last change: {first}."));
    }
    parts.push(format!(
        "(From snapshot #{} taken {}, {}.)",
        s.id,
        s.created_at,
        s.snapshot_type.as_str()
    ));
    sources.dedup();
    (parts.join(" "), sources)
}
