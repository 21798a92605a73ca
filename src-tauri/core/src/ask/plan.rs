//! From a question to a plan: what it asks (intent), about which accounts, KPIs and categories, over which
//! period, with which limit. Deterministic keyword rules over the question's words; names are found by
//! `matching`, dates by `dates`. Nothing here reads the database.

use chrono::NaiveDate;

use super::dates::{self, PeriodSpec};
use super::matching::{self, words};
use crate::model::{AskIntent, Band};

/// What the planner knows besides the question.
pub struct PlanInput<'a> {
    pub question: &'a str,
    /// The account whose panel is open, if any.
    pub current: Option<i64>,
    pub accounts: &'a [(i64, String)],
    pub kpis: &'a [String],
    pub categories: &'a [String],
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Compare {
    Below,
    Above,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub intent: AskIntent,
    /// The accounts the question is about: named ones (left to right), else the panel's.
    pub accounts: Vec<i64>,
    pub kpis: Vec<String>,
    pub categories: Vec<String>,
    pub period: Option<PeriodSpec>,
    pub limit: Option<u32>,
    pub band: Option<Band>,
    /// Renewals: within this many days.
    pub days: Option<u32>,
    /// KPI filter: below/above the target (`None`) or a value.
    pub threshold: Option<(Compare, Option<f64>)>,
    /// Account names the question matches equally; the answer asks which.
    pub choices: Vec<(i64, String)>,
    /// A text question (or one no intent matches): the words the free-text search looks for, less account names.
    pub terms: Vec<String>,
}

const PORTFOLIO_WORDS: [&str; 8] = [
    "accounts",
    "customers",
    "portfolio",
    "which",
    "who",
    "list",
    "any",
    "clients",
];

/// Words that ask what was written (notes, mentions, comments) rather than for a figure: "What did the notes
/// say about renewal at TechCorp?" searches TechCorp's texts, it does not read its renewal date.
const TEXT_WORDS: [&str; 13] = [
    "note",
    "notes",
    "noted",
    "mention",
    "mentions",
    "mentioned",
    "mentioning",
    "wrote",
    "written",
    "comment",
    "comments",
    "commented",
    "said",
];

fn has(ws: &[String], w: &str) -> bool {
    ws.iter().any(|x| x == w)
}

fn has_prefix(ws: &[String], p: &str) -> bool {
    ws.iter().any(|x| x.starts_with(p))
}

fn phrase(ws: &[String], p: &str) -> bool {
    let pw: Vec<&str> = p.split(' ').collect();
    ws.windows(pw.len())
        .any(|win| win.iter().zip(&pw).all(|(a, b)| a == b))
}

fn number_after(ws: &[String], keys: &[&str]) -> Option<f64> {
    ws.windows(2).find_map(|p| {
        keys.contains(&p[0].as_str())
            .then(|| p[1].trim_end_matches('%').parse::<f64>().ok())
            .flatten()
    })
}

