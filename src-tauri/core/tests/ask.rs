//! Ask's golden questions: for each question in fixtures/ask_golden.json, the plan (intent, accounts, KPIs,
//! categories, period) and the facts the answer must carry, over the sample data and a small constructed
//! portfolio, with an injected clock (2026-11-20). Every citation of every answer is re-checked with
//! `json_extract(content, path)` on the cited snapshot.

mod common;

use chrono::{TimeZone, Utc};
use serde::Deserialize;
use tideline_core::ask::compose::with_unit;
use tideline_core::ask::dates::{day_label, PeriodSpec};
use tideline_core::model::{AskAnswer, AskIntent, Band};
use tideline_core::Tideline;

use common::{latest_snapshot as latest, write_xlsx, TestApp, C};

#[derive(Debug, Deserialize)]
struct Golden {
    set: String,
    question: String,
    account: Option<String>,
    intent: String,
    accounts: Vec<String>,
    kpis: Vec<String>,
    categories: Vec<String>,
    period: Option<serde_json::Value>,
    facts: Vec<String>,
    choices: Vec<String>,
}

fn t(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0)
        .single()
        .expect("time")
}

async fn sample() -> TestApp {
    let app = common::open_at(t(2026, 11, 20)).await;
    app.app.load_sample().await.expect("sample");
    app.app.process_events().await.expect("events");
    app
}

fn kpi_rows(rows: &[(&str, &str, &str, f64, f64, &str, &str)]) -> Vec<Vec<C>> {
    let mut data = vec![[
        "Account", "KPI", "Category", "Value", "Target", "Unit", "Period",
    ]
    .iter()
    .map(|h| C::T(h.to_string()))
    .collect::<Vec<_>>()];
    for (a, k, c, v, tg, u, p) in rows {
        data.push(vec![
            C::T(a.to_string()),
            C::T(k.to_string()),
            C::T(c.to_string()),
            C::N(*v),
            C::N(*tg),
            C::T(u.to_string()),
            C::T(p.to_string()),
        ]);
    }
    data
}

/// Four accounts: "Acme Corp" and "Acme Labs" (one word apart), "Borealis Freight" whose NPS collapsed from
/// 55 to 5 between September and October, and "Cascade Dental", critical throughout.
async fn built() -> TestApp {
    let app = common::open_at(t(2026, 10, 5)).await;
    fn month(
        p: &str,
        nps: f64,
    ) -> Vec<(
        &'static str,
        &'static str,
        &'static str,
        f64,
        f64,
        &'static str,
        &str,
    )> {
        vec![
            (
                "Acme Corp",
                "NPS",
                "Customer Sentiment",
                45.0,
                40.0,
                "pts",
                p,
            ),
            (
                "Acme Corp",
                "Active Users",
                "Product Usage",
                520.0,
                500.0,
                "users",
                p,
            ),
            (
                "Acme Labs",
                "NPS",
                "Customer Sentiment",
                30.0,
                40.0,
                "pts",
                p,
            ),
            (
                "Acme Labs",
                "Active Users",
                "Product Usage",
                350.0,
                500.0,
                "users",
                p,
            ),
            (
                "Borealis Freight",
                "NPS",
                "Customer Sentiment",
                nps,
                40.0,
                "pts",
                p,
            ),
            (
                "Borealis Freight",
                "CSAT",
                "Customer Sentiment",
                90.0,
                85.0,
                "%",
                p,
            ),
            (
                "Borealis Freight",
                "Active Users",
                "Product Usage",
                600.0,
                500.0,
                "users",
                p,
            ),
            (
                "Cascade Dental",
                "NPS",
                "Customer Sentiment",
                5.0,
                40.0,
                "pts",
                p,
            ),
            (
                "Cascade Dental",
                "Active Users",
                "Product Usage",
                100.0,
                500.0,
                "users",
                p,
            ),
        ]
    }
    let f1 = app.path("sep.xlsx");
    write_xlsx(&f1, &[("KPIs", kpi_rows(&month("2026-09", 55.0)))]);
    app.import(&f1, tideline_core::model::ImportKind::Kpi).await;
    app.app.calculate_health(None, None).await.expect("health");
    app.app.process_events().await.expect("events");
    app.set_time(t(2026, 11, 5));
    let f2 = app.path("oct.xlsx");
    write_xlsx(&f2, &[("KPIs", kpi_rows(&month("2026-10", 5.0)))]);
    app.import(&f2, tideline_core::model::ImportKind::Kpi).await;
    app.app.calculate_health(None, None).await.expect("health");
    app.app.process_events().await.expect("events");
    app.set_time(t(2026, 11, 20));
    app
}

