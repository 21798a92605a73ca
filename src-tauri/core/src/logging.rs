//! Logs go to stderr and to a daily-rolling file in `<data dir>/logs/`. The snapshot lines of PRODUCT.md §3 are
//! written at info level by the snapshot module; their words are part of the interface.

use std::path::Path;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

pub use tracing_appender::non_blocking::WorkerGuard;

pub const LOG_DIR: &str = "logs";

/// Installs the global subscriber; keep the guard alive for the life of the process so the file is flushed.
/// `RUST_LOG` overrides the default filter (`info` for Tideline, `warn` for libraries).
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let filter = || {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            EnvFilter::new("warn,tideline=info,tideline_core=info,tideline_cli=info")
        })
    };
    // Colour only on a terminal: a redirected stderr (a file, a pipe, CI) gets plain text.
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .with_filter(filter());
    let _ = std::fs::create_dir_all(data_dir.join(LOG_DIR));
    let (file_layer, guard) = match tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("tideline")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data_dir.join(LOG_DIR))
    {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (
                Some(
                    fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_filter(filter()),
                ),
                Some(guard),
            )
        }
        Err(e) => {
            eprintln!(
                "Tideline: cannot write logs to {}: {e}",
                data_dir.join(LOG_DIR).display()
            );
            (None, None)
        }
    };
    // A second init (tests, embedding) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file_layer)
        .try_init();
    guard
}
