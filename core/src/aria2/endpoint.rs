//! The running endpoint and its address: started with the service, moved live
//! by `set_rpc_listen` (stop, bind anew, report), and the chosen address kept
//! in the data folder so the next start uses it.

use super::access::{RpcAccess, RpcStatus};
use super::front::Front;
use super::{RpcOptions, server, watch_mirrors};
use crate::Manager;
use crate::model::RpcListen;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The file in the data folder that keeps the address `set_rpc_listen` chose.
pub const SAVED_LISTEN_FILE: &str = "rpc-listen";

/// Why `set_rpc_listen` changed nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ListenError {
    /// The address breaks a rule (beyond loopback without TLS).
    #[error("{0}")]
    Refused(String),
    /// The choice could not be kept in the data folder.
    #[error("{0}")]
    NotSaved(String),
}

/// The aria2 endpoint of a running service: its access (secrets, status) and
/// the listener task, which `set_listen` replaces.
pub struct Endpoint {
    manager: Manager,
    options: RpcOptions,
    access: Arc<RpcAccess>,
    system: bool,
    service_stop: CancellationToken,
    saved: PathBuf,
    /// The address set now; read without waiting for a move to end.
    current: std::sync::Mutex<Option<RpcListen>>,
    running: Arc<Mutex<Running>>,
}

/// The listener now serving, if any.
#[derive(Default)]
struct Running {
    stop: CancellationToken,
    /// Set before `stop` when the endpoint moves, so the end of serving is
    /// not taken for `aria2.shutdown` (which stops the whole service).
    retired: Arc<AtomicBool>,
    task: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// The endpoint's secrets and status.
    pub fn access(&self) -> &Arc<RpcAccess> {
        &self.access
    }

    /// Whether it serves every user of the machine (`--system`).
    pub fn is_system(&self) -> bool {
        self.system
    }

