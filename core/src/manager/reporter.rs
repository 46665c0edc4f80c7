//! How a running transfer reports back (the engine's `Reporter`): sizes and
//! validators as its connections answer, and the bytes it writes, saved as a
//! checkpoint of ranges at most [`CHECKPOINT_INTERVAL`] after they land (a
//! killed service loses no more); and what a file's end, transferred or
//! failed, does to its job.

use super::apply::{Files, restart_note, resume_note};
use super::{CHECKPOINT_BYTES, CHECKPOINT_INTERVAL, MIN_RETRY_DELAY_FLOOR_S, Manager, State};
use crate::engine::{Reporter, Severity, TransferError};
use crate::model::{EventKind, FileProgress, JobId, JobState, NotifyFlags, RangeSet};
use crate::notify::Pending;
use crate::transition::Action;
use std::time::{Duration, Instant};

/// Receives a transfer's reports for one run of one job.
pub(super) struct JobReporter {
    pub(super) manager: Manager,
    pub(super) job_id: JobId,
    pub(super) generation: u64,
}

impl Reporter for JobReporter {
    fn connected(&self, index: u32, bytes_total: Option<u64>, validator: &FileProgress, restart: Option<&str>) {
        let manager = &self.manager;
        let mut state = manager.lock();
        if !manager.is_current(&state, self.job_id, self.generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&self.job_id) else { return };
        entry.update_file(index, |file| {
            file.bytes_total = bytes_total;
            let done = std::mem::take(&mut file.checkpoint.done);
            file.checkpoint =
                FileProgress { done: if restart.is_some() { Default::default() } else { done }, ..validator.clone() };
            file.bytes_transferred = file.checkpoint.done.covered();
            if let Some(reason) = restart {
                file.restart_reason = Some(reason.to_string());
            }
        });
        let transferring = entry.job.state == JobState::Transferring;
        let saved = manager.batched_deferred(&mut state, |state| {
            if let Some(reason) = restart {
                tracing::info!("job {} file {index} restarts from zero: {reason}", self.job_id);
                manager.journal_modified(state, self.job_id, Some(restart_note(index, reason)));
            }
            if !transferring {
                manager.apply_own(state, self.job_id, Action::Connected);
            }
            // Otherwise nothing changed that a restart would need: the validator
            // of a new file is saved with its first checkpoint, or when it is
            // transferred (a file without checkpoint starts from zero anyway).
            if restart.is_some() || !transferring {
                manager.save(state, self.job_id, Files::One(index))?;
            }
            Ok(())
        });
        if let Err(e) = saved {
            tracing::error!("cannot save job {}: {e}", self.job_id);
        }
    }

    fn resumed(&self, index: u32, how: &str) {
        let manager = &self.manager;
        let mut state = manager.lock();
        if !manager.is_current(&state, self.job_id, self.generation) {
            return;
        }
        tracing::info!(
            "job {} file {index}: ranges now asked for with {how}: the server ignored If-Range",
            self.job_id
        );
        let saved = manager.batched_deferred(&mut state, |state| {
            manager.journal_modified(state, self.job_id, Some(resume_note(index, how)));
            Ok(())
        });
        if let Err(e) = saved {
            tracing::error!("cannot save job {}: {e}", self.job_id);
        }
    }

    fn written(&self, index: u32, start: u64, len: u64) {
        let manager = &self.manager;
        let mut state = manager.lock();
        if !manager.is_current(&state, self.job_id, self.generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&self.job_id) else { return };
        let Some(file) = entry.files.get_mut(index as usize) else { return };
        file.checkpoint.done.insert(start, start + len);
        let covered = file.checkpoint.done.covered();
        let delta = covered.saturating_sub(file.bytes_transferred);
        file.bytes_transferred = covered;
        entry.job.progress.bytes_transferred += delta;
        entry.run.make_mut().unsaved_bytes += delta;
        entry.run.make_mut().no_progress_since = None;
        entry.run.make_mut().speed.record(entry.job.progress.bytes_transferred);
        let now = Instant::now();
        let due = entry.run.last_checkpoint.is_none_or(|t| now.duration_since(t) >= CHECKPOINT_INTERVAL)
            || entry.run.unsaved_bytes >= CHECKPOINT_BYTES;
        if due {
            manager.checkpoint(&mut state, self.job_id, now);
        } else if !entry.run.checkpoint_armed {
            // The last bytes before a stall are saved too, not only when more come.
            entry.run.make_mut().checkpoint_armed = true;
            let at = entry.run.last_checkpoint.map_or(now, |t| t + CHECKPOINT_INTERVAL);
            let (manager, job_id, generation) = (manager.clone(), self.job_id, self.generation);
            self.manager.inner.tracker.spawn(async move { manager.trailing_checkpoint(job_id, generation, at).await });
        }
    }
}

