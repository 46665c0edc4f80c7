//! Exit codes, mapped in one place, and the top-level run that reports errors
//! as one sentence on stderr.

use crate::cli::{Cli, Command};
use haul_core::client::ClientError;
use std::process::ExitCode;

/// Success.
pub const OK: u8 = 0;
/// A job ended in error (`add --wait`), or a general failure.
pub const FAILED: u8 = 1;
/// Bad usage (clap uses 2 as well).
pub const USAGE: u8 = 2;
/// The service could not be reached or started.
pub const NO_SERVICE: u8 = 3;
/// The service refused the request (not found, access denied, invalid state, …).
pub const REFUSED: u8 = 4;
/// The job was cancelled while waiting.
pub const CANCELLED: u8 = 5;
/// Ctrl-C while waiting (the job goes on).
pub const INTERRUPTED: u8 = 130;

/// The exit-code table for `haul --help`.
pub const HELP: &str = "Exit codes: 0 success; 1 the job failed or another error; 2 bad usage; \
3 the service could not be reached or started; 4 the service refused the request (no such job, \
access denied, invalid state, bad argument); 5 the job was cancelled while waiting; 130 interrupted by Ctrl-C while waiting (the download goes on).";

/// An error that knows its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        let code = match &err {
            ClientError::Rpc { .. } => REFUSED,
            _ => NO_SERVICE,
        };
        Failure::new(code, err.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast::<ClientError>() {
            Ok(client) => client.into(),
            Err(other) => Failure::new(FAILED, format!("{other:#}")),
        }
    }
}

/// `haul` alone: the window, or — with no display — a sentence and the help.
fn open_window() -> Result<(), Failure> {
    if !crate::gui::has_display() {
        use clap::CommandFactory;
        eprintln!(
            "haul: there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); \
             use one of the commands below."
        );
        let _ = Cli::command().print_help();
        return Err(Failure::new(FAILED, ""));
    }
    let program = crate::paths::service_program()
        .map_err(|e| Failure::new(NO_SERVICE, format!("cannot find the haul executable: {e}")))?;
    let config = crate::gui::GuiConfig {
        service: crate::gui::ServiceAddress {
            socket: haul_core::service::socket_path(false),
            start: Some(haul_core::client::StartService { program, args: vec!["service".into()], envs: Vec::new() }),
        },
        download_dir: crate::paths::download_dir(),
        prefs: None,
        cursor: None,
        notifier: None,
        tray: crate::gui::TraySetup::System,
        autostart: None,
    };
    crate::gui::run(config).map_err(|e| Failure::new(FAILED, format!("cannot open the window: {e}")))
}

/// Runs the parsed command line and turns the outcome into an exit code.
pub fn run(args: Cli) -> ExitCode {
    crate::paths::init_tracing(matches!(args.command, Some(Command::Service(_))));
    let result = match args.command {
        None => open_window(),
        Some(Command::Service(service)) => crate::service_cmd::run(service),
        Some(command) => crate::cli::run(command, args.json),
    };
    match result {
        Ok(()) => ExitCode::from(OK),
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!("haul: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}
