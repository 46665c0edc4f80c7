//! Applying a transition to a job: the new state, its files, the store, the
//! journal and the notifications, all in one step under the state lock.

use super::{Entry, MODIFICATION_INTERVAL, Manager, State};
use crate::error::Error;
use crate::model::{ErrorContext, Event, EventKind, Job, JobError, JobFile, JobId, JobState};
use crate::notify::Pending;
use crate::transition::{self, Action, FileEffect, FileFacts, Outcome};
use chrono::Utc;
use std::path::Path;

/// Runs `f` with every store write it makes in one transaction (one commit
/// instead of one per write). A failed commit is the result's error.
pub(super) fn batched<T>(state: &mut State, f: impl FnOnce(&mut State) -> Result<T, Error>) -> Result<T, Error> {
    state.store.begin_batch()?;
    let result = f(state);
    let ended = state.store.end_batch();
    let value = result?;
    ended?;
    Ok(value)
}

impl Manager {
    /// Like [`batched`], but the commit waits up to `FLUSH_DELAY` for more
    /// writes: only for what the next run would find again if lost in a crash
    /// (checkpoints, finished files), never for what a client was told.
    pub(super) fn batched_deferred<T>(
        &self,
        state: &mut State,
        f: impl FnOnce(&mut State) -> Result<T, Error>,
    ) -> Result<T, Error> {
        state.store.begin_batch()?;
        let result = f(state);
        if state.store.end_batch_deferred() {
            self.inner.flush_soon.notify_one();
        }
        result
    }

    /// Applies `action` to the job; `error` is the job's error for failures.
    /// The job, its files and the journal entry are written in one transaction.
    pub(super) fn apply(
        &self,
        state: &mut State,
        job_id: JobId,
        action: Action,
        error: Option<JobError>,
    ) -> Result<Outcome, Error> {
        batched(state, |state| self.apply_unbatched(state, job_id, action, error))
    }

