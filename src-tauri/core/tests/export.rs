//! Exports read back with calamine (a different library from the writer) and compared with what the app shows;
//! evidence packs checked for escaping, self-containment and a JSON document that verifies.

mod common;

use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use common::{at, kpi_file, open_at};
use sha2::{Digest, Sha256};
use tideline_core::export::ACCOUNT_COLUMNS;
use tideline_core::model::{AccountQuery, AccountSort, Band, ImportKind, SnapshotType};

fn sheet(path: &std::path::Path, name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open the export");
    wb.worksheet_range(name).expect("sheet")
}

#[tokio::test]
async fn the_health_table_exports_as_the_user_sees_it() {
    let t = open_at(at(10, 0, 0)).await;
    t.app.load_sample().await.unwrap();
    t.app.process_events().await.unwrap();
    let q = AccountQuery {
        band: Some(Band::AtRisk),
        sort: Some(AccountSort::Health),
        descending: Some(true),
        limit: Some(5),
        ..Default::default()
    };
    let all_rows = t
        .app
        .query_accounts(&AccountQuery {
            limit: Some(u32::MAX),
            ..q.clone()
        })
        .await
        .unwrap()
        .rows;
    assert!(
        all_rows.len() > 5,
        "the sample has more at-risk accounts than one page"
    );
    let file = t.path("health.xlsx");
    let report = t.app.export_accounts(&q, &file).await.unwrap();
    assert_eq!(
        report.rows as usize,
        all_rows.len(),
        "every page, not just the first"
    );

    let range = sheet(&file, "Health");
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ACCOUNT_COLUMNS);
    let data: Vec<&[Data]> = range.rows().skip(1).collect();
    assert_eq!(data.len(), all_rows.len());
    for (cells, row) in data.iter().zip(&all_rows) {
        assert_eq!(cells[0].get_string(), Some(row.name.as_str()));
        let score = cells[2].get_float().expect("health is a number cell");
        assert!((score - row.health_score.unwrap()).abs() < 1e-9);
        assert_eq!(cells[3].get_string(), Some("At risk"));
        assert_eq!(cells[7].get_string(), row.profile.owner.as_deref());
        if let Some(arr) = row.profile.arr {
            assert_eq!(cells[11].get_float(), Some(arr));
        }
        if let Some(renewal) = &row.profile.renewal_date {
            assert!(
                cells[14].is_datetime(),
                "renewal is a date cell: {:?}",
                cells[14]
            );
            let d = cells[14].as_datetime().unwrap().date();
            assert_eq!(d.format("%Y-%m-%d").to_string(), renewal[..10]);
        }
        if row.last_snapshot_at.is_some() {
            assert!(cells[15].is_datetime());
        }
        assert_eq!(cells[16].get_float(), Some(row.snapshot_count as f64));
    }
    let scores: Vec<f64> = data.iter().map(|c| c[2].get_float().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "sorted by health, highest first"
    );
}

#[tokio::test]
async fn an_accounts_history_exports_its_snapshots_health_and_kpis() {
    let t = open_at(at(10, 0, 0)).await;
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[
            (
                "TechCorp Solutions",
                "Active Users",
                420.0,
                500.0,
                "2025-01",
            ),
            (
                "TechCorp Solutions",
                "Active Users",
                480.0,
                500.0,
                "2025-02",
            ),
            ("TechCorp Solutions", "NPS", 35.0, 50.0, "2025-02"),
        ],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.app.calculate_health(None, None).await.unwrap();
    t.app.process_events().await.unwrap();
    let id = t.account_id("TechCorp Solutions").await;
    t.set_time(at(11, 0, 0));
    t.app
        .create_snapshot(id, SnapshotType::Manual, None)
        .await
        .unwrap();
    let file = t.path("techcorp.xlsx");
    t.app.export_account(id, &file).await.unwrap();

    let snaps = t.app.list_snapshots(id, 100).await.unwrap();
    let range = sheet(&file, "Snapshots");
    let rows: Vec<&[Data]> = range.rows().skip(1).collect();
    assert_eq!(rows.len(), snaps.len());
    assert_eq!(rows[0][0].get_float(), Some(snaps[0].id as f64));
    assert!(rows[0][1].is_datetime());
    assert_eq!(rows[0][2].get_string(), Some("manual"));

    let range = sheet(&file, "KPI history");
    let rows: Vec<&[Data]> = range.rows().skip(1).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0][0].is_datetime());
    assert_eq!(rows[0][1].get_string(), Some("Active Users"));
    assert_eq!(rows[0][3].get_float(), Some(420.0));
    assert_eq!(rows[0][5].get_float(), Some(500.0));

    let health = t.app.health_history(id).await.unwrap();
    let range = sheet(&file, "Health history");
    let rows: Vec<&[Data]> = range.rows().skip(1).collect();
    assert_eq!(rows.len(), health.len());
    assert_eq!(rows[0][1].get_float(), Some(health[0].score));
}

#[tokio::test]
async fn the_evidence_pack_shows_hostile_text_as_text_and_its_json_verifies() {
    let t = open_at(at(10, 0, 0)).await;
    let name = "<img src=x onerror=alert(1)>";
    let kpis = t.path("kpis.xlsx");
    kpi_file(
        &kpis,
        &[(
            name,
            "<script>alert('kpi')</script>",
            420.0,
            500.0,
            "2025-01",
        )],
    );
    t.import(&kpis, ImportKind::Kpi).await;
    t.app.calculate_health(None, None).await.unwrap();
    let first = t.app.process_events().await.unwrap().created[0];
    let id = t.account_id(name).await;
    t.set_time(at(11, 0, 0));
    let more = t.path("more.xlsx");
    kpi_file(
        &more,
        &[(
            name,
            "<script>alert('kpi')</script>",
            510.0,
            500.0,
            "2025-01",
        )],
    );
    t.import(&more, ImportKind::Kpi).await;
    let snap = t
        .app
        .create_snapshot(id, SnapshotType::Manual, None)
        .await
        .unwrap();

    let dir = t.path("pack");
    let pack = t
        .app
        .export_snapshot(snap.id, &dir, Some(first))
        .await
        .unwrap();
    assert!(pack.verified);
    let html = std::fs::read_to_string(&pack.html_path).unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains("<img"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "no script element");
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "no remote content"
    );
    assert!(!lower.contains("<link") && !lower.contains("<iframe"));
    assert!(html.contains(&format!("Compared with snapshot {first}")));
    assert!(
        html.contains(&snap.content_sha256),
        "the footer carries the SHA-256"
    );

    let json = std::fs::read(&pack.json_path).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&json)), snap.content_sha256);
    assert_eq!(pack.content_sha256, snap.content_sha256);
    assert!(t.app.verify_snapshot(snap.id).await.unwrap());

    let err = t
        .app
        .export_snapshot(999_999, &dir, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "snapshot_not_found");
}
