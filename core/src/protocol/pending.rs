//! The requests one end of a connection sent and waits to hear back about:
//! the client's calls and the service's callbacks share this table.

use super::Id;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// Requests in flight, by id; each waits for an answer of type `T`.
pub struct Pending<T> {
    waiting: Mutex<HashMap<i64, oneshot::Sender<T>>>,
    next_id: AtomicI64,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending { waiting: Mutex::new(HashMap::new()), next_id: AtomicI64::new(1) }
    }
}

/// A request's place in the table: its id, and where its answer arrives.
/// Dropping it (the request ended, was answered or timed out) frees the place.
pub struct Slot<T> {
    pending: Arc<Pending<T>>,
    /// The request's id on the wire.
    pub id: i64,
    /// The answer, once [`Pending::resolve`] is called with this id.
    pub answer: oneshot::Receiver<T>,
}

impl<T> Drop for Slot<T> {
    fn drop(&mut self) {
        self.pending.waiting().remove(&self.id);
    }
}

impl<T> Pending<T> {
    fn waiting(&self) -> MutexGuard<'_, HashMap<i64, oneshot::Sender<T>>> {
        // Only inserts and removes happen under this lock, so a poisoned map is intact.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a new id and a place to wait for its answer.
    pub fn register(self: &Arc<Self>) -> Slot<T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, answer) = oneshot::channel();
        self.waiting().insert(id, tx);
        Slot { pending: self.clone(), id, answer }
    }

    /// Hands an answer to the request with this id; false if none waits
    /// (an id we never sent, a string id, or one that gave up).
    pub fn resolve(&self, id: &Id, answer: T) -> bool {
        let Id::Number(number) = id else {
            return false;
        };
        match self.waiting().remove(number) {
            // A waiter that went away at this instant has nothing left to tell.
            Some(waiter) => waiter.send(answer).is_ok(),
            None => false,
        }
    }

    /// Forgets every request in flight: their waiters see the channel close.
    pub fn fail_all(&self) {
        self.waiting().clear();
    }

    /// Hands the same answer to every request in flight (an error about the
    /// whole connection).
    pub fn answer_all(&self, answer: T)
    where
        T: Clone,
    {
        for (_, waiter) in self.waiting().drain() {
            // A waiter that went away has nothing left to tell.
            let _ = waiter.send(answer.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reaches_the_request_with_its_id_only() {
        let pending = Arc::new(Pending::<u32>::default());
        let mut first = pending.register();
        let mut second = pending.register();
        assert_ne!(first.id, second.id);
        assert!(pending.resolve(&Id::Number(second.id), 7));
        assert_eq!(second.answer.try_recv(), Ok(7));
        assert!(first.answer.try_recv().is_err());
        assert!(!pending.resolve(&Id::Number(second.id), 8), "answered once");
        assert!(!pending.resolve(&Id::String("1".into()), 8));
    }

    #[test]
    fn a_dropped_slot_frees_its_place() {
        let pending = Arc::new(Pending::<u32>::default());
        let slot = pending.register();
        let id = slot.id;
        drop(slot);
        assert!(!pending.resolve(&Id::Number(id), 1));
    }

    #[test]
    fn failing_all_closes_every_waiter() {
        let pending = Arc::new(Pending::<u32>::default());
        let mut slot = pending.register();
        pending.fail_all();
        assert!(matches!(slot.answer.try_recv(), Err(oneshot::error::TryRecvError::Closed)));
    }
}
