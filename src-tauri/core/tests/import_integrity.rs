//! Imports that never merge silently and can be stopped: conflicting account ids are rejected with their place,
//! rows repeated in one file are reported with the row that was used, and a cancelled import leaves the database
//! exactly as it was. Workbooks are written by rust_xlsxwriter, another library than the reader.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::{at, open_at, write_xlsx, TestApp, C};
use sha2::{Digest, Sha256};
use tideline_core::import::{ImportRequest, ProgressFn};
use tideline_core::model::{ImportKind, Rejection};

use C::{N, S};

async fn kpi_value(t: &TestApp, account: &str, kpi_key: &str) -> Vec<f64> {
    let id = t.account_id(account).await;
    sqlx::query_scalar(
        "SELECT value FROM kpi_values WHERE account_id = ? AND kpi_key = ? ORDER BY period",
    )
    .bind(id)
    .bind(kpi_key)
    .fetch_all(t.app.pool())
    .await
    .expect("values")
}

async fn external_id(t: &TestApp, account: &str) -> Option<String> {
    sqlx::query_scalar("SELECT external_id FROM accounts WHERE name = ?")
        .bind(account)
        .fetch_one(t.app.pool())
        .await
        .expect("account")
}

/// Customers already known: Acme, Beta Corp (B-2), and Gamma Inc without an id.
async fn known_customers(t: &TestApp) {
    let file = t.path("customers.xlsx");
    write_xlsx(
        &file,
        &[(
            "Customers",
            vec![
                vec![S("Account ID"), S("Account"), S("Region")],
                vec![S("A-1"), S("Acme"), S("EMEA")],
                vec![S("B-2"), S("Beta Corp"), S("APAC")],
                vec![C::E, S("Gamma Inc"), S("LATAM")],
            ],
        )],
    );
    t.import(&file, ImportKind::Profile).await;
}

fn kpi_row(id: &'static str, account: &'static str, value: f64) -> Vec<C> {
    vec![
        S(id),
        S(account),
        S("Active Users"),
        N(value),
        N(100.0),
        S("2025-01"),
    ]
}

#[tokio::test]
async fn rows_whose_account_id_and_name_point_at_different_accounts_are_rejected_not_merged() {
    let t = open_at(at(10, 0, 0)).await;
    known_customers(&t).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(
        &file,
        &[(
            "January",
            vec![
                vec![
                    S("Account ID"),
                    S("Account"),
                    S("KPI"),
                    S("Value"),
                    S("Target"),
                    S("Period"),
                ],
                kpi_row("A-1", "Acme", 10.0),      // row 2: fine
                kpi_row("A-1", "Beta Corp", 20.0), // row 3: Acme's id on Beta Corp
                kpi_row("C-3", "Beta Corp", 30.0), // row 4: Beta Corp already has B-2
                kpi_row("G-7", "Gamma Inc", 40.0), // row 5: Gamma learns G-7
                kpi_row("G-7", "Acme", 50.0),      // row 6: G-7 is Gamma's now
                kpi_row("N-9", "New Co", 60.0),    // row 7: a new account
                kpi_row("N-9", "Acme", 70.0),      // row 8: N-9 is New Co's (an earlier row)
            ],
        )],
    );
    let r = t.import(&file, ImportKind::Kpi).await;
    assert_eq!((r.rows_read, r.rows_imported, r.rows_rejected), (7, 3, 4));
    assert_eq!(r.status, "completed_with_rejections");
    let places: Vec<(&str, u32, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.sheet.as_str(), x.row, x.column.as_str()))
        .collect();
    assert_eq!(
        places,
        vec![
            ("January", 3, "Account ID"),
            ("January", 4, "Account"),
            ("January", 6, "Account ID"),
            ("January", 8, "Account ID"),
        ]
    );
    assert!(
        r.rejected[0].reason.starts_with("cell A3: Account ID \"A-1\" belongs to the account \"Acme\", but \"Beta Corp\" is another account"),
        "{}",
        r.rejected[0].reason
    );
    assert!(
        r.rejected[1].reason.starts_with(
            "cell B4: the account \"Beta Corp\" already has the Account ID \"B-2\", not \"C-3\""
        ),
        "{}",
        r.rejected[1].reason
    );
    assert!(r.rejected[3]
        .reason
        .contains("belongs to the account \"New Co\""));

    // Nothing moved between accounts.
    assert_eq!(kpi_value(&t, "Acme", "active users").await, vec![10.0]);
    assert_eq!(
        kpi_value(&t, "Beta Corp", "active users").await,
        Vec::<f64>::new()
    );
    assert_eq!(kpi_value(&t, "Gamma Inc", "active users").await, vec![40.0]);
    assert_eq!(kpi_value(&t, "New Co", "active users").await, vec![60.0]);
    assert_eq!(external_id(&t, "Beta Corp").await.as_deref(), Some("B-2"));
    assert_eq!(external_id(&t, "Gamma Inc").await.as_deref(), Some("G-7"));
    assert_eq!(t.count("SELECT COUNT(*) FROM accounts").await, 4);

    // The stored report lists the same rejections.
    let stored = t
        .app
        .get_import(r.import_id.expect("id"))
        .await
        .expect("report");
    assert_eq!(stored.rejected, r.rejected);
}

