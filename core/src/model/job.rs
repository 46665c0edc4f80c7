//! Jobs, their files and the journal's events, as the protocol shows them.

use super::{
    CostPolicy, Credentials, JobError, JobId, JobState, NotifyFlags, Priority, ProxyChoice, RangeSet, TempName,
    WaitReason,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::PathBuf;

/// A program (and its arguments) to run when a job is transferred or fails
/// and no sink took the callback. Never run through a shell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyCmdLine {
    /// The program: an absolute path.
    pub program: String,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
}

/// Byte and file counts of a job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Sum of the files' sizes; `None` while any size is unknown.
    pub bytes_total: Option<u64>,
    /// Bytes on disk so far.
    pub bytes_transferred: u64,
    /// Number of files.
    pub files_total: u32,
    /// Files whose bytes are all on disk.
    pub files_transferred: u32,
}

/// When a job was created, last changed and finished transferring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobTimes {
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change of state, property or bytes.
    pub modified: DateTime<Utc>,
    /// When the job entered transferred.
    pub transfer_completed: Option<DateTime<Utc>>,
}

/// A job as clients see it (PROTOCOL.md "Job").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The job's id.
    pub id: JobId,
    /// A name for people; need not be unique.
    pub display_name: String,
    /// Free text.
    pub description: String,
    /// Always "download" (borrowed: no copy of it in each of 10,000 jobs).
    #[serde(rename = "type")]
    pub job_type: Cow<'static, str>,
    /// Where the job is in its life.
    pub state: JobState,
    /// Scheduling priority.
    pub priority: Priority,
    /// The uid that owns the job.
    pub owner: u32,
    /// The uid that created the job.
    pub creator: u32,
    /// Bytes and files.
    pub progress: Progress,
    /// Timestamps.
    pub times: JobTimes,
    /// The current error, in transient_error and error (boxed, as the
    /// next two: most jobs have none, and 10,000 jobs are kept in memory).
    pub error: Option<Box<JobError>>,
    /// How many times the job failed; never reset.
    pub error_count: u32,
    /// Which callbacks the sink receives.
    pub notify_flags: NotifyFlags,
    /// The program run when no sink takes a transferred/error callback.
    pub notify_cmd_line: Option<Box<NotifyCmdLine>>,
    /// Seconds to wait before retrying a transient error (at least 5).
    pub minimum_retry_delay_s: u64,
    /// Seconds without progress after which a transient error becomes an error.
    pub no_progress_timeout_s: u64,
    /// Whether the service completes the job itself once transferred.
    pub auto_complete: bool,
    /// Extra HTTP headers sent with every request, `Name: value`.
    #[serde(default)]
    pub custom_headers: Vec<String>,
    /// The job's speed limit in bytes per second (0 = unlimited).
    #[serde(default)]
    pub speed_limit_bps: u64,
    /// Most connections per file (1 to 128).
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Which networks the job may use: `any`, or only `unmetered` ones.
    #[serde(default)]
    pub cost_policy: CostPolicy,
    /// The user name and scheme of the job's server credentials (the password
    /// is in the secret store, never here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Box<Credentials>>,
    /// Whether cookies (from a cookies.txt) go with the job's requests; their
    /// values are in the secret store.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cookies: bool,
    /// The job's own proxy; absent: the service's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyChoice>,
    /// Current speed, bytes per second.
    pub speed_bps: f64,
    /// Estimated seconds left, when the speed and size are known.
    pub eta_s: Option<u64>,
    /// Why a queued job is not started (the network), if that is why.
    #[serde(default)]
    pub wait_reason: Option<WaitReason>,
    /// Until when the job waits, when that is known (the schedule's pause ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_until: Option<DateTime<Utc>>,
}

impl Job {
    /// Why the job waits, in plain words with the local time it waits until
    /// ("Waiting for the schedule (until 17:00)"), if it waits.
    pub fn wait_words(&self) -> Option<String> {
        let reason = self.wait_reason?.words();
        Some(match self.wait_until {
            Some(until) => {
                let local = until.with_timezone(&chrono::Local);
                let soon = until - Utc::now() < chrono::Duration::hours(20);
                let when = if soon { local.format("%H:%M") } else { local.format("%a %H:%M") };
                format!("{reason} (until {when})")
            }
            None => reason.to_string(),
        })
    }
}

/// Connections per file unless the job says otherwise.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 32;
/// The most connections per file a job may ask for.
pub const MAX_CONNECTIONS_LIMIT: u32 = 128;

fn default_max_connections() -> u32 {
    DEFAULT_MAX_CONNECTIONS
}

/// One file of a job (PROTOCOL.md "File").
#[derive(Clone, Debug, Deserialize)]
pub struct JobFile {
    /// Position in the job.
    pub index: u32,
    /// Where the bytes come from (http or https).
    pub remote_url: String,
    /// Where the file appears on complete: an absolute path.
    pub local_name: PathBuf,
    /// The hidden file the bytes are written to until complete (the path:
    /// [`JobFile::temp_path`]).
    pub temp_name: TempName,
    /// The size, once known.
    pub bytes_total: Option<u64>,
    /// Bytes on disk (the checkpoint).
    pub bytes_transferred: u64,
    /// All bytes are on disk, in the temp file.
    pub transferred: bool,
    /// Renamed into place.
    pub completed: bool,
    /// The expected sha256, lowercase hex, if given.
    pub sha256: Option<String>,
    /// Why the file last restarted from zero, if it did (the server's answer
    /// no longer matched the saved bytes, e.g. a refreshed link that serves
    /// another file); cleared when the file is pointed at a new URL.
    #[serde(default)]
    pub restart_reason: Option<String>,
    /// The ranges on disk and their validators, for `If-Range`.
    #[serde(skip)]
    pub checkpoint: FileProgress,
}

