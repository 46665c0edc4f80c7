//! Adding files to a job: one at a time, or a client's pipelined burst as one commit.

use super::apply::batched;
use super::validate::validate_local;
use super::{Manager, State};
use crate::error::Error;
use crate::model::{Caller, FileProgress, JobFile, JobId, JobState, TempName, check_sha256};
use crate::protocol::AddFileParams;
use crate::store::StoreError;
use chrono::Utc;
use std::path::{Path, PathBuf};

/// Most files one job may hold.
const MAX_FILES_PER_JOB: usize = 100_000;

impl Manager {
    /// Adds a file to a job that is not final; returns its index.
    pub fn add_file(&self, caller: &Caller, new: &AddFileParams) -> Result<u32, Error> {
        let mut state = self.lock();
        batched(&mut state, |state| {
            let index = self.add_file_locked(state, caller, new)?;
            self.save_job_row(state, new.job_id)?;
            self.journal_modified(state, new.job_id, None);
            Ok(index)
        })
    }

    /// Adds several files, in order, as one commit: each gets the answer
    /// [`Manager::add_file`] would have given it, and none is answered before
    /// the store has saved it. (A client that sends many `add_file` requests
    /// without waiting gets them saved together.)
    pub fn add_files(&self, caller: &Caller, files: &[AddFileParams]) -> Vec<Result<u32, Error>> {
        let mut state = self.lock();
        if let Err(e) = state.store.begin_batch() {
            let message = e.to_string();
            return files.iter().map(|_| Err(Error::Store(StoreError::Failed { message: message.clone() }))).collect();
        }
        let mut results: Vec<_> = files.iter().map(|file| self.add_file_locked(&mut state, caller, file)).collect();
        // Each job's row once for the burst, not once per file.
        let mut jobs: Vec<JobId> = Vec::new();
        for (file, _) in files.iter().zip(&results).filter(|(_, r)| r.is_ok()) {
            if !jobs.contains(&file.job_id) {
                jobs.push(file.job_id);
            }
        }
        for job_id in jobs {
            if let Err(e) = self.save_job_row(&mut state, job_id) {
                let message = e.to_string();
                for (_, result) in files.iter().zip(results.iter_mut()).filter(|(f, r)| f.job_id == job_id && r.is_ok())
                {
                    *result = Err(Error::Store(StoreError::Failed { message: message.clone() }));
                }
            }
            // One journal entry per job for the burst: 10,000 files are one change.
            self.journal_modified(&mut state, job_id, None);
        }
        if let Err(e) = state.store.end_batch() {
            let message = e.to_string();
            for result in results.iter_mut().filter(|r| r.is_ok()) {
                *result = Err(Error::Store(StoreError::Failed { message: message.clone() }));
            }
        }
        results
    }

    /// Writes a job's own row (its modification time after adding files).
    fn save_job_row(&self, state: &mut State, job_id: JobId) -> Result<(), Error> {
        if let Some(entry) = state.jobs.get(&job_id) {
            state.store.save_job(&entry.job, entry.queue_order)?;
        }
        Ok(())
    }

    /// Adds one file inside the caller's batch; the job's own row and its
    /// journal entry are left for the caller ([`Manager::save_job_row`]).
    fn add_file_locked(&self, state: &mut State, caller: &Caller, new: &AddFileParams) -> Result<u32, Error> {
        let job_id = new.job_id;
        // One spelling per path ("/a//b/./c" is "/a/b/c"), so names compare as bytes.
        let local_name: &Path = &new.local_name.components().collect::<PathBuf>();
        self.live_entry(state, caller, job_id)?;
        validate_local(local_name, caller, self.inner.config.system, job_id, &mut state.writable_dirs)?;
        let entry = self.live_entry(state, caller, job_id)?;
        let sha256 = new.sha256.as_deref().map(check_sha256).transpose()?;
        if entry.has_local_name(local_name) {
            return Err(Error::InvalidArgument(format!(
                "local name {} is already a file of this job",
                local_name.display()
            )));
        }
        if entry.files.len() >= MAX_FILES_PER_JOB {
            return Err(Error::LimitExceeded(format!("a job may hold at most {MAX_FILES_PER_JOB} files")));
        }
        let index = entry.files.len();
        let file = JobFile {
            index: index as u32,
            remote_url: new.remote_url.to_string(),
            local_name: local_name.to_path_buf(),
            temp_name: TempName::beside(job_id),
            bytes_total: None,
            bytes_transferred: 0,
            transferred: false,
            completed: false,
            sha256,
            restart_reason: None,
            checkpoint: FileProgress::default(),
        };
        batched(state, |state| {
            state.store.save_file(job_id, &file)?;
            if let Some(entry) = state.jobs.get_mut(&job_id) {
                // A property change (its state stays): no transition to
                // apply, nothing that needs every file looked at again.
                entry.push_file(file);
                entry.job.times.modified = Utc::now();
                if entry.job.state == JobState::Queued || entry.job.state.is_running() {
                    // A running job's transfer picks the new file up; a queued one may start.
                    self.kick();
                }
            }
            Ok(index as u32)
        })
    }
}
