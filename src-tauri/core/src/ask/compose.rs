//! Writing answers: short CSM sentences in which every number, date and name is a claim citing the snapshot and
//! the JSON path it came from. Pure functions over snapshot documents and indexed facts; `ask::mod` fetches them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::dates::{day_label, month_label};
use super::plan::Compare;
use crate::model::{AskAccount, AskClaim, Band, ExecutionStatus, HealthState, KpiState, Snapshot};
use crate::store::snapshot_facts::Fact;
use crate::store::snapshot_text::TextHit;

/// What Ask can answer, for the `unknown` reply.
pub const CAN_ANSWER: &str = "I can answer from the account snapshots: an account's status, a KPI's value or \
trend, which KPIs are off target, why health moved, what changed since a date, which category drags the score, \
playbooks, renewal/ARR/owner and where a value came from; and across accounts: which are at risk or critical, \
the biggest movers, upcoming renewals, accounts below a KPI target, and two accounts side by side; and I can \
search the text of profiles, playbook notes and change summaries.";

/// An answer under construction.
#[derive(Debug, Default)]
pub struct Builder {
    pub parts: Vec<String>,
    pub claims: Vec<AskClaim>,
    pub sources: Vec<String>,
    pub accounts: Vec<AskAccount>,
}

impl Builder {
    /// Records a claim and returns its text for the sentence.
    pub fn cite(
        &mut self,
        snapshot_id: i64,
        path: impl Into<String>,
        value: Value,
        text: impl Into<String>,
    ) -> String {
        let text = text.into();
        self.claims.push(AskClaim {
            text: text.clone(),
            snapshot_id,
            path: path.into(),
            value,
        });
        text
    }

    pub fn fact(&mut self, f: &Fact, text: impl Into<String>) -> String {
        let value = match (&f.num, &f.text) {
            (Some(n), _) => json!(n),
            (None, Some(t)) => json!(t),
            (None, None) => Value::Null,
        };
        self.cite(f.snapshot_id, f.path.clone(), value, text)
    }

    pub fn source(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !self.sources.contains(&s) {
            self.sources.push(s);
        }
    }

    pub fn account(&mut self, id: i64, name: &str) {
        if !self.accounts.iter().any(|a| a.id == id) {
            self.accounts.push(AskAccount {
                id,
                name: name.to_string(),
            });
        }
    }

    /// The account's name, cited from the snapshot.
    pub fn name(&mut self, s: &Snapshot) -> String {
        self.account(s.account_id, &s.content.account.name);
        let n = s.content.account.name.clone();
        self.cite(s.id, "$.account.name", json!(n), n.clone())
    }

    pub fn say(&mut self, sentence: String) {
        self.parts.push(sentence);
    }

    pub fn text(&self) -> String {
        self.parts.join(" ")
    }
}

/// "TechCorp Solutions'" / "Initech's".
pub fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

/// A value with its unit as the KPI defines it: "45%", "320 users".
pub fn with_unit(v: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some("%") => format!("{}%", num(v)),
        Some(u) => format!("{} {u}", num(v)),
        None => num(v),
    }
}

fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", num(v))
    } else {
        format!("−{}", num(-v))
    }
}

fn money(v: f64) -> String {
    // 1234567 -> "$1,234,567"
    let whole = v.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if whole < 0 { "-" } else { "" })
}

fn kpi_index(c: &[KpiState], name: &str) -> Option<usize> {
    c.iter().position(|k| k.name.eq_ignore_ascii_case(name))
}

fn band_text(b: Band) -> &'static str {
    b.label()
}

/// "Health 61.2 (At risk) for Nov 2026" with claims.
fn health_phrase(b: &mut Builder, s: &Snapshot, h: &HealthState) -> String {
    let score = b.cite(s.id, "$.health.score", json!(h.score), num(h.score));
    let band = b.cite(
        s.id,
        "$.health.band",
        json!(h.band.as_str()),
        band_text(h.band),
    );
    let period = b.cite(
        s.id,
        "$.health.period",
        json!(h.period),
        month_label(&h.period),
    );
    b.source("health");
    format!("{band} with a health score of {score} for {period}")
}

pub fn status(b: &mut Builder, s: &Snapshot) {
    let name = b.name(s);
    let c = &s.content;
    match &c.health {
        Some(h) => {
            let hp = health_phrase(b, s, h);
            let mut line = format!("{name} is {hp}");
            let n = h.trend.len();
            if n >= 2 {
                let prev = &h.trend[n - 2];
                let ps = b.cite(
                    s.id,
                    format!("$.health.trend[{}].score", n - 2),
                    json!(prev.score),
                    num(prev.score),
                );
                let pp = b.cite(
                    s.id,
                    format!("$.health.trend[{}].period", n - 2),
                    json!(prev.period),
                    month_label(&prev.period),
                );
                line.push_str(&format!(" ({ps} in {pp})"));
            }
            b.say(format!("{line}."));
        }
        None => b.say(format!(
            "{name} has no health score yet (calculate health scores to get one)."
        )),
    }
    let off: Vec<usize> = (0..c.kpis.len())
        .filter(|&i| c.kpis[i].status == "off_target")
        .collect();
    if off.is_empty() {
        if !c.kpis.is_empty() {
            b.say("Every KPI with a target is on target.".into());
        }
    } else {
        let list = kpi_list(b, s, &off, 3);
        b.say(format!("{} KPIs off target: {list}.", off.len()));
    }
    if let Some(r) = &c.profile.renewal_date {
        let d = b.cite(s.id, "$.profile.renewal_date", json!(r), day_label(r));
        b.source("profile");
        b.say(format!("Renews {d}."));
    }
}

