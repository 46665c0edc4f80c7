//! The callback interface a client implements to hear about its jobs.

use crate::model::{Job, JobError, JobFile};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a sink did not accept a callback.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SinkError(pub String);

/// The answer to a callback: success, or a failure that triggers the fallback.
pub type SinkFuture = Pin<Box<dyn Future<Output = Result<(), SinkError>> + Send>>;

/// A notification sink (IBackgroundCopyCallback2).
pub trait Sink: Send + Sync {
    /// A process-unique identity, so a connection can ask "is the sink mine?".
    fn sink_id(&self) -> u64;
    /// All files of the job are on disk.
    fn job_transferred(&self, job: Job) -> SinkFuture;
    /// The job entered error.
    fn job_error(&self, job: Job, error: JobError) -> SinkFuture;
    /// Progress, properties or state changed (throttled, best effort).
    fn job_modification(&self, job: Job) -> SinkFuture;
    /// One file's bytes are all on disk.
    fn file_transferred(&self, job: Job, file: JobFile) -> SinkFuture;
}

/// A fresh sink identity.
pub fn next_sink_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
