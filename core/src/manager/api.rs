//! What clients may ask of the manager; each call checks, in order, that the
//! job exists, that the caller may act on it, and that its state allows it.

use super::speed::SpeedMeter;
use super::validate::validate_name;
use super::{Entry, MIN_RETRY_DELAY_FLOOR_S, Manager, State};
use crate::access::may_act;
use crate::error::Error;
use crate::model::{
    Caller, Event, EventKind, Job, JobFile, JobId, JobState, JobTimes, MAX_CONNECTIONS_LIMIT, NotifyFlags, Progress,
};
use crate::notify::{Pending, Sink};
use crate::protocol::{CreateJobParams, JobProgressView, Stats};
use crate::transition::Action;
use chrono::Utc;
use std::sync::Arc;

/// Most live (not final) jobs one user may have.
const MAX_JOBS_PER_USER: usize = 100_000;

/// Fills a job's speed and ETA from its meter.
pub(super) fn fill_speed(job: &mut Job, speed: &SpeedMeter) {
    job.speed_bps = if job.state.is_running() { speed.bytes_per_second() } else { 0.0 };
    job.eta_s = match job.progress.bytes_total {
        Some(total) if job.speed_bps >= 1.0 => {
            Some((total.saturating_sub(job.progress.bytes_transferred) as f64 / job.speed_bps).ceil() as u64)
        }
        _ => None,
    };
}

pub(super) fn view(entry: &Entry) -> Job {
    let mut job = entry.job.clone();
    fill_speed(&mut job, &entry.run.speed);
    job
}

