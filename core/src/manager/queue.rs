//! A user's waiting queue and what changes it: `move_job` (aria2's
//! `changePosition`) and `forget_job`, which removes a final job for good.

use super::api::view;
use super::apply::batched;
use super::{Entry, Manager, State};
use crate::error::Error;
use crate::model::{Caller, Job, JobId, JobState};
use crate::protocol::Whence;

/// Whether a job in this state waits in the queue (it is neither running nor final).
fn is_waiting(state: JobState) -> bool {
    matches!(state, JobState::Queued | JobState::Suspended | JobState::TransientError)
}

/// The waiting jobs of the user `uid` (as owner or creator), in queue order.
fn queue_of(state: &State, uid: u32) -> Vec<&Entry> {
    let mut entries: Vec<&Entry> = state
        .jobs
        .values()
        .map(|e| &**e)
        .filter(|e| is_waiting(e.job.state) && (e.job.owner == uid || e.job.creator == uid))
        .collect();
    entries.sort_by_key(|e| e.queue_order);
    entries
}

/// The index `position` names in a queue of `len` jobs (`len` ≥ 1) where the
/// job is at `current`, clamped into the queue.
fn target_index(current: usize, len: usize, position: i64, how: Whence) -> usize {
    let last = len.saturating_sub(1) as i64;
    let base = match how {
        Whence::Set => 0,
        Whence::Cur => current as i64,
        Whence::End => last,
    };
    base.saturating_add(position).clamp(0, last) as usize
}

impl Manager {
    /// The caller's waiting jobs (queued, suspended or waiting to retry; as
    /// owner or creator), in the order the scheduler takes them within a priority.
    pub fn waiting_queue(&self, caller: &Caller) -> Vec<Job> {
        let state = self.lock();
        queue_of(&state, caller.uid).into_iter().map(view).collect()
    }

    /// Moves a waiting job within its queue: `position` counts from the front
    /// (`Set`), from the job's place (`Cur`) or from the last place (`End`),
    /// clamped into the queue. Returns the job's new 0-based index. The queue
    /// is the caller's; an administrator moving another user's job moves it
    /// within its owner's. Only the queue's jobs change places: they swap
    /// their `queue_order` values, so other users' jobs keep theirs.
    pub fn move_job(&self, caller: &Caller, job_id: JobId, position: i64, how: Whence) -> Result<u64, Error> {
        let mut state = self.lock();
        let job = &self.entry(&state, caller, job_id)?.job;
        if !is_waiting(job.state) {
            return Err(Error::InvalidState(format!(
                "job {job_id} is {}; only a queued, suspended or waiting job can be moved",
                job.state
            )));
        }
        let uid = if job.owner == caller.uid || job.creator == caller.uid { caller.uid } else { job.owner };
        let queue: Vec<(JobId, i64)> = queue_of(&state, uid).iter().map(|e| (e.job.id, e.queue_order)).collect();
        let current = queue.iter().position(|(id, _)| *id == job_id).unwrap_or_default();
        let target = target_index(current, queue.len(), position, how);
        if target != current {
            let orders: Vec<i64> = queue.iter().map(|(_, order)| *order).collect();
            let mut ids: Vec<JobId> = queue.iter().map(|(id, _)| *id).collect();
            let moved = ids.remove(current);
            ids.insert(target, moved);
            batched(&mut state, |state| {
                for (id, order) in ids.into_iter().zip(orders) {
                    let Some(entry) = state.jobs.get_mut(&id) else { continue };
                    if entry.queue_order != order {
                        entry.queue_order = order;
                        state.store.set_queue_order(id, order)?;
                    }
                }
                Ok(())
            })?;
            self.kick();
        }
        Ok(target as u64)
    }

    /// Removes a final (acknowledged or cancelled) job for good: from the job
    /// table and the store, its files' rows too. Its journal entries stay.
    pub fn forget_job(&self, caller: &Caller, job_id: JobId) -> Result<(), Error> {
        let mut state = self.lock();
        let job_state = self.entry(&state, caller, job_id)?.job.state;
        if !job_state.is_final() {
            return Err(Error::InvalidState(format!(
                "job {job_id} is {job_state}; only a finished or cancelled job can be forgotten"
            )));
        }
        batched(&mut state, |state| Ok(state.store.delete_job(job_id)?))?;
        let forgotten = state.jobs.remove(&job_id);
        state.registry.forget(job_id);
        state.writable_dirs.retain(|(id, _), _| *id != job_id);
        if let Some(entry) = forgotten {
            self.drop_secrets(&entry.job);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_as_aria2_does_and_are_clamped() {
        // (current, len, position, how, expected)
        let cases = [
            (3, 4, 0, Whence::Set, 0),
            (0, 4, 2, Whence::Set, 2),
            (0, 4, 9, Whence::Set, 3),
            (2, 4, -5, Whence::Set, 0),
            (2, 4, -1, Whence::Cur, 1),
            (2, 4, 1, Whence::Cur, 3),
            (2, 4, 7, Whence::Cur, 3),
            (1, 4, -7, Whence::Cur, 0),
            (0, 4, 0, Whence::End, 3),
            (0, 4, -1, Whence::End, 2),
            (0, 4, 5, Whence::End, 3),
            (3, 4, -9, Whence::End, 0),
            (0, 1, 5, Whence::Cur, 0),
            (0, 4, i64::MAX, Whence::End, 3),
            (3, 4, i64::MIN, Whence::Cur, 0),
        ];
        for (current, len, position, how, expected) in cases {
            assert_eq!(target_index(current, len, position, how), expected, "{current} {len} {position} {how:?}");
        }
    }
}
