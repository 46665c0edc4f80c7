//! A Haul job as aria2 shows a download: its GID, its status word, and the
//! `tellStatus` struct with aria2's key names (numbers as strings, as aria2 sends them).

use crate::model::{Job, JobFile, JobId, JobState};
use serde_json::{Map, Value, json};
use std::path::Path;

/// The piece size aria2 reports for HTTP downloads.
const PIECE_LENGTH: u64 = 1 << 20;

/// A job's GID: 16 hex digits, the low half of its id (stable across restarts).
pub fn gid(job_id: JobId) -> String {
    format!("{:016x}", job_id.0.as_u128() as u64)
}

/// Whether `text` is a GID in aria2's form (16 hex digits; aria2 accepts a
/// unique prefix too, and so does [`super::Front`]).
pub fn looks_like_gid(text: &str) -> bool {
    !text.is_empty() && text.len() <= 16 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// aria2's status word for a job's state (the table in docs/PROTOCOL-aria2.md).
pub fn status_word(state: JobState) -> &'static str {
    match state {
        JobState::Suspended => "paused",
        JobState::Queued | JobState::TransientError => "waiting",
        JobState::Connecting | JobState::Transferring | JobState::Transferred => "active",
        JobState::Error => "error",
        JobState::Acknowledged => "complete",
        JobState::Cancelled => "removed",
    }
}

/// Which of aria2's three lists a job is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum List {
    /// `tellActive`.
    Active,
    /// `tellWaiting` (waiting and paused).
    Waiting,
    /// `tellStopped` (complete, error and removed).
    Stopped,
}

/// The list a job of this state is in.
pub fn list_of(state: JobState) -> List {
    match status_word(state) {
        "active" => List::Active,
        "waiting" | "paused" => List::Waiting,
        _ => List::Stopped,
    }
}

/// aria2's `files` entries.
pub fn files(files: &[JobFile], active: bool) -> Value {
    let entries: Vec<Value> = files
        .iter()
        .map(|file| {
            let uri_status = if active && !file.transferred { "used" } else { "waiting" };
            json!({
                "index": (file.index + 1).to_string(),
                "path": file.local_name.display().to_string(),
                "length": file.bytes_total.unwrap_or(0).to_string(),
                "completedLength": file.bytes_transferred.to_string(),
                "selected": "true",
                "uris": [{"uri": file.remote_url, "status": uri_status}],
            })
        })
        .collect();
    Value::Array(entries)
}

/// The whole `tellStatus` struct of a job.
pub fn status(job: &Job, job_files: &[JobFile]) -> Map<String, Value> {
    let word = status_word(job.state);
    let total = job.progress.bytes_total.unwrap_or(0);
    let dir = job_files
        .first()
        .and_then(|f| f.local_name.parent())
        .map(Path::display)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let running = matches!(job.state, JobState::Connecting | JobState::Transferring);
    let mut status = json!({
        "gid": gid(job.id),
        "status": word,
        "totalLength": total.to_string(),
        "completedLength": job.progress.bytes_transferred.to_string(),
        "uploadLength": "0",
        "downloadSpeed": (job.speed_bps.max(0.0) as u64).to_string(),
        "uploadSpeed": "0",
        "pieceLength": PIECE_LENGTH.to_string(),
        "numPieces": total.div_ceil(PIECE_LENGTH).to_string(),
        "connections": if running { job.max_connections.min(job.progress.files_total.max(1)).to_string() } else { "0".into() },
        "dir": dir,
        "files": files(job_files, running),
    });
    let Value::Object(map) = &mut status else { return Map::new() };
    if matches!(word, "error" | "complete" | "removed") {
        let (code, message) = match &job.error {
            Some(error) if word == "error" => (error_code(error.http_status, &error.code), error.message.clone()),
            _ => ("0", String::new()),
        };
        map.insert("errorCode".into(), code.into());
        map.insert("errorMessage".into(), message.into());
    }
    std::mem::take(map)
}

/// Keeps only the keys asked for (all of them when none are).
pub fn only(mut status: Map<String, Value>, keys: &[String]) -> Map<String, Value> {
    if !keys.is_empty() {
        status.retain(|key, _| keys.iter().any(|k| k == key));
    }
    status
}

/// aria2's exit status codes for Haul's errors (aria2 manual, "EXIT STATUS").
fn error_code(http_status: Option<u16>, code: &str) -> &'static str {
    match (http_status, code) {
        (Some(404), _) => "3",
        (Some(_), _) => "22",
        (_, "checksum_mismatch") => "32",
        (_, c) if c.contains("disk_full") => "9",
        (_, c) if c.contains("timeout") => "2",
        (_, c) if c.contains("dns") || c.contains("resolve") => "19",
        (_, c) if c.contains("connection") => "6",
        _ => "1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_an_aria2_status_and_one_list() {
        let table = [
            (JobState::Suspended, "paused", List::Waiting),
            (JobState::Queued, "waiting", List::Waiting),
            (JobState::TransientError, "waiting", List::Waiting),
            (JobState::Connecting, "active", List::Active),
            (JobState::Transferring, "active", List::Active),
            (JobState::Transferred, "active", List::Active),
            (JobState::Error, "error", List::Stopped),
            (JobState::Acknowledged, "complete", List::Stopped),
            (JobState::Cancelled, "removed", List::Stopped),
        ];
        for (state, word, list) in table {
            assert_eq!((status_word(state), list_of(state)), (word, list), "{state}");
        }
    }

    #[test]
    fn gids_are_16_hex_digits_and_stable() {
        let id = JobId::new();
        let gid = gid(id);
        assert_eq!(gid.len(), 16);
        assert!(looks_like_gid(&gid));
        assert_eq!(super::gid(id), gid);
        assert!(!looks_like_gid("xyz"));
        assert!(!looks_like_gid("0123456789abcdef0"));
    }

    #[test]
    fn keys_filter_the_struct() {
        let mut map = Map::new();
        map.insert("gid".into(), "1".into());
        map.insert("status".into(), "active".into());
        assert_eq!(only(map.clone(), &["gid".to_string()]).len(), 1);
        assert_eq!(only(map, &[]).len(), 2);
    }
}
