//! A connection as a notification sink: each callback is a JSON-RPC request to
//! the client, and the client's reply (routed here by id) is the answer.

use crate::model::{Job, JobError, JobFile};
use crate::notify::{Sink, SinkError, SinkFuture, next_sink_id};
use crate::protocol::{FileCallback, Id, JobCallback, JobErrorCallback, RpcError, encode_request, method};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

type Answer = Result<(), SinkError>;

/// The callbacks of one connection that wait for the client's reply.
struct Calls {
    sink_id: u64,
    out: mpsc::Sender<String>,
    waiting: Mutex<HashMap<i64, oneshot::Sender<Answer>>>,
    next_id: AtomicI64,
    closed: CancellationToken,
}

impl Calls {
    fn waiting(&self) -> MutexGuard<'_, HashMap<i64, oneshot::Sender<Answer>>> {
        // Only inserts and removes happen under this lock, so a poisoned map is intact.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Forgets a callback's slot when its future ends or is dropped (timed out).
struct Slot {
    calls: Arc<Calls>,
    id: i64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.calls.waiting().remove(&self.id);
    }
}

/// The sink of one connection; cheap to clone.
#[derive(Clone)]
pub(crate) struct ConnectionSink {
    calls: Arc<Calls>,
}

fn gone() -> SinkError {
    SinkError("the client's connection closed".into())
}

impl ConnectionSink {
    /// A sink that writes its callbacks to `out` until `closed`.
    pub(crate) fn new(out: mpsc::Sender<String>, closed: CancellationToken) -> Self {
        ConnectionSink {
            calls: Arc::new(Calls {
                sink_id: next_sink_id(),
                out,
                waiting: Mutex::new(HashMap::new()),
                next_id: AtomicI64::new(1),
                closed,
            }),
        }
    }

    /// Hands the client's reply to the callback with that id; false if none waits.
    pub(crate) fn resolve(&self, id: &Id, outcome: Result<Value, RpcError>) -> bool {
        let Id::Number(number) = id else {
            return false;
        };
        let Some(waiter) = self.calls.waiting().remove(number) else {
            return false;
        };
        let answer = outcome.map(|_| ()).map_err(|e| SinkError(format!("the client refused the callback: {e}")));
        let _ = waiter.send(answer);
        true
    }

    /// Fails every callback in flight (the connection closed).
    pub(crate) fn fail_all(&self) {
        self.calls.waiting().clear();
    }

    fn call(&self, method: &'static str, params: impl Serialize) -> SinkFuture {
        let calls = self.calls.clone();
        let params = serde_json::to_value(params);
        Box::pin(async move {
            let params = params.map_err(|e| SinkError(format!("cannot encode {method}: {e}")))?;
            if calls.closed.is_cancelled() {
                return Err(gone());
            }
            let id = calls.next_id.fetch_add(1, Ordering::Relaxed);
            let (tx, rx) = oneshot::channel();
            calls.waiting().insert(id, tx);
            let _slot = Slot { calls: calls.clone(), id };
            let line = encode_request(&Id::Number(id), method, params);
            tokio::select! {
                _ = calls.closed.cancelled() => return Err(gone()),
                sent = calls.out.send(line) => sent.map_err(|_| gone())?,
            }
            tokio::select! {
                _ = calls.closed.cancelled() => Err(gone()),
                answer = rx => answer.unwrap_or_else(|_| Err(gone())),
            }
        })
    }
}

impl Sink for ConnectionSink {
    fn sink_id(&self) -> u64 {
        self.calls.sink_id
    }

    fn job_transferred(&self, job: Job) -> SinkFuture {
        self.call(method::JOB_TRANSFERRED, JobCallback { job })
    }

    fn job_error(&self, job: Job, error: JobError) -> SinkFuture {
        self.call(method::JOB_ERROR, JobErrorCallback { job, error })
    }

    fn job_modification(&self, job: Job) -> SinkFuture {
        self.call(method::JOB_MODIFICATION, JobCallback { job })
    }

    fn file_transferred(&self, job: Job, file: JobFile) -> SinkFuture {
        self.call(method::FILE_TRANSFERRED, FileCallback { job, file })
    }
}
