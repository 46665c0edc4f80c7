//! What the service sends on its own: callbacks to answer, events and progress.

use crate::model::{Event, NetworkStatus};
use crate::protocol::{Callback, Id, JobProgressView, RpcError, encode_error, encode_result};
use serde_json::Value;
use tokio::sync::mpsc;

/// A message from the service that is not a reply to one of our calls.
#[derive(Debug)]
pub enum Incoming {
    /// A callback for a job this connection is the sink of; answer it with the responder.
    Callback {
        /// What happened (boxed: a job and a file are large next to the other messages).
        callback: Box<Callback>,
        /// Answers the service; dropping it answers with a failure.
        responder: Responder,
    },
    /// A journal entry (after `subscribe`).
    Event(Event),
    /// Live progress of the caller's running jobs (after `subscribe`).
    Progress(Vec<JobProgressView>),
    /// The network state changed (after `subscribe`).
    Network(NetworkStatus),
    /// A power action started counting down, or stopped (after `subscribe`).
    WhenDone(Option<crate::model::WhenDonePending>),
    /// Open the add dialog with these links (after `receive_add_dialogs`).
    AddDialog(crate::protocol::OpenAddDialog),
}

/// The answer to one callback. A responder dropped without an answer fails
/// the callback, so the service falls back to the job's command line.
#[derive(Debug)]
pub struct Responder {
    id: Id,
    out: mpsc::UnboundedSender<String>,
    answered: bool,
}

impl Responder {
    pub(super) fn new(id: Id, out: mpsc::UnboundedSender<String>) -> Self {
        Responder { id, out, answered: false }
    }

    /// Accepts the callback (`{}`).
    pub fn ok(mut self) {
        let line = encode_result(&self.id, Value::Object(serde_json::Map::new()));
        self.send(line);
    }

    /// Refuses the callback with a sentence saying why.
    pub fn fail(mut self, message: impl Into<String>) {
        let line = encode_error(Some(&self.id), &RpcError::callback_failed(message));
        self.send(line);
    }

    fn send(&mut self, line: String) {
        self.answered = true;
        // Closed: the connection is gone, and the service with it.
        let _ = self.out.send(line);
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if !self.answered {
            let line = encode_error(
                Some(&self.id),
                &RpcError::callback_failed("the client dropped the callback without answering"),
            );
            self.send(line);
        }
    }
}
