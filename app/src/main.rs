//! The `haul` executable: no arguments opens the window; `haul service` runs
//! the background service; anything else is the command line.

mod cli;
mod exit;
mod gui;
mod jobs_add;
mod paths;
mod service_cmd;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    exit::run(args)
}
