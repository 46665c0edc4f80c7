//! Why the service could not start or run.

use std::path::PathBuf;

/// A service failure, with the path or resource it concerns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another service answers on the socket.
    #[error("a Haul service is already running on {}", path.display())]
    AlreadyRunning {
        /// The socket.
        path: PathBuf,
    },
    /// Something that is not a socket sits where the socket belongs.
    #[error("{} exists and is not a socket; remove it or choose another path with HAUL_SOCKET", path.display())]
    NotASocket {
        /// The path.
        path: PathBuf,
    },
    /// The socket's folder belongs to another user.
    #[error("the folder {} belongs to uid {owner}, not to this user; refusing to put the socket there", path.display())]
    ForeignFolder {
        /// The folder.
        path: PathBuf,
        /// Its owner.
        owner: u32,
    },
    /// A file-system step failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "create the folder".
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The job manager could not start.
    #[error("cannot start the job manager: {0}")]
    Manager(#[from] crate::manager::OpenError),
    /// SIGTERM / SIGINT handlers could not be installed.
    #[error("cannot listen for SIGTERM and SIGINT: {0}")]
    Signals(std::io::Error),
}

impl Error {
    /// An [`Error::Io`].
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io { action, path: path.to_path_buf(), source }
    }
}