/// Every claim resolves, on its snapshot, to its value; and its text appears in the answer.
async fn verify_claims(app: &Tideline, q: &str, a: &AskAnswer) {
    for c in &a.claims {
        let got: Option<String> = sqlx::query_scalar(
            "SELECT json_quote(json_extract(content, ?)) FROM snapshots WHERE id = ?",
        )
        .bind(&c.path)
        .bind(c.snapshot_id)
        .fetch_optional(app.pool())
        .await
        .expect("query");
        let got: serde_json::Value =
            serde_json::from_str(got.as_deref().unwrap_or("null")).expect("json");
        let same = match (got.as_f64(), c.value.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => got == c.value,
        };
        assert!(same, "{q}: claim {c:?} but snapshot has {got}");
        assert!(!c.value.is_null(), "{q}: claim {c:?} cites nothing");
        if !a.note.as_deref().is_some_and(|n| n.starts_with("Phrased")) {
            assert!(
                a.answer.contains(&c.text),
                "{q}: claim text {:?} not in {:?}",
                c.text,
                a.answer
            );
        }
    }
}

async fn check_fact(app: &Tideline, g: &Golden, a: &AskAnswer, fact: &str) {
    let q = &g.question;
    let (kind, arg) = fact.split_once(':').expect("kind:arg");
    match kind {
        "name" | "text" => assert!(a.answer.contains(arg), "{q}: {arg:?} not in {:?}", a.answer),
        "health" => {
            let s = latest(app, arg).await;
            let h = s.content.health.expect("health");
            let text = tideline_core::ask::compose::num(h.score);
            assert!(
                a.answer.contains(&text),
                "{q}: score {text} of {arg} not in {:?}",
                a.answer
            );
            assert!(
                a.claims
                    .iter()
                    .any(|c| c.snapshot_id == s.id && c.path.ends_with("score")),
                "{q}: no cited score"
            );
        }
        "kpi" => {
            let (acc, kpi) = arg.split_once(':').expect("acc:kpi");
            let s = latest(app, acc).await;
            let k = s
                .content
                .kpis
                .iter()
                .find(|k| k.name == kpi)
                .expect("kpi in snapshot");
            let text = with_unit(k.value, k.unit.as_deref());
            assert!(
                a.answer.contains(&text),
                "{q}: {kpi} {text} not in {:?}",
                a.answer
            );
        }
        "renewal" => {
            let s = latest(app, arg).await;
            let r = s.content.profile.renewal_date.expect("renewal");
            assert!(
                a.answer.contains(&day_label(&r)),
                "{q}: renewal not in {:?}",
                a.answer
            );
        }
        "first_driver" => {
            let rest = a.answer.split("What drove it: ").nth(1).unwrap_or("");
            assert!(
                rest.starts_with(&format!("{arg} −")),
                "{q}: first driver is not {arg}: {:?}",
                a.answer
            );
            assert!(
                rest.split(',').next().unwrap_or("").contains(" pts"),
                "{q}: no point contribution"
            );
        }
        "band" => {
            // Exactly the accounts the Health tab shows in that band.
            let band = Band::parse(arg).expect("band");
            let mut want: Vec<String> = app
                .all_accounts()
                .await
                .expect("accounts")
                .into_iter()
                .filter(|r| r.band == Some(band))
                .map(|r| r.name)
                .collect();
            want.sort();
            let mut got: Vec<String> = a.accounts.iter().map(|x| x.name.clone()).collect();
            got.sort();
            let count = format!("{} account", want.len());
            if want.is_empty() {
                assert!(a.answer.starts_with("No account"), "{q}: {:?}", a.answer);
            } else {
                assert!(
                    a.answer.starts_with(&count),
                    "{q}: expected {count}: {:?}",
                    a.answer
                );
            }
            if want.len() <= 10 || g.question.contains("50") {
                assert_eq!(got, want, "{q}");
            } else {
                assert!(
                    got.iter().all(|n| want.contains(n)),
                    "{q}: {got:?} not all in {want:?}"
                );
            }
        }
        other => panic!("unknown fact kind {other}"),
    }
}

