//! aria2's JSON-RPC interface, so AriaNg, aria2p and aria2 browser extensions
//! drive Haul unchanged (docs/PROTOCOL-aria2.md):
//!
//! - `access`: the per-user secrets and the endpoint's status
//! - `endpoint`: the running endpoint, moved live to another address (`set_rpc_listen`)
//! - `server`: HTTP POST and WebSocket on `/jsonrpc`, CORS, limits
//! - `tls`: the certificate for an endpoint beyond this machine
//! - `front`: the secret of each call, `system.multicall`, the method table
//! - `read`, `act`: the methods, through the job manager as the caller
//! - `options`: aria2's download options as Haul's job settings
//! - `status`: GIDs, status words and the `tellStatus` struct
//! - `notices`: journal entries as `aria2.onDownload…` notifications

mod access;
mod act;
mod endpoint;
mod front;
mod notices;
mod options;
mod read;
mod server;
mod status;
mod tls;

pub use access::{RpcAccess, RpcStatus};
pub use endpoint::{Endpoint, ListenError, SAVED_LISTEN_FILE, start};
pub use front::{Front, METHODS, NOTIFICATIONS};
pub use read::page;
pub use server::{MAX_BODY, MAX_CONNECTIONS};
pub use status::gid;

use crate::model::Caller;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;

/// aria2's usual RPC address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:6800";

/// How the endpoint is set up (`haul service --rpc-…`).
#[derive(Clone, Debug, Default)]
pub struct RpcOptions {
    /// Where to listen; `None` is off.
    pub listen: Option<SocketAddr>,
    /// `listen` was asked for (`--rpc-listen`, `HAUL_RPC_LISTEN`): it wins over
    /// the address `set_rpc_listen` saved; otherwise the saved one wins over it.
    pub listen_given: bool,
    /// PEM certificate chain, for TLS.
    pub certificate: Option<PathBuf>,
    /// PEM private key, for TLS.
    pub private_key: Option<PathBuf>,
    /// Serve beyond loopback without TLS.
    pub insecure: bool,
    /// Where downloads go without a `dir` option (per-user services).
    pub default_dir: Option<PathBuf>,
}

/// An aria2 error: a code (1 for aria2's own errors, JSON-RPC's for bad
/// messages) and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aria2Error {
    /// The code.
    pub code: i64,
    /// What went wrong.
    pub message: String,
}

impl Aria2Error {
    /// An aria2 error (code 1).
    pub fn new(message: impl Into<String>) -> Self {
        Aria2Error { code: 1, message: message.into() }
    }

    /// An error with a JSON-RPC code.
    pub fn with_code(code: i64, message: impl Into<String>) -> Self {
        Aria2Error { code, message: message.into() }
    }

    /// A wrong or missing secret, worded as aria2 words it.
    pub fn unauthorized() -> Self {
        Aria2Error::new("Unauthorized")
    }

    /// Whether this is a wrong or missing secret.
    pub fn is_unauthorized(&self) -> bool {
        self.code == 1 && self.message == "Unauthorized"
    }

    /// The error object.
    pub fn to_value(&self) -> Value {
        json!({"code": self.code, "message": self.message})
    }

    /// A whole response carrying this error.
    pub fn response(&self, id: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": id, "error": self.to_value()})
    }
}

impl From<crate::Error> for Aria2Error {
    fn from(e: crate::Error) -> Self {
        Aria2Error::new(e.to_string())
    }
}

/// Tries a failed download's next mirror, for downloads added with several URIs.
async fn watch_mirrors(front: std::sync::Arc<Front>) {
    let mut events = front.manager.subscribe();
    loop {
        let event = tokio::select! {
            _ = front.stop.cancelled() => return,
            event = events.recv() => event,
        };
        match event {
            Ok(event) if act::wants_next_mirror(&event) && front.mirrors().contains_key(&event.job_id) => {
                let owner = Caller { uid: event.owner, pid: None, admin: false };
                act::next_mirror(&front, &owner, event.job_id);
            }
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}
