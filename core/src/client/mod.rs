//! The async client of the service, used by the GUI, the CLI and the tests:
//! connect (starting the service if needed), call methods, receive callbacks,
//! events and progress. Cloneable: one task may call while another consumes `Incoming`.

mod error;
mod incoming;
mod io;
mod methods;
#[cfg(windows)]
mod pipe;
#[cfg(unix)]
mod socket;
mod start;

pub use error::ClientError;
pub use incoming::{Incoming, Responder};
pub use io::MAX_REPLY_LINE;
#[cfg(windows)]
use pipe as transport;
#[cfg(unix)]
use socket as transport;
pub use start::{START_TIMEOUT, StartService};

use crate::model::Caller;
use crate::protocol::{HelloParams, HelloResult, Id, MAX_LINE, PROTOCOL_VERSION, encode_request, method};
use io::Shared;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// Incoming messages kept for the consumer.
const INCOMING_QUEUE: usize = 1024;

/// A connection to the service; clones share it, and it closes when the last clone is dropped.
#[derive(Clone)]
pub struct Client {
    handle: Arc<Handle>,
}

struct Handle {
    shared: Arc<Shared>,
    incoming: Mutex<Option<mpsc::Receiver<Incoming>>>,
    hello: HelloResult,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.closed.cancel();
    }
}

/// Forgets a call's slot when the call ends or is dropped.
struct Slot {
    shared: Arc<Shared>,
    id: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.waiting().remove(&self.id);
    }
}

impl Client {
    /// Connects to the service at `path` and says hello.
    pub async fn connect(path: impl AsRef<Path>) -> Result<Client, ClientError> {
        Self::connect_as(path, &format!("haul-core/{}", env!("CARGO_PKG_VERSION"))).await
    }

    /// Connects and says hello with this client name (e.g. `haul-cli/0.1`).
    pub async fn connect_as(path: impl AsRef<Path>, client_name: &str) -> Result<Client, ClientError> {
        let path = path.as_ref();
        let (read, write) =
            transport::connect(path).await.map_err(|source| ClientError::Io { path: path.to_path_buf(), source })?;
        let (out, out_rx) = mpsc::unbounded_channel();
        let (incoming_tx, incoming_rx) = mpsc::channel(INCOMING_QUEUE);
        let shared = Arc::new(Shared {
            out,
            waiting: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            closed: CancellationToken::new(),
            incoming_taken: AtomicBool::new(false),
        });
        tokio::spawn(io::read_loop(read, shared.clone(), incoming_tx));
        tokio::spawn(io::write_loop(write, out_rx, shared.closed.clone()));
        let params = HelloParams { protocol: PROTOCOL_VERSION, client: Some(client_name.to_string()) };
        let hello = match call(&shared, method::HELLO, params).await {
            Ok(hello) => hello,
            Err(e) => {
                shared.closed.cancel();
                return Err(e);
            }
        };
        Ok(Client { handle: Arc::new(Handle { shared, incoming: Mutex::new(Some(incoming_rx)), hello }) })
    }

    /// What the service said to `hello`.
    pub fn hello(&self) -> &HelloResult {
        &self.handle.hello
    }

    /// Who the service thinks we are.
    pub fn caller(&self) -> Caller {
        self.handle.hello.caller
    }

    /// Takes the receiver of callbacks, events and progress (once; later calls get `None`).
    /// Take it before registering as a sink: until then, callbacks wait in a bounded queue.
    pub fn take_incoming(&self) -> Option<mpsc::Receiver<Incoming>> {
        let taken = self.handle.incoming.lock().unwrap_or_else(|p| p.into_inner()).take();
        if taken.is_some() {
            self.handle.shared.incoming_taken.store(true, Ordering::Release);
        }
        taken
    }

    /// Calls `method` and decodes its result.
    pub async fn call<P: Serialize, R: DeserializeOwned>(&self, method: &str, params: P) -> Result<R, ClientError> {
        call(&self.handle.shared, method, params).await
    }

    /// Sends a call at once and returns its answer to wait for. Calls sent
    /// this way go out in the order they are made, whatever order their
    /// answers are awaited in (a `call` is sent when its future first runs:
    /// several made together may go out in another order).
    pub fn send<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> Result<impl Future<Output = Result<R, ClientError>> + Send + 'static, ClientError> {
        send(&self.handle.shared, method, params)
    }

    /// Closes the connection for every clone; calls in flight fail with `Closed`.
    pub fn close(&self) {
        self.handle.shared.closed.cancel();
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.handle.shared.closed.is_cancelled()
    }

    /// Waits until the connection closes (the service stopped, or `close`).
    pub async fn closed(&self) {
        self.handle.shared.closed.cancelled().await;
    }
}

async fn call<P: Serialize, R: DeserializeOwned>(
    shared: &Arc<Shared>,
    method: &str,
    params: P,
) -> Result<R, ClientError> {
    send(shared, method, params)?.await
}

/// Queues the call now and returns its answer to wait for.
fn send<P: Serialize, R: DeserializeOwned>(
    shared: &Arc<Shared>,
    method: &str,
    params: P,
) -> Result<impl Future<Output = Result<R, ClientError>> + Send + 'static, ClientError> {
    let params =
        serde_json::to_value(params).map_err(|source| ClientError::Encode { method: method.to_string(), source })?;
    let answer = send_value(shared, method, params)?;
    let method = method.to_string();
    Ok(async move {
        let value = answer.await?;
        serde_json::from_value(value).map_err(|source| ClientError::Decode { method, source })
    })
}

fn send_value(
    shared: &Arc<Shared>,
    method: &str,
    params: Value,
) -> Result<impl Future<Output = Result<Value, ClientError>> + Send + 'static, ClientError> {
    if shared.closed.is_cancelled() {
        return Err(ClientError::Closed);
    }
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let line = encode_request(&Id::Number(id), method, params);
    if line.len() > MAX_LINE {
        return Err(ClientError::TooLarge { method: method.to_string(), bytes: line.len() });
    }
    let (tx, rx) = oneshot::channel();
    shared.waiting().insert(id, tx);
    let slot = Slot { shared: shared.clone(), id };
    shared.out.send(line).map_err(|_| ClientError::Closed)?;
    Ok(async move {
        let outcome = tokio::select! {
            biased;
            outcome = rx => outcome.map_err(|_| ClientError::Closed)?,
            _ = slot.shared.closed.cancelled() => return Err(ClientError::Closed),
        };
        drop(slot);
        outcome.map_err(ClientError::from)
    })
}
