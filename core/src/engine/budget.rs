//! A job's connections at once, shared by its files: each running file holds
//! one, and a split file's extra connections take more while there are any,
//! so a job of many files keeps as many requests in flight as one big file
//! would, and never more.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Notify;

/// The connections one job may hold at once.
#[derive(Debug)]
pub struct ConnectionBudget {
    limit: AtomicUsize,
    used: AtomicUsize,
    freed: Notify,
}

/// One connection of the budget, given back when dropped.
#[derive(Debug)]
pub struct ConnectionPermit {
    budget: Arc<ConnectionBudget>,
    /// Whether giving it back wakes a waiter (not for one taken and not used).
    wake: bool,
}

impl ConnectionBudget {
    /// A budget of `limit` connections (at least one).
    pub fn new(limit: usize) -> Arc<ConnectionBudget> {
        Arc::new(ConnectionBudget {
            limit: AtomicUsize::new(limit.max(1)),
            used: AtomicUsize::new(0),
            freed: Notify::new(),
        })
    }

    /// Changes the limit; connections held beyond it end as they would, and
    /// none is taken until the count is under it again.
    pub fn set_limit(&self, limit: usize) {
        self.limit.store(limit.max(1), Ordering::Release);
        self.freed.notify_one();
    }

    /// A connection, if fewer than the limit are held.
    pub fn try_take(self: &Arc<Self>) -> Option<ConnectionPermit> {
        let limit = self.limit.load(Ordering::Acquire);
        self.used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| (used < limit).then_some(used + 1)).ok()?;
        Some(ConnectionPermit { budget: self.clone(), wake: true })
    }

    /// Connections held now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Resolves after a connection was given back (or the limit changed)
    /// since the last wait returned.
    pub async fn freed(&self) {
        self.freed.notified().await;
    }
}

impl ConnectionPermit {
    /// Gives back a connection that was taken but not used, waking nobody
    /// (what it would wake for was there before).
    pub fn unused(mut self) {
        self.wake = false;
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(1, Ordering::AcqRel);
        if self.wake {
            self.budget.freed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_up_to_the_limit_and_gets_them_back() {
        let budget = ConnectionBudget::new(2);
        let first = budget.try_take();
        let second = budget.try_take();
        assert!(first.is_some() && second.is_some());
        assert!(budget.try_take().is_none());
        drop(first);
        assert_eq!(budget.used(), 1);
        assert!(budget.try_take().is_some());
    }

    #[test]
    fn a_lower_limit_holds_new_connections_back() {
        let budget = ConnectionBudget::new(3);
        let mut held: Vec<_> = (0..3).filter_map(|_| budget.try_take()).collect();
        budget.set_limit(1);
        held.pop();
        assert_eq!(budget.used(), 2);
        assert!(budget.try_take().is_none());
        assert_eq!(ConnectionBudget::new(0).try_take().map(|_| ()), Some(()));
    }

    #[tokio::test]
    async fn a_connection_given_back_wakes_a_waiter() {
        let budget = ConnectionBudget::new(1);
        let held = budget.try_take();
        let waiter = {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget.freed().await;
                budget.try_take().is_some()
            })
        };
        drop(held);
        assert!(waiter.await.is_ok_and(|took| took));
    }
}
