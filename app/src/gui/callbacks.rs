//! Answering the service's callbacks: accept each one, tell the window, and
//! complete a transferred job (its files appear) unless the user turned
//! auto-complete off. Repeats are harmless: the window shows one toast per event.

use super::context::{Context, refresh};
use super::messages::Update;
use haul_core::client::{Client, ClientError, Responder};
use haul_core::model::JobId;
use haul_core::protocol::{FileCallback, JobCallback, JobErrorCallback};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::atomic::Ordering;

/// Handles one callback.
pub fn handle(method: &str, params: Value, responder: Responder, client: &Client, cx: &Context) {
    match method {
        "job_transferred" => {
            let Some(JobCallback { job }) = read(method, params, responder) else { return };
            if cx.auto_complete.load(Ordering::Relaxed) && !job.auto_complete {
                complete(job.id, client, cx);
            }
            cx.sink.send(Update::Finished(Box::new(job)));
        }
        "job_error" => {
            let Some(JobErrorCallback { job, error }) = read(method, params, responder) else { return };
            cx.sink.send(Update::Failed(Box::new(job), error));
        }
        "file_transferred" => {
            let Some(FileCallback { job, file }) = read(method, params, responder) else { return };
            let job_id = job.id;
            cx.sink.send(Update::Job(Box::new(job)));
            cx.sink.send(Update::FileDone(job_id, Box::new(file)));
        }
        "job_modification" => {
            let Some(JobCallback { job }) = read(method, params, responder) else { return };
            cx.sink.send(Update::Job(Box::new(job)));
        }
        other => responder.fail(format!("the window does not handle the callback {other}")),
    }
}

/// Decodes the params and accepts the callback; refuses it if unreadable.
fn read<T: DeserializeOwned>(method: &str, params: Value, responder: Responder) -> Option<T> {
    match serde_json::from_value(params) {
        Ok(value) => {
            responder.ok();
            Some(value)
        }
        Err(e) => {
            tracing::warn!("unreadable {method} callback: {e}");
            responder.fail(format!("the window cannot read this {method} callback: {e}"));
            None
        }
    }
}

/// Completes a transferred job; someone else completing it first is fine.
fn complete(job_id: JobId, client: &Client, cx: &Context) {
    let (owned, cx2) = (client.clone(), cx.clone());
    tokio::spawn(async move {
        match owned.complete(job_id).await {
            Ok(_) | Err(ClientError::Rpc { code: 3, .. }) => refresh(job_id, &owned, &cx2),
            Err(e) => cx2.sink.send(Update::ActionFailed(format!("Completing the download failed: {e}"))),
        }
    });
}
