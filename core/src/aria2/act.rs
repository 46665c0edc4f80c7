//! aria2's acting methods: adding a download (one job, completed by itself),
//! pausing, resuming, removing, forgetting results, reordering the queue,
//! changing options and limits, and shutting down.

use super::Aria2Error;
use super::front::{Front, Params};
use super::options::{self, Options};
use super::status::{self, List};
use crate::engine::stream;
use crate::model::{Caller, Event, EventKind, JobId, JobState, RemoteUrl};
use crate::naming;
use crate::protocol::{AddFileParams, CreateJobParams, JobChanges, Limits, Whence};
use serde_json::{Value, json};
use std::collections::{HashSet, VecDeque};

/// `addUri(uris, options, position)`: the URIs are mirrors of one file.
pub(super) fn add_uri(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let Some(Value::Array(uris)) = p.0.first() else {
        return Err(Aria2Error::new("addUri takes an array of URIs"));
    };
    let mut mirrors: VecDeque<RemoteUrl> = VecDeque::new();
    for uri in uris {
        let Some(text) = uri.as_str() else {
            return Err(Aria2Error::new("each URI must be a string"));
        };
        if text.starts_with("magnet:") || text.starts_with("ftp:") || text.starts_with("sftp:") {
            return Err(Aria2Error::new(format!("{text}: only http and https are supported by Haul")));
        }
        mirrors.push_back(RemoteUrl::parse(text).map_err(|e| Aria2Error::new(e.0))?);
    }
    let Some(first) = mirrors.pop_front() else {
        return Err(Aria2Error::new("addUri needs at least one URI"));
    };
    let options = options::parse(&p.map(1)?)?;
    let position = match p.0.get(2) {
        None | Some(Value::Null) => None,
        Some(_) => Some(p.int(2, "position")?),
    };
    let job_id = create(front, caller, &first, &options)?;
    if !mirrors.is_empty() {
        front.mirrors().insert(job_id, mirrors);
    }
    if let Some(position) = position {
        front.manager.move_job(caller, job_id, position.max(0), Whence::Set)?;
    }
    Ok(json!(status::gid(job_id)))
}

/// Makes the job: one file, auto-complete, the options' settings; queued
/// unless `pause`. A job refused half-way is cancelled again.
fn create(front: &Front, caller: &Caller, url: &RemoteUrl, options: &Options) -> Result<JobId, Aria2Error> {
    let dir = match (&options.dir, &front.default_dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) if !front.system => dir.clone(),
        _ => return Err(Aria2Error::new("give the dir option: this service has no default folder for you")),
    };
    let name = match &options.out {
        Some(out) => naming::sanitize(out),
        // An HLS playlist publishes its video, not the playlist: `.ts`
        // (the engine takes a master playlist's highest variant).
        None if stream::is_playlist(url.as_str(), None) => {
            stream::stream_file_name(&naming::from_url(url.url()), stream::Container::Ts)
        }
        None => naming::from_url(url.url()),
    };
    let local_name = naming::unique_path(&dir, &name, &HashSet::new());
    let display_name = local_name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name);
    let new = CreateJobParams { display_name, auto_complete: Some(true), ..Default::default() };
    let job_id = front.manager.create_job(caller, new)?;
    let filled = (|| {
        let file = AddFileParams { job_id, remote_url: url.clone(), local_name, sha256: options.sha256.clone() };
        front.manager.add_file(caller, &file)?;
        if !options.changes.is_empty() {
            front.manager.set_job(caller, job_id, options.changes.clone())?;
        }
        if !options.pause {
            front.manager.resume(caller, job_id)?;
        }
        Ok::<_, crate::Error>(())
    })();
    if let Err(e) = filled {
        if let Err(cancel) = front.manager.cancel(caller, job_id) {
            tracing::warn!("cannot cancel the half-made job {job_id}: {cancel}");
        }
        return Err(e.into());
    }
    Ok(job_id)
}

pub(super) fn pause(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    if status::list_of(job.state) == List::Stopped || job.state == JobState::Suspended {
        return Err(Aria2Error::new(format!("GID#{} cannot be paused now", status::gid(job.id))));
    }
    front.manager.suspend(caller, job.id)?;
    Ok(json!(status::gid(job.id)))
}

pub(super) fn unpause(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    if job.state != JobState::Suspended {
        return Err(Aria2Error::new(format!("GID#{} cannot be unpaused now", status::gid(job.id))));
    }
    front.manager.resume(caller, job.id)?;
    Ok(json!(status::gid(job.id)))
}

/// Runs `action` on the caller's jobs in `states`; one that changed state
/// meanwhile is skipped (logged).
fn each(
    front: &Front,
    caller: &Caller,
    states: &[JobState],
    action: impl Fn(JobId) -> Result<(), crate::Error>,
) -> Result<Value, Aria2Error> {
    for job in front.jobs(caller)?.into_iter().filter(|j| states.contains(&j.state)) {
        if let Err(e) = action(job.id) {
            tracing::debug!("aria2: job {} skipped: {e}", job.id);
        }
    }
    Ok(json!("OK"))
}