/// "NPS 32 pts (target 40 pts)" for the given KPIs, at most `max`, "and N more".
fn kpi_list(b: &mut Builder, s: &Snapshot, idx: &[usize], max: usize) -> String {
    let mut items = Vec::new();
    for &i in idx.iter().take(max) {
        let k = &s.content.kpis[i];
        b.source(format!("kpis.{}", k.name));
        let v = b.cite(
            s.id,
            format!("$.kpis[{i}].value"),
            json!(k.value),
            with_unit(k.value, k.unit.as_deref()),
        );
        let t = match k.target {
            Some(t) => format!(
                " (target {})",
                b.cite(
                    s.id,
                    format!("$.kpis[{i}].target"),
                    json!(t),
                    with_unit(t, k.unit.as_deref())
                )
            ),
            None => String::new(),
        };
        items.push(format!("{} {v}{t}", k.name));
    }
    if idx.len() > max {
        items.push(format!("and {} more", idx.len() - max));
    }
    items.join(", ")
}

pub fn kpi_value(b: &mut Builder, s: &Snapshot, kpis: &[String]) {
    let name = b.name(s);
    for k in kpis {
        match kpi_index(&s.content.kpis, k) {
            Some(i) => {
                let kp = &s.content.kpis[i];
                let list = kpi_list(b, s, &[i], 1);
                let period = b.cite(
                    s.id,
                    format!("$.kpis[{i}].period"),
                    json!(kp.period),
                    month_label(&kp.period),
                );
                let status = match kp.status.as_str() {
                    "off_target" => ", off target",
                    "on_target" => ", on target",
                    _ => "",
                };
                b.say(format!("{name}: {list} for {period}{status}."));
            }
            None => b.say(format!("The snapshot of {name} has no value for {k}.")),
        }
    }
}

/// A KPI over the account's snapshots (oldest first); the snapshot document holds each KPI's latest value, so the
/// trend is what successive snapshots recorded.
/// One value of a KPI's trend and where it is cited: (snapshot id, value path, period path, value, period, unit).
type TrendValue = (i64, String, String, f64, String, Option<String>);

/// The trend of each KPI, oldest first. The newest snapshot that records the KPI's `history` (schema 2) gives
/// one value per period (those from `from`, `YYYY-MM-DD`, on); older snapshots add the latest value they kept
/// for periods before that history begins, as schema 1 snapshots always did.
pub fn kpi_trend(b: &mut Builder, snaps: &[Snapshot], kpis: &[String], from: Option<&str>) {
    let Some(last) = snaps.last() else { return };
    let name = b.name(last);
    for k in kpis {
        let history = snaps.iter().rev().find_map(|s| {
            let i = kpi_index(&s.content.kpis, k)?;
            let h = s.content.kpis[i]
                .history
                .as_ref()
                .filter(|h| !h.is_empty())?;
            Some((s, i, h))
        });
        let history_from = history.map(|(_, _, h)| h[0].period.as_str());
        let mut points: Vec<TrendValue> = Vec::new();
        for s in snaps {
            if history.is_some_and(|(hs, _, _)| hs.id == s.id) {
                continue;
            }
            if let Some(i) = kpi_index(&s.content.kpis, k) {
                let kp = &s.content.kpis[i];
                if history_from.is_some_and(|h| kp.period.as_str() >= h) {
                    continue;
                }
                if points.last().is_none_or(|p| p.4 != kp.period) {
                    points.push((
                        s.id,
                        format!("$.kpis[{i}].value"),
                        format!("$.kpis[{i}].period"),
                        kp.value,
                        kp.period.clone(),
                        kp.unit.clone(),
                    ));
                }
            }
        }
        if let Some((s, i, h)) = history {
            let unit = &s.content.kpis[i].unit;
            for (j, p) in h.iter().enumerate() {
                if from.is_none_or(|f| p.period.as_str() >= f) {
                    points.push((
                        s.id,
                        format!("$.kpis[{i}].history[{j}].value"),
                        format!("$.kpis[{i}].history[{j}].period"),
                        p.value,
                        p.period.clone(),
                        unit.clone(),
                    ));
                }
            }
        }
        b.source(format!("kpis.{k}"));
        match points.len() {
            0 => b.say(format!("The snapshots of {name} have no value for {k}.")),
            1 => {
                let (sid, vpath, ppath, v, p, u) = &points[0];
                let v = b.cite(*sid, vpath.clone(), json!(v), with_unit(*v, u.as_deref()));
                let p = b.cite(*sid, ppath.clone(), json!(p), month_label(p));
                let why = if history.is_some() {
                    ""
                } else {
                    " (each snapshot keeps a KPI's latest value)"
                };
                b.say(format!(
                    "{} {k} is {v} for {p}; the snapshots hold no earlier value to show a trend{why}.",
                    possessive(&name)
                ));
            }
            _ => {
                let mut steps = Vec::new();
                for (sid, vpath, ppath, v, p, u) in &points {
                    let vt = b.cite(*sid, vpath.clone(), json!(v), with_unit(*v, u.as_deref()));
                    let pt = b.cite(*sid, ppath.clone(), json!(p), month_label(p));
                    steps.push(format!("{vt} ({pt})"));
                }
                let first = points[0].3;
                let lastv = points[points.len() - 1].3;
                let dir = if lastv > first {
                    "up"
                } else if lastv < first {
                    "down"
                } else {
                    "flat"
                };
                b.say(format!(
                    "{} {k}: {}, {dir} overall.",
                    possessive(&name),
                    steps.join(" → ")
                ));
            }
        }
    }
}

pub fn off_target(b: &mut Builder, s: &Snapshot) {
    let name = b.name(s);
    let c = &s.content;
    let off: Vec<usize> = (0..c.kpis.len())
        .filter(|&i| c.kpis[i].status == "off_target")
        .collect();
    if off.is_empty() {
        b.source("kpis");
        b.say(format!("Every KPI of {name} with a target is on target."));
    } else {
        let list = kpi_list(b, s, &off, 8);
        b.say(format!("{name} has {} KPIs off target: {list}.", off.len()));
    }
}

/// A KPI's move in points, with where it sits (category, driver) before and after.
type DriverMove = (String, f64, Option<(usize, usize)>, Option<(usize, usize)>);

