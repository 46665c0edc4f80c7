//! The top-level run: the window, the service or a command, by the parsed
//! command line; errors are reported as one sentence on stderr and become
//! the exit code.

use crate::cli::{Cli, Command};
use crate::exit::{FAILED, Failure, NO_SERVICE, OK};
use std::process::ExitCode;

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
        clipboard: None,
        browser_folders: None,
    };
    crate::gui::run(config).map_err(|e| Failure::new(FAILED, format!("cannot open the window: {e}")))
}

/// Runs the parsed command line and turns the outcome into an exit code.
pub fn run(args: Cli) -> ExitCode {
    crate::paths::init_tracing(matches!(args.command, Some(Command::Service(_))));
    let result = match args.command {
        None => open_window(),
        Some(Command::Service(service)) => crate::service_cmd::run(service),
        Some(Command::NativeHost(host)) => crate::native_host::run(&host.origin),
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