pub fn plan(input: &PlanInput) -> Plan {
    let ws = words(input.question);
    let account_names: Vec<(i64, String)> = input.accounts.to_vec();
    let found = matching::find(&ws, &account_names);
    let ties = matching::ties(&found);
    let mut choices = Vec::new();
    let mut named: Vec<i64> = Vec::new();
    for f in &found {
        if ties.iter().any(|g| g.iter().any(|t| t.item == f.item)) {
            continue;
        }
        if !named.contains(&f.item) {
            named.push(f.item);
        }
    }
    if let Some(g) = ties.first() {
        choices = g.iter().map(|f| (f.item, f.name.clone())).collect();
    }
    // Words that belong to account names are not read as KPIs or keywords ("Health" in "Umbrella Health").
    let in_name = |i: usize| found.iter().any(|f| i >= f.start && i < f.start + f.len);
    let rest: Vec<String> = ws
        .iter()
        .enumerate()
        .filter(|(i, _)| !in_name(*i))
        .map(|(_, w)| w.clone())
        .collect();
    let kpi_names: Vec<(String, String)> =
        input.kpis.iter().map(|k| (k.clone(), k.clone())).collect();
    let mut kpis: Vec<String> = matching::find(&rest, &kpi_names)
        .into_iter()
        .map(|f| f.item)
        .collect();
    // Common short forms.
    for (alias, full) in [
        ("users", "Active Users"),
        ("logins", "Weekly Logins per User"),
        ("tickets", "Open Tickets"),
        ("roi", "ROI Achieved"),
        ("adoption", "Feature Adoption"),
    ] {
        if kpis.is_empty() && has(&rest, alias) && input.kpis.iter().any(|k| k == full) {
            kpis.push(full.to_string());
        }
    }
    kpis.dedup();
    let cat_names: Vec<(String, String)> = input
        .categories
        .iter()
        .map(|c| (c.clone(), c.clone()))
        .collect();
    let categories: Vec<String> = matching::find(&rest, &cat_names)
        .into_iter()
        .map(|f| f.item)
        .filter(|c| !kpis.iter().any(|k| k.eq_ignore_ascii_case(c)))
        .collect();
    let period = dates::find(&rest, input.today);
    let r = &rest;
    let terms = search_terms(r);
    let asks_text = !terms.is_empty() && TEXT_WORDS.iter().any(|w| has(r, w));

    let band = if has(r, "critical") {
        Some(Band::Critical)
    } else if phrase(r, "at risk") || has(r, "risk") || has(r, "risky") {
        Some(Band::AtRisk)
    } else if has(r, "healthy") {
        Some(Band::Healthy)
    } else {
        None
    };
    let limit = number_after(
        r,
        &[
            "top", "bottom", "biggest", "largest", "worst", "best", "first",
        ],
    )
    .map(|n| n as u32);
    let days = number_after(r, &["next", "within", "coming"]).map(|n| {
        let n = n as u32;
        let unit_months = r.iter().any(|w| w.starts_with("month"));
        if unit_months {
            n * 30
        } else {
            n
        }
    });
    let below = has(r, "below")
        || has(r, "under")
        || has(r, "less")
        || has(r, "missing")
        || phrase(r, "off target")
        || has(r, "lower");
    let above = has(r, "above")
        || has(r, "over") && !has(r, "last")
        || has(r, "exceeding")
        || has(r, "more")
        || has(r, "higher")
        || phrase(r, "on target");
    let threshold_value = number_after(r, &["below", "under", "than", "above", "over"]);

    let portfolio_words = PORTFOLIO_WORDS.iter().any(|w| has(r, w));
    let has_account = !named.is_empty() || input.current.is_some();
    let why = has(r, "why")
        || phrase(r, "what drove")
        || phrase(r, "what caused")
        || has(r, "reason")
        || has(r, "explain");
    let moved = [
        "drop", "dropped", "fall", "fell", "decline", "declined", "rise", "rose", "improve",
        "improved", "change", "changed", "move", "moved", "down", "up", "go", "went", "worse",
        "better", "lower", "higher",
    ]
    .iter()
    .any(|w| has(r, w));
    let about_health = has_prefix(r, "health") || has(r, "score");

    use AskIntent as I;
    let intent = if has(r, "compare")
        || has(r, "vs")
        || has(r, "versus")
        || (named.len() >= 2 && (phrase(r, "side by side") || has(r, "and") && has(r, "between")))
    {
        I::Compare
    } else if !choices.is_empty() && named.is_empty() {
        // Ambiguous: the intent is still read, the answer asks which account.
        if has_prefix(r, "renew") || has(r, "arr") || has(r, "owner") {
            I::Profile
        } else {
            I::Status
        }
    } else if asks_text {
        I::TextSearch
    } else if has_prefix(r, "renew")
        && (named.is_empty() || portfolio_words)
        && (portfolio_words || input.current.is_none())
    {
        I::Renewals
    } else if (has(r, "movers") || has(r, "biggest") || has(r, "most") || has(r, "largest"))
        && (moved || has(r, "movers") || has(r, "drops") || has(r, "rises") || has(r, "gains"))
        && named.is_empty()
    {
        I::Movers
    } else if !kpis.is_empty()
        && named.is_empty()
        && (portfolio_words || input.current.is_none())
        && (below || above || threshold_value.is_some())
    {
        I::KpiFilter
    } else if band.is_some() && named.is_empty() && (portfolio_words || input.current.is_none()) {
        I::AtRisk
    } else if !has_account && portfolio_words && (moved || has(r, "movers")) {
        I::Movers
    } else if !has_account {
        I::Unknown
    } else if (why && (about_health || moved || kpis.is_empty()) && !has(r, "target"))
        || (about_health && moved && (period.is_some() || has(r, "since")) && kpis.is_empty())
    {
        I::HealthChange
    } else if (has_prefix(r, "chang")
        || phrase(r, "what's new")
        || phrase(r, "what is new")
        || has(r, "happened")
        || has(r, "different")
        || has(r, "new"))
        && kpis.is_empty()
    {
        I::ChangesSince
    } else if has(r, "where")
        || phrase(r, "come from")
        || phrase(r, "came from")
        || has(r, "source")
        || has(r, "file")
        || has_prefix(r, "import")
        || has(r, "provenance")
    {
        I::Provenance
    } else if !kpis.is_empty()
        && (has_prefix(r, "trend")
            || has(r, "history")
            || matches!(period, Some(PeriodSpec::Range(a, b)) if (b - a).num_days() > 40)
            || has(r, "over")
            || moved)
    {
        I::KpiTrend
    } else if !kpis.is_empty() {
        I::KpiValue
    } else if has(r, "drag")
        || has(r, "dragging")
        || has(r, "weakest")
        || phrase(r, "pulling down")
        || phrase(r, "holding back")
        || has(r, "category")
        || has(r, "categories")
        || !categories.is_empty()
    {
        I::CategoryDrag
    } else if phrase(r, "off target")
        || has(r, "missing")
        || (has(r, "target") && below)
        || has(r, "targets")
        || has(r, "kpis")
        || has(r, "metrics")
        || has(r, "underperforming")
    {
        I::OffTarget
    } else if has_prefix(r, "playbook")
        || has(r, "actions")
        || has(r, "stalled")
        || phrase(r, "next step")
        || phrase(r, "next steps")
        || has(r, "plays")
    {
        I::Playbooks
    } else if has_prefix(r, "renew")
        || has(r, "contract")
        || has(r, "arr")
        || has(r, "revenue")
        || has(r, "owner")
        || has(r, "owns")
        || has(r, "csm")
        || has(r, "segment")
        || has(r, "industry")
        || has(r, "region")
        || has(r, "profile")
        || has(r, "worth")
    {
        I::Profile
    } else if has(r, "status")
        || has(r, "doing")
        || about_health
        || has(r, "overview")
        || has(r, "summary")
        || phrase(r, "how is")
        || phrase(r, "how's")
        || has(r, "going")
        || has(r, "band")
        || band.is_some()
    {
        I::Status
    } else {
        I::Unknown
    };

    let accounts = if intent.is_portfolio() && intent != I::Compare {
        Vec::new()
    } else if !named.is_empty() {
        named
    } else if matches!(intent, I::Unknown | I::TextSearch) {
        // The open panel's account narrows a text search when the answer is made; the question named none.
        Vec::new()
    } else {
        input.current.into_iter().collect()
    };
    let threshold = (intent == I::KpiFilter).then(|| {
        let cmp = if below && !(has(r, "above") || has(r, "over")) {
            Compare::Below
        } else if above {
            Compare::Above
        } else {
            Compare::Below
        };
        (cmp, threshold_value)
    });
    Plan {
        intent,
        accounts,
        kpis,
        categories,
        period,
        limit,
        band: if matches!(intent, I::AtRisk | I::Renewals) {
            band
        } else {
            None
        },
        days: if intent == I::Renewals {
            Some(days.unwrap_or(90))
        } else {
            None
        },
        threshold,
        choices: if intent == I::Compare {
            Vec::new()
        } else {
            choices
        },
        terms: if matches!(intent, I::Unknown | I::TextSearch) {
            terms
        } else {
            Vec::new()
        },
    }
}

