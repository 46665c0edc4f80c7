//! Taking jobs off the list, in the service: cancel (and tell the window what
//! that deleted), delete the finished files when asked, then forget the job.

use super::context::Context;
use super::messages::Update;
use haul_core::client::{Client, ClientError};
use haul_core::model::JobId;
use haul_core::protocol::code;

/// Cancels a job and hands the window the job as it ended (its toast says what was deleted).
pub async fn cancel(job_id: JobId, client: &Client, cx: &Context) -> Result<(), ClientError> {
    client.cancel(job_id).await?;
    match client.get_job(job_id).await {
        Ok(job) => cx.sink.send(Update::Cancelled(Box::new(job))),
        Err(e) => tracing::debug!("get_job {job_id} after cancelling it: {e}"),
    }
    Ok(())
}

/// Removes each job for good; the window hears which went and which stay.
pub async fn remove(jobs: Vec<JobId>, delete_files: bool, client: &Client, cx: &Context) -> Result<(), String> {
    let (mut gone, mut kept, mut deleted, mut failures) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for job_id in jobs {
        match remove_one(job_id, delete_files, client, cx, &mut deleted).await {
            Ok(()) => gone.push(job_id),
            Err(e) => {
                kept.push(job_id);
                failures.push(e);
            }
        }
    }
    cx.sink.send(Update::Removed { gone, kept, deleted });
    match failures.as_slice() {
        [] => Ok(()),
        [one] => Err(format!("Remove failed: {one}")),
        [first, rest @ ..] => {
            Err(format!("Remove failed for {} downloads: {first} (and {} more)", rest.len() + 1, rest.len()))
        }
    }
}

/// Cancels a live job (or deletes a finished one's files, if asked), then forgets it.
/// A job that is already gone counts as removed.
async fn remove_one(
    job_id: JobId,
    delete_files: bool,
    client: &Client,
    cx: &Context,
    deleted: &mut Vec<String>,
) -> Result<(), String> {
    let job = match client.get_job(job_id).await {
        Ok(job) => job,
        Err(e) if e.code() == Some(code::NOT_FOUND) => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    if !job.state.is_final() {
        match cancel(job_id, client, cx).await {
            // Ended meanwhile (auto-complete): forgotten as it is.
            Err(e) if e.code() != Some(code::INVALID_STATE) => return Err(e.to_string()),
            _ => {}
        }
    } else if delete_files {
        let files = client.enum_files(job_id).await.map_err(|e| e.to_string())?;
        for file in files.iter().filter(|f| f.completed) {
            let name = file
                .local_name
                .file_name()
                .map_or_else(|| file.local_name.display().to_string(), |n| n.to_string_lossy().into_owned());
            match std::fs::remove_file(&file.local_name) {
                Ok(()) => deleted.push(name),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot delete {}: {e}", file.local_name.display())),
            }
        }
    }
    match client.forget_job(job_id).await {
        Err(e) if e.code() != Some(code::NOT_FOUND) => Err(e.to_string()),
        _ => Ok(()),
    }
}
