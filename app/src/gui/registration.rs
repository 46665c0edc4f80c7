//! Being the notification sink of the user's jobs: the flags the window wants,
//! registration (never taking a job from another live sink), and
//! unregistering at exit only where the sink is still this window.

use futures_util::StreamExt;
use haul_core::client::{Client, ClientError};
use haul_core::model::{JobId, NotifyFlags};
use haul_core::protocol::JobChanges;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The callbacks the window asks for. Not `file_transferred`: the details
/// panel reads a running job's files every second anyway, and the service
/// sends a job's `job_transferred` only after every `file_transferred`, one
/// round trip each: a job of 10,000 small files reached the folder 2 s late.
pub const WANTED: NotifyFlags = NotifyFlags::JOB_TRANSFERRED.union(NotifyFlags::JOB_ERROR);
/// Registration calls in flight at once (the startup of 10,000 jobs).
const PARALLEL: usize = 32;

/// Whether this connection is a job's sink; the lock is held while registering,
/// so a second caller (the `created` event and the add dialog) waits for the first.
type Slot = Arc<tokio::sync::Mutex<bool>>;

/// The jobs this connection registered for.
#[derive(Clone)]
pub struct Registry {
    client: Client,
    jobs: Arc<Mutex<HashMap<JobId, Slot>>>,
}

impl Registry {
    /// Nothing registered yet.
    pub fn new(client: Client) -> Self {
        Registry { client, jobs: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn jobs(&self) -> MutexGuard<'_, HashMap<JobId, Slot>> {
        // Only inserts and removes happen under this lock, so a poisoned map is intact.
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Becomes the job's sink with the wanted flags (`flags`: the job's
    /// current ones, when known), once; returns when the job is registered.
    /// A job another client listens to is left to it.
    pub async fn register(&self, job_id: JobId, flags: Option<NotifyFlags>) -> Result<(), ClientError> {
        let slot = self.jobs().entry(job_id).or_default().clone();
        let mut registered = slot.lock().await;
        if !*registered {
            *registered = self.try_register(job_id, flags).await?;
        }
        Ok(())
    }

    /// Whether this connection is the job's sink (as far as it knows).
    pub fn holds(&self, job_id: JobId) -> bool {
        self.jobs().get(&job_id).is_some_and(|slot| slot.try_lock().is_ok_and(|registered| *registered))
    }

    async fn try_register(&self, job_id: JobId, flags: Option<NotifyFlags>) -> Result<bool, ClientError> {
        let sink = self.client.get_notify_interface(job_id).await?;
        if sink.registered && !sink.mine {
            tracing::debug!("job {job_id} has another sink; leaving it");
            return Ok(false);
        }
        let flags = match flags {
            Some(flags) => flags,
            None => self.client.get_job(job_id).await?.notify_flags,
        };
        if !flags.contains(WANTED) {
            let changes = JobChanges { notify_flags: Some(flags.union(WANTED)), ..Default::default() };
            self.client.set_job(job_id, changes).await?;
        }
        self.client.set_notify_interface(job_id, true).await?;
        Ok(true)
    }

    /// Registers for many jobs, a few calls at a time; a job that ended
    /// meanwhile is skipped.
    pub async fn register_all(&self, jobs: Vec<(JobId, NotifyFlags)>) {
        let calls = jobs.into_iter().map(|(job_id, flags)| async move {
            if let Err(e) = self.register(job_id, Some(flags)).await {
                tracing::debug!("cannot register for job {job_id}: {e}");
            }
        });
        futures_util::stream::iter(calls).buffer_unordered(PARALLEL).collect::<Vec<()>>().await;
    }

    /// Clears the sink of every job this window registered for and still holds.
    pub async fn unregister_all(&self) {
        let jobs: Vec<JobId> = self.jobs().drain().map(|(job_id, _)| job_id).collect();
        let calls = jobs.into_iter().map(|job_id| async move {
            if let Ok(sink) = self.client.get_notify_interface(job_id).await
                && sink.mine
                && let Err(e) = self.client.set_notify_interface(job_id, false).await
            {
                // The window is closing: the service forgets the sink with the connection anyway.
                tracing::debug!("cannot unregister from job {job_id}: {e}");
            }
        });
        futures_util::stream::iter(calls).buffer_unordered(PARALLEL).collect::<Vec<()>>().await;
    }
}