async fn run_set(set: &str, app: &TestApp, goldens: &[Golden]) -> usize {
    let mut n = 0;
    for g in goldens.iter().filter(|g| g.set == set) {
        n += 1;
        let q = &g.question;
        let current = match &g.account {
            Some(name) => Some(app.account_id(name).await),
            None => None,
        };
        let plan = app.app.plan_question(current, q).await.expect("plan");
        let a = app.app.ask(current, q).await.expect("answer");
        assert_eq!(a.intent.as_str(), g.intent, "{q}: intent ({:?})", a.answer);
        if matches!(plan.intent, AskIntent::TextSearch | AskIntent::Unknown) {
            // A text question, or one no intent matched, searches the free-text index: answered text_search when
            // a text matched, unknown when none did.
            assert!(
                matches!(a.intent, AskIntent::TextSearch | AskIntent::Unknown),
                "{q}"
            );
        } else {
            assert_eq!(plan.intent, a.intent, "{q}");
        }
        let mut names = Vec::new();
        for id in &plan.accounts {
            names.push(app.app.account_by_id(*id).await.expect("account").name);
        }
        assert_eq!(names, g.accounts, "{q}: accounts");
        assert_eq!(plan.kpis, g.kpis, "{q}: kpis");
        assert_eq!(plan.categories, g.categories, "{q}: categories");
        let period = match &plan.period {
            None => None,
            Some(PeriodSpec::SinceLastSnapshot) => Some(serde_json::json!("snapshot")),
            Some(PeriodSpec::Range(f, t)) => {
                Some(serde_json::json!({"from": f.to_string(), "to": t.to_string()}))
            }
        };
        assert_eq!(period, g.period, "{q}: period");
        let choices: Vec<String> = plan.choices.iter().map(|c| c.1.clone()).collect();
        assert_eq!(choices, g.choices, "{q}: choices");
        if !g.choices.is_empty() {
            assert!(a.claims.is_empty(), "{q}: a choice asserts nothing");
            for c in &g.choices {
                assert!(a.answer.contains(c.as_str()), "{q}: {c} not offered");
            }
        }
        if a.intent == AskIntent::Unknown {
            assert!(a.claims.is_empty(), "{q}: unknown has no claims");
            assert!(a.answer.contains("can't answer"), "{q}: {:?}", a.answer);
        } else if g.choices.is_empty() {
            assert!(
                !a.claims.is_empty(),
                "{q}: an answer with no citation: {:?}",
                a.answer
            );
        }
        verify_claims(&app.app, q, &a).await;
        for f in &g.facts {
            check_fact(&app.app, g, &a, f).await;
        }
    }
    n
}

