//! `haul set JOB --url URL [--file N]`: a fresh link for a file whose link
//! expired (BITS's `SetRemoteName`), and the job resumed if it had stopped.

use crate::exit::{Failure, REFUSED};
use haul_core::client::Client;
use haul_core::model::{JobId, JobState, RemoteUrl};

/// Points file `index` of the job at `url`; resumes the job when it stopped
/// with an error (a suspended job stays suspended). Returns whether it resumed.
pub async fn point_at(client: &Client, job_id: JobId, index: u32, url: &RemoteUrl) -> Result<bool, Failure> {
    let job = client.get_job(job_id).await?;
    if index >= job.progress.files_total {
        return Err(Failure::new(
            REFUSED,
            format!("job {job_id} has {} file(s); --file {index} is not one of them", job.progress.files_total),
        ));
    }
    client.set_remote_name(job_id, index, url.clone()).await?;
    let stopped = matches!(job.state, JobState::Error | JobState::TransientError);
    if stopped {
        client.resume(job_id).await?;
    }
    Ok(stopped)
}

/// What `haul set --url` tells the user.
pub fn words(index: u32, url: &RemoteUrl, resumed: bool) -> String {
    let then = if resumed { "resuming now" } else { "it is used from the next start" };
    format!(
        "File {index} now comes from {url}; {then}. The saved bytes are kept if the new link serves the same \
         file, otherwise the file starts again from zero (haul files says why)."
    )
}
