//! Which sink each job has and which callbacks still wait to be delivered.

use super::Sink;
use crate::model::JobId;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{Notify, Semaphore};

/// BITS allows at most this many callbacks in flight per user.
pub const CALLBACKS_IN_FLIGHT_PER_USER: usize = 4;

/// A callback that must be delivered (or fall back to the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// `file_transferred` for this file index.
    File(u32),
    /// `job_transferred`.
    Transferred,
    /// `job_error`.
    Error,
}

/// The front of a job's queue: the callback, the sink to call, the worker's wake-up.
pub type Front = (Pending, Option<Arc<dyn Sink>>, Arc<Notify>);

/// The notification state of one job.
#[derive(Default)]
struct Slot {
    sink: Option<Arc<dyn Sink>>,
    pending: VecDeque<Pending>,
    worker_running: bool,
    wake: Arc<Notify>,
    modification_armed: bool,
    last_modification: Option<Instant>,
}

/// Sinks and delivery queues of every job.
#[derive(Default)]
pub struct Registry {
    slots: HashMap<JobId, Slot>,
    per_user: HashMap<u32, Arc<Semaphore>>,
}

impl Registry {
    /// Sets (or with `None` clears) the job's sink; the last registration wins.
    pub fn set_sink(&mut self, job_id: JobId, sink: Option<Arc<dyn Sink>>) {
        let slot = self.slots.entry(job_id).or_default();
        slot.sink = sink;
        slot.wake.notify_one();
    }

    /// The job's sink, if one is registered.
    pub fn sink(&self, job_id: JobId) -> Option<Arc<dyn Sink>> {
        self.slots.get(&job_id).and_then(|s| s.sink.clone())
    }

    /// Drops every registration of the sink with this identity (its connection closed).
    pub fn remove_sink(&mut self, sink_id: u64) {
        for slot in self.slots.values_mut() {
            if slot.sink.as_ref().is_some_and(|s| s.sink_id() == sink_id) {
                slot.sink = None;
            }
        }
    }

    /// Queues a callback, once; returns true when a delivery worker must be started.
    pub fn enqueue(&mut self, job_id: JobId, pending: Pending) -> bool {
        let slot = self.slots.entry(job_id).or_default();
        if !slot.pending.contains(&pending) {
            slot.pending.push_back(pending);
        }
        slot.wake.notify_one();
        if slot.worker_running {
            false
        } else {
            slot.worker_running = true;
            true
        }
    }

    /// The next callback to deliver; `None` ends the worker (and marks it stopped).
    pub fn front(&mut self, job_id: JobId) -> Option<Front> {
        let slot = self.slots.get_mut(&job_id)?;
        match slot.pending.front() {
            Some(pending) => Some((*pending, slot.sink.clone(), slot.wake.clone())),
            None => {
                slot.worker_running = false;
                None
            }
        }
    }

    /// Removes the front callback if it is `pending` (it was delivered or dropped).
    pub fn pop(&mut self, job_id: JobId, pending: Pending) {
        if let Some(slot) = self.slots.get_mut(&job_id)
            && slot.pending.front() == Some(&pending)
        {
            slot.pending.pop_front();
        }
    }

    /// Drops queued callbacks that no longer apply (e.g. the job was resumed).
    pub fn retain(&mut self, job_id: JobId, keep: impl Fn(&Pending) -> bool) {
        if let Some(slot) = self.slots.get_mut(&job_id) {
            slot.pending.retain(|p| keep(p));
        }
    }

    /// Forgets a job that reached a final state.
    pub fn forget(&mut self, job_id: JobId) {
        if let Some(slot) = self.slots.get_mut(&job_id) {
            slot.pending.clear();
            slot.sink = None;
            slot.wake.notify_one();
        }
    }

    /// The semaphore that bounds a user's callbacks in flight.
    pub fn user_permits(&mut self, uid: u32) -> Arc<Semaphore> {
        self.per_user.entry(uid).or_insert_with(|| Arc::new(Semaphore::new(CALLBACKS_IN_FLIGHT_PER_USER))).clone()
    }

    /// Marks the job modified; returns the delay after which a `job_modification`
    /// should be sent, or `None` when one is already scheduled.
    pub fn arm_modification(&mut self, job_id: JobId, interval: std::time::Duration) -> Option<std::time::Duration> {
        let slot = self.slots.get_mut(&job_id)?;
        slot.sink.as_ref()?;
        if slot.modification_armed {
            return None;
        }
        slot.modification_armed = true;
        let wait = slot.last_modification.map(|last| interval.saturating_sub(last.elapsed())).unwrap_or_default();
        Some(wait)
    }

    /// Takes the armed modification: returns the sink to call.
    pub fn fire_modification(&mut self, job_id: JobId) -> Option<Arc<dyn Sink>> {
        let slot = self.slots.get_mut(&job_id)?;
        slot.modification_armed = false;
        slot.last_modification = Some(Instant::now());
        slot.sink.clone()
    }
}