fn goldens() -> Vec<Golden> {
    serde_json::from_str(include_str!("fixtures/ask_golden.json")).expect("golden file")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_questions_over_the_sample_data() {
    let g = goldens();
    assert!(g.len() >= 80, "at least 80 golden questions");
    let app = sample().await;
    let n = run_set("sample", &app, &g).await;
    assert!(n >= 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_questions_over_a_constructed_portfolio() {
    let app = built().await;
    let n = run_set("built", &app, &goldens()).await;
    assert!(n >= 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_without_a_snapshot_gets_a_rag_auto_one_first() {
    let app = common::open_at(t(2026, 11, 20)).await;
    let f = app.path("k.xlsx");
    write_xlsx(
        &f,
        &[(
            "KPIs",
            kpi_rows(&[
                (
                    "Lone Pine",
                    "NPS",
                    "Customer Sentiment",
                    20.0,
                    40.0,
                    "pts",
                    "2026-10",
                ),
                (
                    "Far Hill",
                    "NPS",
                    "Customer Sentiment",
                    24.0,
                    40.0,
                    "pts",
                    "2026-10",
                ),
            ]),
        )],
    );
    app.import(&f, tideline_core::model::ImportKind::Kpi).await;
    app.app.calculate_health(None, None).await.expect("health");
    let id = app.account_id("Lone Pine").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM snapshots").await, 0);
    let a = app
        .app
        .ask(Some(id), "What is the NPS?")
        .await
        .expect("answer");
    assert!(a.snapshot_created);
    assert_eq!(a.snapshots_created, vec![a.snapshot_id.expect("id")]);
    assert!(a.answer.contains("20 pts"), "{}", a.answer);
    // Portfolio questions snapshot every account that has none, and the facts index covers it.
    let b = app
        .app
        .ask(None, "Which accounts are at risk?")
        .await
        .expect("answer");
    assert_eq!(
        b.snapshots_created.len(),
        1,
        "only Far Hill lacked a snapshot"
    );
    assert!(
        b.answer.contains("Lone Pine") && b.answer.contains("Far Hill"),
        "{}",
        b.answer
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM snapshots WHERE snapshot_type = 'rag_auto'")
            .await,
        2
    );
    let facts = app.count("SELECT COUNT(*) FROM snapshot_facts").await;
    assert!(facts > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_skipped_after_the_snapshot_are_mentioned() {
    let app = built().await;
    let id = app.account_id("Borealis Freight").await;
    // A new import within the cooldown: the subscriber skips the snapshot, the answer says so.
    let f = app.path("nov.xlsx");
    write_xlsx(
        &f,
        &[(
            "KPIs",
            kpi_rows(&[(
                "Borealis Freight",
                "NPS",
                "Customer Sentiment",
                60.0,
                40.0,
                "pts",
                "2026-11",
            )]),
        )],
    );
    let before = app.app.latest_snapshot(id).await.expect("s").expect("s").id;
    app.app
        .create_snapshot(id, tideline_core::model::SnapshotType::Manual, None)
        .await
        .expect("snap");
    app.set_time(t(2026, 11, 20) + chrono::Duration::seconds(60));
    app.import(&f, tideline_core::model::ImportKind::Kpi).await;
    app.app.process_events().await.expect("events");
    let a = app
        .app
        .ask(Some(id), "What is the NPS?")
        .await
        .expect("answer");
    assert!(a.snapshot_id.expect("id") > before);
    assert!(
        a.changes_since > 0,
        "the import within the cooldown was skipped"
    );
    let said = format!(
        "From snapshot #{}, {} change",
        a.snapshot_id.expect("id"),
        a.changes_since
    );
    assert!(a.answer.contains(&said), "{}", a.answer);
    // Never a live value in a cited answer: the snapshot still says 5.
    assert!(
        a.answer.contains("5 pts") && !a.answer.contains("60 pts"),
        "{}",
        a.answer
    );
}

/// A one-shot Ollama stand-in on 127.0.0.1 that streams its message in `pieces`: one NDJSON line per piece, each
/// its own HTTP chunk (`Transfer-Encoding: chunked`) a moment after the previous one, then the closing line.
async fn fake_ollama(pieces: &'static [&'static str]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let Ok(n) = sock.read(&mut chunk).await else {
                return;
            };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let len = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break;
                }
            }
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        let _ = sock.write_all(head.as_bytes()).await;
        let lines = pieces
            .iter()
            .map(|p| serde_json::json!({"model": "llama3.2", "message": {"role": "assistant", "content": p}, "done": false}))
            .chain(std::iter::once(serde_json::json!({"model": "llama3.2", "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop"})));
        for line in lines {
            let line = format!("{line}\n");
            let _ = sock
                .write_all(format!("{:x}\r\n{line}\r\n", line.len()).as_bytes())
                .await;
            let _ = sock.flush().await;
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        }
        let _ = sock.write_all(b"0\r\n\r\n").await;
        let _ = sock.shutdown().await;
    });
    format!("http://{addr}")
}

async fn lone_pine_with_model(reply: &'static [&'static str]) -> (TestApp, i64) {
    let app = common::open_at(t(2026, 11, 20)).await;
    let f = app.path("k.xlsx");
    write_xlsx(
        &f,
        &[(
            "KPIs",
            kpi_rows(&[(
                "Lone Pine",
                "NPS",
                "Customer Sentiment",
                20.0,
                40.0,
                "pts",
                "2026-10",
            )]),
        )],
    );
    app.import(&f, tideline_core::model::ImportKind::Kpi).await;
    app.app.calculate_health(None, None).await.expect("health");
    let url = fake_ollama(reply).await;
    let s = app.app.settings_store();
    s.set("ask.endpoint", &url).expect("endpoint");
    s.set("ask.api", "ollama").expect("api");
    s.set("ask.model", "llama3.2").expect("model");
    s.set("ask.timeout_seconds", "5").expect("timeout");
    s.set("ask.mode", "local_model").expect("mode");
    let id = app.account_id("Lone Pine").await;
    (app, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_model_phrases_the_claims_it_was_given() {
    let (app, id) = lone_pine_with_model(&[
        r#"{"sentences":[{"text":"Lone Pine's NPS is 20, under its target of 40.","cites":[1,2,3]}]}"#,
    ])
    .await;
    let a = app
        .app
        .ask(Some(id), "What is the NPS?")
        .await
        .expect("answer");
    assert_eq!(a.answer, "Lone Pine's NPS is 20, under its target of 40.");
    assert!(
        a.note.as_deref().is_some_and(|n| n.contains("local model")),
        "{:?}",
        a.note
    );
    assert_eq!(a.claims.len(), 3, "{:?}", a.claims);
    verify_claims(&app.app, "model", &a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_reply_with_an_uncited_number_falls_back_to_the_built_in_answer() {
    let (app, id) =
        lone_pine_with_model(&[r#"{"sentences":[{"text":"Lone Pine's NPS is 35.","cites":[2]}]}"#])
            .await;
    let a = app
        .app
        .ask(Some(id), "What is the NPS?")
        .await
        .expect("answer");
    assert_fell_back(&a);
    verify_claims(&app.app, "fallback", &a).await;
}

/// The model's "NPS is 35" was discarded: the built-in answer, with a note saying so.
fn assert_fell_back(a: &AskAnswer) {
    assert!(a.answer.contains("20 pts (target 40 pts)"), "{}", a.answer);
    assert!(!a.answer.contains("35"), "{}", a.answer);
    assert!(
        a.note
            .as_deref()
            .is_some_and(|n| n.starts_with("Built-in answer shown")),
        "{:?}",
        a.note
    );
}

/// A reply streamed in pieces reaches the caller piece by piece as answer text (what the panel shows while the
/// model writes), and is checked only once complete: a good one is kept with its citations, one with an uncited
/// number is discarded for the built-in answer even though its pieces were shown.
/// Asks Lone Pine's NPS of a model streaming `pieces`; the answer and the text pieces the caller was handed.
async fn ask_streamed(pieces: &'static [&'static str]) -> (TestApp, AskAnswer, Vec<String>) {
    let (app, id) = lone_pine_with_model(pieces).await;
    let mut deltas: Vec<String> = Vec::new();
    let a = app
        .app
        .ask_streaming(Some(id), "What is the NPS?", &mut |d| {
            deltas.push(d.to_string())
        })
        .await
        .expect("answer");
    verify_claims(&app.app, "streamed", &a).await;
    (app, a, deltas)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_model_reply_arrives_piece_by_piece_and_is_checked_when_complete() {
    let (_app, a, deltas) = ask_streamed(&[
        r#"{"sentences":[{"text":"Lone Pine's NPS"#,
        r#" is 20, under "#,
        r#"its target of 40.","cites":[1,2,3]}]}"#,
    ])
    .await;
    assert!(deltas.len() >= 3, "{deltas:?}");
    assert_eq!(
        deltas.concat(),
        "Lone Pine's NPS is 20, under its target of 40."
    );
    assert_eq!(a.answer, deltas.concat());
    assert_eq!(a.claims.len(), 3, "{:?}", a.claims);

    let (_app, a, deltas) = ask_streamed(&[
        r#"{"sentences":[{"text":"Lone Pine's NPS"#,
        r#" is 35.","cites":[2]}]}"#,
    ])
    .await;
    assert_eq!(deltas.concat(), "Lone Pine's NPS is 35.");
    assert_fell_back(&a);
}

/// (snapshot id, fact, path, num, text)
type FactRow = (i64, String, String, Option<f64>, Option<String>);

/// The migration's backfill and the insert hook index the same facts: drop the index, run the migration's
/// statements again, and the rows are the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migration_backfill_indexes_what_the_insert_path_indexes() {
    let app = built().await;
    let dump = |app: &TestApp| {
        let pool = app.app.pool().clone();
        async move {
            let rows: Vec<FactRow> = sqlx::query_as(
                "SELECT snapshot_id, fact, path, num, text FROM snapshot_facts ORDER BY snapshot_id, fact",
            )
            .fetch_all(&pool)
            .await
            .expect("facts");
            let vocab: Vec<(String, String)> =
                sqlx::query_as("SELECT kind, name FROM ask_vocabulary ORDER BY kind, name")
                    .fetch_all(&pool)
                    .await
                    .expect("vocab");
            (rows, vocab)
        }
    };
    let before = dump(&app).await;
    assert!(before.0.len() > 20 && !before.1.is_empty());
    sqlx::query("DELETE FROM snapshot_facts")
        .execute(app.app.pool())
        .await
        .expect("clear");
    sqlx::query("DELETE FROM ask_vocabulary")
        .execute(app.app.pool())
        .await
        .expect("clear");
    let migration = include_str!("../migrations/0002_ask_facts.sql");
    for stmt in migration
        .split(';')
        .map(str::trim)
        .filter(|s| s.starts_with("INSERT"))
    {
        sqlx::raw_sql(stmt)
            .execute(app.app.pool())
            .await
            .expect("backfill");
    }
    assert_eq!(dump(&app).await, before);
}

/// The FTS5 module is compiled into the bundled SQLite.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fts5_is_compiled_into_the_bundled_sqlite() {
    let app = common::open_at(t(2026, 11, 20)).await;
    let on: Option<String> = sqlx::query_scalar(
        "SELECT compile_options FROM pragma_compile_options WHERE compile_options = 'ENABLE_FTS5'",
    )
    .fetch_optional(app.app.pool())
    .await
    .expect("compile options");
    assert_eq!(on.as_deref(), Some("ENABLE_FTS5"));
    let kind: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'snapshot_text'")
            .fetch_one(app.app.pool())
            .await
            .expect("the free-text index");
    assert!(kind.contains("USING fts5"), "{kind}");
}

/// A question no intent matches searches the text of profiles, playbook notes and change summaries (each text
/// written into the index in its snapshot's transaction), cites every text and name it shows, keeps to the
/// panel's account when one is open, and says the plain `unknown` when nothing matches. The migration's
/// backfill indexes what the insert path does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_text_questions_search_profiles_playbook_notes_and_change_summaries() {
    let app = built().await;
    let profiles = app.path("profiles.xlsx");
    write_xlsx(
        &profiles,
        &[(
            "Customers",
            vec![
                vec![C::S("Account Name"), C::S("Notes")],
                vec![
                    C::S("Borealis Freight"),
                    C::S("Sponsor worried: the migration project to the new TMS slipped to Q1."),
                ],
                vec![C::S("Acme Labs"), C::S("Second team starts in January.")],
            ],
        )],
    );
    app.import(&profiles, tideline_core::model::ImportKind::Profile)
        .await;
    let labs = app.account_id("Acme Labs").await;
    let run = app
        .app
        .start_playbook(labs, "activation_blitz")
        .await
        .expect("playbook");
    app.app
        .set_playbook_step(
            run.id,
            1,
            true,
            Some("Onboarding session booked with the new admins"),
        )
        .await
        .expect("step");
    for name in ["Borealis Freight", "Acme Labs"] {
        let id = app.account_id(name).await;
        app.app
            .create_snapshot(id, tideline_core::model::SnapshotType::Manual, None)
            .await
            .expect("snapshot");
    }

    let ask = |account: Option<i64>, q: &'static str| {
        let app = &app.app;
        async move {
            let a = app.ask(account, q).await.expect("answer");
            verify_claims(app, q, &a).await;
            a
        }
    };
    let found = |a: &AskAnswer, want: &str| {
        assert_eq!(a.intent, AskIntent::TextSearch, "{}", a.answer);
        assert!(a.answer.contains(want), "{want:?} not in {:?}", a.answer);
    };
    let a = ask(None, "Who mentioned the migration project?").await;
    found(
        &a,
        "Borealis Freight (profile notes): “Sponsor worried: the migration project",
    );
    assert!(a.claims.iter().any(|c| c.path == "$.profile.notes"));
    assert!(a
        .claims
        .iter()
        .any(|c| c.path == "$.account.name" && c.text == "Borealis Freight"));
    assert_eq!(a.accounts.len(), 1, "{}", a.answer);

    // Stemmed: "onboarding" in a playbook step note.
    let a = ask(None, "notes about onboarding").await;
    found(
        &a,
        "Acme Labs (playbook step note): “Onboarding session booked",
    );
    assert!(
        a.claims.iter().any(|c| c.path.ends_with(".steps[0].note")),
        "{:?}",
        a.claims
    );

    // Change summaries: the import's change lines of the new snapshots.
    let line: String = sqlx::query_scalar(
        "SELECT body FROM snapshot_text WHERE path LIKE '$.changes.lines[%' ORDER BY snapshot_id DESC LIMIT 1",
    )
    .fetch_one(app.app.pool())
    .await
    .expect("a change line is indexed");
    let word = line
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| w.len() > 4 && w.chars().all(char::is_alphabetic))
        .expect("a word")
        .to_string();
    let q: &'static str = Box::leak(format!("Any text mentioning {word}?").into_boxed_str());
    let a = ask(None, q).await;
    assert!(
        a.claims
            .iter()
            .any(|c| c.path.starts_with("$.changes.lines[")),
        "{q}: {}",
        a.answer
    );

    // Within the open panel's account only.
    let borealis = app.account_id("Borealis Freight").await;
    let a = ask(Some(borealis), "notes about onboarding").await;
    assert_eq!(a.intent, AskIntent::Unknown, "{}", a.answer);
    assert!(a.claims.is_empty());
    assert!(a.answer.contains("can't answer"));

    // Nothing matches: the plain unknown answer.
    let a = ask(None, "Who mentioned the hackathon?").await;
    assert_eq!(a.intent, AskIntent::Unknown);
    assert!(a.claims.is_empty());

    // A word that is an FTS5 operator or syntax is only a word.
    let a = ask(None, "notes about NEAR OR \"migration*").await;
    assert_eq!(a.intent, AskIntent::Unknown, "{}", a.answer);

    // The backfill indexes what the insert path does.
    let dump = || async {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT snapshot_id, account_id, path, body FROM snapshot_text ORDER BY snapshot_id, path",
        )
        .fetch_all(app.app.pool())
        .await
        .expect("texts");
        rows
    };
    let before = dump().await;
    sqlx::query("DELETE FROM snapshot_text")
        .execute(app.app.pool())
        .await
        .expect("clear");
    let migration = include_str!("../migrations/0003_ask_text.sql");
    let backfill = &migration[migration.find("INSERT").expect("the backfill")..];
    sqlx::raw_sql(backfill)
        .execute(app.app.pool())
        .await
        .expect("backfill");
    assert_eq!(dump().await, before);
}

/// A text question ("what did the notes say about …") names its account or not, wherever it is asked: naming
/// one searches that account's texts only (from the Health tab or another account's panel), naming none searches
/// every account's; it is not read as a question about the renewal date. A named account none of whose texts
/// match gets the plain unknown answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_question_naming_an_account_searches_that_accounts_texts() {
    let app = built().await;
    let profiles = app.path("profiles.xlsx");
    write_xlsx(
        &profiles,
        &[(
            "Customers",
            vec![
                vec![C::S("Account Name"), C::S("Notes")],
                vec![
                    C::S("Borealis Freight"),
                    C::S("Renewal at risk: procurement wants a three-year deal."),
                ],
                vec![C::S("Acme Labs"), C::S("Renewal call booked for December.")],
            ],
        )],
    );
    app.import(&profiles, tideline_core::model::ImportKind::Profile)
        .await;
    for name in ["Borealis Freight", "Acme Labs"] {
        let id = app.account_id(name).await;
        app.app
            .create_snapshot(id, tideline_core::model::SnapshotType::Manual, None)
            .await
            .expect("snapshot");
    }
    let borealis = app.account_id("Borealis Freight").await;
    let labs = app.account_id("Acme Labs").await;
    let account_of = |snapshot: i64| {
        let pool = app.app.pool().clone();
        async move {
            let id: i64 = sqlx::query_scalar("SELECT account_id FROM snapshots WHERE id = ?")
                .bind(snapshot)
                .fetch_one(&pool)
                .await
                .expect("snapshot");
            id
        }
    };

    let q = "What did the notes say about renewal at Borealis Freight?";
    let plan = app.app.plan_question(None, q).await.expect("plan");
    assert_eq!(plan.intent, AskIntent::TextSearch);
    assert_eq!(plan.accounts, vec![borealis]);
    assert_eq!(plan.terms, vec!["renewal".to_string()]);
    // From the Health tab, and from another account's panel: Borealis Freight's texts only.
    for panel in [None, Some(labs)] {
        let a = app.app.ask(panel, q).await.expect("answer");
        verify_claims(&app.app, q, &a).await;
        assert_eq!(a.intent, AskIntent::TextSearch, "{}", a.answer);
        assert!(
            a.answer
                .contains("Borealis Freight (profile notes): “Renewal at risk: procurement"),
            "{}",
            a.answer
        );
        assert!(!a.answer.contains("Acme Labs"), "{}", a.answer);
        let ids: Vec<i64> = a.accounts.iter().map(|x| x.id).collect();
        assert_eq!(ids, vec![borealis]);
        assert!(a.claims.iter().any(|c| c.path == "$.profile.notes"));
        for c in &a.claims {
            assert_eq!(account_of(c.snapshot_id).await, borealis, "{c:?}");
        }
    }

    // No account named: every account's texts.
    let q = "What did the notes say about renewal?";
    let a = app.app.ask(None, q).await.expect("answer");
    verify_claims(&app.app, q, &a).await;
    assert_eq!(a.intent, AskIntent::TextSearch, "{}", a.answer);
    let mut ids: Vec<i64> = a.accounts.iter().map(|x| x.id).collect();
    ids.sort();
    let mut want = vec![borealis, labs];
    want.sort();
    assert_eq!(ids, want, "{}", a.answer);
    assert!(a.answer.contains("“Renewal call booked for December.”"));

    // A named account with no such text: nothing from the others.
    let q = "What did the notes say about renewal at Cascade Dental?";
    let a = app.app.ask(None, q).await.expect("answer");
    assert_eq!(a.intent, AskIntent::Unknown, "{}", a.answer);
    assert!(a.claims.is_empty());
    assert!(a.answer.contains("can't answer"), "{}", a.answer);
}

