//! Answering the service's callbacks: accept each one, tell the window, and
//! complete a transferred job (its files appear) unless the user turned
//! auto-complete off. Repeats are harmless: the window shows one toast per event.

use super::context::{Context, refresh};
use super::messages::Update;
use haul_core::client::{Client, Responder};
use haul_core::model::JobId;
use haul_core::protocol::Callback;
use std::sync::atomic::Ordering;

/// Handles one callback: accepts it, then tells the window.
pub fn handle(callback: Callback, responder: Responder, client: &Client, cx: &Context) {
    responder.ok();
    match callback {
        Callback::JobTransferred { job } => {
            // A job that completes itself is left to the service.
            if cx.auto_complete.load(Ordering::Relaxed) && !job.auto_complete {
                complete(job.id, client, cx);
            }
            cx.sink.send(Update::Finished(Box::new(job)));
        }
        Callback::JobError { job, error } => cx.sink.send(Update::Failed(Box::new(job), error)),
        Callback::FileTransferred { job, file } => {
            let job_id = job.id;
            cx.sink.send(Update::Job(Box::new(job)));
            cx.sink.send(Update::FileDone(job_id, Box::new(file)));
        }
        Callback::JobModification { job } => cx.sink.send(Update::Job(Box::new(job))),
    }
}

/// Completes a transferred job; someone else completing it first is fine.
fn complete(job_id: JobId, client: &Client, cx: &Context) {
    let (owned, cx2) = (client.clone(), cx.clone());
    tokio::spawn(async move {
        match owned.complete_transferred(job_id).await {
            Ok(()) => refresh(job_id, &owned, &cx2),
            Err(e) => cx2.sink.send(Update::ActionFailed(format!("Completing the download failed: {e}"))),
        }
    });
}
