//! Reaching the service (starting it if needed) and resolving a JOB argument.

use crate::exit::{Failure, REFUSED};
use haul_core::client::{Client, StartService};
use haul_core::model::{Job, JobId};

/// Connects to the user's service, starting `haul service` if none answers.
pub async fn connect() -> Result<Client, Failure> {
    let socket = haul_core::service::socket_path(false);
    let program = crate::paths::service_program()
        .map_err(|e| Failure::new(crate::exit::NO_SERVICE, format!("cannot find the haul executable: {e}")))?;
    let start = StartService { program, args: vec!["service".into()], envs: Vec::new() };
    Ok(Client::connect_or_start(&socket, &start).await?)
}

/// The id of the job named by `text`: an id, a unique id prefix, or a unique display name.
pub async fn resolve_job(client: &Client, text: &str) -> Result<JobId, Failure> {
    if uuid_like(text)
        && let Ok(job_id) = text.parse::<JobId>()
    {
        // A whole id goes to the service as it is, so that its answer (not found,
        // access denied) is the one the user sees.
        return Ok(job_id);
    }
    let jobs = client.enum_jobs(false, true).await?;
    if let Some(job) = jobs.iter().find(|j| j.id.to_string() == text) {
        return Ok(job.id);
    }
    let by_prefix: Vec<&Job> =
        if text.len() >= 4 { jobs.iter().filter(|j| j.id.to_string().starts_with(text)).collect() } else { Vec::new() };
    let by_name: Vec<&Job> = jobs.iter().filter(|j| j.display_name == text).collect();
    // A live job wins over finished ones with the same name.
    let live = |list: &[&Job]| -> Vec<JobId> {
        let live: Vec<JobId> = list.iter().filter(|j| !j.state.is_final()).map(|j| j.id).collect();
        if live.is_empty() { list.iter().map(|j| j.id).collect() } else { live }
    };
    for candidates in [live(&by_prefix), live(&by_name)] {
        match candidates.as_slice() {
            [one] => return Ok(*one),
            [] => continue,
            many => {
                let ids: Vec<String> = many.iter().map(JobId::to_string).collect();
                return Err(Failure::new(
                    REFUSED,
                    format!("'{text}' matches {} jobs ({}); give more of the id", many.len(), ids.join(", ")),
                ));
            }
        }
    }
    Err(Failure::new(REFUSED, format!("no job of yours matches '{text}' (by id, id prefix or name)")))
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}
