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
use crate::protocol::{HelloParams, HelloResult, Id, MAX_LINE, Method, PROTOCOL_VERSION, encode_request};
use io::Shared;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
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
            pending: Arc::default(),
            closed: CancellationToken::new(),
            incoming_taken: AtomicBool::new(false),
        });
        tokio::spawn(io::read_loop(read, shared.clone(), incoming_tx));
        tokio::spawn(io::write_loop(write, out_rx, shared.closed.clone()));
        let params = HelloParams { protocol: PROTOCOL_VERSION, client: Some(client_name.to_string()) };
        let hello = match request(&shared, params).await {
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

    /// Sends a request and waits for its result.
    pub async fn request<M: Method>(&self, params: M) -> Result<M::Output, ClientError> {
        request(&self.handle.shared, params).await
    }

    /// Sends a request at once and returns its answer to wait for. Requests
    /// sent this way go out in the order they are made, whatever order their
    /// answers are awaited in (a `request` is sent when its future first runs:
    /// several made together may go out in another order).
    pub fn send<M: Method>(
        &self,
        params: M,
    ) -> Result<impl Future<Output = Result<M::Output, ClientError>> + Send + 'static, ClientError> {
        send(&self.handle.shared, M::NAME, params)
    }

    /// Calls any method by name with raw JSON params (`haul call`, the
    /// scripts' escape hatch); the typed methods are for everything else.
    pub async fn call_raw(&self, method: &str, params: Value) -> Result<Value, ClientError> {
        let result = send_value(&self.handle.shared, method, params)?.await?;
        serde_json::from_str(result.get()).map_err(|source| ClientError::Decode { method: method.to_string(), source })
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

async fn request<M: Method>(shared: &Arc<Shared>, params: M) -> Result<M::Output, ClientError> {
    send(shared, M::NAME, params)?.await
}

/// Queues the call now and returns its answer to wait for.
fn send<P: Serialize, R: DeserializeOwned + Send + 'static>(
    shared: &Arc<Shared>,
    method: &'static str,
    params: P,
) -> Result<impl Future<Output = Result<R, ClientError>> + Send + 'static, ClientError> {
    let params =
        serde_json::to_value(params).map_err(|source| ClientError::Encode { method: method.to_string(), source })?;
    let answer = send_value(shared, method, params)?;
    Ok(async move {
        let result = answer.await?;
        serde_json::from_str(result.get()).map_err(|source| ClientError::Decode { method: method.to_string(), source })
    })
}

fn send_value(
    shared: &Arc<Shared>,
    method: &str,
    params: Value,
) -> Result<impl Future<Output = Result<Box<RawValue>, ClientError>> + Send + 'static, ClientError> {
    if shared.closed.is_cancelled() {
        return Err(ClientError::Closed);
    }
    let mut slot = shared.pending.register();
    let line = encode_request(&Id::Number(slot.id), method, params);
    if line.len() > MAX_LINE {
        return Err(ClientError::TooLarge { method: method.to_string(), bytes: line.len() });
    }
    shared.out.send(line).map_err(|_| ClientError::Closed)?;
    let closed = shared.closed.clone();
    Ok(async move {
        let outcome = tokio::select! {
            biased;
            outcome = &mut slot.answer => outcome.map_err(|_| ClientError::Closed)?,
            _ = closed.cancelled() => return Err(ClientError::Closed),
        };
        drop(slot);
        outcome.map_err(ClientError::from)
    })
}