    /// The address it is set to now (`None` until the first start has run).
    pub fn listen(&self) -> Option<RpcListen> {
        // Only whole values are stored under this lock, so a poisoned one is intact.
        *self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Why `listen` may not be used with this service's options, if it may not:
    /// the rule the service applies at startup (beyond loopback only with TLS,
    /// unless started with `--rpc-insecure`).
    pub fn refusal(&self, listen: RpcListen) -> Option<String> {
        let addr = listen.addr()?;
        let tls = self.options.certificate.is_some() && self.options.private_key.is_some();
        (!addr.ip().is_loopback() && !tls && !self.options.insecure).then(|| {
            format!(
                "{addr} is reachable from other machines: that needs a service started with --rpc-certificate and \
                 --rpc-private-key (TLS), or with --rpc-insecure"
            )
        })
    }

    /// Moves the endpoint to `listen` (or turns it off) and keeps the choice:
    /// stops the one serving, binds anew and returns once it listens or has
    /// failed (the status says which). A refused address changes nothing.
    pub async fn set_listen(&self, listen: RpcListen) -> Result<(), ListenError> {
        if let Some(reason) = self.refusal(listen) {
            return Err(ListenError::Refused(reason));
        }
        let mut running = self.running.lock().await;
        save(&self.saved, listen).map_err(ListenError::NotSaved)?;
        tracing::info!("aria2 RPC endpoint: moving to {listen}");
        self.launch(&mut running, listen).await;
        Ok(())
    }

    /// Stops what serves now, then serves at `listen`.
    async fn launch(&self, running: &mut Running, listen: RpcListen) {
        running.retired.store(true, Ordering::SeqCst);
        running.stop.cancel();
        if let Some(task) = running.task.take() {
            let _ = task.await;
        }
        *running = Running::default();
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(listen);
        let Some(addr) = listen.addr() else {
            self.access.set_status(RpcStatus::Off);
            return;
        };
        self.access.set_status(RpcStatus::Starting);
        let options = RpcOptions { listen: Some(addr), ..self.options.clone() };
        let (listener, tls) = match server::bind(&options).await {
            Ok(bound) => bound,
            Err(reason) => {
                tracing::error!("the aria2 RPC endpoint is not running: {reason}");
                self.access.set_status(RpcStatus::Failed(reason));
                return;
            }
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = match listener.local_addr() {
            Ok(addr) => format!("{scheme}://{addr}/jsonrpc"),
            Err(e) => format!("{scheme}://(unknown address: {e})/jsonrpc"),
        };
        tracing::info!("aria2 RPC endpoint on {url}");
        self.access.set_status(RpcStatus::Listening(url));
        let stop = self.service_stop.child_token();
        let front = Arc::new(Front::new(
            self.manager.clone(),
            self.access.clone(),
            self.options.default_dir.clone(),
            self.system,
            stop.clone(),
        ));
        tokio::spawn(watch_mirrors(front.clone()));
        let retired = running.retired.clone();
        let service_stop = self.service_stop.clone();
        running.stop = stop;
        running.task = Some(tokio::spawn(async move {
            server::serve(front, listener, tls).await;
            // Serving ends on its stop signal: the service stopping, a move
            // (retired), or `aria2.shutdown`, which stops the service too.
            if !retired.load(Ordering::SeqCst) {
                service_stop.cancel();
            }
        }));
    }
}

/// Starts the endpoint in the background at the address `options` asks for,
/// or, unless that was given explicitly, the one saved by `set_rpc_listen` in
/// `data_dir`. A failure to bind (a port in use, TLS files unreadable) is
/// logged and set as the status; the socket keeps working without it.
pub fn start(
    manager: Manager,
    options: RpcOptions,
    access: Arc<RpcAccess>,
    system: bool,
    stop: CancellationToken,
    data_dir: &Path,
) -> Arc<Endpoint> {
    let saved = data_dir.join(SAVED_LISTEN_FILE);
    let given = RpcListen::from(options.listen);
    let listen = if options.listen_given { given } else { load(&saved).unwrap_or(given) };
    let endpoint = Arc::new(Endpoint {
        manager,
        options,
        access,
        system,
        service_stop: stop,
        saved,
        current: std::sync::Mutex::new(None),
        running: Arc::new(Mutex::new(Running::default())),
    });
    // Taken here, before any client can call set_rpc_listen, so the first
    // start comes first.
    match endpoint.running.clone().try_lock_owned() {
        Ok(mut running) => {
            let starting = endpoint.clone();
            tokio::spawn(async move { starting.launch(&mut running, listen).await });
        }
        Err(e) => tracing::error!("the aria2 RPC endpoint cannot start: {e}"),
    }
    endpoint
}

/// The address saved in `path`, if there is a readable one.
fn load(path: &Path) -> Option<RpcListen> {
    let text = std::fs::read_to_string(path).ok()?;
    match RpcListen::parse(&text) {
        Ok(listen) => Some(listen),
        Err(e) => {
            tracing::warn!("ignoring the saved RPC address in {}: {e}", path.display());
            None
        }
    }
}

/// Saves `listen` in `path` (written aside, then renamed into place).
fn save(path: &Path, listen: RpcListen) -> Result<(), String> {
    let temp = path.with_extension("new");
    std::fs::write(&temp, format!("{listen}\n"))
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| format!("cannot save the RPC address in {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_address_is_read_back_and_garbage_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(SAVED_LISTEN_FILE);
        assert_eq!(load(&path), None, "nothing saved");
        let at = RpcListen::parse("127.0.0.1:6811").expect("address");
        save(&path, at).expect("save");
        assert_eq!(load(&path), Some(at));
        save(&path, RpcListen::Off).expect("save");
        assert_eq!(load(&path), Some(RpcListen::Off));
        std::fs::write(&path, "not an address").expect("write");
        assert_eq!(load(&path), None);
        let missing = dir.path().join("gone").join(SAVED_LISTEN_FILE);
        assert!(save(&missing, at).expect_err("no folder").contains("gone"));
    }
}
