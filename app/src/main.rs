//! The `haul` executable: no arguments opens the window; `haul service` runs
//! the background service; anything else is the command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = haul::Cli::parse_from(haul::with_links_as_add(std::env::args_os()));
    haul::run(args)
}
