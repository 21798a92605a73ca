//! Import rules of PRODUCT.md §4 on a real database, with workbooks written by rust_xlsxwriter.

mod common;

use common::{at, open_at, profile_file, write_xlsx, C};
use tideline_core::import::ImportRequest;
use tideline_core::model::{Direction, ImportKind};

use C::{E, N, S};

fn kpi_header() -> Vec<C> {
    vec![
        S("Customer"),
        S("Metric"),
        S("Category"),
        S("Actual"),
        S("Target"),
        S("Month"),
    ]
}

#[tokio::test]
async fn typed_and_typed_in_values_are_read_and_bad_rows_rejected_with_their_place() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(
        &file,
        &[
            (
                "Q1",
                vec![
                    vec![S("Quarterly KPI export")],
                    vec![],
                    kpi_header(),
                    vec![
                        S("TechCorp Solutions"),
                        S("Feature Adoption"),
                        S("Product Usage"),
                        S("85%"),
                        N(60.0),
                        S("Jan 2025"),
                    ],
                    vec![
                        S("TechCorp Solutions"),
                        S("Expansion Revenue"),
                        S("Business Outcomes"),
                        S("$1,200"),
                        S("1.5k"),
                        S("2025-01"),
                    ],
                    vec![
                        S("Acme Corp"),
                        S("Active Users"),
                        S("Product Usage"),
                        S("1.2k"),
                        N(1000.0),
                        S("2025-02-15"),
                    ],
                    vec![
                        S("Acme Corp"),
                        S("NPS"),
                        S("Customer Sentiment"),
                        S("abc"),
                        N(40.0),
                        S("2025-01"),
                    ],
                    vec![
                        S("Acme Corp"),
                        E,
                        S("Support"),
                        N(3.0),
                        N(10.0),
                        S("2025-01"),
                    ],
                    vec![
                        S("Acme Corp"),
                        S("CSAT"),
                        S("Customer Sentiment"),
                        N(80.0),
                        N(85.0),
                        S("2025-02-30"),
                    ],
                ],
            ),
            ("Notes", vec![vec![S("Nothing to import here")]]),
        ],
    );
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: false,
    };
    let r = t.app.import_file(&req, None).await.unwrap();
    assert_eq!((r.rows_read, r.rows_imported, r.rows_rejected), (6, 3, 3));
    assert_eq!(r.sheets, vec!["Q1"]);
    assert_eq!(r.skipped_sheets[0].sheet, "Notes");

    let rej = &r.rejected;
    assert_eq!(
        (rej[0].sheet.as_str(), rej[0].row, rej[0].column.as_str()),
        ("Q1", 7, "Actual")
    );
    assert!(
        rej[0].reason.contains("\"abc\" is not a number"),
        "{}",
        rej[0].reason
    );
    assert_eq!((rej[1].row, rej[1].column.as_str()), (8, "Metric"));
    assert!(rej[1].reason.contains("empty"), "{}", rej[1].reason);
    assert_eq!((rej[2].row, rej[2].column.as_str()), (9, "Month"));
    assert!(rej[2].reason.contains("2025-02-30"), "{}", rej[2].reason);

    let techcorp = t.account_id("techcorp solutions").await;
    let snap = t
        .app
        .create_snapshot(techcorp, tideline_core::model::SnapshotType::Manual, None)
        .await
        .unwrap();
    let adoption = snap
        .content
        .kpis
        .iter()
        .find(|k| k.name == "Feature Adoption")
        .unwrap();
    assert_eq!(
        (
            adoption.value,
            adoption.unit.as_deref(),
            adoption.period.as_str()
        ),
        (85.0, Some("%"), "2025-01-01")
    );
    let expansion = snap
        .content
        .kpis
        .iter()
        .find(|k| k.name == "Expansion Revenue")
        .unwrap();
    assert_eq!((expansion.value, expansion.target), (1200.0, Some(1500.0)));
    let acme = t
        .app
        .get_snapshot(
            t.app
                .create_snapshot(
                    t.account_id("Acme Corp").await,
                    tideline_core::model::SnapshotType::Manual,
                    None,
                )
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert_eq!(acme.content.kpis[0].value, 1200.0);
    assert_eq!(
        acme.content.kpis[0].period, "2025-02-01",
        "periods are months"
    );

    // The stored report lists the rejected rows too.
    let stored = t.app.get_import(r.import_id.unwrap()).await.unwrap();
    assert_eq!(stored.rejected, r.rejected);
    assert_eq!(t.app.list_imports(10).await.unwrap()[0].rows_rejected, 3);
}

