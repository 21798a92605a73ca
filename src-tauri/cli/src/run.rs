//! Dispatching a parsed command to the core and printing its result (text, or one JSON document).

use std::process::ExitCode;

use serde::Serialize;
use serde_json::Value;
use tideline_core::import::{accounts_removed_notice, ImportRequest};
use tideline_core::model::{ImportKind, ProcessReport, SnapshotType};
use tideline_core::{Error, Tideline};

use crate::args::{
    AccountsCmd, Cli, Command, EventsCmd, HealthCmd, ImportCmd, PlaybookCmd, SampleCmd,
    SettingsCmd, SnapshotCmd, SnapshotTypeArg,
};
use crate::output::{self, Out};

pub fn main(cli: Cli) -> ExitCode {
    let data_dir = match tideline_core::resolve_data_dir(cli.data_dir.clone()) {
        Ok(d) => d,
        Err(e) => return fail(&e, cli.json),
    };
    if let Err(e) = tideline_core::ensure_data_dir(&data_dir) {
        return fail(&e, cli.json);
    }
    let _guard = tideline_core::logging::init(&data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&Error::Internal(e.to_string()), cli.json),
    };
    let out = Out { json: cli.json };
    match runtime.block_on(dispatch(&cli, out, &data_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.in_data_dir(&data_dir), cli.json),
    }
}

/// The error on stderr, and with `--json` also as `{"error": {"code", "message"}}` on stdout, so a script reading
/// stdout gets a document either way.
fn fail(e: &Error, json: bool) -> ExitCode {
    eprintln!("error: {e}");
    if json {
        println!("{}", serde_json::json!({ "error": e.to_payload() }));
    }
    ExitCode::FAILURE
}

async fn dispatch(cli: &Cli, out: Out, data_dir: &std::path::Path) -> Result<(), Error> {
    // Settings need no database.
    if let Command::Settings(cmd) = &cli.command {
        return settings(out, &tideline_core::SettingsStore::new(data_dir), cmd);
    }
    let app = Tideline::open(data_dir).await?;
    let result = run(&app, out, &cli.command).await;
    app.close().await;
    result
}

/// An import's report plus, unless deferred, what the subscriber did with its events.
#[derive(Serialize)]
struct WithEvents<T: Serialize> {
    #[serde(flatten)]
    result: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    events_processed: Option<ProcessReport>,
}

/// An undo's report and, when it removed accounts, the sentence saying what went with them.
#[derive(Serialize)]
struct UndoOut<'a> {
    #[serde(flatten)]
    report: &'a tideline_core::model::UndoReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

async fn process_unless(app: &Tideline, defer: bool) -> Result<Option<ProcessReport>, Error> {
    if defer {
        Ok(None)
    } else {
        Ok(Some(app.process_events().await?))
    }
}