/// Each KPI's weighted share of the overall score, in points: category weight ÷ total category weight ×
/// KPI weight ÷ category's KPI weight × KPI score.
pub fn contributions(h: &HealthState) -> Vec<(String, String, f64, usize, usize)> {
    let total: f64 = h
        .categories
        .iter()
        .filter(|c| c.weight > 0.0)
        .map(|c| c.weight)
        .sum();
    let mut out = Vec::new();
    if total <= 0.0 {
        return out;
    }
    for (ci, c) in h.categories.iter().enumerate() {
        let wsum: f64 = c.drivers.iter().map(|d| d.weight).sum();
        if wsum <= 0.0 || c.weight <= 0.0 {
            continue;
        }
        for (di, d) in c.drivers.iter().enumerate() {
            out.push((
                d.kpi.clone(),
                c.category.clone(),
                c.weight / total * d.weight / wsum * d.score,
                ci,
                di,
            ));
        }
    }
    out
}

pub fn health_change(b: &mut Builder, now: &Snapshot, before: Option<&Snapshot>) {
    let name = b.name(now);
    let Some(h) = &now.content.health else {
        b.say(format!(
            "{name} has no health score yet, so there is no change to explain."
        ));
        return;
    };
    b.source("health");
    let base = before.and_then(|s| s.content.health.as_ref().map(|h0| (s, h0)));
    match base {
        Some((s0, h0)) => {
            let delta = h.score - h0.score;
            let a = b.cite(s0.id, "$.health.score", json!(h0.score), num(h0.score));
            let ap = b.cite(
                s0.id,
                "$.health.period",
                json!(h0.period),
                month_label(&h0.period),
            );
            let z = b.cite(now.id, "$.health.score", json!(h.score), num(h.score));
            let zp = b.cite(
                now.id,
                "$.health.period",
                json!(h.period),
                month_label(&h.period),
            );
            let verb = if delta < 0.0 {
                "fell"
            } else if delta > 0.0 {
                "rose"
            } else {
                "held"
            };
            b.say(format!(
                "{} health {verb} from {a} ({ap}, snapshot #{}) to {z} ({zp}), {} points.",
                possessive(&name),
                s0.id,
                signed(delta)
            ));
            let c0 = contributions(h0);
            let c1 = contributions(h);
            let mut moves: Vec<DriverMove> = Vec::new();
            for (kpi, _, p1, ci, di) in &c1 {
                let old = c0.iter().find(|x| x.0 == *kpi);
                moves.push((
                    kpi.clone(),
                    p1 - old.map(|o| o.2).unwrap_or(0.0),
                    old.map(|o| (o.3, o.4)),
                    Some((*ci, *di)),
                ));
            }
            for (kpi, _, p0, ci, di) in &c0 {
                if !c1.iter().any(|x| x.0 == *kpi) {
                    moves.push((kpi.clone(), -p0, Some((*ci, *di)), None));
                }
            }
            if delta < 0.0 {
                moves.sort_by(|x, y| x.1.total_cmp(&y.1));
            } else {
                moves.sort_by(|x, y| y.1.total_cmp(&x.1));
            }
            let mut drivers = Vec::new();
            for (kpi, pts, old, new) in moves
                .iter()
                .filter(|m| m.1.abs() >= 0.05 && (m.1 < 0.0) == (delta < 0.0))
                .take(3)
            {
                let mut values = Vec::new();
                if let Some((ci, di)) = old {
                    let d = &h0.categories[*ci].drivers[*di];
                    values.push(b.cite(
                        s0.id,
                        format!("$.health.categories[{ci}].drivers[{di}].value"),
                        json!(d.value),
                        num(d.value),
                    ));
                }
                if let Some((ci, di)) = new {
                    let d = &h.categories[*ci].drivers[*di];
                    values.push(b.cite(
                        now.id,
                        format!("$.health.categories[{ci}].drivers[{di}].value"),
                        json!(d.value),
                        num(d.value),
                    ));
                }
                b.source(format!("kpis.{kpi}"));
                drivers.push(format!(
                    "{kpi} {} pts ({})",
                    signed(*pts),
                    values.join(" → ")
                ));
            }
            if drivers.is_empty() {
                b.say("No single KPI moved the score by a tenth of a point or more.".into());
            } else {
                b.say(format!("What drove it: {}.", drivers.join(", ")));
            }
            // Categories that moved most.
            let mut cats: Vec<(usize, usize, f64)> = Vec::new();
            for (ci, c) in h.categories.iter().enumerate() {
                if let Some(oi) = h0.categories.iter().position(|o| o.category == c.category) {
                    cats.push((oi, ci, c.score - h0.categories[oi].score));
                }
            }
            cats.sort_by(|x, y| {
                if delta < 0.0 {
                    x.2.total_cmp(&y.2)
                } else {
                    y.2.total_cmp(&x.2)
                }
            });
            if let Some((oi, ci, d)) = cats.first().copied().filter(|c| c.2.abs() >= 0.05) {
                let c = &h.categories[ci];
                let a = b.cite(
                    s0.id,
                    format!("$.health.categories[{oi}].score"),
                    json!(h0.categories[oi].score),
                    num(h0.categories[oi].score),
                );
                let z = b.cite(
                    now.id,
                    format!("$.health.categories[{ci}].score"),
                    json!(c.score),
                    num(c.score),
                );
                b.say(format!(
                    "Category most changed: {} {a} → {z} ({}).",
                    c.category,
                    signed(d)
                ));
            }
        }
        None => {
            let n = h.trend.len();
            if n >= 2 {
                let p = &h.trend[n - 2];
                let a = b.cite(
                    now.id,
                    format!("$.health.trend[{}].score", n - 2),
                    json!(p.score),
                    num(p.score),
                );
                let ap = b.cite(
                    now.id,
                    format!("$.health.trend[{}].period", n - 2),
                    json!(p.period),
                    month_label(&p.period),
                );
                let z = b.cite(now.id, "$.health.score", json!(h.score), num(h.score));
                let zp = b.cite(
                    now.id,
                    "$.health.period",
                    json!(h.period),
                    month_label(&h.period),
                );
                b.say(format!(
                    "{} health went from {a} ({ap}) to {z} ({zp}), {} points.",
                    possessive(&name),
                    signed(h.score - p.score)
                ));
            } else {
                let hp = health_phrase(b, now, h);
                b.say(format!(
                    "{name} is {hp}; there is no earlier score to compare."
                ));
            }
            // Without an earlier snapshot the per-KPI move is unknown: name what costs the most points now.
            let total: f64 = h
                .categories
                .iter()
                .filter(|c| c.weight > 0.0)
                .map(|c| c.weight)
                .sum();
            let mut lost: Vec<(String, f64, usize, usize)> = Vec::new();
            for (ci, c) in h.categories.iter().enumerate() {
                let wsum: f64 = c.drivers.iter().map(|d| d.weight).sum();
                if wsum > 0.0 && total > 0.0 {
                    for (di, d) in c.drivers.iter().enumerate() {
                        lost.push((
                            d.kpi.clone(),
                            c.weight / total * d.weight / wsum * (100.0 - d.score),
                            ci,
                            di,
                        ));
                    }
                }
            }
            lost.sort_by(|x, y| y.1.total_cmp(&x.1));
            let items: Vec<String> = lost
                .iter()
                .filter(|l| l.1 >= 0.05)
                .take(3)
                .map(|(k, pts, ci, di)| {
                    let d = &h.categories[*ci].drivers[*di];
                    let v = b.cite(
                        now.id,
                        format!("$.health.categories[{ci}].drivers[{di}].score"),
                        json!(d.score),
                        num(d.score),
                    );
                    format!("{k} costs {} pts (scores {v} of 100)", num(*pts))
                })
                .collect();
            if !items.is_empty() {
                b.say(format!(
                    "No earlier snapshot to compare KPI by KPI; what holds the score down now: {}.",
                    items.join(", ")
                ));
            }
        }
    }
}