#[tokio::test]
async fn reimporting_the_same_file_changes_nothing_and_a_changed_value_updates_in_place() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    common::kpi_file(
        &file,
        &[
            (
                "TechCorp Solutions",
                "Active Users",
                420.0,
                500.0,
                "2025-01",
            ),
            ("Acme Corp", "Active Users", 90.0, 100.0, "2025-01"),
        ],
    );
    let first = t.import(&file, ImportKind::Kpi).await;
    assert_eq!((first.rows_new, first.events), (2, 2));
    let again = t.import(&file, ImportKind::Kpi).await;
    assert_eq!(
        (
            again.rows_new,
            again.rows_changed,
            again.rows_unchanged,
            again.events
        ),
        (0, 0, 2, 0)
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM kpi_values").await,
        2,
        "no duplicate rows"
    );

    let changed = t.path("kpis-changed.xlsx");
    common::kpi_file(
        &changed,
        &[
            (
                "  TECHCORP   solutions ",
                "active users",
                450.0,
                500.0,
                "2025-01",
            ),
            ("Acme Corp", "Active Users", 90.0, 100.0, "2025-01"),
        ],
    );
    let third = t.import(&changed, ImportKind::Kpi).await;
    assert_eq!(
        (third.rows_new, third.rows_changed, third.rows_unchanged),
        (0, 1, 1)
    );
    assert_eq!(third.events, 1, "only the account whose data changed");
    assert_eq!(third.accounts_updated, vec!["TechCorp Solutions"]);
    assert_eq!(t.count("SELECT COUNT(*) FROM kpi_values").await, 2);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM accounts").await,
        2,
        "names match across case and spacing"
    );
}

#[tokio::test]
async fn a_dry_run_reports_the_same_counts_and_writes_nothing() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    common::kpi_file(
        &file,
        &[(
            "TechCorp Solutions",
            "Active Users",
            420.0,
            500.0,
            "2025-01",
        )],
    );
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: true,
    };
    let preview = t.app.import_file(&req, None).await.unwrap();
    assert!(preview.dry_run);
    assert_eq!(
        (
            preview.rows_new,
            preview.accounts_new.len(),
            preview.import_id
        ),
        (1, 1, None)
    );
    for table in [
        "SELECT COUNT(*) FROM accounts",
        "SELECT COUNT(*) FROM kpi_values",
        "SELECT COUNT(*) FROM imports",
        "SELECT COUNT(*) FROM events",
    ] {
        assert_eq!(t.count(table).await, 0, "{table}");
    }
    let real = t.import(&file, ImportKind::Kpi).await;
    assert_eq!(
        (real.rows_new, real.accounts_new.clone()),
        (preview.rows_new, preview.accounts_new)
    );
}

#[tokio::test]
async fn a_kpi_file_without_an_account_column_needs_an_account() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("techcorp.xlsx");
    write_xlsx(
        &file,
        &[(
            "Sheet1",
            vec![
                vec![S("KPI"), S("Value"), S("Direction")],
                vec![S("Open Tickets"), N(12.0), S("lower is better")],
                vec![S("Ticket Backlog"), N(4.0), E],
            ],
        )],
    );
    let probe = t.app.probe_file(&file).await.unwrap();
    assert_eq!(
        (probe.kind, probe.needs_account),
        (Some(ImportKind::Kpi), true)
    );
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: false,
    };
    let err = t.app.import_file(&req, None).await.unwrap_err();
    assert_eq!(err.code(), "account_required");
    assert!(err.to_string().starts_with("techcorp.xlsx"));

    let req = ImportRequest {
        account: Some("TechCorp Solutions"),
        ..req
    };
    let r = t.app.import_file(&req, None).await.unwrap();
    assert_eq!(r.rows_imported, 2);
    assert_eq!(r.accounts, vec!["TechCorp Solutions"]);
    assert_eq!(r.rows_new, 2);
    let snap = t
        .app
        .create_snapshot(
            t.account_id("TechCorp Solutions").await,
            tideline_core::model::SnapshotType::Manual,
            None,
        )
        .await
        .unwrap();
    assert!(
        snap.content
            .kpis
            .iter()
            .all(|k| k.direction == Direction::Lower),
        "tickets and backlog: lower is better"
    );
    assert_eq!(
        snap.content.kpis[0].period, "2025-01-01",
        "no period column: the import's month"
    );
}