async fn run(app: &Tideline, out: Out, command: &Command) -> Result<(), Error> {
    match command {
        Command::Import(ImportCmd::Undo { id, defer_events }) => {
            let report = app.undo_import(*id).await?;
            let events = process_unless(app, *defer_events).await?;
            let notice = accounts_removed_notice(report.accounts_removed);
            out.print(
                &WithEvents {
                    result: &UndoOut {
                        report: &report,
                        notice: notice.clone(),
                    },
                    events_processed: events.clone(),
                },
                || {
                    let mut text = format!(
                        "Undid import {} ({}): {} values restored, {} removed; {} accounts put back, {} removed.",
                        report.import_id,
                        report.file,
                        report.values_restored,
                        report.values_removed,
                        report.accounts_restored,
                        report.accounts_removed
                    );
                    if let Some(n) = &notice {
                        text.push('\n');
                        text.push_str(&capitalised(n));
                        text.push('.');
                    }
                    text
                },
            )
        }
        Command::Import(cmd) => {
            let (file, kind, account, opts) = match cmd {
                ImportCmd::Kpi {
                    file,
                    account,
                    opts,
                } => (file, ImportKind::Kpi, account.as_deref(), opts),
                ImportCmd::Profile { file, opts } => (file, ImportKind::Profile, None, opts),
                ImportCmd::Undo { .. } => return Ok(()),
            };
            let req = ImportRequest {
                path: file,
                kind: Some(kind),
                account,
                dry_run: opts.dry_run,
            };
            let report = app.import_file(&req, None).await?;
            // The import is committed whatever the event step does: its report is printed first, then the
            // event step's error (the events stay pending for `events process`).
            let events = process_unless(app, opts.defer_events || opts.dry_run).await;
            let processed = events.as_ref().ok().cloned().flatten();
            out.print(
                &WithEvents {
                    result: &report,
                    events_processed: processed.clone(),
                },
                || output::import_report(&report, processed.as_ref()),
            )?;
            events.map(|_| ())
        }
        Command::Events(EventsCmd::Process) => {
            let report = app.process_events().await?;
            out.print(&report, || output::process_report(&report))
        }
        Command::Health(HealthCmd::Calculate {
            period,
            account,
            defer_events,
        }) => {
            let account_id = match account {
                Some(name) => Some(app.find_account(name).await?.id),
                None => None,
            };
            let report = app.calculate_health(account_id, period.as_deref()).await?;
            let events = process_unless(app, *defer_events).await?;
            out.print(&WithEvents { result: &report, events_processed: events.clone() }, || {
                let mut text = format!(
                    "Health calculated for {} accounts over {} periods: {} created, {} updated, {} unchanged{}.",
                    report.accounts,
                    report.periods,
                    report.created,
                    report.updated,
                    report.unchanged,
                    if report.removed > 0 {
                        format!(", {} removed (months left without KPI values)", report.removed)
                    } else {
                        String::new()
                    }
                );
                if let Some(e) = &events {
                    text.push('\n');
                    text.push_str(&output::process_report(e));
                }
                text
            })
        }
        Command::Playbook(cmd) => playbook(app, out, cmd).await,
        Command::Snapshot(cmd) => snapshot(app, out, cmd).await,
        Command::Accounts(AccountsCmd::List) => {
            let rows = app.all_accounts().await?;
            let docs: Vec<Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "health_score": r.health_score,
                        "band": r.band,
                        "health_period": r.health_period,
                        "last_snapshot_at": r.last_snapshot_at,
                        "snapshot_count": r.snapshot_count,
                        "profile": r.profile,
                    })
                })
                .collect();
            out.print(&docs, || output::accounts(&rows))
        }
        Command::Ask { account, question } => {
            let id = match account {
                Some(name) => Some(app.find_account(name).await?.id),
                None => None,
            };
            let answer = app.ask(id, question).await?;
            out.print(&output::ask_json(&answer), || output::ask(&answer))
        }
        Command::Sample(SampleCmd::Load) => {
            let reports = app.load_sample().await?;
            let events = app.process_events().await?;
            out.print(
                &serde_json::json!({ "imports": reports, "events_processed": events }),
                || {
                    let mut text: Vec<String> = reports
                        .iter()
                        .map(|r| output::import_report(r, None))
                        .collect();
                    text.push(output::process_report(&events));
                    text.join("\n\n")
                },
            )
        }
        Command::Backup { file } => crate::data::backup(app, out, file).await,
        Command::Restore { file } => crate::data::restore(app, out, file).await,
        Command::Backups(cmd) => crate::data::backups(app, out, cmd).await,
        Command::Export(cmd) => crate::data::export(app, out, cmd).await,
        Command::Settings(_) => Err(Error::Internal(
            "settings are handled without a database".into(),
        )),
    }
}