/// Two accounts whose six months of Active Users (Jun–Nov 2026) arrive in one KPI file: one snapshot each.
async fn six_months_in_one_file() -> TestApp {
    let app = common::open_at(t(2026, 11, 20)).await;
    let months = [
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11",
    ];
    let mut rows = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let v = 100.0 + 20.0 * i as f64;
        rows.push((
            "Lone Pine",
            "Active Users",
            "Product Usage",
            v,
            150.0,
            "users",
            *m,
        ));
        rows.push((
            "Old Oak",
            "Active Users",
            "Product Usage",
            v,
            150.0,
            "users",
            *m,
        ));
    }
    let f = app.path("kpis.xlsx");
    write_xlsx(&f, &[("KPIs", kpi_rows(&rows))]);
    app.import(&f, tideline_core::model::ImportKind::Kpi).await;
    app.app.calculate_health(None, None).await.expect("health");
    app.app.process_events().await.expect("events");
    app
}

/// Schema 2 snapshots record each KPI's recent per-period values, so a trend over months that arrived in one
/// file is answered from that one snapshot, every value and month cited from its `history`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trend_over_months_that_arrived_in_one_file_reads_one_snapshot() {
    let app = six_months_in_one_file().await;
    let id = app.account_id("Lone Pine").await;
    let snaps = app.app.list_snapshots(id, 50).await.expect("snapshots");
    assert_eq!(snaps.len(), 1, "one file, one snapshot");
    let snap = app.latest_snapshot("Lone Pine").await;
    assert_eq!(snap.schema_version, 2);
    assert_eq!(snap.content.schema_version, 2);

    let q = "How has Active Users trended over the last 6 months?";
    let a = app.app.ask(Some(id), q).await.expect("answer");
    verify_claims(&app.app, q, &a).await;
    assert_eq!(a.intent, AskIntent::KpiTrend, "{}", a.answer);
    assert!(
        a.answer.contains(
            "Active Users: 100 users (Jun 2026) → 120 users (Jul 2026) → 140 users (Aug 2026) → \
             160 users (Sep 2026) → 180 users (Oct 2026) → 200 users (Nov 2026), up overall."
        ),
        "{}",
        a.answer
    );
    assert!(
        a.claims.iter().all(|c| c.snapshot_id == snap.id),
        "{:?}",
        a.claims
    );
    assert!(a
        .claims
        .iter()
        .any(|c| c.path == "$.kpis[0].history[0].value" && c.text == "100 users"));

    // "Since September": the months from September on.
    let q = "How has Active Users moved since September?";
    let a = app.app.ask(Some(id), q).await.expect("answer");
    verify_claims(&app.app, q, &a).await;
    assert!(
        a.answer.contains(
            "Active Users: 160 users (Sep 2026) → 180 users (Oct 2026) → 200 users (Nov 2026)"
        ),
        "{}",
        a.answer
    );
}