#[tokio::test]
async fn profile_import_keeps_stored_values_for_blank_cells_and_custom_columns() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("profiles.xlsx");
    write_xlsx(
        &file,
        &[(
            "Customers",
            vec![
                vec![
                    S("Account"),
                    S("Industry"),
                    S("ARR"),
                    S("Renewal Date"),
                    S("CSM"),
                    S("Health Champion"),
                ],
                vec![
                    S("TechCorp Solutions"),
                    S("Software"),
                    S("$120,000"),
                    S("2025-06-30"),
                    S("Dana Whitfield"),
                    S("Lee Park"),
                ],
                vec![
                    S("Acme Corp"),
                    S("Retail"),
                    N(45000.0),
                    E,
                    S("Marcus Lee"),
                    E,
                ],
            ],
        )],
    );
    let first = t.import(&file, ImportKind::Profile).await;
    assert_eq!((first.accounts_new.len(), first.events), (2, 2));

    let update = t.path("profiles-2.xlsx");
    write_xlsx(
        &update,
        &[(
            "Customers",
            vec![
                vec![
                    S("Company"),
                    S("Industry"),
                    S("ARR"),
                    S("Renewal Date"),
                    S("CSM"),
                    S("Health Champion"),
                ],
                vec![S("techcorp solutions"), E, N(130000.0), E, E, E],
                vec![
                    S("Acme Corp"),
                    S("Retail"),
                    N(45000.0),
                    E,
                    S("Marcus Lee"),
                    E,
                ],
            ],
        )],
    );
    let second = t.import(&update, ImportKind::Profile).await;
    assert_eq!(
        (
            second.accounts_updated.clone(),
            second.accounts_unchanged.clone()
        ),
        (
            vec!["TechCorp Solutions".to_string()],
            vec!["Acme Corp".to_string()]
        )
    );
    assert_eq!(
        second.events, 1,
        "only the profile that changed fires ACCOUNT_DATA_CHANGED"
    );
    let rows = t.app.all_accounts().await.unwrap();
    let techcorp = rows
        .iter()
        .find(|r| r.name == "TechCorp Solutions")
        .unwrap();
    assert_eq!(techcorp.profile.arr, Some(130000.0));
    assert_eq!(
        techcorp.profile.industry.as_deref(),
        Some("Software"),
        "blank cell left the value"
    );
    assert_eq!(techcorp.profile.renewal_date.as_deref(), Some("2025-06-30"));
    assert_eq!(techcorp.profile.owner.as_deref(), Some("Dana Whitfield"));
    assert_eq!(
        techcorp
            .profile
            .custom
            .get("Health Champion")
            .map(String::as_str),
        Some("Lee Park")
    );
}

#[tokio::test]
async fn thirty_six_profiles_update_thirty_six_accounts_with_thirty_six_snapshots() {
    let t = open_at(at(10, 30, 0)).await;
    let names: Vec<String> = tideline_core::sample::SAMPLE_ACCOUNTS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let file = t.path("profiles.xlsx");
    tideline_core::sample::write_profile_workbook(&file, &names, at(10, 0, 0).date_naive())
        .unwrap();
    let r = t.import(&file, ImportKind::Profile).await;
    assert_eq!((r.rows_imported, r.accounts.len(), r.events), (36, 36, 36));
    assert_eq!(t.app.process_events().await.unwrap().created.len(), 36);
}

#[tokio::test]
async fn a_file_that_is_not_a_spreadsheet_changes_nothing() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("report.xlsx");
    std::fs::write(&file, b"%PDF-1.7 not really a workbook").unwrap();
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: false,
    };
    let err = t.app.import_file(&req, None).await.unwrap_err();
    assert_eq!(err.code(), "file_not_spreadsheet");
    assert!(err.to_string().contains("report.xlsx"));
    assert_eq!(t.count("SELECT COUNT(*) FROM imports").await, 0);
}

#[tokio::test]
async fn a_workbook_without_a_recognisable_header_is_refused() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("misc.xlsx");
    write_xlsx(
        &file,
        &[(
            "Sheet1",
            vec![vec![S("Colour"), S("Size")], vec![S("red"), N(3.0)]],
        )],
    );
    let probe = t.app.probe_file(&file).await.unwrap();
    assert_eq!(probe.kind, None, "the app asks");
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: None,
        dry_run: false,
    };
    let err = t.app.import_file(&req, None).await.unwrap_err();
    assert_eq!(err.code(), "header_not_found");
    assert!(err.to_string().contains("Sheet1"), "{err}");
    let req = ImportRequest { kind: None, ..req };
    assert_eq!(
        t.app.import_file(&req, None).await.unwrap_err().code(),
        "kind_unknown"
    );
}

#[tokio::test]
async fn the_kind_of_a_dropped_file_is_detected_from_its_headers() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("a.xlsx");
    common::kpi_file(
        &kpis,
        &[("TechCorp Solutions", "NPS", 30.0, 40.0, "2025-01")],
    );
    let profiles = t.path("b.xlsx");
    profile_file(&profiles, &[("TechCorp Solutions", "Dana", 1.0)]);
    assert_eq!(
        t.app.probe_file(&kpis).await.unwrap().kind,
        Some(ImportKind::Kpi)
    );
    let p = t.app.probe_file(&profiles).await.unwrap();
    assert_eq!(
        (p.kind, p.needs_account),
        (Some(ImportKind::Profile), false)
    );
}