#[tokio::test]
async fn a_profile_row_naming_an_account_bound_to_another_id_is_rejected() {
    let t = open_at(at(10, 0, 0)).await;
    known_customers(&t).await;
    let file = t.path("profiles.xlsx");
    write_xlsx(
        &file,
        &[(
            "Customers",
            vec![
                vec![S("Account ID"), S("Account"), S("Region")],
                vec![S("B-2"), S("Acme"), S("NA")],
                vec![S("A-1"), S("Acme Corporation"), S("NA")],
            ],
        )],
    );
    let r = t.import(&file, ImportKind::Profile).await;
    assert_eq!((r.rows_imported, r.rows_rejected), (1, 1));
    assert_eq!(
        r.rejected
            .iter()
            .map(|x: &Rejection| (x.row, x.column.as_str()))
            .collect::<Vec<_>>(),
        vec![(2, "Account ID")]
    );
    // The renamed row (A-1 under a new name) is still Acme's; Beta Corp is untouched.
    assert_eq!(r.accounts_updated, vec!["Acme".to_string()]);
    let beta_region: Option<String> =
        sqlx::query_scalar("SELECT profile->>'region' FROM accounts WHERE name = 'Beta Corp'")
            .fetch_one(t.app.pool())
            .await
            .expect("beta");
    assert_eq!(beta_region.as_deref(), Some("APAC"));
}

#[tokio::test]
async fn rows_repeated_in_one_file_are_reported_and_the_last_one_is_used() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("repeats.xlsx");
    let header = || vec![S("Account"), S("KPI"), S("Value"), S("Period")];
    write_xlsx(
        &file,
        &[
            (
                "Jan",
                vec![
                    header(),
                    vec![S("Acme"), S("Active Users"), N(10.0), S("2025-01")],
                    vec![S("ACME "), S("active users"), N(20.0), S("2025-01")],
                    vec![S("Beta"), S("Active Users"), N(5.0), S("2025-01")],
                    vec![S("Acme"), S("Active Users"), N(11.0), S("2025-02")],
                ],
            ),
            (
                "Late corrections",
                vec![
                    header(),
                    vec![S("Acme"), S("Active Users"), N(30.0), S("2025-01")],
                ],
            ),
        ],
    );
    let r = t.import(&file, ImportKind::Kpi).await;
    assert_eq!(
        (
            r.rows_read,
            r.rows_imported,
            r.rows_superseded,
            r.rows_rejected
        ),
        (5, 3, 2, 0)
    );
    let superseded: Vec<_> = r
        .superseded
        .iter()
        .map(|s| {
            (
                s.sheet.as_str(),
                s.row,
                s.used_sheet.as_str(),
                s.used_row,
                s.account.as_str(),
                s.period.as_str(),
            )
        })
        .collect();
    assert_eq!(
        superseded,
        vec![
            ("Jan", 2, "Late corrections", 2, "Acme", "2025-01"),
            ("Jan", 3, "Late corrections", 2, "Acme", "2025-01"),
        ]
    );
    assert_eq!(
        kpi_value(&t, "Acme", "active users").await,
        vec![30.0, 11.0]
    );
    let stored = t
        .app
        .get_import(r.import_id.expect("id"))
        .await
        .expect("report");
    assert_eq!(stored.superseded, r.superseded);

    // A dry run of the same file reports the same repeats.
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: true,
    };
    let dry = t.app.import_file(&req, None).await.expect("dry run");
    assert_eq!((dry.rows_superseded, dry.rows_unchanged), (2, 3));
}

