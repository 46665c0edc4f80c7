//! The identity of an event worth a toast, shared by what the client sends
//! (`messages::Startup::seen`) and the toasts that show each event once.

use haul_core::model::{Job, JobId, JobState};

/// The identity of an event worth a toast: a job's transfer completing (at a
/// time) or its n-th error. The same identity twice is the same event.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ToastKey {
    /// The job entered transferred at this time (RFC 3339, or "" if unknown).
    Finished(JobId, String),
    /// The job entered error for the n-th time.
    Failed(JobId, u32),
}

impl ToastKey {
    /// The key of the job's current outcome, if it has one.
    pub fn of(job: &Job) -> Option<ToastKey> {
        match job.state {
            JobState::Transferred | JobState::Acknowledged => Some(Self::finished(job)),
            JobState::Error => Some(Self::failed(job)),
            _ => None,
        }
    }

    /// The key of the job's transfer completing.
    pub fn finished(job: &Job) -> ToastKey {
        let at = job.times.transfer_completed.map(|t| t.to_rfc3339()).unwrap_or_default();
        ToastKey::Finished(job.id, at)
    }

    /// The key of the job's latest error.
    pub fn failed(job: &Job) -> ToastKey {
        ToastKey::Failed(job.id, job.error_count)
    }
}
