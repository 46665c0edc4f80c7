//! Binding the service's socket: a private folder, the socket's mode, and
//! telling a running service from a stale socket left by a dead one.

use super::Error;
use crate::model::Caller;
use crate::protocol::current_uid;
use std::fs::{self, DirBuilder, Permissions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use tokio::net::UnixListener;

/// What the service accepts connections on (a named pipe on Windows: `pipe.rs`).
pub type Listener = UnixListener;
/// One accepted connection.
pub(super) type Stream = tokio::net::UnixStream;
/// A connection's read half.
pub(super) type ReadHalf = tokio::net::unix::OwnedReadHalf;
/// A connection's write half.
pub(super) type WriteHalf = tokio::net::unix::OwnedWriteHalf;

/// Splits a connection into halves the reader and the writer task own.
pub(super) fn split(stream: Stream) -> (ReadHalf, WriteHalf) {
    stream.into_split()
}

/// Who is on the other end: the socket peer's credentials (uid, pid).
pub(super) fn peer(stream: &Stream) -> std::io::Result<Caller> {
    let cred = stream.peer_cred()?;
    Ok(Caller::from_uid(cred.uid(), cred.pid().and_then(|p| u32::try_from(p).ok())))
}

/// The folder and socket modes: private per-user, open for the system service.
fn modes(system: bool) -> (u32, u32) {
    if system { (0o755, 0o666) } else { (0o700, 0o600) }
}

/// Creates the socket's folder if needed and binds the socket at `path`.
/// A socket that nobody answers on is stale and replaced; one that answers means
/// a service is already running. Must be called inside a tokio runtime.
pub fn bind(path: &Path, system: bool) -> Result<UnixListener, Error> {
    let (dir_mode, socket_mode) = modes(system);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        prepare_folder(dir, dir_mode, system)?;
    }
    match fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_socket() => {
            return Err(Error::NotASocket { path: path.to_path_buf() });
        }
        Ok(_) => remove_if_stale(path)?,
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io("inspect", path, e)),
    }
    let listener = match UnixListener::bind(path) {
        Ok(listener) => listener,
        Err(e) if e.kind() == ErrorKind::AddrInUse => {
            // Another service bound it between our check and our bind.
            return Err(Error::AlreadyRunning { path: path.to_path_buf() });
        }
        Err(e) => return Err(Error::io("bind the socket", path, e)),
    };
    fs::set_permissions(path, Permissions::from_mode(socket_mode))
        .map_err(|e| Error::io("set the mode of", path, e))?;
    Ok(listener)
}

fn prepare_folder(dir: &Path, mode: u32, system: bool) -> Result<(), Error> {
    match fs::metadata(dir) {
        Ok(meta) => {
            // A per-user socket must not live in a folder another user controls
            // (e.g. a /tmp/haul-<uid> made by someone else); root's folders are fine.
            let owner = meta.uid();
            if !system && owner != current_uid() && owner != 0 {
                return Err(Error::ForeignFolder { path: dir.to_path_buf(), owner });
            }
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            DirBuilder::new()
                .recursive(true)
                .mode(mode)
                .create(dir)
                .map_err(|e| Error::io("create the folder", dir, e))?;
            // The umask may have narrowed the mode; the system folder must be 0755.
            fs::set_permissions(dir, Permissions::from_mode(mode)).map_err(|e| Error::io("set the mode of", dir, e))
        }
        Err(e) => Err(Error::io("inspect", dir, e)),
    }
}

fn remove_if_stale(path: &Path) -> Result<(), Error> {
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(Error::AlreadyRunning { path: path.to_path_buf() }),
        Err(e) if matches!(e.kind(), ErrorKind::ConnectionRefused | ErrorKind::NotFound) => {
            tracing::info!("removing the stale socket {}", path.display());
            match fs::remove_file(path) {
                Err(e) if e.kind() != ErrorKind::NotFound => Err(Error::io("remove the stale socket", path, e)),
                _ => Ok(()),
            }
        }
        Err(e) => Err(Error::io("connect to", path, e)),
    }
}