    /// Applies an action the service takes on its own (a retry, a preemption,
    /// the end of a transfer): no client waits for the answer, so a refusal is
    /// logged here, once. Returns whether it was applied.
    pub(super) fn apply_own(&self, state: &mut State, job_id: JobId, action: Action) -> bool {
        match self.apply(state, job_id, action, None) {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!("job {job_id}: the service's own {action:?} was refused: {e}");
                false
            }
        }
    }

    fn apply_unbatched(
        &self,
        state: &mut State,
        job_id: JobId,
        action: Action,
        error: Option<JobError>,
    ) -> Result<Outcome, Error> {
        let (network, schedule) = (state.network, state.schedule_now);
        let entry = state.jobs.get_mut(&job_id).ok_or_else(|| Error::NotFound(format!("no job {job_id}")))?;
        let facts = FileFacts {
            files: entry.files.len(),
            untransferred: entry.files.iter().filter(|f| !f.transferred).count(),
        };
        let old = entry.job.state;
        let outcome =
            transition::next(old, action, facts).map_err(|e| Error::from_transition(e, &job_id.to_string()))?;
        apply_file_effect(entry, outcome.effect)?;
        let new = outcome.state;
        let now = Utc::now();
        let job = &mut entry.job;
        job.state = new;
        job.times.modified = now;
        match new {
            JobState::Transferring if old != JobState::Transferring => job.error = None,
            JobState::TransientError | JobState::Error => {
                if let Some(error) = error {
                    // A lost network is not the download's failure (as BITS counts).
                    job.error_count += u32::from(error.code != crate::model::NO_NETWORK);
                    job.error = Some(Box::new(error));
                }
            }
            JobState::Transferred => job.times.transfer_completed = Some(now),
            _ => {}
        }
        // A job that never ran has no run to stop, and nothing to retry.
        if old.is_running()
            && !new.is_running()
            && let Some(run) = entry.run.get_mut()
        {
            if let Some(token) = run.token.take() {
                token.cancel();
            }
            run.speed.reset();
        }
        if new == JobState::Queued
            && let Some(run) = entry.run.get_mut()
        {
            run.retry_at = None;
        }
        job.progress = crate::store::progress_of(&entry.files);
        (job.wait_reason, job.wait_until) = super::schedule::waiting(job, &network, &schedule);
        let snapshot = entry.job.clone();
        let which = match outcome.effect {
            FileEffect::None => Files::None,
            // Publishing changes only the completed flags, set by one statement.
            FileEffect::CompleteFiles { .. } => {
                state.store.mark_completed(job_id)?;
                Files::None
            }
            FileEffect::DeleteTempFiles => Files::All,
        };
        self.save(state, job_id, which)?;
        if new != old {
            self.note_queue_exit(state, old, new);
            let error =
                matches!(new, JobState::Error | JobState::TransientError).then(|| snapshot.error.clone()).flatten();
            self.journal(state, &snapshot, EventKind::for_state(new), error, None);
            match new {
                JobState::Transferred => self.enqueue(state, job_id, Pending::Transferred),
                JobState::Error => self.enqueue(state, job_id, Pending::Error),
                s if s.is_final() => {
                    state.registry.forget(job_id);
                    if let Some(entry) = state.jobs.get_mut(&job_id) {
                        entry.settle();
                    }
                }
                _ => {
                    state.registry.retain(job_id, |p| !matches!(p, Pending::Transferred | Pending::Error));
                    self.modified(state, job_id);
                }
            }
        }
        if new == JobState::Queued || old.is_running() {
            self.kick();
        }
        Ok(outcome)
    }

    /// Writes the job and the chosen files to the store, in one transaction.
    pub(super) fn save(&self, state: &mut State, job_id: JobId, which: Files) -> Result<(), Error> {
        let Some(entry) = state.jobs.get_mut(&job_id) else { return Ok(()) };
        let files: Vec<&JobFile> = match which {
            Files::None => Vec::new(),
            Files::All => entry.files.iter().collect(),
            Files::One(index) => entry.files.get(index as usize).into_iter().collect(),
            Files::Unfinished => entry.files.iter().filter(|f| !f.transferred && f.bytes_transferred > 0).collect(),
        };
        state.store.save_job_and_files(&entry.job, entry.queue_order, &files)?;
        if let Some(run) = entry.run.get_mut() {
            run.unsaved_bytes = 0;
        }
        Ok(())
    }

    /// Appends to the journal and tells subscribers. A store failure is logged:
    /// the job itself is already saved, and the journal is best effort.
    pub(super) fn journal(
        &self,
        state: &mut State,
        job: &Job,
        kind: EventKind,
        error: Option<Box<JobError>>,
        file_index: Option<u32>,
    ) {
        let event = Event {
            seq: 0,
            job_id: job.id,
            at: Utc::now(),
            kind,
            state: job.state,
            error,
            owner: job.owner,
            creator: job.creator,
            file_index,
        };
        match state.store.append_event(event) {
            Ok(event) => {
                let _ = self.inner.events.send(event);
            }
            Err(e) => tracing::error!("cannot journal an event of job {}: {e}", job.id),
        }
    }

    /// Journals a property change and schedules a `job_modification`.
    pub(super) fn journal_modified(&self, state: &mut State, job_id: JobId, note: Option<JobError>) {
        if let Some(job) = state.jobs.get(&job_id).map(|e| e.job.clone()) {
            self.journal(state, &job, EventKind::Modified, note.map(Box::new), None);
        }
        self.modified(state, job_id);
    }

    /// Queues a callback and starts the job's delivery worker if it is idle.
    pub(super) fn enqueue(&self, state: &mut State, job_id: JobId, pending: Pending) {
        if state.registry.enqueue(job_id, pending) {
            let manager = self.clone();
            self.inner.tracker.spawn(async move { manager.deliver(job_id).await });
        }
    }

    /// Schedules a throttled `job_modification` if the job's sink wants it.
    pub(super) fn modified(&self, state: &mut State, job_id: JobId) {
        let wants = state
            .jobs
            .get(&job_id)
            .is_some_and(|e| e.job.notify_flags.wants(crate::model::NotifyFlags::JOB_MODIFICATION));
        if !wants {
            return;
        }
        if let Some(delay) = state.registry.arm_modification(job_id, MODIFICATION_INTERVAL) {
            let manager = self.clone();
            self.inner.tracker.spawn(async move { manager.send_modification(job_id, delay).await });
        }
    }
}