pub fn changes_since(
    b: &mut Builder,
    now: &Snapshot,
    before: Option<&Snapshot>,
    changes_after: Option<u32>,
    from_month: Option<&str>,
) {
    let name = b.name(now);
    b.source("changes");
    if let Some(n) = changes_after {
        b.say(format!(
            "{n} change{} recorded for {name} since its latest snapshot #{} ({}).",
            if n == 1 { "" } else { "s" },
            now.id,
            day_label(&now.created_at)
        ));
        return;
    }
    match before {
        Some(s0) => {
            let mut lines = Vec::new();
            if let (Some(h0), Some(h)) = (&s0.content.health, &now.content.health) {
                if (h0.score - h.score).abs() >= 0.05 {
                    let a = b.cite(s0.id, "$.health.score", json!(h0.score), num(h0.score));
                    let z = b.cite(now.id, "$.health.score", json!(h.score), num(h.score));
                    lines.push(format!("health {a} → {z}"));
                }
            }
            for (i, k) in now.content.kpis.iter().enumerate() {
                if let Some(j) = kpi_index(&s0.content.kpis, &k.name) {
                    let old = &s0.content.kpis[j];
                    if (old.value - k.value).abs() > 1e-9 {
                        let a = b.cite(
                            s0.id,
                            format!("$.kpis[{j}].value"),
                            json!(old.value),
                            with_unit(old.value, old.unit.as_deref()),
                        );
                        let z = b.cite(
                            now.id,
                            format!("$.kpis[{i}].value"),
                            json!(k.value),
                            with_unit(k.value, k.unit.as_deref()),
                        );
                        lines.push(format!("{} {a} → {z}", k.name));
                    }
                }
            }
            let (p0, p1) = (&s0.content.profile, &now.content.profile);
            if p0.arr != p1.arr {
                if let Some(arr) = p1.arr {
                    let z = b.cite(now.id, "$.profile.arr", json!(arr), money(arr));
                    lines.push(format!("ARR now {z}"));
                }
            }
            if p0.renewal_date != p1.renewal_date {
                if let Some(r) = &p1.renewal_date {
                    let z = b.cite(now.id, "$.profile.renewal_date", json!(r), day_label(r));
                    lines.push(format!("renewal now {z}"));
                }
            }
            if p0.owner != p1.owner {
                if let Some(o) = &p1.owner {
                    let z = b.cite(now.id, "$.profile.owner", json!(o), o.clone());
                    lines.push(format!("owner now {z}"));
                }
            }
            let shown = lines.len().min(8);
            let more = lines.len() - shown;
            if lines.is_empty() {
                b.say(format!(
                    "Nothing changed for {name} between snapshot #{} ({}) and #{} ({}).",
                    s0.id,
                    day_label(&s0.created_at),
                    now.id,
                    day_label(&now.created_at)
                ));
            } else {
                b.say(format!(
                    "Between snapshot #{} ({}) and #{} ({}), {name} changed: {}{}.",
                    s0.id,
                    day_label(&s0.created_at),
                    now.id,
                    day_label(&now.created_at),
                    lines[..shown].join("; "),
                    if more > 0 {
                        format!("; and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        None => {
            let lines = &now.content.changes.lines;
            if lines.is_empty() || now.content.changes.previous_snapshot_id.is_none() {
                b.say(format!(
                    "{name} has no earlier snapshot to compare #{} ({}) with.",
                    now.id,
                    day_label(&now.created_at)
                ));
                // The health trend the snapshot carries still shows how the score moved month by month.
                if let Some(h) = &now.content.health {
                    let n = h.trend.len();
                    let from = from_month
                        .and_then(|m| h.trend.iter().rposition(|t| t.period.as_str() <= m))
                        .or(n.checked_sub(2));
                    if let Some(i) = from.filter(|i| *i + 1 < n) {
                        let (p0, p1) = (&h.trend[i], &h.trend[n - 1]);
                        let a = b.cite(
                            now.id,
                            format!("$.health.trend[{i}].score"),
                            json!(p0.score),
                            num(p0.score),
                        );
                        let ap = b.cite(
                            now.id,
                            format!("$.health.trend[{i}].period"),
                            json!(p0.period),
                            month_label(&p0.period),
                        );
                        let z = b.cite(
                            now.id,
                            format!("$.health.trend[{}].score", n - 1),
                            json!(p1.score),
                            num(p1.score),
                        );
                        let zp = b.cite(
                            now.id,
                            format!("$.health.trend[{}].period", n - 1),
                            json!(p1.period),
                            month_label(&p1.period),
                        );
                        b.source("health");
                        b.say(format!(
                            "Its health went from {a} ({ap}) to {z} ({zp}), {} points.",
                            signed(p1.score - p0.score)
                        ));
                    }
                }
            } else {
                let items: Vec<String> = lines
                    .iter()
                    .enumerate()
                    .take(6)
                    .map(|(i, l)| {
                        b.cite(now.id, format!("$.changes.lines[{i}]"), json!(l), l.clone())
                    })
                    .collect();
                b.say(format!(
                    "Since the snapshot before #{}: {}.",
                    now.id,
                    items.join("; ")
                ));
            }
        }
    }
}

pub fn category_drag(b: &mut Builder, s: &Snapshot, categories: &[String]) {
    let name = b.name(s);
    let Some(h) = &s.content.health else {
        b.say(format!(
            "{name} has no health score yet, so no category drags it."
        ));
        return;
    };
    b.source("health");
    let total: f64 = h
        .categories
        .iter()
        .filter(|c| c.weight > 0.0)
        .map(|c| c.weight)
        .sum();
    let mut order: Vec<usize> = (0..h.categories.len())
        .filter(|&i| {
            categories.is_empty()
                || categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&h.categories[i].category))
        })
        .collect();
    order.sort_by(|&x, &y| {
        let dx = (100.0 - h.categories[x].score) * h.categories[x].weight;
        let dy = (100.0 - h.categories[y].score) * h.categories[y].weight;
        dy.total_cmp(&dx)
    });
    let mut items = Vec::new();
    for &ci in order.iter().take(if categories.is_empty() {
        2
    } else {
        categories.len()
    }) {
        let c = &h.categories[ci];
        let sc = b.cite(
            s.id,
            format!("$.health.categories[{ci}].score"),
            json!(c.score),
            num(c.score),
        );
        let drag = if total > 0.0 {
            (100.0 - c.score) * c.weight / total
        } else {
            0.0
        };
        let weakest = c.drivers.first().map(|d| {
            let v = b.cite(
                s.id,
                format!("$.health.categories[{ci}].drivers[0].value"),
                json!(d.value),
                num(d.value),
            );
            format!(", weakest KPI {} at {v}", d.kpi)
        });
        items.push(format!(
            "{} scores {sc} and costs {} pts{}",
            c.category,
            num(drag),
            weakest.unwrap_or_default()
        ));
    }
    if items.is_empty() {
        b.say(format!("{name} has no scored category by that name."));
    } else {
        b.say(format!("For {name}: {}.", items.join("; ")));
    }
}

pub fn playbooks(b: &mut Builder, s: &Snapshot, today: NaiveDate) {
    let name = b.name(s);
    b.source("playbooks");
    let mut open = Vec::new();
    let mut stalled = Vec::new();
    let mut done = Vec::new();
    for (i, e) in s.content.playbooks.iter().enumerate() {
        let pname = b.cite(
            s.id,
            format!("$.playbooks[{i}].playbook_name"),
            json!(e.playbook_name),
            e.playbook_name.clone(),
        );
        let steps_done = e.steps.iter().filter(|st| st.done).count();
        match e.status {
            ExecutionStatus::InProgress => {
                let updated =
                    NaiveDate::parse_from_str(e.updated_at.get(..10).unwrap_or(""), "%Y-%m-%d")
                        .ok();
                let idle = updated.map(|u| (today - u).num_days()).unwrap_or(0);
                if idle >= 14 {
                    let u = b.cite(
                        s.id,
                        format!("$.playbooks[{i}].updated_at"),
                        json!(e.updated_at),
                        day_label(&e.updated_at),
                    );
                    stalled.push(format!(
                        "{pname} ({steps_done}/{} steps, untouched since {u})",
                        e.steps.len()
                    ));
                } else {
                    open.push(format!("{pname} ({steps_done}/{} steps)", e.steps.len()));
                }
            }
            ExecutionStatus::Completed => done.push(pname),
            ExecutionStatus::Cancelled => {}
        }
    }
    if open.is_empty() && stalled.is_empty() && done.is_empty() {
        b.say(format!("{name} has no playbooks in its snapshot."));
        return;
    }
    let mut parts = Vec::new();
    if !open.is_empty() {
        parts.push(format!("in progress: {}", open.join(", ")));
    }
    if !stalled.is_empty() {
        parts.push(format!("stalled: {}", stalled.join(", ")));
    }
    if !done.is_empty() {
        parts.push(format!("completed: {}", done.join(", ")));
    }
    if open.is_empty() && stalled.is_empty() {
        parts.push("none in progress".into());
    }
    b.say(format!("Playbooks for {name}: {}.", parts.join("; ")));
}

pub fn profile(b: &mut Builder, s: &Snapshot, question_words: &[String], today: NaiveDate) {
    let name = b.name(s);
    b.source("profile");
    let p = &s.content.profile;
    let wants = |ws: &[&str]| {
        ws.iter()
            .any(|w| question_words.iter().any(|q| q.starts_with(w)))
    };
    let all = !wants(&[
        "renew", "contract", "arr", "revenue", "worth", "owner", "owns", "csm", "segment",
        "industry", "region",
    ]);
    let mut facts = Vec::new();
    if all || wants(&["renew", "contract"]) {
        match &p.renewal_date {
            Some(r) => {
                let d = b.cite(s.id, "$.profile.renewal_date", json!(r), day_label(r));
                let days = NaiveDate::parse_from_str(r, "%Y-%m-%d")
                    .ok()
                    .map(|d| (d - today).num_days());
                facts.push(match days {
                    Some(n) if n >= 0 => format!("renews on {d} (in {n} days)"),
                    Some(n) => format!("renewal date {d} passed {} days ago", -n),
                    None => format!("renews on {d}"),
                });
            }
            None => facts.push("no renewal date on file".into()),
        }
    }
    if all || wants(&["arr", "revenue", "worth"]) {
        if let Some(arr) = p.arr {
            let a = b.cite(s.id, "$.profile.arr", json!(arr), money(arr));
            facts.push(format!("ARR {a}"));
        } else if !all {
            facts.push("no ARR on file".into());
        }
    }
    if all || wants(&["owner", "owns", "csm"]) {
        if let Some(o) = &p.owner {
            let o = b.cite(s.id, "$.profile.owner", json!(o), o.clone());
            facts.push(format!("owned by {o}"));
        } else if !all {
            facts.push("no owner on file".into());
        }
    }
    for (key, label, v) in [
        ("segment", "segment", &p.segment),
        ("industry", "industry", &p.industry),
        ("region", "region", &p.region),
    ] {
        if all || wants(&[key]) {
            if let Some(v) = v {
                let t = b.cite(s.id, format!("$.profile.{key}"), json!(v), v.clone());
                facts.push(format!("{label} {t}"));
            }
        }
    }
    b.say(format!("{name}: {}.", facts.join(", ")));
}

pub fn provenance(b: &mut Builder, s: &Snapshot, kpis: &[String]) {
    let name = b.name(s);
    b.source("recent_imports");
    let imports = &s.content.recent_imports;
    if imports.is_empty() {
        b.say(format!("The snapshot of {name} records no import."));
        return;
    }
    let wanted_kind = if kpis.is_empty() {
        None
    } else {
        Some(crate::model::ImportKind::Kpi)
    };
    let mut items = Vec::new();
    for (i, imp) in imports
        .iter()
        .enumerate()
        .filter(|(_, i)| wanted_kind.is_none_or(|k| i.kind == k))
        .take(3)
    {
        let f = b.cite(
            s.id,
            format!("$.recent_imports[{i}].file"),
            json!(imp.file),
            imp.file.clone(),
        );
        let at = b.cite(
            s.id,
            format!("$.recent_imports[{i}].created_at"),
            json!(imp.created_at),
            day_label(&imp.created_at),
        );
        items.push(format!(
            "import #{} of {f} on {at} ({} rows)",
            imp.id, imp.rows_imported
        ));
    }
    for k in kpis {
        if let Some(i) = kpi_index(&s.content.kpis, k) {
            let kp = &s.content.kpis[i];
            let p = b.cite(
                s.id,
                format!("$.kpis[{i}].period"),
                json!(kp.period),
                month_label(&kp.period),
            );
            b.say(format!(
                "{} {k} is the value for {p}, from the latest KPI import below.",
                possessive(&name)
            ));
        }
    }
    b.say(format!(
        "Snapshot #{} of {name} was built from: {}.",
        s.id,
        items.join("; ")
    ));
}

pub fn compare(b: &mut Builder, snaps: &[Snapshot], kpis: &[String]) {
    for s in snaps {
        let name = b.name(s);
        let mut facts = Vec::new();
        if let Some(h) = &s.content.health {
            facts.push(health_phrase(b, s, h));
        }
        let shown: Vec<usize> = if kpis.is_empty() {
            Vec::new()
        } else {
            kpis.iter()
                .filter_map(|k| kpi_index(&s.content.kpis, k))
                .collect()
        };
        if !shown.is_empty() {
            facts.push(kpi_list(b, s, &shown, 4));
        } else {
            let off = s
                .content
                .kpis
                .iter()
                .filter(|k| k.status == "off_target")
                .count();
            b.source("kpis");
            facts.push(format!("{off} KPIs off target"));
        }
        if let Some(arr) = s.content.profile.arr {
            let a = b.cite(s.id, "$.profile.arr", json!(arr), money(arr));
            facts.push(format!("ARR {a}"));
        }
        if let Some(r) = &s.content.profile.renewal_date {
            let d = b.cite(s.id, "$.profile.renewal_date", json!(r), day_label(r));
            facts.push(format!("renews {d}"));
        }
        b.say(format!("{name}: {}.", facts.join(", ")));
    }
}

// ---- Portfolio answers, from indexed facts -------------------------------------------------------------------

/// Facts of one snapshot by key.
pub type FactsBySnapshot = BTreeMap<i64, Vec<Fact>>;

fn get<'a>(facts: &'a [Fact], key: &str) -> Option<&'a Fact> {
    facts.iter().find(|f| f.fact == key)
}

fn name_of(b: &mut Builder, facts: &[Fact]) -> String {
    match get(facts, "account.name") {
        Some(f) => {
            let n = f.text.clone().unwrap_or_default();
            b.account(f.account_id, &n);
            b.fact(f, n)
        }
        None => "an account".into(),
    }
}

/// Accounts in a band, worst score first, with the weakest category as the reason.
/// `rows` are the listed accounts' facts (at most `limit`), `total` how many accounts are in the band.
pub fn at_risk(b: &mut Builder, band: Band, rows: &FactsBySnapshot, total: usize, limit: usize) {
    b.source("health");
    let mut list: Vec<(&i64, &Vec<Fact>, f64)> = rows
        .iter()
        .map(|(id, f)| {
            (
                id,
                f,
                get(f, "health.score").and_then(|x| x.num).unwrap_or(0.0),
            )
        })
        .collect();
    list.sort_by(|x, y| x.2.total_cmp(&y.2).then(x.0.cmp(y.0)));
    if list.is_empty() {
        b.say(format!(
            "No account is {} in its latest snapshot.",
            band.label()
        ));
        return;
    }
    let mut items = Vec::new();
    for (_, facts, _) in list.iter().take(limit) {
        let name = name_of(b, facts);
        let score = get(facts, "health.score")
            .map(|f| b.fact(f, num(f.num.unwrap_or(0.0))))
            .unwrap_or_default();
        let weakest = facts
            .iter()
            .filter(|f| f.fact.starts_with("category.") && f.num.is_some())
            .min_by(|x, y| x.num.unwrap_or(0.0).total_cmp(&y.num.unwrap_or(0.0)));
        let reason = weakest
            .map(|f| {
                let cat = f
                    .fact
                    .trim_start_matches("category.")
                    .trim_end_matches(".score")
                    .to_string();
                format!(", weakest {cat} {}", b.fact(f, num(f.num.unwrap_or(0.0))))
            })
            .unwrap_or_default();
        items.push(format!("{name} ({score}{reason})"));
    }
    let more = total.saturating_sub(list.len().min(limit));
    b.say(format!(
        "{} account{} {} {}: {}{}.",
        total,
        if total == 1 { "" } else { "s" },
        if total == 1 { "is" } else { "are" },
        band.label(),
        items.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ));
}

/// One account's move: points, snapshot id, the earlier score fact and period, the latest score fact and period.
pub struct Move<'a> {
    pub delta: f64,
    pub snapshot_id: i64,
    pub old: &'a Fact,
    pub old_period: String,
    pub new: &'a Fact,
    pub new_period: String,
}