pub(super) fn pause_all(front: &Front, caller: &Caller) -> Result<Value, Aria2Error> {
    let live = [JobState::Queued, JobState::Connecting, JobState::Transferring, JobState::TransientError];
    each(front, caller, &live, |job_id| front.manager.suspend(caller, job_id))
}

pub(super) fn unpause_all(front: &Front, caller: &Caller) -> Result<Value, Aria2Error> {
    each(front, caller, &[JobState::Suspended], |job_id| front.manager.resume(caller, job_id))
}

pub(super) fn remove(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    if job.state.is_final() {
        return Err(Aria2Error::new(format!("Active Download not found for GID#{}", status::gid(job.id))));
    }
    front.manager.cancel(caller, job.id)?;
    front.mirrors().remove(&job.id);
    Ok(json!(status::gid(job.id)))
}

/// Forgets a stopped download (a failed one is cancelled first).
fn forget(front: &Front, caller: &Caller, job_id: JobId, state: JobState) -> Result<(), crate::Error> {
    if state == JobState::Error {
        front.manager.cancel(caller, job_id)?;
    }
    front.mirrors().remove(&job_id);
    front.manager.forget_job(caller, job_id)
}

pub(super) fn remove_result(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    if status::list_of(job.state) != List::Stopped {
        return Err(Aria2Error::new(format!("Could not remove download result of GID#{}", status::gid(job.id))));
    }
    forget(front, caller, job.id, job.state)?;
    Ok(json!("OK"))
}

pub(super) fn purge_results(front: &Front, caller: &Caller) -> Result<Value, Aria2Error> {
    for job in front.jobs(caller)?.into_iter().filter(|j| status::list_of(j.state) == List::Stopped) {
        if let Err(e) = forget(front, caller, job.id, job.state) {
            tracing::debug!("aria2: result of job {} kept: {e}", job.id);
        }
    }
    Ok(json!("OK"))
}

pub(super) fn change_position(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    let position = p.int(1, "pos")?;
    let how = match p.0.get(2).and_then(Value::as_str) {
        Some("POS_SET") => Whence::Set,
        Some("POS_CUR") => Whence::Cur,
        Some("POS_END") => Whence::End,
        other => return Err(Aria2Error::new(format!("how must be POS_SET, POS_CUR or POS_END, not {other:?}"))),
    };
    Ok(json!(front.manager.move_job(caller, job.id, position, how)?))
}

pub(super) fn change_option(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    let options = options::parse(&p.map(1)?)?;
    let changes = JobChanges {
        speed_limit_bps: options.changes.speed_limit_bps,
        max_connections: options.changes.max_connections,
        custom_headers: options.changes.custom_headers,
        cost_policy: options.changes.cost_policy,
        ..Default::default()
    };
    if !changes.is_empty() {
        front.manager.set_job(caller, job.id, changes)?;
    }
    Ok(json!("OK"))
}

pub(super) fn change_global_option(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let mut limits = Limits::default();
    for (key, value) in p.map(0)? {
        let text = match &value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match key.as_str() {
            "max-overall-download-limit" => limits.speed_limit_bps = Some(options::parse_speed(&key, &text)?),
            "max-concurrent-downloads" => {
                let n = text.trim().parse::<usize>().ok().filter(|n| *n >= 1);
                limits.max_active_jobs =
                    Some(n.ok_or_else(|| Aria2Error::new(format!("{key}: '{text}' must be at least 1")))?);
            }
            other => tracing::debug!("aria2 global option {other} ignored (Haul has no such setting)"),
        }
    }
    if limits != Limits::default() {
        front.manager.set_limits(caller, limits)?;
    }
    Ok(json!("OK"))
}

pub(super) fn shutdown(front: &Front, caller: &Caller) -> Result<Value, Aria2Error> {
    if front.system || caller.uid != front.service_uid {
        return Err(Aria2Error::new(format!(
            "uid {} may not stop this service over RPC; only its own user may (haul service stop)",
            caller.uid
        )));
    }
    tracing::info!("aria2.shutdown from uid {}: stopping", caller.uid);
    front.stop.cancel();
    Ok(json!("OK"))
}

/// Whether this event of a download with mirrors means "try the next one":
/// it failed, or it waits to retry a server it cannot reach. Haul retries a
/// refused connection for ever, so without the second case a dead first
/// mirror would never fall back (aria2 moves on to the next URI).
pub(super) fn wants_next_mirror(event: &Event) -> bool {
    match event.kind {
        EventKind::Error => true,
        EventKind::StateChanged => event.state == JobState::TransientError,
        _ => false,
    }
}

/// Tries the next mirror of a failed download; true if one was left.
pub(super) fn next_mirror(front: &Front, caller: &Caller, job_id: JobId) -> bool {
    let Some(next) = front.mirrors().get_mut(&job_id).and_then(VecDeque::pop_front) else {
        return false;
    };
    let switched =
        front.manager.set_remote_name(caller, job_id, 0, &next).and_then(|()| front.manager.resume(caller, job_id));
    match switched {
        Ok(()) => {
            tracing::info!("job {job_id} failed; trying its next mirror {next}");
            true
        }
        Err(e) => {
            tracing::warn!("job {job_id}: cannot switch to the mirror {next}: {e}");
            false
        }
    }
}
