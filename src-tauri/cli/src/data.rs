//! `backup`, `restore`, `backups list` and `export …`: the data stays the user's.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use tideline_core::model::{AccountQuery, AccountSort, BackupInfo, Band};
use tideline_core::{Error, Tideline};

use crate::output::Out;

#[derive(Debug, Subcommand)]
pub enum BackupsCmd {
    /// Automatic and safety backups, newest first.
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BandArg {
    Healthy,
    AtRisk,
    Critical,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Name,
    Health,
    Arr,
    Renewal,
    Owner,
    LastSnapshot,
}

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// The Health table to .xlsx (filtered and sorted like the app's table).
    Accounts {
        file: PathBuf,
        #[arg(long, value_enum)]
        band: Option<BandArg>,
        /// Only accounts whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        segment: Option<String>,
        #[arg(long, value_enum)]
        sort: Option<SortArg>,
        #[arg(long)]
        descending: bool,
    },
    /// One account's snapshot timeline, health history and KPI history to .xlsx.
    Account { name: String, file: PathBuf },
    /// A snapshot as an evidence pack: snapshot-ID.html and snapshot-ID.json in DIR.
    Snapshot {
        id: i64,
        dir: PathBuf,
        /// Also show what changed since this earlier snapshot.
        #[arg(long)]
        diff: Option<i64>,
    },
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1u32 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

fn backup_line(b: &BackupInfo) -> String {
    format!(
        "{}  {:<11} {:>10}  schema {}  {}",
        b.created_at,
        b.kind,
        size(b.size_bytes),
        b.schema_version,
        b.path
    )
}

pub async fn backup(app: &Tideline, out: Out, file: &Path) -> Result<(), Error> {
    let info = app.backup_to(file).await?;
    out.print(&info, || {
        format!("Backed up to {} ({}).", info.path, size(info.size_bytes))
    })
}

pub async fn restore(app: &Tideline, out: Out, file: &Path) -> Result<(), Error> {
    let report = app.restore_from(file).await?;
    out.print(&report, || {
        let rows: i64 = report.tables.iter().map(|t| t.rows).sum();
        format!(
            "Restored {} (taken {}, {} rows in {} tables{}).\nThe data as it was before is in {}.",
            report.restored.path,
            report.restored.created_at,
            rows,
            report.tables.len(),
            if report.settings_restored {
                ", settings too"
            } else {
                ""
            },
            report.safety_backup.path
        )
    })
}

pub async fn backups(app: &Tideline, out: Out, cmd: &BackupsCmd) -> Result<(), Error> {
    match cmd {
        BackupsCmd::List => {
            let list = app.list_backups().await?;
            out.print(&list, || {
                if list.is_empty() {
                    format!("No backups in {} yet.", app.backup_dir().display())
                } else {
                    list.iter().map(backup_line).collect::<Vec<_>>().join("\n")
                }
            })
        }
    }
}

pub async fn export(app: &Tideline, out: Out, cmd: &ExportCmd) -> Result<(), Error> {
    match cmd {
        ExportCmd::Accounts {
            file,
            band,
            search,
            owner,
            segment,
            sort,
            descending,
        } => {
            let q = AccountQuery {
                search: search.clone(),
                band: band.map(|b| match b {
                    BandArg::Healthy => Band::Healthy,
                    BandArg::AtRisk => Band::AtRisk,
                    BandArg::Critical => Band::Critical,
                }),
                owner: owner.clone(),
                segment: segment.clone(),
                sort: sort.map(|s| match s {
                    SortArg::Name => AccountSort::Name,
                    SortArg::Health => AccountSort::Health,
                    SortArg::Arr => AccountSort::Arr,
                    SortArg::Renewal => AccountSort::Renewal,
                    SortArg::Owner => AccountSort::Owner,
                    SortArg::LastSnapshot => AccountSort::LastSnapshot,
                }),
                descending: Some(*descending),
                ..Default::default()
            };
            let report = app.export_accounts(&q, file).await?;
            out.print(&report, || {
                format!(
                    "Exported {} accounts to {} ({}).",
                    report.rows,
                    report.path,
                    size(report.size_bytes)
                )
            })
        }
        ExportCmd::Account { name, file } => {
            let id = app.find_account(name).await?.id;
            let report = app.export_account(id, file).await?;
            out.print(&report, || {
                format!(
                    "Exported {} rows of {name}'s history to {} ({}).",
                    report.rows,
                    report.path,
                    size(report.size_bytes)
                )
            })
        }
        ExportCmd::Snapshot { id, dir, diff } => {
            let pack = app.export_snapshot(*id, dir, *diff).await?;
            if !pack.verified {
                return Err(Error::Corrupt(format!(
                    "snapshot {id} does not match its recorded SHA-256; the pack was written to {} but proves nothing",
                    pack.html_path
                )));
            }
            out.print(&pack, || {
                format!(
                    "Wrote {} and {} (SHA-256 {}).",
                    pack.html_path, pack.json_path, pack.content_sha256
                )
            })
        }
    }
}
