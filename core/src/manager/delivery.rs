//! Delivering callbacks to a job's sink, in order, with the BITS fallbacks:
//! the notify command line, then another try after the minimum retry delay.

use super::{MIN_RETRY_DELAY_FLOOR_S, Manager};
use crate::model::{Caller, JobId, JobState, NotifyCmdLine, NotifyFlags};
use crate::notify::{Pending, Sink, SinkError};
use std::sync::Arc;
use std::time::Duration;

/// A command line that runs longer than this counts as failed (and is left running).
const CMD_LINE_TIMEOUT: Duration = Duration::from_secs(60);

/// What the worker decided for the front callback.
enum Step {
    /// Try the sink (and maybe the command line).
    Deliver {
        pending: Pending,
        sink: Option<Arc<dyn Sink>>,
        cmd: Option<NotifyCmdLine>,
        owner: u32,
        retry_delay: Duration,
        wake: Arc<tokio::sync::Notify>,
    },
    /// Nothing to deliver: drop it (and maybe auto-complete).
    Drop(Pending),
    Stop,
}

impl Manager {
    /// The delivery worker of one job: runs while callbacks are pending.
    pub(super) async fn deliver(&self, job_id: JobId) {
        loop {
            let step = self.next_step(job_id);
            let Step::Deliver { pending, sink, cmd, owner, retry_delay, wake } = step else {
                match step {
                    Step::Drop(pending) => {
                        self.delivered(job_id, pending);
                        continue;
                    }
                    _ => return,
                }
            };
            let mut done = false;
            if let Some(sink) = &sink {
                done = self.call_sink(job_id, pending, sink.as_ref(), owner).await.is_ok();
            }
            let terminal = matches!(pending, Pending::Transferred | Pending::Error);
            if !done
                && terminal
                && let Some(cmd) = &cmd
            {
                let run_as = self.inner.config.system.then(|| crate::users::file_owner(owner)).flatten();
                done = run_cmd_line(cmd, run_as).await;
            }
            if !done && sink.is_none() && pending == Pending::Transferred && self.auto_completes(job_id) {
                // No sink to wait for: an auto-complete job completes now.
                done = true;
            }
            if done {
                self.delivered(job_id, pending);
                continue;
            }
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(retry_delay) => {}
            }
        }
    }

    fn next_step(&self, job_id: JobId) -> Step {
        let mut state = self.lock();
        let Some((pending, sink, wake)) = state.registry.front(job_id) else {
            return Step::Stop;
        };
        let Some(entry) = state.jobs.get(&job_id) else {
            return Step::Drop(pending);
        };
        let job = &entry.job;
        let (flag, still_true) = match pending {
            Pending::File(_) => (NotifyFlags::FILE_TRANSFERRED, !job.state.is_final()),
            Pending::Transferred => (NotifyFlags::JOB_TRANSFERRED, job.state == JobState::Transferred),
            Pending::Error => (NotifyFlags::JOB_ERROR, job.state == JobState::Error),
        };
        let no_one_to_tell = matches!(pending, Pending::File(_)) && sink.is_none();
        if !still_true || !job.notify_flags.wants(flag) || no_one_to_tell {
            return Step::Drop(pending);
        }
        Step::Deliver {
            pending,
            sink,
            cmd: job.notify_cmd_line.as_deref().cloned(),
            owner: job.owner,
            retry_delay: Duration::from_secs(job.minimum_retry_delay_s.max(MIN_RETRY_DELAY_FLOOR_S)),
            wake,
        }
    }

    fn auto_completes(&self, job_id: JobId) -> bool {
        let state = self.lock();
        state.jobs.get(&job_id).is_some_and(|e| e.job.auto_complete)
    }

    /// The front callback is done: remove it, and auto-complete a transferred job.
    fn delivered(&self, job_id: JobId, pending: Pending) {
        let mut state = self.lock();
        state.registry.pop(job_id, pending);
        let auto = state.jobs.get(&job_id).is_some_and(|e| e.job.auto_complete && e.job.state == JobState::Transferred);
        if pending == Pending::Transferred && auto {
            let service = Caller::from_uid(0, None);
            drop(state);
            if let Err(e) = self.complete(&service, job_id) {
                tracing::warn!("auto-complete of job {job_id} failed: {e}");
            }
        }
    }

    async fn call_sink(&self, job_id: JobId, pending: Pending, sink: &dyn Sink, owner: u32) -> Result<(), SinkError> {
        let permits = self.lock().registry.user_permits(owner);
        let _permit = permits.acquire_owned().await.map_err(|_| SinkError("closing".into()))?;
        let call = {
            let state = self.lock();
            let Some(entry) = state.jobs.get(&job_id) else {
                return Ok(());
            };
            let job = entry.job.clone();
            match pending {
                Pending::File(index) => match entry.files.get(index as usize) {
                    Some(file) => sink.file_transferred(job, file.clone()),
                    None => return Ok(()),
                },
                Pending::Transferred => sink.job_transferred(job),
                Pending::Error => {
                    let error = job.error.as_deref().cloned().unwrap_or_else(|| {
                        crate::model::JobError::new(crate::model::ErrorContext::Unknown, "unknown", "unknown error")
                    });
                    sink.job_error(job, error)
                }
            }
        };
        match tokio::time::timeout(self.inner.config.callback_timeout, call).await {
            Ok(result) => result,
            Err(_) => Err(SinkError("the sink did not answer in time".into())),
        }
    }

    /// Sends one coalesced `job_modification` after `delay`; failures are ignored.
    pub(super) async fn send_modification(&self, job_id: JobId, delay: Duration) {
        tokio::select! {
            _ = self.inner.shutdown.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
        let call = {
            let mut state = self.lock();
            let Some(sink) = state.registry.fire_modification(job_id) else {
                return;
            };
            let Some(entry) = state.jobs.get(&job_id) else {
                return;
            };
            let mut job = entry.job.clone();
            super::api::fill_speed(&mut job, &entry.run.speed);
            sink.job_modification(job)
        };
        // job_modification is advisory: a failed or late answer is ignored (PROTOCOL.md).
        let _ = tokio::time::timeout(self.inner.config.callback_timeout, call).await;
    }
}

/// Runs the notify command line (no shell) as the job's owner; true when it exits 0.
async fn run_cmd_line(cmd: &NotifyCmdLine, run_as: Option<(u32, u32)>) -> bool {
    let mut command = tokio::process::Command::new(&cmd.program);
    command.args(&cmd.args).stdin(std::process::Stdio::null()).kill_on_drop(false);
    if let Some((uid, gid)) = run_as {
        // A system service never runs a user's program as root.
        #[cfg(unix)]
        command.uid(uid).gid(gid);
        #[cfg(windows)]
        let _ = (uid, gid); // never set: Windows has no system service (`users_windows.rs`)
    }
    let child = command.spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            tracing::warn!("cannot run notify command {}: {e}", cmd.program);
            return false;
        }
    };
    match tokio::time::timeout(CMD_LINE_TIMEOUT, child.wait()).await {
        Ok(Ok(status)) => status.success(),
        Ok(Err(e)) => {
            tracing::warn!("notify command {} failed: {e}", cmd.program);
            false
        }
        Err(_) => false,
    }
}
