//! One client's session: its identity, its handshake, its sink and its
//! subscription; turns each incoming line into a reply.

use super::handlers::{self, Answer};
use super::pieces::{self, List, Outgoing, Stop};
use super::sink::ConnectionSink;
use crate::Manager;
use crate::aria2::Endpoint;
use crate::model::Caller;
use crate::notify::Sink;
use crate::protocol::{Id, Invalid, Message, RpcError, current_uid, encode_error, encode_result, method};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Replies and callbacks waiting for the writer.
const REPLY_QUEUE: usize = 64;
/// Event and progress notifications waiting for the writer.
const NOTICE_QUEUE: usize = 1024;

/// What a session sends, for the connection's writer task.
pub struct Outbox {
    pub(super) replies: mpsc::Receiver<Outgoing>,
    pub(super) notices: mpsc::Receiver<String>,
}

/// A client's session with the service: one per connection.
pub struct Session {
    pub(super) manager: Manager,
    pub(super) caller: Caller,
    pub(super) service_uid: u32,
    pub(super) greeted: bool,
    pub(super) subscribed: bool,
    /// The connection is a window that opens its add dialog when asked.
    pub(super) window: bool,
    pub(super) stop_requested: bool,
    pub(super) sink: ConnectionSink,
    pub(super) replies: mpsc::Sender<Outgoing>,
    pub(super) notices: mpsc::Sender<String>,
    pub(super) closed: CancellationToken,
    /// The aria2 endpoint (`get_rpc_info`, `set_rpc_listen`), when it is set up.
    pub(super) rpc: Option<Arc<Endpoint>>,
    stop: CancellationToken,
}

impl Session {
    /// A session for `caller`; cancelling `stop` ends it, and the `shutdown`
    /// method cancels `stop` once its reply is queued. Must run inside a tokio runtime.
    pub fn new(manager: Manager, caller: Caller, stop: CancellationToken) -> (Session, Outbox) {
        let (replies, reply_rx) = mpsc::channel(REPLY_QUEUE);
        let (notices, notice_rx) = mpsc::channel(NOTICE_QUEUE);
        let closed = stop.child_token();
        let session = Session {
            manager,
            caller,
            service_uid: current_uid(),
            greeted: false,
            subscribed: false,
            window: false,
            stop_requested: false,
            sink: ConnectionSink::new(replies.clone(), closed.clone()),
            replies,
            notices,
            closed,
            rpc: None,
            stop,
        };
        let outbox = Outbox { replies: reply_rx, notices: notice_rx };
        (session, outbox)
    }

    /// Gives the session the service's aria2 endpoint (`get_rpc_info`, `set_rpc_listen`).
    pub fn set_rpc(&mut self, rpc: Option<Arc<Endpoint>>) {
        self.rpc = rpc;
    }

    /// Who the client is.
    pub fn caller(&self) -> Caller {
        self.caller
    }

    /// This connection's sink identity.
    pub fn sink_id(&self) -> u64 {
        self.sink.sink_id()
    }

    /// Whether the client asked the service to stop (and was allowed to).
    pub fn stop_requested(&self) -> bool {
        self.stop_requested
    }

    /// Handles one request: the handshake gate, then the method. Methods that
    /// wait for more than the job manager (`set_rpc_listen`) need [`Session::handle`].
    pub fn handle_request(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        self.greeted_for(method)?;
        handlers::dispatch(self, method, params).and_then(|answer| self.value_of(answer))
    }

    /// Handles one request, any method: as [`Session::handle_request`], and
    /// the methods that wait (`set_rpc_listen`: until the endpoint is bound).
    pub async fn handle(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        let answer = self.answer(method, params).await?;
        self.value_of(answer)
    }

    async fn answer(&mut self, method: &str, params: Value) -> Result<Answer, RpcError> {
        self.greeted_for(method)?;
        match handlers::dispatch_waiting(self, method, params).await {
            Ok(answer) => answer,
            Err(params) => handlers::dispatch(self, method, params),
        }
    }

    /// An answer as one value (for callers in this process; the connection
    /// writes long lists in pieces instead).
    fn value_of(&self, answer: Answer) -> Result<Value, RpcError> {
        let list = match answer {
            Answer::Value(value) => return Ok(value),
            Answer::List(List::Jobs { query, job_ids }) => {
                let mut jobs = Vec::with_capacity(job_ids.len());
                self.manager.visit_jobs(&query, &job_ids, |job| {
                    jobs.push(job);
                    true
                });
                serde_json::to_value(jobs)
            }
            Answer::List(List::Files { job_id }) => {
                serde_json::to_value(self.manager.enum_files(&self.caller, job_id)?)
            }
        };
        list.map_err(|e| RpcError::internal(format!("cannot encode the result: {e}")))
    }

