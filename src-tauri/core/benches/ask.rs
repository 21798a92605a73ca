//! Issue 9 numbers:
//! - a one-account question on the sample data: p95 under 30 ms;
//! - a portfolio question over 10,000 accounts with 12 snapshots each: p95 under 300 ms;
//! - indexing the facts of 120,000 snapshots (what the migration's backfill does): under 30 s (and, printed
//!   beside it, their free text).
//!
//! Run: `cargo bench -p tideline-core --bench ask -- --warm-up-time 1 --measurement-time 3`.

mod common;

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use tideline_core::model::AskIntent;
use tideline_core::{ManualClock, Tideline};

fn one_account(c: &mut Criterion) {
    let rt = common::runtime();
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
            .single()
            .expect("t"),
    ));
    let (app, id) = rt.block_on(async {
        let app = Tideline::open_with_clock(dir.path(), clock)
            .await
            .expect("open");
        app.load_sample().await.expect("sample");
        app.process_events().await.expect("events");
        let id = app
            .find_account("TechCorp Solutions")
            .await
            .expect("acc")
            .id;
        (app, id)
    });
    let questions = [
        "What's the current status?",
        "Why did health drop?",
        "What is the NPS?",
        "When does the contract renew?",
    ];
    for q in questions {
        let mut times: Vec<f64> = (0..40)
            .map(|_| {
                let started = Instant::now();
                rt.block_on(app.ask(Some(id), q)).expect("answer");
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "p95 {:>7.1} ms  median {:>7.1} ms  {q}",
            times[37], times[20]
        );
    }
    let mut i = 0;
    c.bench_function("ask/one_account_sample", |b| {
        b.iter(|| {
            i += 1;
            rt.block_on(app.ask(Some(id), questions[i % questions.len()]))
                .expect("answer")
        })
    });
}

/// 10,000 accounts × 12 snapshots, made by copying one real document per account with SQL (the snapshot path has
/// its own benchmark), then indexed as the migration's backfill would.
fn portfolio(c: &mut Criterion) {
    let rt = common::runtime();
    let dir = tempfile::tempdir().expect("dir");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
            .single()
            .expect("t"),
    ));
    let app = rt.block_on(async {
        let app = Tideline::open_with_clock(dir.path(), clock).await.expect("open");
        app.load_sample().await.expect("sample");
        app.process_events().await.expect("events");
        let pool = app.pool();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000 - 36) \
             INSERT INTO accounts (name, name_key, profile, created_at, updated_at) \
             SELECT 'Account ' || i, 'account ' || i, '{}', '2025-01-01T00:00:00.000000Z', \
                    '2025-01-01T00:00:00.000000Z' FROM n",
        )
        .execute(pool)
        .await
        .expect("accounts");
        // 12 snapshots per account: a sample document with the account's name and a shifted score.
        sqlx::query(
            "WITH RECURSIVE m(p) AS (SELECT 0 UNION ALL SELECT p + 1 FROM m WHERE p < 11), \
                  t AS (SELECT content FROM snapshots ORDER BY id LIMIT 1) \
             INSERT INTO snapshots (account_id, snapshot_type, trigger_event, created_at, schema_version, content, \
                                    content_sha256, health_score) \
             SELECT a.id, 'manual', 'bench', printf('2026-%02d-01T00:00:00.000000Z', m.p + 1), 1, \
                    json_set(t.content, '$.account.id', a.id, '$.account.name', a.name, \
                             '$.health.score', 30 + ((a.id * 7 + m.p * 13) % 60), \
                             '$.health.band', CASE WHEN 30 + ((a.id * 7 + m.p * 13) % 60) >= 70 THEN 'healthy' \
                                                   WHEN 30 + ((a.id * 7 + m.p * 13) % 60) >= 40 THEN 'at_risk' \
                                                   ELSE 'critical' END), \
                    'x', NULL \
             FROM accounts a, m, t WHERE a.name LIKE 'Account %' ORDER BY m.p, a.id",
        )
        .execute(pool)
        .await
        .expect("snapshots");
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM snapshots WHERE id NOT IN (SELECT snapshot_id FROM snapshot_facts)",
        )
        .fetch_all(pool)
        .await
        .expect("ids");
        let started = Instant::now();
        let mut conn = pool.acquire().await.expect("conn");
        for chunk in ids.chunks(5000) {
            tideline_core::store::snapshot_facts::index(&mut conn, chunk)
                .await
                .expect("index");
        }
        println!(
            "facts backfill: {} snapshots in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        // The free-text index (FTS5) the same way.
        let started = Instant::now();
        for chunk in ids.chunks(5000) {
            tideline_core::store::snapshot_text::index(&mut conn, chunk)
                .await
                .expect("index text");
        }
        println!(
            "text backfill: {} snapshots in {:.1} s",
            ids.len(),
            started.elapsed().as_secs_f64()
        );
        drop(conn);
        app
    });
    let questions = [
        ("Which accounts are at risk?", AskIntent::AtRisk),
        (
            "Which accounts renew in the next 90 days?",
            AskIntent::Renewals,
        ),
        (
            "Which accounts have NPS below target?",
            AskIntent::KpiFilter,
        ),
        ("Who are the biggest movers?", AskIntent::Movers),
        ("Who mentioned the business review?", AskIntent::TextSearch),
    ];
    // p95 per question (criterion reports means), each first checked to be answered as the intent it times: a
    // question read as something else (a choice between accounts, say) would time the wrong work.
    for (q, intent) in questions {
        let a = rt.block_on(app.ask(None, q)).expect("answer");
        assert_eq!(a.intent, intent, "{q}: {}", a.answer);
        assert!(!a.claims.is_empty(), "{q}: {}", a.answer);
        let mut times: Vec<f64> = (0..20)
            .map(|_| {
                let started = Instant::now();
                rt.block_on(app.ask(None, q)).expect("answer");
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "p95 {:>7.1} ms  median {:>7.1} ms  {q}",
            times[18], times[10]
        );
    }
    let mut group = c.benchmark_group("ask");
    group.sample_size(10);
    let mut i = 0;
    group.bench_function("portfolio_10000_accounts_12_snapshots", |b| {
        b.iter(|| {
            i += 1;
            rt.block_on(app.ask(None, questions[i % questions.len()].0))
                .expect("answer")
        })
    });
    group.finish();
}

criterion_group!(benches, one_account, portfolio);
criterion_main!(benches);
