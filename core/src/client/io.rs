//! The connection's two tasks: the reader routes replies to waiting calls and
//! everything else to `Incoming`; the writer owns the socket's write half.

use super::incoming::{Incoming, Responder};
use super::transport::{ReadHalf, WriteHalf};
use crate::protocol::{Callback, Id, LineRead, Message, Notice, Pending, RpcError, encode_error, read_line};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Replies may be bigger than the 1 MiB the service accepts: `enum_jobs` of a
/// user's 100,000 jobs (the limit) is ~70 MB, an administrator's of every user more.
pub const MAX_REPLY_LINE: usize = 1 << 30;

/// A call's answer: its result as the service wrote it (the caller reads it
/// straight into its type), or the error.
pub(super) type Outcome = Result<Box<RawValue>, RpcError>;

/// State shared by the client handles and the two tasks.
pub(super) struct Shared {
    /// Lines for the writer. Unbounded, so a call is queued the moment it is
    /// made, in the order calls are made (see `Client::send`); every caller
    /// waits for its answers, which bounds it.
    pub(super) out: mpsc::UnboundedSender<String>,
    /// Our calls that wait for the service's reply.
    pub(super) pending: Arc<Pending<Outcome>>,
    pub(super) closed: CancellationToken,
    /// Whether someone took the incoming receiver (else nothing waits for room in it).
    pub(super) incoming_taken: AtomicBool,
}

/// Routes each line from the service until it closes.
pub(super) async fn read_loop(read: ReadHalf, shared: Arc<Shared>, incoming: mpsc::Sender<Incoming>) {
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        let read = tokio::select! {
            _ = shared.closed.cancelled() => break,
            read = read_line(&mut reader, &mut line, MAX_REPLY_LINE) => read,
        };
        match read {
            Ok(LineRead::Line) => route(&shared, &incoming, &line).await,
            Ok(LineRead::TooLong) => {
                tracing::warn!("the service sent a line over {MAX_REPLY_LINE} bytes");
                break;
            }
            Ok(LineRead::Eof) => break,
            Err(e) => {
                tracing::debug!("reading from the service: {e}");
                break;
            }
        }
    }
    shared.closed.cancel();
    shared.pending.fail_all();
}

/// A reply that succeeded, its result left as text: `enum_jobs` of 10,000
/// jobs is 7 MB of JSON, which as a `Value` tree took some 50 MB of the
/// window's memory (and kept it: the allocator holds freed memory) on its
/// way to the jobs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Success<'a> {
    jsonrpc: &'a str,
    id: i64,
    #[serde(borrow)]
    result: &'a RawValue,
}

async fn route(shared: &Shared, incoming: &mpsc::Sender<Incoming>, line: &[u8]) {
    if let Ok(success) = serde_json::from_slice::<Success>(line)
        && success.jsonrpc == "2.0"
    {
        return answer(shared, Some(Id::Number(success.id)), Ok(success.result.to_owned()));
    }
    // Everything else (errors, requests, a result with a string id) as any message.
    let request = match Message::parse(line) {
        Ok(Message::Response(response)) => {
            let outcome = response.outcome.and_then(|value| {
                serde_json::value::to_raw_value(&value).map_err(|e| RpcError::internal(e.to_string()))
            });
            return answer(shared, response.id, outcome);
        }
        Ok(Message::Request(request)) => request,
        Err(invalid) => {
            tracing::warn!("the service sent an invalid message: {}", invalid.error);
            return;
        }
    };
    let item = match request.id {
        Some(id) => match Callback::decode(&request.method, request.params) {
            Ok(callback) => {
                Incoming::Callback { callback: Box::new(callback), responder: Responder::new(id, shared.out.clone()) }
            }
            Err(error) => {
                tracing::warn!("the service sent a callback this client cannot read: {error}");
                // Closed: the connection is gone, and the service with it.
                let _ = shared.out.send(encode_error(Some(&id), &error));
                return;
            }
        },
        None => match Notice::decode(&request.method, request.params) {
            Some(Ok(Notice::Event(event))) => Incoming::Event(event),
            Some(Ok(Notice::Network(status))) => Incoming::Network(status),
            Some(Ok(Notice::WhenDone(pending))) => Incoming::WhenDone(pending),
            Some(Ok(Notice::AddDialog(dialog))) => Incoming::AddDialog(dialog),
            Some(Ok(Notice::Progress(jobs))) => {
                // Progress is a snapshot: when nobody keeps up, dropping one is fine.
                let _ = incoming.try_send(Incoming::Progress(jobs));
                return;
            }
            Some(Err(e)) => return tracing::warn!("the service sent an unreadable {}: {e}", request.method),
            None => return tracing::debug!("ignoring the notification {}", request.method),
        },
    };
    if shared.incoming_taken.load(Ordering::Acquire) {
        tokio::select! {
            _ = shared.closed.cancelled() => {}
            _ = incoming.send(item) => {}
        }
    } else {
        // Kept until someone takes the receiver, as long as there is room.
        let _ = incoming.try_send(item);
    }
}

/// Hands a reply to its call. An error with no id is about the connection itself
/// (too many connections, a line too long): every waiting call gets it.
fn answer(shared: &Shared, id: Option<Id>, outcome: Outcome) {
    match (id, outcome) {
        (None, Err(error)) => {
            tracing::warn!("the service reports: {error}");
            shared.pending.answer_all(Err(error));
        }
        (Some(id), outcome) => {
            if !shared.pending.resolve(&id, outcome) {
                tracing::debug!("a reply to no waiting call (id {id}): the call gave up");
            }
        }
        (None, Ok(_)) => tracing::warn!("the service sent a result without an id"),
    }
}

/// Writes queued lines until the connection closes.
pub(super) async fn write_loop(write: WriteHalf, mut out: mpsc::UnboundedReceiver<String>, closed: CancellationToken) {
    let mut writer = BufWriter::new(write);
    loop {
        let line = tokio::select! {
            _ = closed.cancelled() => break,
            line = out.recv() => match line {
                Some(line) => line,
                None => break,
            },
        };
        let written = async {
            writer.write_all(line.as_bytes()).await?;
            writer.write_all(b"\n").await?;
            if out.is_empty() {
                writer.flush().await?;
            }
            std::io::Result::Ok(())
        };
        let result = tokio::select! {
            _ = closed.cancelled() => break,
            result = written => result,
        };
        if let Err(e) = result {
            tracing::debug!("writing to the service: {e}");
            break;
        }
    }
    closed.cancel();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writer.shutdown()).await;
}
