//! Changing a job's properties (`set_job`, `set_remote_name`, `take_ownership`)
//! and the service's limits.

use super::api::view;
use super::apply::Files;
use super::validate::validate_name;
use super::{MIN_RETRY_DELAY_FLOOR_S, Manager};
use crate::error::Error;
use crate::model::{
    Caller, CostPolicy, Job, JobId, JobState, MAX_CONNECTIONS_LIMIT, NotifyFlags, RemoteUrl, check_header,
};
use crate::notify::Pending;
use crate::protocol::{JobChanges, Limits};
use crate::transition::Action;
use chrono::Utc;
use std::path::Path;

impl Manager {
    /// Changes properties; returns the job as it is now.
    pub fn set_job(&self, caller: &Caller, job_id: JobId, changes: JobChanges) -> Result<Job, Error> {
        let mut state = self.lock();
        self.live_entry(&state, caller, job_id)?;
        if let Some(name) = &changes.display_name {
            validate_name(name)?;
        }
        for header in changes.custom_headers.iter().flatten() {
            check_header(header)?;
        }
        if let Some(n) = changes.max_connections
            && !(1..=MAX_CONNECTIONS_LIMIT).contains(&n)
        {
            return Err(Error::InvalidArgument(format!(
                "max_connections must be from 1 to {MAX_CONNECTIONS_LIMIT}, not {n}"
            )));
        }
        if let Some(cmd) = &changes.notify_cmd_line
            && !cmd.program.is_empty()
            && !Path::new(&cmd.program).is_absolute()
        {
            return Err(Error::InvalidArgument(format!("notify command '{}' must be an absolute path", cmd.program)));
        }
        let background_cost = state.default_cost;
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return Err(Error::NotFound(job_id.to_string()));
        };
        let job = &mut entry.job;
        let priority_changed = changes.priority.is_some_and(|p| p != job.priority);
        let old_cost = job.cost_policy;
        // A cost policy left at its priority's default follows the priority.
        if let Some(priority) = changes.priority
            && changes.cost_policy.is_none()
            && job.cost_policy == CostPolicy::default_for(job.priority, background_cost)
        {
            job.cost_policy = CostPolicy::default_for(priority, background_cost);
        }
        if let Some(v) = changes.cost_policy {
            job.cost_policy = v;
        }
        let cost_changed = job.cost_policy != old_cost;
        if let Some(v) = changes.display_name {
            job.display_name = v;
        }
        if let Some(v) = changes.description {
            job.description = v;
        }
        if let Some(v) = changes.priority {
            job.priority = v;
        }
        if let Some(v) = changes.notify_flags {
            job.notify_flags = v;
        }
        if let Some(v) = changes.notify_cmd_line {
            job.notify_cmd_line = (!v.program.is_empty()).then(|| Box::new(v));
        }
        if let Some(v) = changes.minimum_retry_delay_s {
            job.minimum_retry_delay_s = v.max(MIN_RETRY_DELAY_FLOOR_S);
        }
        if let Some(v) = changes.no_progress_timeout_s {
            job.no_progress_timeout_s = v;
        }
        if let Some(v) = changes.custom_headers {
            job.custom_headers = v;
        }
        if let Some(v) = changes.auto_complete {
            job.auto_complete = v;
        }
        if let Some(v) = changes.speed_limit_bps {
            job.speed_limit_bps = v;
            if let Some(limiter) = &entry.run.limiter {
                limiter.set_rate(v);
            }
        }
        if let Some(v) = changes.max_connections {
            job.max_connections = v;
            if let Some(budget) = &entry.run.connections {
                budget.set_limit(v.clamp(1, crate::model::MAX_CONNECTIONS_LIMIT) as usize);
            }
        }
        job.times.modified = Utc::now();
        if cost_changed {
            let (network, schedule) = (state.network, state.schedule_now);
            let Some(entry) = state.jobs.get_mut(&job_id) else {
                return Err(Error::NotFound(job_id.to_string()));
            };
            let job = &mut entry.job;
            (job.wait_reason, job.wait_until) = super::schedule::waiting(job, &network, &schedule);
        }
        let Some(entry) = state.jobs.get(&job_id) else {
            return Err(Error::NotFound(job_id.to_string()));
        };
        let snapshot = view(entry);
        let (state_now, flags, cmd) = (snapshot.state, snapshot.notify_flags, snapshot.notify_cmd_line.is_some());
        self.save(&mut state, job_id, Files::None)?;
        self.journal_modified(&mut state, job_id, None);
        // A command line or flags set after the event still apply (as in BITS).
        if cmd || flags.wants(NotifyFlags::JOB_TRANSFERRED) || flags.wants(NotifyFlags::JOB_ERROR) {
            match state_now {
                JobState::Transferred => self.enqueue(&mut state, job_id, Pending::Transferred),
                JobState::Error => self.enqueue(&mut state, job_id, Pending::Error),
                _ => {}
            }
        }
        if priority_changed || cost_changed {
            self.kick();
        }
        Ok(snapshot)
    }

    /// Points a file at a new URL (a refreshed link); the bytes are kept when
    /// the new URL serves the same validators and size.
    pub fn set_remote_name(
        &self,
        caller: &Caller,
        job_id: JobId,
        index: u32,
        remote_url: &RemoteUrl,
    ) -> Result<(), Error> {
        let mut state = self.lock();
        let entry = self.live_entry(&state, caller, job_id)?;
        if entry.files.get(index as usize).is_none() {
            return Err(Error::NotFound(format!("job {job_id} has no file {index}")));
        }
        let running = entry.job.state.is_running();
        if let Some(file) = state.jobs.get_mut(&job_id).and_then(|e| e.files.get_mut(index as usize)) {
            file.remote_url = remote_url.to_string();
            file.restart_reason = None;
        }
        self.save(&mut state, job_id, Files::One(index))?;
        self.journal_modified(&mut state, job_id, None);
        if running {
            // Restart the transfer on the new URL.
            self.apply(&mut state, job_id, Action::Preempt, None)?;
        }
        Ok(())
    }

    /// An administrator takes the job over; secrets of the old owner are dropped.
    pub fn take_ownership(&self, caller: &Caller, job_id: JobId) -> Result<Job, Error> {
        let mut state = self.lock();
        self.live_entry(&state, caller, job_id)?;
        if !caller.admin {
            return Err(Error::AccessDenied("only an administrator may take ownership of a job".into()));
        }
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return Err(Error::NotFound(job_id.to_string()));
        };
        entry.job.owner = caller.uid;
        entry.job.custom_headers.clear();
        // As BITS's TakeOwnership: the old owner's credentials do not pass on.
        let before = entry.job.clone();
        entry.job.credentials = None;
        entry.job.cookies = false;
        if entry.job.proxy.as_ref().is_some_and(|p| p.user_name().is_some()) {
            entry.job.proxy = None;
        }
        entry.job.notify_cmd_line = None;
        entry.job.times.modified = Utc::now();
        let snapshot = view(entry);
        self.save(&mut state, job_id, Files::None)?;
        self.journal_modified(&mut state, job_id, None);
        self.drop_secrets(&before);
        Ok(snapshot)
    }

    /// The service-wide limits.
    pub fn limits(&self) -> Limits {
        let state = self.lock();
        Limits {
            speed_limit_bps: Some(self.inner.base_speed.load(std::sync::atomic::Ordering::Relaxed)),
            max_active_jobs: Some(self.inner.max_active.load(std::sync::atomic::Ordering::Relaxed)),
            schedule: Some(state.schedule.clone()),
            schedule_now: Some(Manager::schedule_now(&state)),
            when_done: Some(state.when_done.clone()),
            default_cost_policy: Some(state.default_cost),
            when_done_pending: state.when_done_pending.as_ref().map(|p| p.0.clone()),
            cancel_when_done: None,
            proxy: Some(state.proxy.clone()),
        }
    }

    /// Changes the service-wide limits (administrator or the service's own user).
    pub fn set_limits(&self, caller: &Caller, limits: Limits) -> Result<Limits, Error> {
        if !caller.admin && caller.uid != crate::users::service_uid() {
            return Err(Error::AccessDenied(format!(
                "uid {} may not change the service's limits; only an administrator or uid {} (the service's user) may",
                caller.uid,
                crate::users::service_uid()
            )));
        }
        if limits.max_active_jobs == Some(0) {
            return Err(Error::InvalidArgument("max_active_jobs must be at least 1".into()));
        }
        if limits.schedule_now.is_some() || limits.when_done_pending.is_some() {
            return Err(Error::InvalidArgument("schedule_now and when_done_pending are read-only".into()));
        }
        if let Some(cost) = limits.default_cost_policy {
            let mut state = self.lock();
            state.default_cost = cost;
            self.save_settings(&state);
        }
        if let Some(when_done) = limits.when_done {
            self.replace_when_done(&mut self.lock(), when_done)?;
        }
        if limits.cancel_when_done == Some(true) {
            let mut state = self.lock();
            if self.cancel_when_done(&mut state) {
                self.spent(&mut state);
            }
        }
        if let Some(windows) = limits.schedule {
            self.replace_schedule(&mut self.lock(), windows)?;
        }
        if let Some(rate) = limits.speed_limit_bps {
            self.inner.base_speed.store(rate, std::sync::atomic::Ordering::Relaxed);
            self.refresh_schedule(&mut self.lock());
        }
        if let Some(n) = limits.max_active_jobs {
            self.inner.max_active.store(n, std::sync::atomic::Ordering::Relaxed);
            self.kick();
        }
        Ok(self.limits())
    }
}