/// Words that say how to search, not what for: question words, "notes", "mentioned", fillers.
const NOT_SEARCHED: &[&str] = &[
    "a",
    "about",
    "all",
    "an",
    "and",
    "any",
    "anyone",
    "anything",
    "anywhere",
    "are",
    "at",
    "be",
    "by",
    "can",
    "did",
    "do",
    "does",
    "every",
    "explain",
    "find",
    "for",
    "from",
    "has",
    "have",
    "how",
    "i",
    "in",
    "is",
    "it",
    "me",
    "mention",
    "mentioned",
    "mentioning",
    "mentions",
    "my",
    "note",
    "noted",
    "notes",
    "of",
    "on",
    "or",
    "our",
    "please",
    "refer",
    "referred",
    "said",
    "say",
    "says",
    "search",
    "show",
    "some",
    "something",
    "talk",
    "talked",
    "talks",
    "tell",
    "text",
    "that",
    "the",
    "their",
    "them",
    "there",
    "these",
    "this",
    "those",
    "to",
    "us",
    "wrote",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "whose",
    "why",
    "with",
    "write",
    "written",
    "you",
    "your",
];

/// The words a free-text search looks for: the question's words less those that only shape the question.
/// Searched for a text question, or when no intent matches (`unknown`); all of them must occur in a text.
pub fn search_terms(question_words: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in question_words {
        let w: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
        if w.chars().count() >= 2 && !NOT_SEARCHED.contains(&w.as_str()) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}
