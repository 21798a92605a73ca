use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "tideline-cli", version, about = "Tideline on the command line: account health and snapshots")]
pub struct Cli {
    /// Folder holding tideline.db, settings.json and logs/ (default: the desktop app's data folder).
    #[arg(long, global = true, env = "TIDELINE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Accounts and their health.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Read or change settings (the same settings.json the app's Settings screen writes).
    #[command(subcommand)]
    Settings(SettingsCmd),
}

#[derive(Debug, Subcommand)]
pub enum AccountsCmd {
    /// Every account with its health score, band and last snapshot.
    List,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Print all settings, or one key.
    Get { key: Option<String> },
    /// Set one key, e.g. `settings set snapshot.cooldown_seconds 300`.
    Set { key: String, value: String },
}

#[allow(dead_code)]
#[derive(Debug, Args)]
pub struct AccountArg {
    /// The account's name (case- and whitespace-insensitive) or external id.
    #[arg(long)]
    pub account: String,
}
