//! The scheduler loop and the transfer tasks it starts, and the hooks through
//! which a transfer reports back (the engine's `Reporter`).

use super::apply::restart_note;
use super::{CHECKPOINT_BYTES, CHECKPOINT_INTERVAL, MIN_RETRY_DELAY_FLOOR_S, Manager, State};
use crate::engine::{self, FilePlan, JobView, Limits, Reporter, Severity, TransferError};
use crate::model::{EventKind, FileProgress, JobId, JobState, NotifyFlags};
use crate::notify::Pending;
use crate::transition::Action;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What a transfer task does next.
enum Next {
    File(FilePlan),
    AllDone,
    Stale,
}

impl Manager {
    pub(super) async fn scheduler_loop(&self) {
        loop {
            let wake_at = self.schedule_once();
            let sleep = wake_at
                .map(|at| at.saturating_duration_since(Instant::now()))
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => break,
                _ = self.inner.kick.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }

    /// One pass: retries that are due, no-progress timeouts, preemption, starts.
    /// Returns when the next timer is due.
    fn schedule_once(&self) -> Option<Instant> {
        let mut state = self.lock();
        let now = Instant::now();
        let mut wake: Option<Instant> = None;
        let waiting: Vec<JobId> = state
            .jobs
            .values()
            .filter(|e| e.job.state == JobState::TransientError)
            .map(|e| e.job.id)
            .collect();
        for job_id in waiting {
            let Some(entry) = state.jobs.get(&job_id) else {
                continue;
            };
            let deadline = entry
                .run
                .no_progress_since
                .map(|since| since + Duration::from_secs(entry.job.no_progress_timeout_s));
            let retry_at = entry.run.retry_at;
            if deadline.is_some_and(|d| d <= now) {
                let _ = self.apply(&mut state, job_id, Action::Fail, None);
            } else if retry_at.is_none_or(|at| at <= now) {
                let _ = self.apply(&mut state, job_id, Action::Retry, None);
            } else {
                for at in [retry_at, deadline].into_iter().flatten() {
                    wake = Some(wake.map_or(at, |w| w.min(at)));
                }
            }
        }
        let views: Vec<JobView> = state
            .jobs
            .values()
            .map(|e| JobView {
                job_id: e.job.id,
                priority: e.job.priority,
                state: e.job.state,
                queue_order: e.queue_order,
            })
            .collect();
        let desired = engine::next_to_run(
            &views,
            &Limits {
                max_active: self.inner.config.max_active_jobs,
            },
        );
        for view in views
            .iter()
            .filter(|v| v.state.is_running() && !desired.contains(&v.job_id))
        {
            let _ = self.apply(&mut state, view.job_id, Action::Preempt, None);
        }
        for job_id in desired {
            let startable = state
                .jobs
                .get(&job_id)
                .is_some_and(|e| e.job.state == JobState::Queued && !e.run.task_alive);
            if startable && self.apply(&mut state, job_id, Action::Start, None).is_ok() {
                self.spawn_transfer(&mut state, job_id);
            }
        }
        wake
    }

    fn spawn_transfer(&self, state: &mut State, job_id: JobId) {
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return;
        };
        let token = self.inner.shutdown.child_token();
        entry.run.generation += 1;
        entry.run.task_alive = true;
        entry.run.token = Some(token.clone());
        let generation = entry.run.generation;
        let manager = self.clone();
        self.inner
            .tracker
            .spawn(async move { manager.transfer_job(job_id, generation, token).await });
    }

    async fn transfer_job(&self, job_id: JobId, generation: u64, stop: CancellationToken) {
        let reporter = JobReporter {
            manager: self.clone(),
            job_id,
            generation,
        };
        loop {
            match self.next_file(job_id, generation) {
                Next::File(plan) => {
                    match engine::download_file(&self.inner.client, &plan, &reporter, &stop).await {
                        Ok(result) => {
                            if !self.file_finished(
                                job_id,
                                generation,
                                plan.index,
                                result.bytes_total,
                            ) {
                                break;
                            }
                        }
                        Err(TransferError::Stopped) => break,
                        Err(error) => {
                            self.transfer_failed(job_id, generation, plan.index, error);
                            break;
                        }
                    }
                }
                Next::AllDone => {
                    let mut state = self.lock();
                    if self.is_current(&state, job_id, generation) {
                        let _ = self.apply(&mut state, job_id, Action::AllTransferred, None);
                    }
                    break;
                }
                Next::Stale => break,
            }
        }
        let mut state = self.lock();
        if let Some(entry) = state.jobs.get_mut(&job_id)
            && entry.run.generation == generation
        {
            entry.run.task_alive = false;
            if let Err(e) = self.save(&mut state, job_id, false) {
                tracing::error!("cannot checkpoint job {job_id}: {e}");
            }
        }
        self.kick();
    }

    fn is_current(&self, state: &State, job_id: JobId, generation: u64) -> bool {
        state
            .jobs
            .get(&job_id)
            .is_some_and(|e| e.run.generation == generation && e.job.state.is_running())
    }