/// The biggest drops and rises (each at most `limit`) between the trend point of `from_month` (else the one
/// before the latest, `trend.prev.*`) and the latest score (`health.score`, `health.period`) of each snapshot.
pub fn ranked_moves<'a>(
    rows: &'a FactsBySnapshot,
    from_month: Option<&str>,
    limit: usize,
) -> (Vec<Move<'a>>, Vec<Move<'a>>) {
    let mut moves: Vec<Move<'a>> = Vec::new();
    for (sid, facts) in rows {
        let Some(new) = get(facts, "health.score") else {
            continue;
        };
        // Periods may be absent while ranking (read later for the listed accounts only); the previous trend
        // point is always earlier than the latest.
        let new_period = get(facts, "health.period")
            .and_then(|p| p.text.clone())
            .unwrap_or_default();
        let old = match from_month {
            Some(m) => get(facts, &format!("trend.{m}"))
                .map(|f| (f, m.to_string()))
                .filter(|(_, p)| *p < new_period),
            None => get(facts, "trend.prev.score").map(|f| {
                let p = get(facts, "trend.prev.period").and_then(|p| p.text.clone());
                (f, p.unwrap_or_default())
            }),
        };
        let Some((old, old_period)) = old else {
            continue;
        };
        if let (Some(a), Some(z)) = (old.num, new.num) {
            moves.push(Move {
                delta: z - a,
                snapshot_id: *sid,
                old,
                old_period,
                new,
                new_period,
            });
        }
    }
    let mut drops: Vec<&Move> = moves.iter().filter(|m| m.delta < 0.0).collect();
    drops.sort_by(|x, y| {
        x.delta
            .total_cmp(&y.delta)
            .then(x.snapshot_id.cmp(&y.snapshot_id))
    });
    let mut rises: Vec<&Move> = moves.iter().filter(|m| m.delta > 0.0).collect();
    rises.sort_by(|x, y| {
        y.delta
            .total_cmp(&x.delta)
            .then(x.snapshot_id.cmp(&y.snapshot_id))
    });
    let keep: Vec<i64> = drops
        .iter()
        .take(limit)
        .chain(rises.iter().take(limit))
        .map(|m| m.snapshot_id)
        .collect();
    let (mut d, mut r): (Vec<Move>, Vec<Move>) = moves
        .into_iter()
        .filter(|m| keep.contains(&m.snapshot_id))
        .partition(|m| m.delta < 0.0);
    d.sort_by(|x, y| {
        x.delta
            .total_cmp(&y.delta)
            .then(x.snapshot_id.cmp(&y.snapshot_id))
    });
    r.sort_by(|x, y| {
        y.delta
            .total_cmp(&x.delta)
            .then(x.snapshot_id.cmp(&y.snapshot_id))
    });
    (d, r)
}

