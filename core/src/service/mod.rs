//! The socket server: binds the socket, accepts connections (one task each),
//! answers PROTOCOL.md's methods, and makes each connection a notification sink.

mod connection;
mod error;
mod handlers;
mod pieces;
#[cfg(windows)]
mod pipe;
mod server;
mod session;
mod sink;
#[cfg(unix)]
mod socket;
mod subscription;

pub use crate::protocol::socket_path;
pub use error::Error;
#[cfg(windows)]
use pipe as transport;
pub use server::{MAX_CONNECTIONS, serve, serve_with_rpc};
pub use session::{Outbox, Session};
#[cfg(unix)]
use socket as transport;
pub use subscription::{EVENT_SEND_TIMEOUT, PROGRESS_INTERVAL};
/// The stop signal of [`serve`], re-exported so callers need no tokio-util.
pub use tokio_util::sync::CancellationToken;
pub use transport::{Listener, bind};

use crate::aria2::{self, RpcAccess, RpcOptions};
use crate::{Config, Manager};
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(unix)]
use tokio::signal::unix::{SignalKind, signal};
#[cfg(windows)]
use transport::{socket_identity, watch_signals};

/// Most files of one job transferring at once.
pub const MAX_PARALLEL_FILES: usize = 64;

/// How `haul service` runs.
#[derive(Clone, Debug)]
pub struct ServiceOptions {
    /// Where the job store lives (`haul.db` inside).
    pub data_dir: PathBuf,
    /// The socket to serve on.
    pub socket: PathBuf,
    /// Serve every user of the machine (modes 0755/0666) rather than one.
    pub system: bool,
    /// Background jobs transferring at once.
    pub max_active_jobs: usize,
    /// Files of one job transferring at once (1: one after the other, as BITS).
    pub parallel_files: usize,
    /// The aria2 JSON-RPC endpoint (off when `listen` is `None`; see
    /// [`RpcOptions::listen_given`] for the address `set_rpc_listen` saved).
    pub rpc: RpcOptions,
    /// Where passwords and cookies are kept: the system keyring, or a file
    /// chosen with `--secrets-file` (outside the data folder).
    pub secrets: crate::secrets::SecretsConfig,
}

/// Runs the service until SIGTERM, SIGINT or an allowed `shutdown` request;
/// then stops accepting, checkpoints every job and removes the socket.
pub async fn run(options: ServiceOptions) -> Result<(), Error> {
    std::fs::create_dir_all(&options.data_dir)
        .map_err(|e| Error::io("create the data folder", &options.data_dir, e))?;
    let listener = bind(&options.socket, options.system)?;
    let bound = socket_identity(&options.socket);
    let mut config = Config::new(options.data_dir.join("haul.db"));
    config.max_active_jobs = options.max_active_jobs;
    config.parallel_files = options.parallel_files.clamp(1, MAX_PARALLEL_FILES);
    config.system = options.system;
    config.secrets = options.secrets.clone();
    let stop = CancellationToken::new();
    // Read before the scheduler's first pass, which follows it at once.
    let network = crate::network::start(stop.clone()).await;
    let manager = match Manager::open(config) {
        Ok(manager) => manager,
        Err(e) => {
            remove_socket(&options.socket, bound);
            return Err(e.into());
        }
    };
    manager.follow_network(network);
    let signals = watch_signals(stop.clone());
    tracing::info!("serving on {}", options.socket.display());
    let access = Arc::new(RpcAccess::new(&options.data_dir, options.system, crate::users::service_uid()));
    let endpoint =
        aria2::start(manager.clone(), options.rpc.clone(), access, options.system, stop.clone(), &options.data_dir);
    let result = match signals {
        Ok(watcher) => {
            serve_with_rpc(manager.clone(), listener, stop.clone(), Some(endpoint)).await;
            watcher.abort();
            Ok(())
        }
        Err(e) => Err(Error::Signals(e)),
    };
    manager.shutdown().await;
    remove_socket(&options.socket, bound);
    tracing::info!("stopped");
    result
}

/// Cancels `stop` on SIGTERM or SIGINT.
#[cfg(unix)]
fn watch_signals(stop: CancellationToken) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: stopping"),
            _ = int.recv() => tracing::info!("SIGINT: stopping"),
            _ = stop.cancelled() => return,
        }
        stop.cancel();
    }))
}

/// The socket file's (device, inode), to remove only our own socket at exit.
#[cfg(unix)]
fn socket_identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

fn remove_socket(path: &Path, bound: Option<(u64, u64)>) {
    if bound.is_some()
        && socket_identity(path) == bound
        && let Err(e) = std::fs::remove_file(path)
    {
        tracing::warn!("cannot remove the socket {}: {e}", path.display());
    }
}
