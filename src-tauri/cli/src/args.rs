use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tideline-cli",
    version,
    about = "Tideline on the command line: account health and snapshots"
)]
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
    /// Import a KPI or customer-profile workbook.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Handle events that are still pending.
    #[command(subcommand)]
    Events(EventsCmd),
    /// Health scores and trends.
    #[command(subcommand)]
    Health(HealthCmd),
    /// The playbook catalog and executions.
    #[command(subcommand)]
    Playbook(PlaybookCmd),
    /// Account snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
    /// Accounts and their health.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Ask a question, answered offline from snapshots with a citation for every fact. Without --account the
    /// question names its accounts or is about the portfolio ("Which accounts are at risk?").
    Ask {
        /// The account the question is about (name or external id), unless the question names another.
        #[arg(long)]
        account: Option<String>,
        question: String,
    },
    /// Read or change settings (the same settings.json the app's Settings screen writes).
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Sample data.
    #[command(subcommand)]
    Sample(SampleCmd),
    /// Back the data and settings up to one file (safe while the app runs).
    Backup { file: PathBuf },
    /// Replace the data and settings with a backup's (the current data is backed up first).
    Restore { file: PathBuf },
    /// Backups in the data folder's backups/ (automatic and safety backups).
    #[command(subcommand)]
    Backups(crate::data::BackupsCmd),
    /// Export to Excel, or a snapshot as an evidence pack.
    #[command(subcommand)]
    Export(crate::data::ExportCmd),
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// A KPI workbook (Account, KPI, Value, and optional Category, Target, Unit, Period, Direction, Weight).
    Kpi {
        file: PathBuf,
        /// The account a file without an Account column belongs to.
        #[arg(long)]
        account: Option<String>,
        #[command(flatten)]
        opts: ImportOpts,
    },
    /// A customer-profile workbook (Account plus profile fields; other columns are kept as custom fields).
    Profile {
        file: PathBuf,
        #[command(flatten)]
        opts: ImportOpts,
    },
    /// Undo a KPI or profile import: restore the values and profiles it replaced, remove what it added (the
    /// accounts it created go with their snapshots, health, KPI values, playbooks and activity).
    Undo {
        /// The import's id.
        id: i64,
        /// Leave the resulting events pending.
        #[arg(long)]
        defer_events: bool,
    },
}

#[derive(Debug, Args)]
pub struct ImportOpts {
    /// Leave the import's events pending (for batching several imports; run `events process` after).
    #[arg(long)]
    pub defer_events: bool,
    /// Report what the import would do without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum EventsCmd {
    /// Handle pending events (the app does this continuously).
    Process,
}

#[derive(Debug, Subcommand)]
pub enum HealthCmd {
    /// Calculate health scores and trends for every account (events handled before exit).
    Calculate {
        /// Only this month (YYYY-MM).
        #[arg(long)]
        period: Option<String>,
        /// Only this account.
        #[arg(long)]
        account: Option<String>,
        /// Leave the resulting events pending.
        #[arg(long)]
        defer_events: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlaybookCmd {
    /// The playbook catalog.
    List,
    /// Start a playbook on an account.
    Start {
        #[command(flatten)]
        account: AccountArg,
        /// The playbook key, e.g. renewal_rescue (see `playbook list`).
        #[arg(long)]
        playbook: String,
    },
    /// Tick step N (1-based) of an execution.
    Step {
        id: i64,
        n: u32,
        #[arg(long)]
        note: Option<String>,
        /// Untick the step instead.
        #[arg(long)]
        undo: bool,
    },
    /// Complete an execution (fires ACCOUNT_DATA_CHANGED; events handled before exit).
    Complete { id: i64 },
    /// Cancel an execution.
    Cancel { id: i64 },
    /// The executions of one account, or of all.
    Executions {
        #[arg(long)]
        account: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SnapshotTypeArg {
    Manual,
    EventDriven,
    RagAuto,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// Take a snapshot now (no cooldown).
    Create {
        #[command(flatten)]
        account: AccountArg,
        #[arg(long = "type", value_enum, default_value = "manual")]
        snapshot_type: SnapshotTypeArg,
        /// The trigger to record (default: manual).
        #[arg(long)]
        trigger: Option<String>,
    },
    /// What a click in the Health tab does: reuse a fresh snapshot or take a manual one.
    Open {
        #[command(flatten)]
        account: AccountArg,
    },
    /// The account's latest snapshot (null when it has none).
    Latest {
        #[command(flatten)]
        account: AccountArg,
    },
    /// The account's snapshots, newest first.
    List {
        #[command(flatten)]
        account: AccountArg,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// One snapshot in full.
    Show { id: i64 },
    /// What differs between two snapshots.
    Diff { from: i64, to: i64 },
    /// Check a snapshot against the SHA-256 recorded when it was taken.
    Verify { id: i64 },
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

#[derive(Debug, Subcommand)]
pub enum SampleCmd {
    /// Write the sample workbooks (36 accounts, 12 months of KPIs) and import them.
    Load,
}

#[derive(Debug, Args)]
pub struct AccountArg {
    /// The account's name (case- and whitespace-insensitive) or external id.
    #[arg(long)]
    pub account: String,
}