/// Biggest moves of the health score between two periods of each account's trend; `names` holds the
/// `account.name` fact of (at least) the snapshots listed.
pub fn movers(
    b: &mut Builder,
    rows: &FactsBySnapshot,
    names: &FactsBySnapshot,
    from_month: Option<&str>,
    want: Option<bool>,
    limit: usize,
) {
    b.source("health");
    let (drops, rises) = ranked_moves(rows, from_month, limit);
    if drops.is_empty() && rises.is_empty() {
        b.say("No account's health moved between those periods.".into());
        return;
    }
    let say = |b: &mut Builder, label: &str, list: Vec<Move>| {
        let items: Vec<String> = list
            .iter()
            .map(|m| {
                let name = name_of(
                    b,
                    names.get(&m.snapshot_id).map(Vec::as_slice).unwrap_or(&[]),
                );
                let a = b.fact(m.old, num(m.old.num.unwrap_or(0.0)));
                let ap = b.cite(
                    m.snapshot_id,
                    m.old.path.replace(".score", ".period"),
                    json!(m.old_period),
                    month_label(&m.old_period),
                );
                let z = b.fact(m.new, num(m.new.num.unwrap_or(0.0)));
                let zp = b.cite(
                    m.snapshot_id,
                    "$.health.period",
                    json!(m.new_period),
                    month_label(&m.new_period),
                );
                format!("{name} {a} ({ap}) → {z} ({zp}), {}", signed(m.delta))
            })
            .collect();
        if !items.is_empty() {
            b.say(format!("{label}: {}.", items.join("; ")));
        }
    };
    if want != Some(true) {
        say(b, "Biggest drops", drops);
    }
    if want != Some(false) {
        say(b, "Biggest rises", rises);
    }
    if b.parts.is_empty() {
        b.say("No account's health moved between those periods.".into());
    }
}

