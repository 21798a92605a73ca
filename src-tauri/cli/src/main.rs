//! `tideline-cli`: the Tideline core, headless, for automation and checks (PRODUCT.md §6).

mod args;
mod data;
mod output;
mod run;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = args::Cli::parse();
    run::main(cli)
}
