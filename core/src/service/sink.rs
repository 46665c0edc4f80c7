//! A connection as a notification sink: each callback is a JSON-RPC request to
//! the client, and the client's reply (routed here by id) is the answer.

use super::pieces::Outgoing;
use crate::model::{Job, JobError, JobFile};
use crate::notify::{Sink, SinkError, SinkFuture, next_sink_id};
use crate::protocol::{Callback, Id, Pending, RpcError, encode_request};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

type Answer = Result<(), SinkError>;

/// The callbacks of one connection that wait for the client's reply.
struct Calls {
    sink_id: u64,
    out: mpsc::Sender<Outgoing>,
    pending: Arc<Pending<Answer>>,
    closed: CancellationToken,
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
    pub(super) fn new(out: mpsc::Sender<Outgoing>, closed: CancellationToken) -> Self {
        ConnectionSink { calls: Arc::new(Calls { sink_id: next_sink_id(), out, pending: Arc::default(), closed }) }
    }

    /// Hands the client's reply to the callback with that id; false if none waits.
    pub(crate) fn resolve(&self, id: &Id, outcome: Result<Value, RpcError>) -> bool {
        let answer = outcome.map(|_| ()).map_err(|e| SinkError(format!("the client refused the callback: {e}")));
        self.calls.pending.resolve(id, answer)
    }

    /// Fails every callback in flight (the connection closed).
    pub(crate) fn fail_all(&self) {
        self.calls.pending.fail_all();
    }

    fn call(&self, callback: Callback) -> SinkFuture {
        let calls = self.calls.clone();
        let method = callback.method();
        let params = callback.params();
        Box::pin(async move {
            let params = params.map_err(|e| SinkError(format!("cannot encode {method}: {e}")))?;
            if calls.closed.is_cancelled() {
                return Err(gone());
            }
            let mut slot = calls.pending.register();
            let line = encode_request(&Id::Number(slot.id), method, params);
            tokio::select! {
                _ = calls.closed.cancelled() => return Err(gone()),
                sent = calls.out.send(Outgoing::Line(line)) => sent.map_err(|_| gone())?,
            }
            tokio::select! {
                _ = calls.closed.cancelled() => Err(gone()),
                answer = &mut slot.answer => answer.unwrap_or_else(|_| Err(gone())),
            }
        })
    }
}

impl Sink for ConnectionSink {
    fn sink_id(&self) -> u64 {
        self.calls.sink_id
    }

    fn job_transferred(&self, job: Job) -> SinkFuture {
        self.call(Callback::JobTransferred { job })
    }

    fn job_error(&self, job: Job, error: JobError) -> SinkFuture {
        self.call(Callback::JobError { job, error })
    }

    fn job_modification(&self, job: Job) -> SinkFuture {
        self.call(Callback::JobModification { job })
    }

    fn file_transferred(&self, job: Job, file: JobFile) -> SinkFuture {
        self.call(Callback::FileTransferred { job, file })
    }
}
