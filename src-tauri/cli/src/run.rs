use std::process::ExitCode;

use serde_json::Value;
use tideline_core::{Error, Tideline};

use crate::args::{AccountsCmd, Cli, Command, SettingsCmd};
use crate::output;

pub fn main(cli: Cli) -> ExitCode {
    let data_dir = match tideline_core::resolve_data_dir(cli.data_dir.clone()) {
        Ok(d) => d,
        Err(e) => return fail(&e),
    };
    if let Err(e) = std::fs::create_dir_all(&data_dir) {
        return fail(&Error::DataDir { path: data_dir, reason: e.to_string() });
    }
    let _guard = tideline_core::logging::init(&data_dir);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(&Error::Internal(e.to_string())),
    };
    match runtime.block_on(dispatch(&cli, &data_dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}

async fn dispatch(cli: &Cli, data_dir: &std::path::Path) -> Result<(), Error> {
    // Settings need no database.
    if let Command::Settings(cmd) = &cli.command {
        return settings(cli.json, &tideline_core::SettingsStore::new(data_dir), cmd);
    }
    let app = Tideline::open(data_dir).await?;
    let result = match &cli.command {
        Command::Accounts(AccountsCmd::List) => accounts_list(cli.json, &app).await,
        Command::Settings(_) => unreachable!("handled above"),
    };
    app.close().await;
    result
}

async fn accounts_list(json: bool, app: &Tideline) -> Result<(), Error> {
    let rows = app.all_accounts().await?;
    if json {
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
        return output::json(&docs);
    }
    if rows.is_empty() {
        println!("No accounts yet. Import a workbook (tideline-cli import kpi FILE) or load the sample data (tideline-cli sample load).");
        return Ok(());
    }
    println!("{:>6}  {:<36} {:>14}  {:<20} LAST SNAPSHOT", "ID", "ACCOUNT", "HEALTH", "OWNER");
    for r in rows {
        println!(
            "{:>6}  {:<36} {:>14}  {:<20} {}",
            r.id,
            r.name,
            output::score(r.health_score, r.band),
            r.profile.owner.as_deref().unwrap_or("–"),
            r.last_snapshot_at.as_deref().unwrap_or("never")
        );
    }
    Ok(())
}

fn settings(json: bool, store: &tideline_core::SettingsStore, cmd: &SettingsCmd) -> Result<(), Error> {
    match cmd {
        SettingsCmd::Get { key: None } => {
            let all = store.load()?.to_store();
            if json {
                return output::json(&all);
            }
            for (k, v) in all {
                println!("{k} = {v}");
            }
        }
        SettingsCmd::Get { key: Some(key) } => {
            let all = store.load()?.to_store();
            let value = all.get(key).cloned().or_else(|| store.read_raw().ok().and_then(|m| m.get(key).cloned()));
            let Some(value) = value else {
                return Err(Error::InvalidSetting { key: key.clone(), reason: "no such setting".into() });
            };
            if json {
                return output::json(&serde_json::json!({ "key": key, "value": value }));
            }
            println!("{value}");
        }
        SettingsCmd::Set { key, value } => {
            let stored = store.set(key, value)?;
            if json {
                return output::json(&serde_json::json!({ "key": key, "value": stored }));
            }
            println!("{key} = {stored}");
        }
    }
    Ok(())
}
