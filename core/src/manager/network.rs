//! The network's state in the manager: going offline stops every transfer as a
//! "no network" transient error (no failure counted, no no-progress clock);
//! coming back retries every waiting job at once; a metered network holds the
//! jobs whose cost policy is `unmetered` (the scheduler preempts running ones).

use super::schedule::waiting;
use super::{Manager, State};
use crate::model::{JobId, JobState, NetworkStatus, no_network_error};
use crate::transition::Action;
use std::time::Instant;
use tokio::sync::watch;

impl Manager {
    /// The network as the service last heard of it.
    pub fn network(&self) -> NetworkStatus {
        *self.inner.network.borrow()
    }

    /// The network state now and each change (for `network` notifications).
    pub fn watch_network(&self) -> watch::Receiver<NetworkStatus> {
        self.inner.network.subscribe()
    }

    /// Takes the watcher's state now, and each change until the manager shuts down.
    pub fn follow_network(&self, mut states: watch::Receiver<NetworkStatus>) {
        self.set_network(*states.borrow_and_update());
        let manager = self.clone();
        self.inner.tracker.spawn(async move {
            loop {
                tokio::select! {
                    _ = manager.inner.shutdown.cancelled() => break,
                    changed = states.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        let status = *states.borrow_and_update();
                        manager.set_network(status);
                    }
                }
            }
        });
    }

    /// A new network state: offline stops every transfer ("no network"), back
    /// online retries every job waiting on a transient error at once.
    pub fn set_network(&self, status: NetworkStatus) {
        let mut state = self.lock();
        let old = state.network;
        if old == status {
            return;
        }
        state.network = status;
        self.inner.network.send_replace(status);
        let now = Instant::now();
        if old.online && !status.online {
            tracing::info!("the network is gone ({:?}): downloads wait until it is back", status.connectivity);
            state.offline_since = Some(now);
            for job_id in jobs_in(&state, JobState::is_running) {
                if let Err(e) = self.apply(&mut state, job_id, Action::TransientFail, Some(no_network_error())) {
                    tracing::warn!("job {job_id}: cannot stop it for the lost network: {e}");
                }
            }
        } else if !old.online && status.online {
            tracing::info!("the network is back: retrying every waiting download");
            // The time offline does not count towards a job's no-progress timeout.
            let offline_for = state.offline_since.take().map(|since| now - since).unwrap_or_default();
            for entry in state.jobs.values_mut() {
                if let Some(since) = entry.run.get_mut().and_then(|run| run.no_progress_since.as_mut()) {
                    *since += offline_for;
                }
            }
            for job_id in jobs_in(&state, |s| s == JobState::TransientError) {
                self.apply_own(&mut state, job_id, Action::Retry);
            }
        }
        self.refresh_wait_reasons(&mut state);
        self.kick();
    }

    /// Sets every queued job's wait reason for the network now, and tells the
    /// sinks of the jobs whose reason changed.
    pub(super) fn refresh_wait_reasons(&self, state: &mut State) {
        let (network, schedule) = (state.network, state.schedule_now);
        let mut changed = Vec::new();
        for entry in state.jobs.values_mut() {
            let (reason, until) = waiting(&entry.job, &network, &schedule);
            if (entry.job.wait_reason, entry.job.wait_until) != (reason, until) {
                (entry.job.wait_reason, entry.job.wait_until) = (reason, until);
                changed.push(entry.job.id);
            }
        }
        for job_id in changed {
            self.modified(state, job_id);
        }
    }
}

fn jobs_in(state: &State, which: impl Fn(JobState) -> bool) -> Vec<JobId> {
    state.jobs.values().filter(|e| which(e.job.state)).map(|e| e.job.id).collect()
}
