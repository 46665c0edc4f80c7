//! Haul's program: the window, the command line and the background service
//! behind one `run`, which `main.rs` calls with the parsed arguments.
//!
//! - `run`: the top-level run: the window, the service or a command; errors to exit codes
//! - `browser`: the native messaging host's manifests for each browser (`haul browser install`)
//! - `exit`: the exit codes, mapped in one place, and `Failure`
//! - `cli`: the command line: its arguments and one file per verb group
//! - `service_cmd`: `haul service` (run the background service) and `haul service stop`
//! - `gui`: the window (eframe/egui) and its background client
//! - `jobs_add`: `NewDownload`, the one description of a new download, and turning it into a job (shared by `haul add` and the add dialog)
//! - `native_host`: `haul native-host`, the browser extension's native messaging host
//! - `paths`: where Haul keeps things, and logging setup
//! - `units`: sizes and speeds in decimal units, for the window and the command line

pub mod browser;
mod cli;
mod exit;
pub mod gui;
pub mod jobs_add;
mod native_host;
mod paths;
mod run;
mod service_cmd;
pub mod units;

pub use cli::{Cli, with_links_as_add};
pub use run::run;