/// Which file rows `save` writes along with the job.
#[derive(Clone, Copy, Debug)]
pub(super) enum Files {
    /// None: only the job changed.
    None,
    /// Every file (complete, cancel).
    All,
    /// One file.
    One(u32),
    /// Files with bytes on disk that are not finished (checkpoints).
    Unfinished,
}

/// Deletes or publishes the job's temp files as the transition requires.
fn apply_file_effect(entry: &mut Entry, effect: FileEffect) -> Result<(), Error> {
    match effect {
        FileEffect::None => Ok(()),
        FileEffect::DeleteTempFiles => {
            for file in &entry.files {
                let temp = file.temp_path();
                remove_if_present(&temp);
                crate::engine::stream::remove_parts(&temp);
            }
            Ok(())
        }
        FileEffect::CompleteFiles { .. } => {
            for file in entry.files.iter_mut() {
                if file.transferred && !file.completed {
                    publish(file)?;
                } else if !file.transferred {
                    let temp = file.temp_path();
                    remove_if_present(&temp);
                    crate::engine::stream::remove_parts(&temp);
                }
            }
            Ok(())
        }
    }
}

/// After a job's transfer task ended: a final job keeps no temp file (a
/// task that was starting as the job was cancelled or completed may have made
/// one after they were deleted), and a live one none without a byte in it (a
/// file that failed or stopped before its first byte: the folder shows no
/// empty hidden file for it; the next attempt makes it again).
pub(super) fn tidy_temp_files(entry: &Entry) {
    let done = entry.job.state.is_final();
    for file in entry.files.iter().filter(|f| !f.completed) {
        let temp = file.temp_path();
        let empty = || std::fs::metadata(&temp).is_ok_and(|m| m.is_file() && m.len() == 0);
        if done || (!file.transferred && empty()) {
            remove_if_present(&temp);
        }
        if done {
            crate::engine::stream::remove_parts(&temp);
        }
    }
}

/// Renames a transferred temp file into place (atomic on one file system).
fn publish(file: &mut JobFile) -> Result<(), Error> {
    let temp = file.temp_path();
    if file.bytes_total == Some(0) && !temp.exists() {
        std::fs::File::create(&temp).map_err(|e| rename_error(file, e))?;
    }
    std::fs::rename(&temp, &file.local_name).map_err(|e| rename_error(file, e))?;
    file.completed = true;
    Ok(())
}

fn rename_error(file: &JobFile, e: std::io::Error) -> Error {
    Error::InvalidState(format!(
        "cannot move {} into place as {}: {e}",
        file.temp_path().display(),
        file.local_name.display()
    ))
}

fn remove_if_present(path: &Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot delete temp file {}: {e}", path.display());
    }
}

/// A note for a file resumed another way than `If-Range` with its ETag (the
/// server ignored that), for the journal.
pub(super) fn resume_note(file_index: u32, how: &str) -> JobError {
    JobError {
        context: ErrorContext::RemoteFile,
        code: "resumed_without_etag".into(),
        message: format!(
            "file {file_index}: ranges are now asked for with {how}; the server answered the If-Range sent before \
             with the whole, unchanged file"
        ),
        file_index: Some(file_index),
        http_status: None,
    }
}

/// An error object for a file restarted from zero, for the journal.
pub(super) fn restart_note(file_index: u32, reason: &str) -> JobError {
    JobError {
        context: ErrorContext::RemoteFile,
        code: "restarted".into(),
        message: format!("file {file_index} restarts from zero: {reason}"),
        file_index: Some(file_index),
        http_status: None,
    }
}