/// Accounts renewing within `days`, soonest first. `rows` are the listed accounts' facts (at most `limit`),
/// `total` how many accounts renew in that window.
pub fn renewals(
    b: &mut Builder,
    rows: &[(NaiveDate, Vec<Fact>)],
    total: usize,
    days: u32,
    band: Option<Band>,
    limit: usize,
) {
    b.source("profile");
    let band_txt = band.map(|x| format!(" {}", x.label())).unwrap_or_default();
    if total == 0 {
        b.say(format!(
            "No{band_txt} account renews in the next {days} days."
        ));
        return;
    }
    let mut items = Vec::new();
    for (_, facts) in rows.iter().take(limit) {
        let name = name_of(b, facts);
        let date = get(facts, "profile.renewal_date")
            .map(|f| b.fact(f, day_label(f.text.as_deref().unwrap_or(""))))
            .unwrap_or_default();
        let health = get(facts, "health.band")
            .map(|f| {
                b.fact(
                    f,
                    Band::parse(f.text.as_deref().unwrap_or(""))
                        .map(|x| x.label())
                        .unwrap_or("no band"),
                )
            })
            .unwrap_or_else(|| "no health score".into());
        let arr = get(facts, "profile.arr")
            .map(|f| format!(", ARR {}", b.fact(f, money(f.num.unwrap_or(0.0)))))
            .unwrap_or_default();
        items.push(format!("{name} on {date} ({health}{arr})"));
    }
    let more = total.saturating_sub(limit);
    b.say(format!(
        "{} account{}{band_txt} renew{} in the next {days} days: {}{}.",
        total,
        if total == 1 { "" } else { "s" },
        if total == 1 { "s" } else { "" },
        items.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ));
}

