//! The failures a user can meet, each created for real and met through the real binary: the message names the file
//! or folder, says nothing was changed and what to do; `--json` carries the stable code on stdout.
//!
//! A full disk and a read-only folder are tmpfs mounts inside a private user and mount namespace (`unshare`), so
//! the tests need no root and leave no mount behind; a workbook Tideline may not read is owned by root and read by
//! `nobody` when the tests run as root (root reads every file), or has mode 000 otherwise.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tideline-cli"))
}

fn cli(dir: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("TIDELINE_DATA_DIR")
        .env_remove("RUST_LOG");
    c
}

/// The `{"error": {...}}` document a failed `--json` command printed on stdout.
fn json_error(out: &Output) -> Value {
    assert!(!out.status.success(), "expected a failure");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    doc["error"].clone()
}

fn kpi_workbook(path: &Path, accounts: usize, months: u32) {
    let names: Vec<String> = (0..accounts).map(|i| format!("Account {i:05}")).collect();
    let months: Vec<chrono::NaiveDate> = (1..=months)
        .map(|m| chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap())
        .collect();
    tideline_core::sample::write_kpi_workbook(path, &names, 8, &months).unwrap();
}

/// Runs `script` with `sh -e` as root of a private user + mount namespace; `$CLI` is the binary, `$MNT` an
/// empty folder to mount on, `$OUT` a folder outside the mount for the results, `$BOOK` a workbook.
fn in_namespace(script: &str, book: &Path) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let mnt = work.path().join("mnt");
    let out = work.path().join("out");
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-ec", script])
        .env("CLI", bin())
        .env("MNT", &mnt)
        .env("OUT", &out)
        .env("BOOK", book)
        .env_remove("TIDELINE_DATA_DIR")
        .env_remove("RUST_LOG")
        .status()
        .expect("unshare (util-linux) runs");
    assert!(status.success(), "the namespace script failed: {status}");
    work
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("out").join(name)).unwrap_or_default()
}

#[test]
fn a_full_disk_refuses_the_import_names_the_database_and_keeps_the_data() {
    let books = tempfile::tempdir().unwrap();
    let book = books.path().join("big.xlsx");
    kpi_workbook(&book, 3_000, 4);
    let work = in_namespace(
        r#"
        mount -t tmpfs -o size=12m tmpfs "$MNT"
        D="$MNT/data"
        "$CLI" --data-dir "$D" --json sample load > /dev/null
        "$CLI" --data-dir "$D" --json accounts list > "$OUT/before.json"
        # Fill what is left of the disk.
        dd if=/dev/zero of="$MNT/filler" bs=16k 2>/dev/null || true
        set +e
        "$CLI" --data-dir "$D" --json import kpi "$BOOK" > "$OUT/import.json" 2> "$OUT/import.err"
        echo $? > "$OUT/import.rc"
        set -e
        rm "$MNT/filler"
        "$CLI" --data-dir "$D" --json accounts list > "$OUT/after.json"
        "#,
        &book,
    );
    assert_eq!(read(work.path(), "import.rc").trim(), "1");
    let err: Value = serde_json::from_str(&read(work.path(), "import.json")).unwrap();
    assert_eq!(err["error"]["code"], "disk_full", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("tideline.db: the disk is full"),
        "{message}"
    );
    assert!(message.contains("nothing was changed"), "{message}");
    assert!(message.contains("Free some space"), "{message}");
    assert!(!message.contains("code: 13"), "no driver text: {message}");
    let stderr = read(work.path(), "import.err");
    assert!(
        stderr.contains("error: ") && stderr.contains("the disk is full"),
        "{stderr}"
    );
    // Nothing was half-written: the accounts are exactly those before the import.
    assert_eq!(
        read(work.path(), "before.json"),
        read(work.path(), "after.json")
    );
}

