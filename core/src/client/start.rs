//! Connecting, and starting the service first when nobody answers (DESIGN.md §1:
//! "a client that finds no service starts one, detached, and connects").

use super::{Client, ClientError};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::time::Instant;

/// How long a started service gets to answer on its socket.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the socket is tried meanwhile.
const RETRY_STEP: Duration = Duration::from_millis(50);

/// How to start the service: usually the `haul` executable with `service`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StartService {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub envs: Vec<(String, String)>,
}

/// Whether a connect error means "no service there" rather than a real problem.
fn nobody_there(error: &ClientError) -> bool {
    matches!(error, ClientError::Io { source, .. }
        if matches!(source.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused))
}

impl Client {
    /// Connects to `path`; if no service answers, starts one detached (its own
    /// process group, no stdio) and retries for up to [`START_TIMEOUT`].
    pub async fn connect_or_start(path: impl AsRef<Path>, start: &StartService) -> Result<Client, ClientError> {
        let path = path.as_ref();
        match Client::connect(path).await {
            Err(e) if nobody_there(&e) => {}
            connected => return connected,
        }
        let start_error = |reason: String| ClientError::Start { program: start.program.clone(), reason };
        let mut command = tokio::process::Command::new(&start.program);
        command
            .args(&start.args)
            .envs(start.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(false);
        detach(&mut command);
        let mut child = command.spawn().map_err(|e| start_error(e.to_string()))?;
        tracing::info!("started the Haul service ({})", start.program.display());
        let deadline = Instant::now() + START_TIMEOUT;
        let mut failed_exit = None;
        loop {
            match Client::connect(path).await {
                Err(e) if nobody_there(&e) => {}
                connected => return connected,
            }
            if let Some(status) = failed_exit {
                return Err(start_error(format!("it exited ({status}) without serving {}", path.display())));
            }
            if Instant::now() >= deadline {
                return Err(ClientError::NotStarted { path: path.to_path_buf(), timeout: START_TIMEOUT });
            }
            // A failed exit gets one more try at once: it may have lost a race
            // to a service another client started.
            match child.try_wait() {
                Ok(Some(status)) if !status.success() => failed_exit = Some(status),
                _ => tokio::time::sleep(RETRY_STEP).await,
            }
        }
    }
}

/// Detaches the service from this client: its own process group.
#[cfg(unix)]
fn detach(command: &mut tokio::process::Command) {
    command.process_group(0);
}

/// Detaches the service from this client: no console (none flashes up, and
/// closing the client's console does not end it), its own process group.
#[cfg(windows)]
fn detach(command: &mut tokio::process::Command) {
    const DETACHED_PROCESS: u32 = 0x0000_0008;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    command.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
}