#[tokio::test]
async fn sample_data_loads_thirty_six_accounts_with_a_year_of_health() {
    let t = open_at(at(10, 0, 0)).await;
    let reports = t.app.load_sample().await.unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1].rows_imported, 36 * 11 * 12);
    let overview = t.app.overview().await.unwrap();
    assert_eq!((overview.accounts, overview.scored), (36, 36));
    assert!(
        overview.healthy > 0 && overview.at_risk + overview.critical > 0,
        "a mix of bands: {overview:?}"
    );
    let rows = t.app.all_accounts().await.unwrap();
    assert!(
        rows.iter().all(|r| r.trend.len() == 12),
        "twelve months of trend per account"
    );
}

#[tokio::test]
async fn an_account_id_column_identifies_accounts_across_renames() {
    let t = open_at(at(10, 0, 0)).await;
    let first = t.path("by-name.xlsx");
    profile_file(&first, &[("Acme", "Marcus Lee", 1000.0)]);
    t.import(&first, ImportKind::Profile).await;
    // The CRM export adds ids: the account known by name learns its id, and two rows with one new id are one
    // account even when their names differ.
    let with_ids = t.path("with-ids.xlsx");
    write_xlsx(
        &with_ids,
        &[(
            "Customers",
            vec![
                vec![S("Account ID"), S("Account"), S("Region")],
                vec![S("X1"), S("Acme"), S("EMEA")],
                vec![S("X2"), S("Globex"), S("APAC")],
                vec![S("X2"), S("Globex Corporation"), S("APAC")],
            ],
        )],
    );
    let r = t.import(&with_ids, ImportKind::Profile).await;
    assert_eq!(r.accounts_new, vec!["Globex"]);
    assert_eq!(t.count("SELECT COUNT(*) FROM accounts").await, 2);
    // Renamed in the CRM: still the same account, found by its id.
    let renamed = t.path("renamed.xlsx");
    write_xlsx(
        &renamed,
        &[(
            "Customers",
            vec![
                vec![S("Account ID"), S("Account"), S("Region")],
                vec![S("X1"), S("Acme Corporation"), S("LATAM")],
            ],
        )],
    );
    let r = t.import(&renamed, ImportKind::Profile).await;
    assert_eq!(
        (r.accounts_updated.clone(), r.accounts_new.len()),
        (vec!["Acme".to_string()], 0)
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM accounts").await, 2);
}

#[tokio::test]
async fn an_account_chosen_for_the_file_does_not_fill_blank_account_cells() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(
        &file,
        &[(
            "KPIs",
            vec![
                vec![S("Account"), S("KPI"), S("Value")],
                vec![S("Acme Corp"), S("NPS"), N(40.0)],
                vec![E, S("NPS"), N(99.0)],
            ],
        )],
    );
    let req = ImportRequest {
        path: &file,
        kind: Some(ImportKind::Kpi),
        account: Some("TechCorp Solutions"),
        dry_run: false,
    };
    let r = t.app.import_file(&req, None).await.unwrap();
    assert_eq!(
        (r.rows_imported, r.rows_rejected),
        (1, 1),
        "the blank Account cell is rejected, not given to TechCorp"
    );
    assert_eq!(r.rejected[0].column, "Account");
    assert_eq!(r.accounts, vec!["Acme Corp"]);
}

#[tokio::test]
async fn categories_in_another_case_count_as_the_shipped_category() {
    let t = open_at(at(10, 0, 0)).await;
    let file = t.path("kpis.xlsx");
    write_xlsx(
        &file,
        &[(
            "KPIs",
            vec![
                vec![
                    S("Account"),
                    S("KPI"),
                    S("Category"),
                    S("Value"),
                    S("Target"),
                ],
                vec![
                    S("Acme Corp"),
                    S("Logins"),
                    S("PRODUCT  usage"),
                    N(50.0),
                    N(100.0),
                ],
                vec![
                    S("Acme Corp"),
                    S("Seats"),
                    S("Product Usage"),
                    N(100.0),
                    N(100.0),
                ],
            ],
        )],
    );
    t.import(&file, ImportKind::Kpi).await;
    t.app.calculate_health(None, None).await.unwrap();
    let history = t
        .app
        .health_history(t.account_id("Acme Corp").await)
        .await
        .unwrap();
    let cats: Vec<(&str, f64)> = history[0]
        .categories
        .iter()
        .map(|c| (c.category.as_str(), c.weight))
        .collect();
    assert_eq!(
        cats,
        vec![("Product Usage", 0.30)],
        "one category, with its weight from Settings"
    );
    assert_eq!(history[0].score, 75.0);
}