impl Manager {
    /// The job, if it exists and the caller may act on it.
    pub(super) fn entry<'a>(&self, state: &'a State, caller: &Caller, job_id: JobId) -> Result<&'a Entry, Error> {
        let entry = state.jobs.get(&job_id).ok_or_else(|| Error::NotFound(format!("no job {job_id}")))?;
        if !may_act(caller, &entry.job) {
            return Err(Error::AccessDenied(format!(
                "job {job_id} belongs to another user; only its owner, its creator or an administrator may use it"
            )));
        }
        Ok(entry)
    }

    pub(super) fn live_entry<'a>(&self, state: &'a State, caller: &Caller, job_id: JobId) -> Result<&'a Entry, Error> {
        let entry = self.entry(state, caller, job_id)?;
        if entry.job.state.is_final() {
            return Err(Error::InvalidState(format!("job {job_id} is {} and can no longer change", entry.job.state)));
        }
        Ok(entry)
    }

    /// Creates a suspended job owned by the caller.
    pub fn create_job(&self, caller: &Caller, new: CreateJobParams) -> Result<JobId, Error> {
        validate_name(&new.display_name)?;
        let mut state = self.lock();
        // Counted only when it could matter: a count per call makes creating
        // many jobs quadratic (100,000 jobs took 80 s, 10,000 took 2.6 s).
        let over = |state: &State| {
            let live = state.jobs.values().filter(|e| e.job.owner == caller.uid && !e.job.state.is_final());
            live.count() >= MAX_JOBS_PER_USER
        };
        if !caller.admin && state.jobs.len() >= MAX_JOBS_PER_USER && over(&state) {
            return Err(Error::LimitExceeded(format!("a user may have at most {MAX_JOBS_PER_USER} jobs")));
        }
        let now = Utc::now();
        let config = &self.inner.config;
        let job = Job {
            id: JobId::new(),
            display_name: new.display_name,
            description: new.description.unwrap_or_default(),
            job_type: "download".into(),
            state: JobState::Suspended,
            priority: new.priority.unwrap_or_default(),
            owner: caller.uid,
            creator: caller.uid,
            progress: Progress::default(),
            times: JobTimes { created: now, modified: now, transfer_completed: None },
            error: None,
            error_count: 0,
            notify_flags: NotifyFlags::default(),
            notify_cmd_line: None,
            minimum_retry_delay_s: config.default_retry_delay_s.max(MIN_RETRY_DELAY_FLOOR_S),
            no_progress_timeout_s: config.default_no_progress_timeout_s,
            auto_complete: new.auto_complete.unwrap_or(false),
            custom_headers: Vec::new(),
            speed_limit_bps: 0,
            max_connections: config.max_connections_per_file.clamp(1, MAX_CONNECTIONS_LIMIT as usize) as u32,
            cost_policy: crate::model::CostPolicy::default_for(new.priority.unwrap_or_default(), state.default_cost),
            credentials: None,
            cookies: false,
            proxy: None,
            speed_bps: 0.0,
            eta_s: None,
            wait_reason: None,
            wait_until: None,
        };
        let job_id = job.id;
        let queue_order = state.next_order;
        state.next_order += 1;
        state.store.save_job(&job, queue_order)?;
        self.journal(&mut state, &job, EventKind::Created, None, None);
        state.jobs.insert(job_id, Box::new(Entry::new(job, queue_order)));
        Ok(job_id)
    }

    /// One job.
    pub fn get_job(&self, caller: &Caller, job_id: JobId) -> Result<Job, Error> {
        let state = self.lock();
        self.entry(&state, caller, job_id).map(view)
    }

    /// The caller's jobs (every user's for an administrator who asks), in queue order.
    pub fn enum_jobs(&self, caller: &Caller, all_users: bool, include_final: bool) -> Result<Vec<Job>, Error> {
        let (query, job_ids) = self.job_ids(caller, all_users, include_final)?;
        let mut jobs = Vec::with_capacity(job_ids.len());
        self.visit_jobs(&query, &job_ids, |job| {
            jobs.push(job);
            true
        });
        Ok(jobs)
    }

    /// A job's files.
    pub fn enum_files(&self, caller: &Caller, job_id: JobId) -> Result<Vec<JobFile>, Error> {
        let state = self.lock();
        Ok(self.entry(&state, caller, job_id)?.files.clone())
    }

    fn act(&self, caller: &Caller, job_id: JobId, action: Action) -> Result<crate::transition::Outcome, Error> {
        let mut state = self.lock();
        self.entry(&state, caller, job_id)?;
        self.apply(&mut state, job_id, action, None)
    }

    /// Queues the job (also "retry now" for a failed one).
    pub fn resume(&self, caller: &Caller, job_id: JobId) -> Result<(), Error> {
        self.act(caller, job_id, Action::Resume).map(|_| ())
    }

    /// Stops the job until resumed.
    pub fn suspend(&self, caller: &Caller, job_id: JobId) -> Result<(), Error> {
        self.act(caller, job_id, Action::Suspend).map(|_| ())
    }

    /// Stops the job and deletes its temp files; final.
    pub fn cancel(&self, caller: &Caller, job_id: JobId) -> Result<(), Error> {
        self.act(caller, job_id, Action::Cancel).map(|_| ())
    }

    /// Moves transferred files into place; returns whether some were dropped.
    pub fn complete(&self, caller: &Caller, job_id: JobId) -> Result<bool, Error> {
        let outcome = self.act(caller, job_id, Action::Complete)?;
        Ok(matches!(outcome.effect, crate::transition::FileEffect::CompleteFiles { partial: true }))
    }

    /// Registers (`Some`) or clears (`None`) the job's sink; a registration on a
    /// transferred or failed job delivers that event at once.
    pub fn set_notify_interface(
        &self,
        caller: &Caller,
        job_id: JobId,
        sink: Option<Arc<dyn Sink>>,
    ) -> Result<(), Error> {
        let mut state = self.lock();
        let job_state = self.live_entry(&state, caller, job_id)?.job.state;
        let registering = sink.is_some();
        state.registry.set_sink(job_id, sink);
        if registering {
            match job_state {
                JobState::Transferred => self.enqueue(&mut state, job_id, Pending::Transferred),
                JobState::Error => self.enqueue(&mut state, job_id, Pending::Error),
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether the job has a sink, and whether it is the one with `sink_id`.
    pub fn get_notify_interface(&self, caller: &Caller, job_id: JobId, sink_id: u64) -> Result<(bool, bool), Error> {
        let state = self.lock();
        self.entry(&state, caller, job_id)?;
        let sink = state.registry.sink(job_id);
        Ok((sink.is_some(), sink.is_some_and(|s| s.sink_id() == sink_id)))
    }

    /// Forgets every registration of a sink (its connection closed).
    pub fn drop_sink(&self, sink_id: u64) {
        self.lock().registry.remove_sink(sink_id);
    }

    /// The caller's journal after `seq`.
    pub fn events_since(&self, caller: &Caller, seq: u64, limit: u32) -> Result<Vec<Event>, Error> {
        let state = self.lock();
        Ok(state.store.events_since(caller, seq, limit)?)
    }

    /// The newest journal sequence number.
    pub fn last_seq(&self) -> Result<u64, Error> {
        Ok(self.lock().store.last_seq()?)
    }

    /// Live figures of the caller's running jobs.
    pub fn progress(&self, caller: &Caller) -> Vec<JobProgressView> {
        let state = self.lock();
        state
            .jobs
            .values()
            .filter(|e| e.job.state.is_running() && may_act(caller, &e.job))
            .map(|e| {
                let job = view(e);
                JobProgressView {
                    id: job.id,
                    state: job.state,
                    bytes_transferred: job.progress.bytes_transferred,
                    bytes_total: job.progress.bytes_total,
                    files_transferred: job.progress.files_transferred,
                    speed_bps: job.speed_bps,
                    eta_s: job.eta_s,
                }
            })
            .collect()
    }

    /// Counts over the caller's jobs (all jobs for an administrator).
    pub fn stats(&self, caller: &Caller) -> Stats {
        let state = self.lock();
        let mine = || state.jobs.values().filter(|e| may_act(caller, &e.job));
        Stats {
            active_jobs: mine().filter(|e| e.job.state.is_running()).count(),
            queued_jobs: mine().filter(|e| e.job.state == JobState::Queued).count(),
            speed_bps: mine().filter(|e| e.job.state.is_running()).map(|e| e.run.speed.bytes_per_second()).sum(),
            jobs: mine().filter(|e| !e.job.state.is_final()).count(),
        }
    }
}
