//! The results of methods, and the params of callbacks and notifications.

use crate::manager::{JobProgressView, Stats};
use crate::model::{Caller, Event, Job, JobError, JobFile, JobId};
use serde::{Deserialize, Serialize};

/// `hello`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelloResult {
    /// The protocol version the service speaks.
    pub protocol: u32,
    /// The service's name and version, e.g. `haul/0.1.0`.
    pub server: String,
    /// Who the service thinks the client is.
    pub caller: Caller,
}

/// `create_job`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobIdResult {
    /// The new job.
    pub job_id: JobId,
}

/// `add_file`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileIndexResult {
    /// The new file's index.
    pub file_index: u32,
}

/// `complete`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompleteResult {
    /// Whether some files were not transferred and were dropped.
    pub partial: bool,
}

/// `get_notify_interface`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotifyInterfaceResult {
    /// The job has a sink.
    pub registered: bool,
    /// The sink is this connection.
    pub mine: bool,
}

/// `events_since`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventsSinceResult {
    /// The caller's events, oldest first.
    pub events: Vec<Event>,
    /// What to pass next time.
    pub next_seq: u64,
}

/// `subscribe`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscribeResult {
    /// The newest sequence number at subscription; later events are sent.
    pub next_seq: u64,
}

/// `get_stats`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatsResult {
    /// Counts over the caller's jobs.
    #[serde(flatten)]
    pub stats: Stats,
    /// The protocol version.
    pub protocol: u32,
    /// The service's name and version.
    pub server: String,
}

/// `job_transferred` and `job_modification` callbacks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobCallback {
    /// The job as it is now.
    pub job: Job,
}

/// `job_error` callback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobErrorCallback {
    /// The job as it is now.
    pub job: Job,
    /// Its error.
    pub error: JobError,
}

/// `file_transferred` callback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileCallback {
    /// The job as it is now.
    pub job: Job,
    /// The file whose bytes are all on disk.
    pub file: JobFile,
}

/// `progress` notification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProgressParams {
    /// The caller's running jobs.
    pub jobs: Vec<JobProgressView>,
}
