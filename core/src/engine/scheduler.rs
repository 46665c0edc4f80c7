//! Which jobs should be running now: a pure function over a snapshot.

use crate::model::{CostPolicy, JobId, JobState, NetworkStatus, Priority, WaitReason};

/// What the scheduler needs to know of a job.
#[derive(Clone, Copy, Debug)]
pub struct JobView {
    /// The job.
    pub job_id: JobId,
    /// Its priority.
    pub priority: Priority,
    /// Its state.
    pub state: JobState,
    /// Its place in the queue (lower runs first).
    pub queue_order: i64,
    /// The network does not allow it to run now (see [`network_hold`]).
    pub held: bool,
}

/// The limits the scheduler obeys.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Background jobs (high, normal, low) running at once.
    pub max_active: usize,
}

/// Why a job with this cost policy may not run on this network now, if it
/// may not: the computer is offline, or the network is metered and the job
/// may use only unmetered ones.
pub fn network_hold(network: &NetworkStatus, cost: CostPolicy) -> Option<WaitReason> {
    if !network.online {
        Some(WaitReason::Network)
    } else if network.metered && cost == CostPolicy::Unmetered {
        Some(WaitReason::UnmeteredNetwork)
    } else {
        None
    }
}

/// The jobs that should be running, leaving out those the network holds:
/// every foreground job, then background jobs
/// by priority (a running job keeps its slot against an equal one; a higher
/// priority preempts), then queue order, up to `max_active`.
pub fn next_to_run(jobs: &[JobView], limits: &Limits) -> Vec<JobId> {
    let mut runnable: Vec<&JobView> =
        jobs.iter().filter(|j| !j.held && (j.state == JobState::Queued || j.state.is_running())).collect();
    runnable.sort_by_key(|j| (j.priority, !j.state.is_running(), j.queue_order));
    let foreground = runnable.iter().filter(|j| j.priority == Priority::Foreground);
    let background = runnable.iter().filter(|j| j.priority != Priority::Foreground).take(limits.max_active);
    foreground.chain(background).map(|j| j.job_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobState::*;
    use Priority::*;

    fn views(spec: &[(Priority, JobState)]) -> Vec<JobView> {
        spec.iter()
            .enumerate()
            .map(|(i, (priority, state))| JobView {
                job_id: JobId(uuid::Uuid::from_u128(i as u128)),
                priority: *priority,
                state: *state,
                queue_order: i as i64,
                held: false,
            })
            .collect()
    }

    fn pick(spec: &[(Priority, JobState)], max_active: usize) -> Vec<u128> {
        next_to_run(&views(spec), &Limits { max_active }).into_iter().map(|id| id.0.as_u128()).collect()
    }

    /// (jobs, max_active, the indices expected to run)
    type Case<'a> = (&'a [(Priority, JobState)], usize, &'a [u128]);

    #[test]
    fn table() {
        let cases: &[Case] = &[
            // queue order within a priority
            (&[(Normal, Queued), (Normal, Queued), (Normal, Queued)], 2, &[0, 1]),
            // higher priority first
            (&[(Low, Queued), (High, Queued), (Normal, Queued)], 1, &[1]),
            // foreground always runs, beside background jobs
            (&[(Foreground, Queued), (Foreground, Queued), (Normal, Queued)], 1, &[0, 1, 2]),
            // a running job keeps its slot against an equal, earlier one
            (&[(Normal, Queued), (Normal, Transferring)], 1, &[1]),
            // a higher priority preempts a running lower one
            (&[(Low, Transferring), (High, Queued)], 1, &[1]),
            // suspended, error, transferred jobs never run
            (&[(Normal, Suspended), (Normal, Error), (Normal, Transferred), (Normal, TransientError)], 4, &[]),
            // connecting counts as running
            (&[(Normal, Queued), (Normal, Connecting)], 1, &[1]),
        ];
        for (spec, max, want) in cases {
            assert_eq!(pick(spec, *max), want.to_vec(), "{spec:?}");
        }
    }

    #[test]
    fn held_jobs_neither_run_nor_take_a_slot() {
        let mut jobs = views(&[(Foreground, Queued), (Normal, Transferring), (Normal, Queued), (Normal, Queued)]);
        jobs[0].held = true;
        jobs[1].held = true;
        let picked: Vec<u128> =
            next_to_run(&jobs, &Limits { max_active: 1 }).into_iter().map(|id| id.0.as_u128()).collect();
        assert_eq!(picked, vec![2], "a held running job is left out (preempted), its slot goes to the next");
    }

    #[test]
    fn offline_holds_every_job_and_metered_the_unmetered_ones() {
        use CostPolicy::{Any, Unmetered};
        let online = NetworkStatus::default();
        let offline = NetworkStatus { online: false, ..online };
        let metered = NetworkStatus { metered: true, ..online };
        let offline_metered = NetworkStatus { online: false, metered: true, ..online };
        // (network, cost, hold)
        let cases = [
            (online, Any, None),
            (online, Unmetered, None),
            (offline, Any, Some(WaitReason::Network)),
            (offline, Unmetered, Some(WaitReason::Network)),
            (metered, Any, None),
            (metered, Unmetered, Some(WaitReason::UnmeteredNetwork)),
            (offline_metered, Any, Some(WaitReason::Network)),
            (offline_metered, Unmetered, Some(WaitReason::Network)),
        ];
        for (network, cost, want) in cases {
            assert_eq!(network_hold(&network, cost), want, "{network:?} {cost:?}");
        }
    }
}