impl Manager {
    /// Saves the ranges on disk of the job's unfinished files.
    fn checkpoint(&self, state: &mut State, job_id: JobId, now: Instant) {
        let Some(entry) = state.jobs.get_mut(&job_id) else { return };
        entry.run.make_mut().last_checkpoint = Some(now);
        entry.run.make_mut().unsaved_bytes = 0;
        let files: Vec<_> = entry.files.iter().filter(|f| !f.transferred && f.bytes_transferred > 0).cloned().collect();
        let saved = self.batched_deferred(state, |state| {
            for file in &files {
                state.store.save_progress(job_id, file)?;
            }
            Ok(())
        });
        if let Err(e) = saved {
            tracing::error!("cannot checkpoint job {job_id}: {e}");
        }
        self.modified(state, job_id);
    }

    /// At `at`, saves what was written since the last checkpoint, if no write
    /// since has saved it.
    async fn trailing_checkpoint(&self, job_id: JobId, generation: u64, at: Instant) {
        tokio::select! {
            _ = self.inner.shutdown.cancelled() => return,
            _ = tokio::time::sleep_until(at.into()) => {}
        }
        let mut state = self.lock();
        let Some(entry) = state.jobs.get_mut(&job_id) else { return };
        entry.run.make_mut().checkpoint_armed = false;
        if entry.run.unsaved_bytes > 0 && self.is_current(&state, job_id, generation) {
            self.checkpoint(&mut state, job_id, Instant::now());
        }
    }
}

impl Manager {
    /// Marks a file transferred and announces, in file order, every leading
    /// transferred file; false when the task should stop.
    pub(super) fn file_finished(&self, job_id: JobId, generation: u64, index: u32, bytes_total: u64) -> bool {
        let mut state = self.lock();
        if !self.is_current(&state, job_id, generation) {
            return false;
        }
        let Some(entry) = state.jobs.get_mut(&job_id) else { return false };
        let finished = entry.update_file(index, |file| {
            file.bytes_total = Some(bytes_total);
            file.bytes_transferred = bytes_total;
            file.checkpoint.done = RangeSet::prefix(bytes_total);
            file.transferred = true;
        });
        if finished.is_none() {
            return false;
        }
        let first = entry.run.files_announced;
        let upto = first + entry.files[first..].iter().take_while(|f| f.transferred).count();
        entry.run.make_mut().files_announced = upto;
        let job = entry.job.clone();
        let saved = self.batched_deferred(&mut state, |state| {
            // The file's row only: nothing of the job's own row changed (its
            // progress is the sum of its files', recomputed when loaded).
            if let Some(file) = state.jobs.get(&job_id).and_then(|entry| entry.files.get(index as usize)) {
                state.store.save_progress(job_id, file)?;
            }
            for announced in first..upto {
                self.journal(state, &job, EventKind::FileTransferred, None, Some(announced as u32));
            }
            Ok(())
        });
        if let Err(e) = saved {
            tracing::error!("cannot save job {job_id}: {e}");
        }
        if job.notify_flags.wants(NotifyFlags::FILE_TRANSFERRED) {
            for announced in first..upto {
                self.enqueue(&mut state, job_id, Pending::File(announced as u32));
            }
        }
        true
    }

    pub(super) fn transfer_failed(&self, job_id: JobId, generation: u64, index: u32, error: TransferError) {
        let mut state = self.lock();
        if !self.is_current(&state, job_id, generation) {
            return;
        }
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return;
        };
        tracing::info!("job {job_id} file {index}: {error}");
        let job_error = error.to_job_error(index);
        if let TransferError::Checksum { .. } = error {
            // The bytes are wrong: a retry must fetch them again.
            entry.update_file(index, |file| {
                file.bytes_transferred = 0;
                file.checkpoint = FileProgress::default();
            });
        }
        let action = match error.severity() {
            Severity::Fatal => Action::Fail,
            Severity::Transient => {
                let now = Instant::now();
                let since = *entry.run.make_mut().no_progress_since.get_or_insert(now);
                let delay = entry.job.minimum_retry_delay_s.max(MIN_RETRY_DELAY_FLOOR_S);
                let delay = Duration::from_secs(delay).max(error.retry_after().unwrap_or_default());
                let timeout = Duration::from_secs(entry.job.no_progress_timeout_s);
                if delay > timeout || now.duration_since(since) >= timeout {
                    Action::Fail
                } else {
                    entry.run.make_mut().retry_at = Some(now + delay);
                    Action::TransientFail
                }
            }
        };
        if let Err(e) = self.apply(&mut state, job_id, action, Some(job_error)) {
            tracing::error!("job {job_id}: cannot record a failure: {e}");
        }
    }
}