/// Every table's row count and a hash of its rows in order (some tables have no rowid).
async fn content(t: &TestApp) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') ORDER BY name",
    )
    .fetch_all(t.app.pool())
    .await
    .expect("tables");
    let mut out = Vec::new();
    for table in tables {
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(&table)
                .fetch_all(t.app.pool())
                .await
                .expect("columns");
        let row_text = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {row_text} FROM \"{table}\" ORDER BY 1"
        )))
        .fetch_all(t.app.pool())
        .await
        .expect("rows");
        let mut hash = Sha256::new();
        for r in &rows {
            hash.update(r.as_bytes());
            hash.update(b"\n");
        }
        out.push((table, rows.len() as i64, hex::encode(hash.finalize())));
    }
    out
}

fn big_kpi_file(t: &TestApp, name: &str, rows: usize, value: f64) -> std::path::PathBuf {
    let file = t.path(name);
    let mut data = vec![vec![S("Account"), S("KPI"), S("Value"), S("Period")]];
    for i in 0..rows {
        data.push(vec![
            C::T(format!("Account {}", i % 400)),
            C::T(format!("KPI {}", i / 400)),
            N(value + i as f64),
            S("2025-01"),
        ]);
    }
    write_xlsx(&file, &[("KPIs", data)]);
    file
}

#[tokio::test]
async fn a_cancelled_import_leaves_the_database_identical_in_content() {
    let t = open_at(at(10, 0, 0)).await;
    // Some data first, so "unchanged" means more than "still empty".
    let before_file = big_kpi_file(&t, "first.xlsx", 800, 1.0);
    t.import(&before_file, ImportKind::Kpi).await;
    let before = content(&t).await;

    // 12,000 rows: cancelled once the first write batch is in the transaction.
    let file = big_kpi_file(&t, "second.xlsx", 12_000, 1000.0);
    let cancel = Arc::new(AtomicBool::new(false));
    let seen_written = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let progress: ProgressFn = {
        let cancel = Arc::clone(&cancel);
        let seen = Arc::clone(&seen_written);
        Arc::new(move |p| {
            if p.stage == "writing" && p.rows_done > 0 {
                seen.store(p.rows_done, Ordering::SeqCst);
                assert_eq!(p.sheet, "KPIs");
                cancel.store(true, Ordering::SeqCst);
            }
        })
    };
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: false,
    };
    let err = t
        .app
        .import_file_cancellable(&req, Some(progress), Some(Arc::clone(&cancel)))
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), "import_cancelled");
    assert_eq!(
        err.to_string(),
        "second.xlsx: the import was cancelled; nothing was written"
    );
    assert_eq!(
        seen_written.load(Ordering::SeqCst),
        5000,
        "one batch was written before the cancel"
    );
    assert_eq!(content(&t).await, before);

    // Cancelled before it started reading: the same.
    let cancel = Arc::new(AtomicBool::new(true));
    let err = t
        .app
        .import_file_cancellable(&req, None, Some(cancel))
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), "import_cancelled");
    assert_eq!(content(&t).await, before);

    // Nothing is left locked: the same file imports normally afterwards.
    let r = t.import(&file, ImportKind::Kpi).await;
    assert_eq!(r.rows_imported, 12_000);
    assert_ne!(content(&t).await, before);
}
