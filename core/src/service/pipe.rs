//! The Windows transport: the named pipe `\\.\pipe\haul-<user name>`
//! (PROTOCOL.md "Transport"), in place of `socket.rs`.
//!
//! The pipe is created with the first-instance flag, so a second service (or
//! anyone who created the name first) makes `bind` fail rather than share it;
//! remote clients are rejected; the default security of a named pipe lets only
//! its creator (and administrators and SYSTEM) write to it. So every caller is
//! the pipe's user: [`crate::protocol::current_uid`], never the administrator.

use super::Error;
use crate::model::Caller;
use crate::protocol::current_uid;
use std::io;
use std::path::{Path, PathBuf};
use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
use tokio_util::sync::CancellationToken;

/// Windows' ERROR_ACCESS_DENIED: what creating a first instance of an existing pipe fails with.
const ERROR_ACCESS_DENIED: i32 = 5;
/// Windows' ERROR_PIPE_BUSY.
const ERROR_PIPE_BUSY: i32 = 231;

/// One accepted connection.
pub(super) type Stream = NamedPipeServer;
/// A connection's read half.
pub(super) type ReadHalf = tokio::io::ReadHalf<NamedPipeServer>;
/// A connection's write half.
pub(super) type WriteHalf = tokio::io::WriteHalf<NamedPipeServer>;

/// The pipe's name and the instance that waits for the next client.
pub struct Listener {
    path: PathBuf,
    next: tokio::sync::Mutex<NamedPipeServer>,
}

/// Creates the pipe's first instance. Fails with [`Error::AlreadyRunning`] when
/// the name exists (another service). Must be called inside a tokio runtime.
pub fn bind(path: &Path, system: bool) -> Result<Listener, Error> {
    if system {
        let reason = "`haul service --system` is not available on Windows; each user runs `haul service`";
        return Err(Error::io("serve every user on", path, io::Error::new(io::ErrorKind::Unsupported, reason)));
    }
    let first = ServerOptions::new().first_pipe_instance(true).reject_remote_clients(true).create(path);
    match first {
        Ok(server) => Ok(Listener { path: path.to_path_buf(), next: tokio::sync::Mutex::new(server) }),
        Err(e) if matches!(e.raw_os_error(), Some(ERROR_ACCESS_DENIED | ERROR_PIPE_BUSY)) => {
            Err(Error::AlreadyRunning { path: path.to_path_buf() })
        }
        Err(e) => Err(Error::io("create the pipe", path, e)),
    }
}

impl Listener {
    /// Waits for a client; a fresh instance then waits for the next one.
    /// (Clients that come in between get ERROR_PIPE_BUSY and retry.)
    pub async fn accept(&self) -> io::Result<(Stream, PathBuf)> {
        let mut next = self.next.lock().await;
        let connected = next.connect().await;
        // After a failed connect the instance may be unusable: replace it either way.
        let fresh = ServerOptions::new().reject_remote_clients(true).create(&self.path)?;
        let server = std::mem::replace(&mut *next, fresh);
        connected.map(|()| (server, self.path.clone()))
    }
}

/// Splits a connection into halves the reader and the writer task own.
pub(super) fn split(stream: Stream) -> (ReadHalf, WriteHalf) {
    tokio::io::split(stream)
}

/// Who is on the other end: the pipe's own user (see the module's comment).
/// The client's pid would need `GetNamedPipeClientProcessId` (unsafe FFI): not known.
pub(super) fn peer(_stream: &Stream) -> io::Result<Caller> {
    Ok(Caller::from_uid(current_uid(), None))
}

/// A pipe leaves nothing behind to remove at exit.
pub(super) fn socket_identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Cancels `stop` on Ctrl-C, Ctrl-Break, closing the console, or system shutdown.
/// Each is best effort: a detached service has no console to get them from.
pub(super) fn watch_signals(stop: CancellationToken) -> io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::windows;
    let (mut ctrl_c, mut ctrl_break) = (windows::ctrl_c().ok(), windows::ctrl_break().ok());
    let (mut close, mut shutdown) = (windows::ctrl_close().ok(), windows::ctrl_shutdown().ok());
    Ok(tokio::spawn(async move {
        tokio::select! {
            Some(_) = async { ctrl_c.as_mut()?.recv().await } => tracing::info!("Ctrl-C: stopping"),
            Some(_) = async { ctrl_break.as_mut()?.recv().await } => tracing::info!("Ctrl-Break: stopping"),
            Some(_) = async { close.as_mut()?.recv().await } => tracing::info!("console closed: stopping"),
            Some(_) = async { shutdown.as_mut()?.recv().await } => tracing::info!("system shutdown: stopping"),
            _ = stop.cancelled() => return,
        }
        stop.cancel();
    }))
}