    /// The handshake gate: nothing but `hello` before `hello`.
    fn greeted_for(&self, method: &str) -> Result<(), RpcError> {
        if !self.greeted && method != method::HELLO {
            return Err(RpcError::protocol(format!(
                "'{method}' before 'hello': the first request on a connection must be hello"
            )));
        }
        Ok(())
    }

    /// Handles one line from the client; the reply, if any, is queued for the writer.
    pub(super) async fn on_line(&mut self, line: &[u8]) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.on_message(Message::parse(line)).await;
    }

    /// Handles lines the client sent without waiting for answers, in order;
    /// a run of `add_file` requests among them is saved with one commit.
    pub(super) async fn on_lines(&mut self, lines: Vec<Vec<u8>>) {
        let messages: Vec<Result<Message, Invalid>> = lines
            .iter()
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
            .map(|line| Message::parse(line))
            .collect();
        let mut messages = messages.into_iter().peekable();
        while let Some(message) = messages.next() {
            if !(self.greeted && adds_file(&message) && messages.peek().is_some_and(adds_file)) {
                self.on_message(message).await;
                continue;
            }
            let mut run = vec![message];
            while let Some(next) = messages.next_if(adds_file) {
                run.push(next);
            }
            let (ids, params): (Vec<_>, Vec<_>) = run
                .into_iter()
                .filter_map(|m| match m {
                    Ok(Message::Request(r)) => Some((r.id, r.params)),
                    _ => None,
                })
                .unzip();
            let results = handlers::jobs::add_files(self, params);
            for (id, result) in ids.iter().zip(results) {
                if let Some(id) = id {
                    let line = match result {
                        Ok(value) => encode_result(id, value),
                        Err(error) => encode_error(Some(id), &error),
                    };
                    self.reply(line).await;
                }
            }
        }
    }

    async fn on_message(&mut self, message: Result<Message, Invalid>) {
        match message {
            Err(invalid) => {
                self.reply(encode_error(invalid.id.as_ref(), &invalid.error)).await;
            }
            Ok(Message::Response(response)) => {
                let routed = response.id.as_ref().is_some_and(|id| self.sink.resolve(id, response.outcome));
                if !routed {
                    tracing::debug!("uid {}: a reply to no callback", self.caller.uid);
                }
            }
            Ok(Message::Request(request)) => {
                let answer = self.answer(&request.method, request.params).await;
                if let Some(id) = request.id {
                    self.send_answer(&id, answer).await;
                }
                if self.stop_requested {
                    tracing::info!("uid {} asked the service to stop", self.caller.uid);
                    self.stop.cancel();
                }
            }
        }
    }

    /// Queues the reply to request `id`; a list goes in pieces as it is written.
    async fn send_answer(&self, id: &Id, answer: Result<Answer, RpcError>) {
        let error = match answer {
            Ok(Answer::Value(value)) => return self.reply(encode_result(id, value)).await,
            Ok(Answer::List(list)) => match pieces::send_list(self, id, list).await {
                Ok(()) | Err(Stop::Gone) => return,
                Err(Stop::Refused(error)) => error,
            },
            Err(error) => error,
        };
        self.reply(encode_error(Some(id), &error)).await;
    }

    /// Queues a line for the writer (waits while the client is not reading).
    pub(super) async fn reply(&self, line: String) {
        self.send_out(Outgoing::Line(line)).await;
    }

    /// Queues a line or a line's pieces for the writer (waits while the
    /// client is not reading); false once the connection is closed.
    pub(super) async fn send_out(&self, out: Outgoing) -> bool {
        tokio::select! {
            _ = self.closed.cancelled() => false,
            sent = self.replies.send(out) => sent.is_ok(),
        }
    }

    /// Ends the session: the sink is unregistered and its callbacks fail.
    pub(super) fn close(&self) {
        self.closed.cancel();
        self.manager.drop_sink(self.sink.sink_id());
        self.sink.fail_all();
    }
}

/// Whether `message` is an `add_file` request that wants an answer.
fn adds_file(message: &Result<Message, Invalid>) -> bool {
    matches!(message, Ok(Message::Request(r)) if r.method == method::ADD_FILE && r.id.is_some())
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
