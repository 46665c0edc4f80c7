//! What the background client's tasks share: the way to the window
//! (`UpdateSink`), the window's requests (`Request`), a session's `Context`,
//! and `refresh`, which hands the window a job as it is now.

use super::messages::{Command, Update};
use haul_core::client::Client;
use haul_core::model::JobId;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What a session's tasks share.
#[derive(Clone)]
pub struct Context {
    /// Updates to the window.
    pub sink: UpdateSink,
    /// Whether transferred jobs are completed by the window.
    pub auto_complete: Arc<AtomicBool>,
    /// The service's socket, for connections of their own (previews wait on servers).
    pub socket: std::path::PathBuf,
}

/// Sends updates to the window and wakes it.
#[derive(Clone)]
pub struct UpdateSink {
    tx: std::sync::mpsc::Sender<Update>,
    ctx: eframe::egui::Context,
}

impl UpdateSink {
    /// Updates go to `tx`; each wakes `ctx`.
    pub fn new(tx: std::sync::mpsc::Sender<Update>, ctx: eframe::egui::Context) -> Self {
        UpdateSink { tx, ctx }
    }

    /// Queues an update and asks for a frame: at once for what the user
    /// waits on, within [`STREAM_FRAME`] for the stream of job changes.
    pub fn send(&self, update: Update) {
        let streamed = update.is_streamed();
        if self.tx.send(update).is_ok() {
            if streamed {
                self.ctx.request_repaint_after(STREAM_FRAME);
            } else {
                self.ctx.request_repaint();
            }
        }
    }
}

/// How late a frame may show the stream of job changes (progress, events,
/// refreshed jobs, finished files). A job of 10,000 small files sends about
/// 30,000 of them in a few seconds; a frame for each kept the window drawing
/// without pause and slowed the download it showed by half.
pub const STREAM_FRAME: std::time::Duration = std::time::Duration::from_millis(100);

/// A request to the background thread.
pub(super) enum Request {
    /// A user's command.
    Command(Command),
    /// Unregister, close, and say when done.
    Shutdown(std::sync::mpsc::Sender<()>),
}

/// Fetches a job and hands it to the window.
pub fn refresh(job_id: JobId, client: &Client, cx: &Context) {
    let (client, sink) = (client.clone(), cx.sink.clone());
    tokio::spawn(async move {
        match client.get_job(job_id).await {
            Ok(job) => sink.send(Update::Job(Box::new(job))),
            Err(e) => tracing::debug!("get_job {job_id}: {e}"),
        }
    });
}
