//! aria2's reading methods: `tellStatus`, the three lists with aria2's offset
//! rules, files, URIs, servers, options, the global figures and the version.

use super::Aria2Error;
use super::front::{Front, Params};
use super::status::{self, List};
use crate::model::{Caller, Job};
use serde_json::{Map, Value, json};

/// The aria2 version whose protocol this front end speaks.
pub const ARIA2_VERSION: &str = "1.37.0";

fn status_of(front: &Front, caller: &Caller, job: &Job, keys: &[String]) -> Result<Value, Aria2Error> {
    let files = front.manager.enum_files(caller, job.id)?;
    Ok(Value::Object(status::only(status::status(job, &files), keys)))
}

pub(super) fn tell_status(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    status_of(front, caller, &job, &p.keys(1))
}

fn list(front: &Front, caller: &Caller, which: List) -> Result<Vec<Job>, Aria2Error> {
    let mut jobs: Vec<Job> = front.jobs(caller)?.into_iter().filter(|j| status::list_of(j.state) == which).collect();
    if which == List::Stopped {
        // In the order they stopped, as aria2 keeps its results.
        jobs.sort_by_key(|j| j.times.modified);
    }
    Ok(jobs)
}

fn statuses(front: &Front, caller: &Caller, jobs: &[Job], keys: &[String]) -> Result<Value, Aria2Error> {
    jobs.iter().map(|job| status_of(front, caller, job, keys)).collect::<Result<Vec<_>, _>>().map(Value::Array)
}

pub(super) fn tell_active(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let jobs = list(front, caller, List::Active)?;
    statuses(front, caller, &jobs, &p.keys(0))
}

pub(super) fn tell_waiting(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    paged(front, caller, p, List::Waiting)
}

pub(super) fn tell_stopped(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    paged(front, caller, p, List::Stopped)
}

fn paged(front: &Front, caller: &Caller, p: &Params, which: List) -> Result<Value, Aria2Error> {
    let (offset, num) = (p.int(0, "offset")?, p.int(1, "num")?);
    if num < 0 {
        return Err(Aria2Error::new("num cannot be negative"));
    }
    let jobs = list(front, caller, which)?;
    let picked = page(&jobs, offset, num as usize);
    statuses(front, caller, &picked, &p.keys(2))
}

/// aria2's pagination: a non-negative offset counts from the front; a
/// negative one from the end (-1 is the last), and then the items come last
/// first.
pub fn page<T: Clone>(items: &[T], offset: i64, num: usize) -> Vec<T> {
    let size = items.len() as i64;
    if num == 0 {
        return Vec::new();
    }
    if offset >= 0 {
        let start = offset.min(size) as usize;
        let end = (offset.saturating_add(num as i64)).min(size) as usize;
        return items[start..end].to_vec();
    }
    let last = size + offset;
    if last < 0 {
        return Vec::new();
    }
    let first = (last - (num as i64 - 1)).max(0);
    items[first as usize..=last as usize].iter().rev().cloned().collect()
}

pub(super) fn get_files(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    let files = front.manager.enum_files(caller, job.id)?;
    Ok(status::files(&files, job.state.is_running()))
}

pub(super) fn get_uris(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    let files = front.manager.enum_files(caller, job.id)?;
    let running = job.state.is_running();
    let uris: Vec<Value> = files
        .iter()
        .map(|f| json!({"uri": f.remote_url, "status": if running && !f.transferred { "used" } else { "waiting" }}))
        .collect();
    Ok(Value::Array(uris))
}

pub(super) fn get_servers(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    if !job.state.is_running() {
        return Err(Aria2Error::new(format!("No active download for GID#{}", status::gid(job.id))));
    }
    let files = front.manager.enum_files(caller, job.id)?;
    let speed = (job.speed_bps.max(0.0) as u64).to_string();
    let servers: Vec<Value> = files
        .iter()
        .filter(|f| !f.transferred)
        .map(|f| {
            json!({"index": (f.index + 1).to_string(), "servers": [
                {"uri": f.remote_url, "currentUri": f.remote_url, "downloadSpeed": speed}
            ]})
        })
        .collect();
    Ok(Value::Array(servers))
}

pub(super) fn get_option(front: &Front, caller: &Caller, p: &Params) -> Result<Value, Aria2Error> {
    let job = front.job(caller, p.gid(0)?)?;
    let files = front.manager.enum_files(caller, job.id)?;
    let mut options = Map::new();
    if let Some(dir) = files.first().and_then(|f| f.local_name.parent()) {
        options.insert("dir".into(), dir.display().to_string().into());
    }
    if let [file] = files.as_slice()
        && let Some(name) = file.local_name.file_name()
    {
        options.insert("out".into(), name.to_string_lossy().into_owned().into());
    }
    options.insert("split".into(), job.max_connections.to_string().into());
    options.insert("max-connection-per-server".into(), job.max_connections.to_string().into());
    options.insert("max-download-limit".into(), job.speed_limit_bps.to_string().into());
    options.insert(super::options::HAUL_COST.into(), job.cost_policy.as_str().into());
    // Headers may carry cookies: they are secrets, and are not read back.
    Ok(Value::Object(options))
}

pub(super) fn get_global_option(front: &Front) -> Result<Value, Aria2Error> {
    let limits = front.manager.limits();
    let mut options = Map::new();
    if let Some(dir) = &front.default_dir {
        options.insert("dir".into(), dir.display().to_string().into());
    }
    let active = limits.max_active_jobs.unwrap_or(0).to_string();
    options.insert("max-concurrent-downloads".into(), active.into());
    options.insert("max-overall-download-limit".into(), limits.speed_limit_bps.unwrap_or(0).to_string().into());
    options.insert("max-overall-upload-limit".into(), "0".into());
    Ok(Value::Object(options))
}

pub(super) fn get_global_stat(front: &Front, caller: &Caller) -> Result<Value, Aria2Error> {
    let jobs = front.jobs(caller)?;
    let count = |which: List| jobs.iter().filter(|j| status::list_of(j.state) == which).count();
    let stats = front.manager.stats(caller);
    let stopped = count(List::Stopped).to_string();
    Ok(json!({
        "downloadSpeed": (stats.speed_bps.max(0.0) as u64).to_string(),
        "uploadSpeed": "0",
        "numActive": count(List::Active).to_string(),
        "numWaiting": count(List::Waiting).to_string(),
        "numStopped": stopped,
        "numStoppedTotal": stopped,
    }))
}

pub(super) fn get_version() -> Result<Value, Aria2Error> {
    Ok(json!({
        "version": ARIA2_VERSION,
        "enabledFeatures": ["HTTPS", "Message Digest"],
        "haul": env!("CARGO_PKG_VERSION"),
    }))
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn pages_follow_aria2s_offset_rules() {
        let items: Vec<u32> = (0..5).collect();
        let table: [(i64, usize, &[u32]); 9] = [
            (0, 2, &[0, 1]),
            (3, 10, &[3, 4]),
            (5, 1, &[]),
            (0, 0, &[]),
            (-1, 1, &[4]),
            (-1, 3, &[4, 3, 2]),
            (-2, 10, &[3, 2, 1, 0]),
            (-5, 2, &[0]),
            (-6, 2, &[]),
        ];
        for (offset, num, expected) in table {
            assert_eq!(page(&items, offset, num), expected, "offset {offset}, num {num}");
        }
    }
}