async fn playbook(app: &Tideline, out: Out, cmd: &PlaybookCmd) -> Result<(), Error> {
    match cmd {
        PlaybookCmd::List => {
            let list = app.playbooks();
            out.print(&list, || {
                list.iter()
                    .map(|p| {
                        format!(
                            "{:<20} {} — {}\n{:<20} fits: {}",
                            p.key, p.name, p.description, "", p.fits
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        PlaybookCmd::Start { account, playbook } => {
            let id = app.find_account(&account.account).await?.id;
            let exec = app.start_playbook(id, playbook).await?;
            out.print(&exec, || output::execution(&exec))
        }
        PlaybookCmd::Step { id, n, note, undo } => {
            let exec = app
                .set_playbook_step(*id, *n, !undo, note.as_deref())
                .await?;
            out.print(&exec, || output::execution(&exec))
        }
        PlaybookCmd::Complete { id } => {
            let exec = app.complete_playbook(*id).await?;
            let events = app.process_events().await?;
            out.print(
                &WithEvents {
                    result: &exec,
                    events_processed: Some(events.clone()),
                },
                || {
                    format!(
                        "{}\n{}",
                        output::execution(&exec),
                        output::process_report(&events)
                    )
                },
            )
        }
        PlaybookCmd::Cancel { id } => {
            let exec = app.cancel_playbook(*id).await?;
            out.print(&exec, || output::execution(&exec))
        }
        PlaybookCmd::Executions { account } => {
            let account_id = match account {
                Some(name) => Some(app.find_account(name).await?.id),
                None => None,
            };
            let list = app.list_executions(account_id).await?;
            out.print(&list, || {
                list.iter()
                    .map(output::execution)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

async fn snapshot(app: &Tideline, out: Out, cmd: &SnapshotCmd) -> Result<(), Error> {
    match cmd {
        SnapshotCmd::Create {
            account,
            snapshot_type,
            trigger,
        } => {
            let id = app.find_account(&account.account).await?.id;
            let t = match snapshot_type {
                SnapshotTypeArg::Manual => SnapshotType::Manual,
                SnapshotTypeArg::EventDriven => SnapshotType::EventDriven,
                SnapshotTypeArg::RagAuto => SnapshotType::RagAuto,
            };
            let snap = app.create_snapshot(id, t, trigger.as_deref()).await?;
            out.print(&snap, || output::snapshot_line(&snap))
        }
        SnapshotCmd::Open { account } => {
            let id = app.find_account(&account.account).await?.id;
            let open = app.open_account(id).await?;
            out.print(&open, || {
                format!(
                    "{} snapshot: {}\n{} changes since this snapshot; next automatic snapshot possible in {} s",
                    if open.created { "Created" } else { "Reused" },
                    output::snapshot_line(&open.snapshot),
                    open.changes_since,
                    open.cooldown_remaining_seconds
                )
            })
        }
        SnapshotCmd::Latest { account } => {
            let id = app.find_account(&account.account).await?.id;
            let snap = app.latest_snapshot(id).await?;
            out.print(&snap, || match &snap {
                Some(s) => output::snapshot_line(s),
                None => format!("{} has no snapshot yet.", account.account),
            })
        }
        SnapshotCmd::List { account, limit } => {
            let id = app.find_account(&account.account).await?.id;
            let items = app.list_snapshots(id, *limit).await?;
            let mut full = Vec::with_capacity(items.len());
            for item in &items {
                full.push(app.get_snapshot(item.id).await?);
            }
            out.print(&full, || {
                full.iter()
                    .map(output::snapshot_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SnapshotCmd::Show { id } => {
            let snap = app.get_snapshot(*id).await?;
            out.print(&snap, || output::snapshot_detail(&snap))
        }
        SnapshotCmd::Diff { from, to } => {
            let diff = app.diff_snapshots(*from, *to).await?;
            out.print(&diff, || output::diff(&diff))
        }
        SnapshotCmd::Verify { id } => {
            let ok = app.verify_snapshot(*id).await?;
            if !ok {
                return Err(Error::Corrupt(format!(
                    "snapshot {id} does not match its recorded SHA-256"
                )));
            }
            out.print(&serde_json::json!({ "id": id, "verified": ok }), || {
                format!("Snapshot {id} verified.")
            })
        }
    }
}

fn settings(
    out: Out,
    store: &tideline_core::SettingsStore,
    cmd: &SettingsCmd,
) -> Result<(), Error> {
    match cmd {
        SettingsCmd::Get { key: None } => {
            let all = store.load()?.to_store();
            out.print(&all, || {
                all.iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        SettingsCmd::Get { key: Some(key) } => {
            let mut all = store.load()?.to_store();
            let value = match all.remove(key) {
                Some(v) => v,
                None => store
                    .read_raw()?
                    .remove(key)
                    .ok_or_else(|| Error::InvalidSetting {
                        key: key.clone(),
                        reason: "no such setting".into(),
                    })?,
            };
            out.print(&serde_json::json!({ "key": key, "value": value }), || {
                value.to_string()
            })
        }
        SettingsCmd::Set { key, value } => {
            let stored = store.set(key, value)?;
            out.print(&serde_json::json!({ "key": key, "value": stored }), || {
                format!("{key} = {stored}")
            })
        }
    }
}