/// Accounts whose KPI is below or above its target or a value. `rows` are the listed accounts' facts (at most
/// `limit`), `total` how many accounts match.
pub fn kpi_filter(
    b: &mut Builder,
    kpi: &str,
    rows: &[Vec<Fact>],
    total: usize,
    cmp: Compare,
    value: Option<f64>,
    limit: usize,
) {
    b.source(format!("kpis.{kpi}"));
    let what = match (cmp, value) {
        (Compare::Below, None) => "below target".to_string(),
        (Compare::Above, None) => "on or above target".to_string(),
        (Compare::Below, Some(v)) => format!("below {}", num(v)),
        (Compare::Above, Some(v)) => format!("above {}", num(v)),
    };
    if total == 0 {
        b.say(format!(
            "No account has {kpi} {what} in its latest snapshot."
        ));
        return;
    }
    let key = format!("kpi.{kpi}.value");
    let mut items = Vec::new();
    for facts in rows.iter().take(limit) {
        let name = name_of(b, facts);
        let v = facts
            .iter()
            .find(|f| f.fact.eq_ignore_ascii_case(&key))
            .map(|f| b.fact(f, num(f.num.unwrap_or(0.0))))
            .unwrap_or_default();
        items.push(format!("{name} ({v})"));
    }
    let more = total.saturating_sub(limit);
    b.say(format!(
        "{} account{} {} {kpi} {what}: {}{}.",
        total,
        if total == 1 { "" } else { "s" },
        if total == 1 { "has" } else { "have" },
        items.join(", "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ));
}

pub fn unknown(b: &mut Builder) {
    b.say(format!(
        "I can't answer that from the snapshots. {CAN_ANSWER} Try \"Why did health drop?\" or \"Which accounts are at risk?\""
    ));
}

/// What kind of text a free-text hit is, from its path.
fn text_label(path: &str) -> String {
    if path == "$.profile.notes" {
        "profile notes".into()
    } else if let Some(key) = path
        .strip_prefix("$.profile.custom.\"")
        .and_then(|k| k.strip_suffix('"'))
    {
        format!("profile field {key}")
    } else if path.contains(".steps[") {
        "playbook step note".into()
    } else if path.starts_with("$.playbooks[") {
        "playbook notes".into()
    } else {
        "change summary".into()
    }
}

/// A free-text question's matches, best first: each distinct text once, with the accounts whose snapshots hold
/// it. Every account name and every text is cited from its own snapshot. `names` are the `account.name` facts of
/// the hits' snapshots.
pub fn text_search(b: &mut Builder, terms: &[String], hits: &[TextHit], names: &[Fact]) {
    b.source("snapshot_text");
    // (text, label) in order of first appearance, with the cited account names.
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for h in hits {
        let Some(name) = names.iter().find(|f| f.snapshot_id == h.snapshot_id) else {
            continue;
        };
        let account = name.text.clone().unwrap_or_default();
        b.account(h.account_id, &account);
        let who = b.fact(name, account);
        let label = text_label(&h.path);
        let text = b.cite(h.snapshot_id, h.path.clone(), json!(h.text), h.text.clone());
        match groups.iter_mut().find(|g| g.0 == text && g.1 == label) {
            Some(g) => g.2.push(who),
            None => groups.push((text, label, vec![who])),
        }
    }
    let looked_for = terms
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join(" and ");
    let found: Vec<String> = groups
        .iter()
        .map(|(text, label, who)| format!("{} ({label}): “{text}”", who.join(", ")))
        .collect();
    b.say(format!(
        "Snapshot texts mentioning {looked_for}: {}.",
        found.join("; ")
    ));
}

pub fn choose(b: &mut Builder, choices: &[(i64, String)]) {
    let names: Vec<&str> = choices.iter().map(|c| c.1.as_str()).collect();
    for (id, n) in choices {
        b.account(*id, n);
    }
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    b.say(format!(
        "Which account do you mean: {list}? Ask again with the full name."
    ));
}

/// Whether the plan asks for rises (`Some(true)`), drops (`Some(false)`) or both.
pub fn movers_direction(words: &[String]) -> Option<bool> {
    let has = |ws: &[&str]| ws.iter().any(|w| words.iter().any(|q| q == w));
    let up = has(&[
        "rise", "rises", "rose", "improved", "improve", "gains", "gained", "up", "better",
    ]);
    let down = has(&[
        "drop", "drops", "dropped", "fell", "fall", "declined", "decline", "down", "worse", "worst",
    ]);
    match (up, down) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}
