//! Ask: answering a question about one account or the portfolio, offline, from snapshots only, with a citation
//! for every number, date and name. The question becomes a [`plan::Plan`] (intent, accounts, KPIs, period);
//! one-account answers read that account's latest snapshot (made on the spot as `rag_auto` when it has none),
//! or the latest at or before a date; portfolio answers read the facts index of every account's latest snapshot.
//! With `Settings.ask.mode` = local model, the claims go to the model as numbered evidence (`llm::phrase`).

pub mod compose;
pub mod dates;
pub mod llm;
pub mod matching;
pub mod plan;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use self::compose::Builder;
use self::dates::PeriodSpec;
use self::plan::{Compare, Plan, PlanInput};
use crate::clock;
use crate::db::begin_write;
use crate::error::{Error, Result};
use crate::model::{AskAnswer, AskIntent, AskPeriod, Band, Snapshot, SnapshotType};
use crate::snapshot::{take, RAG_TRIGGER};
use crate::store::{self, snapshot_facts, snapshot_text, snapshots};
use crate::Tideline;

/// How many accounts a portfolio answer names before "and N more".
const DEFAULT_LIST: usize = 10;

impl Tideline {
    /// Plans the question without answering it (what the golden test and `--explain` look at).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn plan_question(&self, account_id: Option<i64>, question: &str) -> Result<Plan> {
        let mut conn = self.pool().acquire().await?;
        let accounts = store::accounts::names(&mut conn).await?;
        let kpis = snapshot_facts::vocabulary(&mut conn, "kpi").await?;
        let categories = snapshot_facts::vocabulary(&mut conn, "category").await?;
        drop(conn);
        Ok(plan::plan(&PlanInput {
            question,
            current: account_id,
            accounts: &accounts,
            kpis: &kpis,
            categories: &categories,
            today: self.now().date_naive(),
        }))
    }

    /// Answers a question: about `account_id` (the open panel) unless the question names other accounts or asks
    /// about the portfolio.
    pub async fn ask(&self, account_id: Option<i64>, question: &str) -> Result<AskAnswer> {
        self.ask_streaming(account_id, question, &mut |_| {}).await
    }

    /// [`Tideline::ask`], handing each piece of a local model's reply to `on_delta` as it streams in (text to
    /// show while the answer is written). The returned answer is what counts: the model's reply only when the
    /// complete reply passed the evidence check, else the built-in answer with a note.
    #[tracing::instrument(skip(self, on_delta), err)]
    pub async fn ask_streaming(
        &self,
        account_id: Option<i64>,
        question: &str,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) -> Result<AskAnswer> {
        if question.trim().is_empty() {
            return Err(Error::InvalidInput {
                what: "question".into(),
                reason: "the question is empty".into(),
            });
        }
        if let Some(id) = account_id {
            self.account_by_id(id).await?;
        }
        let today = self.now().date_naive();
        // "since the last snapshot" is only known once the account's snapshot is; plan first without it.
        let mut out = Answered::default();
        // The panel's account is snapshotted first when it has none, so its KPIs are known names to the planner.
        if let Some(id) = account_id {
            let (s, created) = self.snapshot_for_question(id).await?;
            if created {
                out.snapshots_created.push(s.id);
            }
        }
        let mut p = self.plan_question(account_id, question).await?;
        if let Some(&main) = p.accounts.first().filter(|m| Some(**m) != account_id) {
            if !p.intent.is_portfolio() || p.intent == AskIntent::Compare {
                let (s, created) = self.snapshot_for_question(main).await?;
                if created {
                    out.snapshots_created.push(s.id);
                    p = self.plan_question(account_id, question).await?;
                }
            }
        }
        let words = matching::words(question);
        let mut b = Builder::default();
        if !p.choices.is_empty() && p.accounts.is_empty() {
            compose::choose(&mut b, &p.choices);
        } else if matches!(p.intent, AskIntent::Unknown | AskIntent::TextSearch) {
            // The accounts the question names, else the open panel's, else every account.
            let scope: Vec<i64> = if p.accounts.is_empty() {
                account_id.into_iter().collect()
            } else {
                p.accounts.clone()
            };
            if self.answer_text_search(&scope, &p.terms, &mut b).await? {
                p.intent = AskIntent::TextSearch;
            } else {
                p.intent = AskIntent::Unknown;
                compose::unknown(&mut b);
            }
        } else if p.accounts.is_empty() && !p.intent.is_portfolio() {
            compose::unknown(&mut b);
        } else if p.intent == AskIntent::Compare {
            self.answer_compare(&p, &mut b, &mut out).await?;
        } else if p.intent.is_portfolio() {
            self.answer_portfolio(&p, &words, today, &mut b, &mut out)
                .await?;
        } else {
            self.answer_account(&p, &words, today, &mut b, &mut out)
                .await?;
        }
        let period = match &p.period {
            Some(PeriodSpec::Range(a, z)) => Some(dates::to_period(*a, *z)),
            _ => out.period.clone(),
        };
        let mut answer = b.text();
        if let Some(id) = out.snapshot_id {
            if out.changes_since > 0 {
                answer.push_str(&format!(
                    " (From snapshot #{id}, {} change{} since. Take a snapshot now and ask again for the newest data.)",
                    out.changes_since,
                    if out.changes_since == 1 { "" } else { "s" }
                ));
            } else if !out.snapshot_label.is_empty() {
                answer.push_str(&format!(" (From snapshot #{id}, {}.)", out.snapshot_label));
            }
        }
        let mut ans = AskAnswer {
            answer,
            intent: p.intent,
            accounts: b.accounts,
            period,
            claims: b.claims,
            snapshot_id: out.snapshot_id,
            snapshot_created: out.snapshot_created,
            snapshots_created: out.snapshots_created,
            sources: b.sources,
            changes_since: out.changes_since,
            choices: p.choices.iter().map(|c| c.1.clone()).collect(),
            note: None,
        };
        self.phrase_with_model(question, &mut ans, on_delta).await;
        Ok(ans)
    }

    async fn answer_account(
        &self,
        p: &Plan,
        words: &[String],
        today: NaiveDate,
        b: &mut Builder,
        out: &mut Answered,
    ) -> Result<()> {
        let main = p.accounts[0];
        let (snap, created) = self.snapshot_for_question(main).await?;
        out.snapshot_id = Some(snap.id);
        out.snapshot_label = dates::day_label(&snap.created_at);
        if created {
            out.snapshots_created.push(snap.id);
        }
        out.snapshot_created = out.snapshots_created.contains(&snap.id);
        let mut conn = self.pool().acquire().await?;
        out.changes_since =
            store::events::unsnapshotted_since(&mut conn, main, &snap.created_at).await?;
        // The earlier snapshot a change is measured from: the latest at or before the period's start, else the
        // previous snapshot.
        let baseline_id = match &p.period {
            Some(PeriodSpec::Range(from, _)) => {
                let at = start_of_day(*from);
                snapshots::newest_at_or_before(&mut conn, main, &at).await?
            }
            Some(PeriodSpec::SinceLastSnapshot) => None,
            None => snap.content.changes.previous_snapshot_id,
        }
        .filter(|id| *id != snap.id);
        let baseline = match baseline_id {
            Some(id) => Some(snapshots::load(&mut conn, id).await?),
            None => None,
        };
        match p.intent {
            AskIntent::Status => compose::status(b, &snap),
            AskIntent::KpiValue => compose::kpi_value(b, &snap, &p.kpis),
            AskIntent::KpiTrend => {
                let from = match &p.period {
                    Some(PeriodSpec::Range(a, _)) => Some(start_of_day(*a)),
                    _ => None,
                };
                let items = snapshots::list(&mut conn, main, 36).await?;
                let mut snaps: Vec<Snapshot> = Vec::new();
                for it in items.iter().rev() {
                    if from.as_deref().is_none_or(|f| it.created_at.as_str() >= f)
                        && it.id != snap.id
                    {
                        snaps.push(snapshots::load(&mut conn, it.id).await?);
                    }
                }
                snaps.push(snap.clone());
                let from_day = match &p.period {
                    Some(PeriodSpec::Range(a, _)) => Some(a.format("%Y-%m-%d").to_string()),
                    _ => None,
                };
                compose::kpi_trend(b, &snaps, &p.kpis, from_day.as_deref());
            }
            AskIntent::OffTarget => compose::off_target(b, &snap),
            AskIntent::HealthChange => compose::health_change(b, &snap, baseline.as_ref()),
            AskIntent::ChangesSince => {
                let after = matches!(p.period, Some(PeriodSpec::SinceLastSnapshot))
                    .then_some(out.changes_since);
                let from_month = match &p.period {
                    Some(PeriodSpec::Range(a, _)) => Some(a.format("%Y-%m").to_string()),
                    _ => None,
                };
                compose::changes_since(b, &snap, baseline.as_ref(), after, from_month.as_deref());
            }
            AskIntent::CategoryDrag => compose::category_drag(b, &snap, &p.categories),
            AskIntent::Playbooks => compose::playbooks(b, &snap, today),
            AskIntent::Profile => compose::profile(b, &snap, words, today),
            AskIntent::Provenance => compose::provenance(b, &snap, &p.kpis),
            _ => compose::status(b, &snap),
        }
        if let Some(s0) = &baseline {
            if matches!(p.intent, AskIntent::HealthChange | AskIntent::ChangesSince) {
                out.period = Some(AskPeriod {
                    from: s0.created_at.get(..10).unwrap_or("").to_string(),
                    to: snap.created_at.get(..10).unwrap_or("").to_string(),
                });
            }
        }
        Ok(())
    }

    async fn answer_compare(&self, p: &Plan, b: &mut Builder, out: &mut Answered) -> Result<()> {
        if p.accounts.len() < 2 {
            b.say("Name two accounts to compare, e.g. \"Compare Acme Corp and Initech\".".into());
            return Ok(());
        }
        let mut snaps = Vec::new();
        for id in p.accounts.iter().take(2) {
            let (s, created) = self.snapshot_for_question(*id).await?;
            if created && !out.snapshots_created.contains(&s.id) {
                out.snapshots_created.push(s.id);
            }
            snaps.push(s);
        }
        compose::compare(b, &snaps, &p.kpis);
        Ok(())
    }

    /// A text question, or one no intent matches: the snapshot texts (profiles, playbook notes, change summaries)
    /// containing all the terms, of the `scope` accounts only when any are given. False when none does (the
    /// answer is `unknown`).
    async fn answer_text_search(
        &self,
        scope: &[i64],
        terms: &[String],
        b: &mut Builder,
    ) -> Result<bool> {
        let mut conn = self.pool().acquire().await?;
        let hits = snapshot_text::search(&mut conn, terms, scope, DEFAULT_LIST).await?;
        if hits.is_empty() {
            return Ok(false);
        }
        let ids: Vec<i64> = hits.iter().map(|h| h.snapshot_id).collect();
        let names: Vec<_> = snapshot_facts::of_snapshots(&mut conn, &ids, &["account.name"])
            .await?
            .into_values()
            .flatten()
            .collect();
        compose::text_search(b, terms, &hits, &names);
        Ok(true)
    }

    /// Gives every account without a snapshot a `rag_auto` one (one transaction), so portfolio answers cover all.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn snapshot_missing_accounts(&self) -> Result<Vec<i64>> {
        // Read first: every account usually has one, and a question then takes no write lock.
        let mut conn = self.pool().acquire().await?;
        if snapshots::accounts_without(&mut conn, None)
            .await?
            .is_empty()
        {
            return Ok(Vec::new());
        }
        drop(conn);
        let mut tx = begin_write(self.pool()).await?;
        let missing = snapshots::accounts_without(&mut tx, None).await?;
        if missing.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let now = clock::to_db(self.now());
        let requests: Vec<(i64, SnapshotType, &str)> = missing
            .iter()
            .map(|id| (*id, SnapshotType::RagAuto, RAG_TRIGGER))
            .collect();
        let names = store::accounts::identities(&mut tx, &missing).await?;
        for (a, _) in &names {
            tracing::info!(
                "📸 No snapshot found for {}, creating one automatically...",
                a.name
            );
        }
        let made = take::create_many(&mut tx, &requests, &now).await?;
        tx.commit().await?;
        for s in &made {
            tracing::info!("✓ Auto-created snapshot {} for {}", s.id, s.account_name);
        }
        Ok(made.iter().map(|s| s.id).collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn answer_portfolio(
        &self,
        p: &Plan,
        words: &[String],
        today: NaiveDate,
        b: &mut Builder,
        out: &mut Answered,
    ) -> Result<()> {
        out.snapshots_created
            .extend(self.snapshot_missing_accounts().await?);
        let mut conn = self.pool().acquire().await?;
        let limit = p.limit.map(|l| l as usize).unwrap_or(DEFAULT_LIST);
        match p.intent {
            AskIntent::AtRisk => {
                let band = p.band.unwrap_or(Band::AtRisk);
                let mut inband: Vec<(f64, i64)> =
                    snapshot_facts::latest_values(&mut conn, ["health.band", "health.score"])
                        .await?
                        .into_iter()
                        .filter(|l| l.text(0) == Some(band.as_str()))
                        .map(|l| (l.num(1).unwrap_or(0.0), l.snapshot_id))
                        .collect();
                inband.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                let total = inband.len();
                let ids: Vec<i64> = inband.iter().take(limit).map(|x| x.1).collect();
                let rows = snapshot_facts::of_snapshots(
                    &mut conn,
                    &ids,
                    &["account.name", "category.%", "health.band", "health.score"],
                )
                .await?;
                compose::at_risk(b, band, &rows.into_iter().collect(), total, limit);
            }
            AskIntent::Movers => {
                let from_month = match &p.period {
                    Some(PeriodSpec::Range(a, _)) => Some(a.format("%Y-%m").to_string()),
                    _ => None,
                };
                let n = p.limit.map(|l| l as usize).unwrap_or(5);
                // Ranked where the facts are; only the listed accounts' facts are read.
                let ids =
                    snapshot_facts::biggest_moves(&mut conn, from_month.as_deref(), n).await?;
                let month_key = from_month.as_ref().map(|m| format!("trend.{m}"));
                let earlier = month_key.as_deref().unwrap_or("trend.prev.score");
                let facts = snapshot_facts::of_snapshots(
                    &mut conn,
                    &ids,
                    &[
                        "account.name",
                        "health.score",
                        "health.period",
                        earlier,
                        "trend.prev.period",
                    ],
                )
                .await?;
                let mut rows: BTreeMap<i64, Vec<_>> = BTreeMap::new();
                let mut names: BTreeMap<i64, Vec<_>> = BTreeMap::new();
                for (sid, facts) in facts {
                    for f in facts {
                        let to = if f.fact == "account.name" {
                            &mut names
                        } else {
                            &mut rows
                        };
                        to.entry(sid).or_default().push(f);
                    }
                }
                compose::movers(
                    b,
                    &rows,
                    &names,
                    from_month.as_deref(),
                    compose::movers_direction(words),
                    n,
                );
            }
            AskIntent::Renewals => {
                let days = p.days.unwrap_or(90);
                let until = today + chrono::Days::new(u64::from(days));
                let mut due: Vec<(NaiveDate, i64)> = snapshot_facts::latest_values(
                    &mut conn,
                    ["profile.renewal_date", "health.band"],
                )
                .await?
                .into_iter()
                .filter(|l| p.band.is_none_or(|band| l.text(1) == Some(band.as_str())))
                .filter_map(|l| {
                    let d = NaiveDate::parse_from_str(l.text(0)?, "%Y-%m-%d").ok()?;
                    (d >= today && d <= until).then_some((d, l.snapshot_id))
                })
                .collect();
                due.sort();
                let ids: Vec<i64> = due.iter().take(limit).map(|d| d.1).collect();
                let mut facts = snapshot_facts::of_snapshots(
                    &mut conn,
                    &ids,
                    &[
                        "account.name",
                        "profile.renewal_date",
                        "health.band",
                        "profile.arr",
                    ],
                )
                .await?;
                let rows: Vec<(NaiveDate, Vec<_>)> = due
                    .iter()
                    .take(limit)
                    .filter_map(|(d, id)| facts.remove(id).map(|f| (*d, f)))
                    .collect();
                compose::renewals(b, &rows, due.len(), days, p.band, limit);
            }
            AskIntent::KpiFilter => {
                let kpi = p.kpis.first().cloned().unwrap_or_default();
                let (cmp, value) = p.threshold.unwrap_or((Compare::Below, None));
                let vkey = format!("kpi.{kpi}.value");
                let skey = format!("kpi.{kpi}.status");
                let mut hits: Vec<(f64, i64)> =
                    snapshot_facts::latest_values(&mut conn, [vkey.as_str(), skey.as_str()])
                        .await?
                        .into_iter()
                        .filter_map(|l| {
                            let (v, st) = (l.num(0), l.text(1));
                            let keep = match (cmp, value) {
                                (Compare::Below, None) => st == Some("off_target"),
                                (Compare::Above, None) => st == Some("on_target"),
                                (Compare::Below, Some(t)) => v.is_some_and(|v| v < t),
                                (Compare::Above, Some(t)) => v.is_some_and(|v| v > t),
                            };
                            keep.then_some((v.unwrap_or(0.0), l.snapshot_id))
                        })
                        .collect();
                hits.sort_by(|x, y| {
                    if cmp == Compare::Above {
                        y.0.total_cmp(&x.0)
                    } else {
                        x.0.total_cmp(&y.0)
                    }
                    .then(x.1.cmp(&y.1))
                });
                let ids: Vec<i64> = hits.iter().take(limit).map(|h| h.1).collect();
                let mut facts = snapshot_facts::of_snapshots(
                    &mut conn,
                    &ids,
                    &["account.name", vkey.as_str(), skey.as_str()],
                )
                .await?;
                let rows: Vec<Vec<_>> = ids
                    .iter()
                    .map(|sid| facts.remove(sid).unwrap_or_default())
                    .collect();
                compose::kpi_filter(b, &kpi, &rows, hits.len(), cmp, value, limit);
            }
            _ => compose::unknown(b),
        }
        Ok(())
    }

    /// With a local model configured, asks it to phrase the claims; keeps the built-in answer with a note when it
    /// cannot (not running, too slow, or a sentence it could not back with the evidence).
    async fn phrase_with_model(
        &self,
        question: &str,
        ans: &mut AskAnswer,
        on_delta: &mut (dyn FnMut(&str) + Send),
    ) {
        let settings = match self.settings() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("settings unreadable, built-in answer: {e}");
                return;
            }
        };
        let Some(cfg) = llm::LlmConfig::from_settings(&settings.ask) else {
            return;
        };
        if ans.claims.is_empty() {
            return;
        }
        let evidence: Vec<llm::EvidenceItem> = ans
            .claims
            .iter()
            .enumerate()
            .map(|(i, c)| llm::EvidenceItem {
                n: i as u32 + 1,
                text: c.text.clone(),
                snapshot_id: c.snapshot_id,
                path: c.path.clone(),
                value: c.value.clone(),
            })
            .collect();
        let names: Vec<String> = match self.pool().acquire().await {
            Ok(mut conn) => store::accounts::names(&mut conn)
                .await
                .map(|v| v.into_iter().map(|(_, n)| n).collect())
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        match llm::phrase(&cfg, question, &evidence, &names, on_delta).await {
            llm::LlmOutcome::Phrased(sentences) => {
                let mut cited = Vec::new();
                for s in &sentences {
                    for n in &s.cites {
                        if let Some(c) = ans.claims.get((*n as usize).wrapping_sub(1)) {
                            if !cited.contains(c) {
                                cited.push(c.clone());
                            }
                        }
                    }
                }
                ans.answer = sentences
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                ans.claims = cited;
                ans.note = Some("Phrased by the local model from the cited evidence.".into());
            }
            llm::LlmOutcome::Fallback { reason } => {
                ans.note = Some(format!("Built-in answer shown: {reason}"));
            }
        }
    }
}

fn start_of_day(d: NaiveDate) -> String {
    d.and_hms_opt(0, 0, 0)
        .map(|t| clock::to_db(t.and_utc()))
        .unwrap_or_default()
}

/// What retrieval learned besides the text.
#[derive(Default)]
struct Answered {
    snapshot_id: Option<i64>,
    snapshot_created: bool,
    snapshots_created: Vec<i64>,
    changes_since: u32,
    period: Option<AskPeriod>,
    snapshot_label: String,
}