/// A schema 1 snapshot (no `history`) still opens and answers as before: its one latest value, cited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_1_snapshot_still_reads_as_it_did() {
    let app = six_months_in_one_file().await;
    let v2 = app.latest_snapshot("Old Oak").await;
    // An account whose only snapshot is Old Oak's document as schema 1 wrote it: no history.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (name, name_key, profile, created_at, updated_at) \
         VALUES ('Birch Row', 'birch row', '{}', ?1, ?1) RETURNING id",
    )
    .bind(&v2.created_at)
    .fetch_one(app.app.pool())
    .await
    .expect("account");
    let mut doc = serde_json::to_value(&v2.content).expect("json");
    doc["schema_version"] = serde_json::json!(1);
    doc["account"]["id"] = serde_json::json!(id);
    doc["account"]["name"] = serde_json::json!("Birch Row");
    for k in doc["kpis"].as_array_mut().expect("kpis") {
        k.as_object_mut().expect("kpi").remove("history");
    }
    let v1: i64 = sqlx::query_scalar(
        "INSERT INTO snapshots (account_id, snapshot_type, trigger_event, created_at, schema_version, content, \
                                content_sha256) VALUES (?, 'manual', 'test', ?, 1, ?, 'x') RETURNING id",
    )
    .bind(id)
    .bind(&v2.created_at)
    .bind(doc.to_string())
    .fetch_one(app.app.pool())
    .await
    .expect("insert");

    let snap = app.latest_snapshot("Birch Row").await;
    assert_eq!((snap.id, snap.schema_version), (v1, 1));
    assert!(snap.content.kpis.iter().all(|k| k.history.is_none()));
    let q = "How has Active Users trended over the last 6 months?";
    let a = app.app.ask(Some(id), q).await.expect("answer");
    verify_claims(&app.app, q, &a).await;
    assert_eq!(a.intent, AskIntent::KpiTrend, "{}", a.answer);
    assert!(
        a.answer.contains(
            "Active Users is 200 users for Nov 2026; the snapshots hold no earlier value to show a trend \
             (each snapshot keeps a KPI's latest value)."
        ),
        "{}",
        a.answer
    );
    assert!(a.claims.iter().all(|c| c.snapshot_id == v1));
    assert!(a.claims.iter().any(|c| c.path == "$.kpis[0].value"));
}