#[test]
fn a_read_only_data_folder_is_said_plainly_and_left_untouched() {
    let books = tempfile::tempdir().unwrap();
    let book = books.path().join("small.xlsx");
    kpi_workbook(&book, 3, 1);
    let work = in_namespace(
        r#"
        mount -t tmpfs -o size=32m tmpfs "$MNT"
        D="$MNT/data"
        "$CLI" --data-dir "$D" --json sample load > /dev/null
        (cd "$D" && sha256sum tideline.db*) > "$OUT/before.sha"
        mount -o remount,ro "$MNT"
        set +e
        "$CLI" --data-dir "$D" --json import kpi "$BOOK" > "$OUT/import.json" 2> "$OUT/import.err"
        echo $? > "$OUT/import.rc"
        set -e
        (cd "$D" && sha256sum tideline.db*) > "$OUT/after.sha"
        "#,
        &book,
    );
    assert_eq!(read(work.path(), "import.rc").trim(), "1");
    let err: Value = serde_json::from_str(&read(work.path(), "import.json")).unwrap();
    assert_eq!(err["error"]["code"], "data_dir_read_only", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("data folder ") && message.contains("/data is read-only"),
        "{message}"
    );
    assert!(message.contains("nothing was changed"), "{message}");
    assert!(message.contains("Make the folder writable"), "{message}");
    assert!(!read(work.path(), "before.sha").is_empty());
    assert_eq!(
        read(work.path(), "before.sha"),
        read(work.path(), "after.sha")
    );
}

#[test]
fn a_data_folder_that_cannot_exist_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    // Its parent is a file, so the folder can never be created (as when a drive is not mounted where it was).
    let blocker = dir.path().join("usb-drive");
    std::fs::write(&blocker, "not a folder").unwrap();
    let data = blocker.join("tideline");
    let out = cli(&data)
        .args(["--json", "accounts", "list"])
        .output()
        .unwrap();
    let err = json_error(&out);
    assert_eq!(err["code"], "data_dir_missing", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("data folder {} is missing", data.display())),
        "{message}"
    );
    assert!(message.contains("nothing was changed"), "{message}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is missing and could not be created"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a folder");
}

#[test]
fn a_workbook_tideline_may_not_read_is_refused_with_its_name() {
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let book = work.path().join("board-kpis.xlsx");
    kpi_workbook(&book, 3, 1);
    std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o000)).unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();

    let as_root = effective_uid() == 0;
    let out = if as_root {
        // Root reads every file: run a copy of the binary as `nobody`, with a data folder nobody owns.
        let copy = work.path().join("tideline-cli");
        std::fs::copy(bin(), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&copy)
            .arg("--data-dir")
            .arg(&data)
            .args(["--json", "import", "kpi"])
            .arg(&book)
            .env_remove("TIDELINE_DATA_DIR")
            .env("HOME", work.path())
            .output()
            .expect("setpriv (util-linux) runs")
    } else {
        cli(&data)
            .args(["--json", "import", "kpi"])
            .arg(&book)
            .output()
            .unwrap()
    };
    let err = json_error(&out);
    assert_eq!(err["code"], "file_permission_denied", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("board-kpis.xlsx: permission denied"),
        "{message}"
    );
    assert!(message.contains("nothing was imported"), "{message}");

    // Nothing was imported: readable again, the data folder has no accounts.
    std::fs::set_permissions(&book, std::fs::Permissions::from_mode(0o644)).unwrap();
    let listed = cli(&data)
        .args(["--json", "accounts", "list"])
        .output()
        .unwrap();
    let accounts: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(accounts.as_array().map(Vec::len), Some(0), "{accounts}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_locked_past_the_timeout_is_busy_and_unchanged() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let book = work.path().join("kpis.xlsx");
    kpi_workbook(&book, 3, 1);
    let load = cli(&data)
        .args(["--json", "sample", "load"])
        .output()
        .unwrap();
    assert!(load.status.success());

    // Another program holds the write lock for longer than Tideline waits.
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(data.join("tideline.db"));
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let mut import = cli(&data);
    import.args(["--json", "import", "kpi"]).arg(&book);
    let out = tokio::task::spawn_blocking(move || import.output().unwrap())
        .await
        .unwrap();
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();

    let err = json_error(&out);
    assert_eq!(err["code"], "database_busy", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("tideline.db is busy"), "{message}");
    assert!(message.contains("more than 10 seconds"), "{message}");
    assert!(message.contains("nothing was changed"), "{message}");
    let imported: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE name LIKE 'Account 0000%'")
            .fetch_one(&mut other)
            .await
            .unwrap();
    assert_eq!(imported, 0);
}

/// The effective user id, read from /proc (no libc call needed).
fn effective_uid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(u32::MAX)
}
