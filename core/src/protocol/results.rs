//! The results of methods, and the params of callbacks and notifications.

use crate::model::{Caller, Event, JobId, JobState, RpcListen};
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

/// The `{}` result of methods that return nothing else (`resume`, `suspend`,
/// `cancel`, `forget_job`, `set_remote_name`, `set_notify_interface`, `shutdown`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

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

/// `move_job`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionResult {
    /// The job's new 0-based place in its waiting queue.
    pub position: u64,
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

/// Counts over the caller's jobs (`get_stats`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Jobs connecting or transferring.
    pub active_jobs: usize,
    /// Jobs queued.
    pub queued_jobs: usize,
    /// Sum of the caller's jobs' speeds.
    pub speed_bps: f64,
    /// The caller's jobs that are not final.
    pub jobs: usize,
}

/// `get_stats`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsResult {
    /// Counts over the caller's jobs.
    #[serde(flatten)]
    pub stats: Stats,
    /// The protocol version.
    pub protocol: u32,
    /// The service's name and version.
    pub server: String,
}

/// `progress` notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressParams {
    /// The caller's running jobs.
    pub jobs: Vec<JobProgressView>,
}

/// A running job's figures in a `progress` notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobProgressView {
    /// The job.
    pub id: JobId,
    /// Its state.
    pub state: JobState,
    /// Bytes on disk.
    pub bytes_transferred: u64,
    /// Total, if known.
    pub bytes_total: Option<u64>,
    /// Files done.
    pub files_transferred: u32,
    /// Bytes per second.
    pub speed_bps: f64,
    /// Seconds left.
    pub eta_s: Option<u64>,
}

/// `get_rpc_info` and `set_rpc_listen`: the aria2 endpoint as the caller may
/// use it. Its `Debug` leaves the secret out, so a log line never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpcInfo {
    /// `off`, `starting`, `listening` or `failed`.
    pub status: String,
    /// Where it listens, e.g. `http://127.0.0.1:6800/jsonrpc`, while listening.
    pub url: Option<String>,
    /// The caller's secret (aria2's `--rpc-secret`): `token:SECRET` goes first in every `aria2.*` call.
    pub secret: Option<String>,
    /// Why it is not listening, or why there is no secret for the caller.
    pub error: Option<String>,
    /// The address it is set to (`ADDR:PORT` or `off`), whether or not that worked.
    #[serde(default)]
    pub listen: Option<RpcListen>,
}

impl std::fmt::Debug for RpcInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcInfo")
            .field("status", &self.status)
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "(hidden)"))
            .field("error", &self.error)
            .field("listen", &self.listen)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_debug_form_of_rpc_info_hides_the_secret() {
        let info = RpcInfo {
            status: "listening".into(),
            url: Some("http://127.0.0.1:6800/jsonrpc".into()),
            secret: Some("s3cr3t-value".into()),
            error: None,
            listen: Some(RpcListen::Off),
        };
        let shown = format!("{info:?}");
        assert!(!shown.contains("s3cr3t-value") && shown.contains("hidden"), "{shown}");
    }
}