impl JobFile {
    /// The hidden file the bytes are written to until complete.
    pub fn temp_path(&self) -> PathBuf {
        self.temp_name.path(&self.local_name, self.index)
    }
}

impl Serialize for JobFile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut file = serializer.serialize_struct("JobFile", 10)?;
        file.serialize_field("index", &self.index)?;
        file.serialize_field("remote_url", &self.remote_url)?;
        file.serialize_field("local_name", &self.local_name)?;
        file.serialize_field("temp_name", &self.temp_path())?;
        file.serialize_field("bytes_total", &self.bytes_total)?;
        file.serialize_field("bytes_transferred", &self.bytes_transferred)?;
        file.serialize_field("transferred", &self.transferred)?;
        file.serialize_field("completed", &self.completed)?;
        file.serialize_field("sha256", &self.sha256)?;
        match &self.restart_reason {
            Some(reason) => file.serialize_field("restart_reason", reason)?,
            None => file.skip_field("restart_reason")?,
        }
        file.end()
    }
}

/// Files are equal when they name the same paths, however each holds its temp file's.
impl PartialEq for JobFile {
    fn eq(&self, other: &JobFile) -> bool {
        let JobFile {
            index,
            remote_url,
            local_name,
            temp_name: _,
            bytes_total,
            bytes_transferred,
            transferred,
            completed,
            sha256,
            restart_reason,
            checkpoint,
        } = self;
        *index == other.index
            && *remote_url == other.remote_url
            && *local_name == other.local_name
            && self.temp_path() == other.temp_path()
            && *bytes_total == other.bytes_total
            && *bytes_transferred == other.bytes_transferred
            && *transferred == other.transferred
            && *completed == other.completed
            && *sha256 == other.sha256
            && *restart_reason == other.restart_reason
            && *checkpoint == other.checkpoint
    }
}

impl Eq for JobFile {}

/// A file's checkpoint: the byte ranges on disk, and what a resumed request
/// must match (the validators of the response they came from).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileProgress {
    /// The byte ranges on disk.
    pub done: RangeSet,
    /// The ETag of the response the stored bytes came from.
    pub etag: Option<String>,
    /// Its Last-Modified header.
    pub last_modified: Option<String>,
    /// Whether that response was HTML.
    pub html: bool,
}

/// What the journal records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The job was created.
    Created,
    /// A property or the file list changed.
    Modified,
    /// Any other state change.
    StateChanged,
    /// One file's bytes are all on disk.
    FileTransferred,
    /// The job entered transferred.
    Transferred,
    /// The job entered error.
    Error,
    /// The job was completed.
    Acknowledged,
    /// The job was cancelled.
    Cancelled,
}

impl EventKind {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Modified => "modified",
            EventKind::StateChanged => "state_changed",
            EventKind::FileTransferred => "file_transferred",
            EventKind::Transferred => "transferred",
            EventKind::Error => "error",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Cancelled => "cancelled",
        }
    }

    /// Parses a protocol name.
    pub fn parse(name: &str) -> Option<Self> {
        use EventKind::*;
        [Created, Modified, StateChanged, FileTransferred, Transferred, Error, Acknowledged, Cancelled]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The kind a transition into `state` is journaled as.
    pub fn for_state(state: JobState) -> Self {
        match state {
            JobState::Transferred => EventKind::Transferred,
            JobState::Error => EventKind::Error,
            JobState::Acknowledged => EventKind::Acknowledged,
            JobState::Cancelled => EventKind::Cancelled,
            _ => EventKind::StateChanged,
        }
    }
}

/// A journal entry (PROTOCOL.md "Event").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Sequence number, increasing.
    pub seq: u64,
    /// The job it is about.
    pub job_id: JobId,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The job's state after it.
    pub state: JobState,
    /// The job's error, for error events (boxed: the event channel holds
    /// thousands of events, few with an error).
    pub error: Option<Box<JobError>>,
    /// The owner of the job (for filtering; not part of the protocol object).
    #[serde(skip)]
    pub owner: u32,
    /// The creator of the job (for filtering).
    #[serde(skip)]
    pub creator: u32,
    /// The file, for file_transferred events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_index: Option<u32>,
}

/// A job in `state` as a client would read it, for unit tests.
#[cfg(test)]
pub(crate) fn test_job(state: &str) -> Job {
    serde_json::from_value(serde_json::json!({
        "id": JobId::new(), "display_name": "a.iso", "description": "", "type": "download",
        "state": state, "priority": "normal", "owner": 1000, "creator": 1000,
        "progress": {"bytes_total": 0, "bytes_transferred": 0, "files_total": 0, "files_transferred": 0},
        "times": {"created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "transfer_completed": null},
        "error": null, "error_count": 0, "notify_flags": ["job_transferred"], "notify_cmd_line": null,
        "minimum_retry_delay_s": 10, "no_progress_timeout_s": 60, "auto_complete": false,
        "speed_bps": 0.0, "eta_s": null
    }))
    .expect("a job")
}
