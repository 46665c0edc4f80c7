//! Long lists read a slice at a time: a reply of 10,000 jobs is written in
//! pieces, the lock taken once a piece, with no copy of every job at once.

use super::api::view;
use super::{Entry, Manager};
use crate::error::Error;
use crate::model::{Caller, Job, JobFile, JobId};

/// Which jobs a list shows (`enum_jobs`'s params, once allowed).
#[derive(Clone, Copy, Debug)]
pub struct JobQuery {
    caller: Caller,
    all_users: bool,
    include_final: bool,
}

impl JobQuery {
    fn shows(&self, entry: &Entry) -> bool {
        let job = &entry.job;
        (self.include_final || !job.state.is_final())
            && (self.all_users || job.owner == self.caller.uid || job.creator == self.caller.uid)
    }
}

impl Manager {
    /// The ids of the jobs `enum_jobs` would list, in queue order, and the
    /// query that reads them (see [`Manager::visit_jobs`]).
    pub fn job_ids(
        &self,
        caller: &Caller,
        all_users: bool,
        include_final: bool,
    ) -> Result<(JobQuery, Vec<JobId>), Error> {
        if all_users && !caller.admin {
            return Err(Error::AccessDenied("only an administrator may list every user's jobs".into()));
        }
        let query = JobQuery { caller: *caller, all_users, include_final };
        let state = self.lock();
        // One vector of the right size, sorted in place: no bigger one grown and freed.
        let mut job_ids = Vec::with_capacity(state.jobs.len());
        job_ids.extend(state.jobs.values().filter(|e| query.shows(e)).map(|e| e.job.id));
        job_ids.sort_unstable_by_key(|job_id| (state.jobs.get(job_id).map(|e| e.queue_order), *job_id));
        Ok((query, job_ids))
    }

    /// Shows `each` the jobs of `job_ids`, in order, as `get_job` would,
    /// until it returns false; a job gone since, or no longer in `query`,
    /// is left out. Returns how many ids were read (shown or left out).
    /// Holds the manager's lock throughout: keep `each` short.
    pub fn visit_jobs(&self, query: &JobQuery, job_ids: &[JobId], mut each: impl FnMut(Job) -> bool) -> usize {
        let state = self.lock();
        for (read, job_id) in job_ids.iter().enumerate() {
            let Some(entry) = state.jobs.get(job_id).filter(|e| query.shows(e)) else {
                continue;
            };
            if !each(view(entry)) {
                return read + 1;
            }
        }
        job_ids.len()
    }

    /// Shows `each` a job's files from the `from`th, in order, until it
    /// returns false; returns the index after the last one shown. Holds
    /// the manager's lock throughout: keep `each` short.
    pub fn visit_files(
        &self,
        caller: &Caller,
        job_id: JobId,
        from: usize,
        mut each: impl FnMut(&JobFile) -> bool,
    ) -> Result<usize, Error> {
        let state = self.lock();
        let files = &self.entry(&state, caller, job_id)?.files;
        for (index, file) in files.iter().enumerate().skip(from) {
            if !each(file) {
                return Ok(index + 1);
            }
        }
        Ok(files.len().max(from))
    }
}
