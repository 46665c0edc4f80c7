//! The Windows transport: a connection to the service's named pipe
//! `\\.\pipe\haul-<user name>` (`socket.rs` elsewhere).

use std::path::Path;
use std::time::Duration;
use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeClient};
use tokio::time::Instant;

/// Windows' ERROR_PIPE_BUSY: every instance is taken, the service makes a new one at once.
const ERROR_PIPE_BUSY: i32 = 231;
/// How long a busy pipe is retried.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The read half the reader task owns.
pub(super) type ReadHalf = tokio::io::ReadHalf<NamedPipeClient>;
/// The write half the writer task owns.
pub(super) type WriteHalf = tokio::io::WriteHalf<NamedPipeClient>;

/// Connects to the pipe at `path`. No service: an error of kind `NotFound`.
pub(super) async fn connect(path: &Path) -> std::io::Result<(ReadHalf, WriteHalf)> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match ClientOptions::new().open(path) {
            Ok(client) => return Ok(tokio::io::split(client)),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
