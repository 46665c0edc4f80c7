//! The command line (bitsadmin-style verbs over the service protocol): `args`
//! says what it takes; `run` hands each verb to its file (`add`, `jobs`,
//! `monitor`, `network`), which reach the service through `connect` and print through `output`.

/// `println!` that ends the program quietly when stdout is a closed pipe
/// (`haul list | head -1`) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*)
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }};
}

mod add;
mod args;
mod browser;
mod connect;
mod jobs;
mod limits;
mod monitor;
mod network;
mod output;
mod password;
mod refresh;

use crate::exit::Failure;

pub use args::{Cli, Command, ServiceArgs, with_links_as_add};

/// Runs a client command on a fresh tokio runtime.
pub fn run(command: Command, json: bool) -> Result<(), Failure> {
    // A client command is one conversation with the service: one thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(crate::exit::FAILED, format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match command {
            Command::Add(args) => add::run(args, json).await,
            Command::List(args) => jobs::list(args, json).await,
            Command::Info(arg) => jobs::info(arg, json).await,
            Command::Files(arg) => jobs::files(arg, json).await,
            Command::Resume(arg) => jobs::act(arg, jobs::Verb::Resume).await,
            Command::Suspend(arg) => jobs::act(arg, jobs::Verb::Suspend).await,
            Command::Cancel(arg) => jobs::act(arg, jobs::Verb::Cancel).await,
            Command::Complete(arg) => jobs::act(arg, jobs::Verb::Complete).await,
            Command::Set(args) => jobs::set(args, json).await,
            Command::Monitor => monitor::monitor(json).await,
            Command::Events(args) => monitor::events(args, json).await,
            Command::Call(args) => jobs::call(args).await,
            Command::Limits(args) => limits::limits(args, json).await,
            Command::Rpc(args) => jobs::rpc(args, json).await,
            Command::Network => network::network(json).await,
            Command::Browser(args) => browser::run(args, json),
            Command::NativeHost(_) => Ok(()),
            Command::Service(_) => Ok(()),
        }
    })
}