    fn next_file(&self, job_id: JobId, generation: u64) -> Next {
        let state = self.lock();
        if !self.is_current(&state, job_id, generation) {
            return Next::Stale;
        }
        let Some(entry) = state.jobs.get(&job_id) else {
            return Next::Stale;
        };
        let Some(file) = entry.files.iter().find(|f| !f.transferred) else {
            return Next::AllDone;
        };
        let headers = entry
            .job
            .custom_headers
            .iter()
            .filter_map(|h| h.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Next::File(FilePlan {
            index: file.index,
            url: file.remote_url.clone(),
            temp: file.temp_name.clone(),
            offset: file.bytes_transferred,
            bytes_total: file.bytes_total,
            validator: file.validator.clone(),
            headers,
            sha256: file.sha256.clone(),
        })
    }

    /// Marks a file transferred; false when the task should stop.
    fn file_finished(&self, job_id: JobId, generation: u64, index: u32, bytes_total: u64) -> bool {
        let mut state = self.lock();
        if !self.is_current(&state, job_id, generation) {
            return false;
        }
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return false;
        };
        let Some(file) = entry.files.get_mut(index as usize) else {
            return false;
        };
        file.bytes_total = Some(bytes_total);
        file.bytes_transferred = bytes_total;
        file.transferred = true;
        entry.job.progress = crate::store::progress_of(&entry.files);
        let job = entry.job.clone();
        if let Err(e) = self.save(&mut state, job_id, false) {
            tracing::error!("cannot save job {job_id}: {e}");
        }
        self.journal(
            &mut state,
            &job,
            EventKind::FileTransferred,
            None,
            Some(index),
        );
        if job.notify_flags.wants(NotifyFlags::FILE_TRANSFERRED) {
            self.enqueue(&mut state, job_id, Pending::File(index));
        }
        true
    }

    fn transfer_failed(&self, job_id: JobId, generation: u64, index: u32, error: TransferError) {
        let mut state = self.lock();
        if !self.is_current(&state, job_id, generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return;
        };
        tracing::info!("job {job_id} file {index}: {error}");
        let job_error = error.to_job_error(index);
        if let TransferError::Checksum { .. } = error
            && let Some(file) = entry.files.get_mut(index as usize)
        {
            // The bytes are wrong: a retry must fetch them again.
            file.bytes_transferred = 0;
            file.validator = FileProgress::default();
        }
        let action = match error.severity() {
            Severity::Fatal => Action::Fail,
            Severity::Transient => {
                let now = Instant::now();
                let since = *entry.run.no_progress_since.get_or_insert(now);
                let delay = entry.job.minimum_retry_delay_s.max(MIN_RETRY_DELAY_FLOOR_S);
                let delay = Duration::from_secs(delay).max(error.retry_after().unwrap_or_default());
                let timeout = Duration::from_secs(entry.job.no_progress_timeout_s);
                if delay > timeout || now.duration_since(since) >= timeout {
                    Action::Fail
                } else {
                    entry.run.retry_at = Some(now + delay);
                    Action::TransientFail
                }
            }
        };
        if let Err(e) = self.apply(&mut state, job_id, action, Some(job_error)) {
            tracing::error!("job {job_id}: cannot record a failure: {e}");
        }
    }
}

/// Receives a transfer's reports for one run of one job.
struct JobReporter {
    manager: Manager,
    job_id: JobId,
    generation: u64,
}

impl Reporter for JobReporter {
    fn connected(
        &self,
        index: u32,
        bytes_total: Option<u64>,
        validator: &FileProgress,
        restart: Option<&str>,
    ) {
        let manager = &self.manager;
        let mut state = manager.lock();
        if !manager.is_current(&state, self.job_id, self.generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&self.job_id) else {
            return;
        };
        if let Some(file) = entry.files.get_mut(index as usize) {
            file.bytes_total = bytes_total;
            file.validator = validator.clone();
            if restart.is_some() {
                file.bytes_transferred = 0;
            }
        }
        entry.job.progress = crate::store::progress_of(&entry.files);
        if let Some(reason) = restart {
            tracing::info!(
                "job {} file {index} restarts from zero: {reason}",
                self.job_id
            );
            manager.journal_modified(&mut state, self.job_id, Some(restart_note(index, reason)));
        }
        let _ = manager.apply(&mut state, self.job_id, Action::Connected, None);
        if let Err(e) = manager.save(&mut state, self.job_id, false) {
            tracing::error!("cannot save job {}: {e}", self.job_id);
        }
    }

    fn progress(&self, index: u32, bytes: u64) {
        let manager = &self.manager;
        let mut state = manager.lock();
        if !manager.is_current(&state, self.job_id, self.generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&self.job_id) else {
            return;
        };
        let Some(file) = entry.files.get_mut(index as usize) else {
            return;
        };
        let delta = bytes.saturating_sub(file.bytes_transferred);
        file.bytes_transferred = bytes;
        entry.job.progress.bytes_transferred += delta;
        entry.run.unsaved_bytes += delta;
        entry.run.no_progress_since = None;
        entry.run.speed.record(entry.job.progress.bytes_transferred);
        let now = Instant::now();
        let due = entry
            .run
            .last_checkpoint
            .is_none_or(|t| now.duration_since(t) >= CHECKPOINT_INTERVAL)
            || entry.run.unsaved_bytes >= CHECKPOINT_BYTES;
        if due {
            entry.run.last_checkpoint = Some(now);
            let file = file.clone();
            entry.run.unsaved_bytes = 0;
            if let Err(e) = state.store.save_file(self.job_id, &file) {
                tracing::error!("cannot checkpoint job {}: {e}", self.job_id);
            }
            manager.modified(&mut state, self.job_id);
        }
    }
}
