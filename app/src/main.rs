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
    let args = cli::Cli::parse_from(with_links_as_add(std::env::args_os()));
    exit::run(args)
}

/// `haul URL…` (how desktops open links with Haul: `Exec=haul %U`) means `haul add URL…`.
fn with_links_as_add(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut args: Vec<_> = args.collect();
    let is_link =
        |a: &std::ffi::OsString| a.to_str().is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"));
    if args.get(1).is_some_and(is_link) {
        args.insert(1, "add".into());
    }
    args
}
