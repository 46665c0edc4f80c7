//! The nine BITS job states.

use serde::{Deserialize, Serialize};

/// Where a job is in its life; see `crate::transition` for the legal moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Created, or suspended by the user.
    Suspended,
    /// Waiting for the scheduler.
    Queued,
    /// Opening connections.
    Connecting,
    /// Bytes flowing.
    Transferring,
    /// A recoverable failure; retried after the minimum retry delay.
    TransientError,
    /// A fatal failure; waits for the user.
    Error,
    /// All bytes are on disk, in temp files.
    Transferred,
    /// Files renamed into place; final.
    Acknowledged,
    /// Temp files deleted; final.
    Cancelled,
}

impl JobState {
    /// Every state, in protocol order.
    pub const ALL: [JobState; 9] = [
        JobState::Suspended,
        JobState::Queued,
        JobState::Connecting,
        JobState::Transferring,
        JobState::TransientError,
        JobState::Error,
        JobState::Transferred,
        JobState::Acknowledged,
        JobState::Cancelled,
    ];

    /// Acknowledged and cancelled jobs accept no further change.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Acknowledged | JobState::Cancelled)
    }

    /// Connecting or transferring: a transfer task owns the job.
    pub fn is_running(self) -> bool {
        matches!(self, JobState::Connecting | JobState::Transferring)
    }

    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Suspended => "suspended",
            JobState::Queued => "queued",
            JobState::Connecting => "connecting",
            JobState::Transferring => "transferring",
            JobState::TransientError => "transient_error",
            JobState::Error => "error",
            JobState::Transferred => "transferred",
            JobState::Acknowledged => "acknowledged",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Parses a protocol name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
