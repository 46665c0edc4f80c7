//! `subscribe`: the caller's journal entries as `event` notifications, `progress`
//! at most every 250 ms while one of its jobs runs, and `network` when the network
//! state changes. A client that leaves events unread
//! for `EVENT_SEND_TIMEOUT` is cut off (it catches up with `events_since`): no unbounded buffers.

use crate::Manager;
use crate::model::{Caller, Event, EventKind};
use crate::protocol::Notice;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// Progress notifications are sent at most this often.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// A client that leaves an event unread for this long is disconnected.
pub const EVENT_SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the forwarding task needs.
pub(super) struct Subscription {
    pub(super) manager: Manager,
    pub(super) caller: Caller,
    /// Events up to this sequence number were already reported by `subscribe`.
    pub(super) after_seq: u64,
    /// Only events of these kinds are forwarded (`None`: all).
    pub(super) kinds: Option<Vec<EventKind>>,
    pub(super) events: broadcast::Receiver<Event>,
    pub(super) out: mpsc::Sender<String>,
    pub(super) closed: CancellationToken,
}

fn concerns(caller: &Caller, event: &Event) -> bool {
    caller.admin || event.owner == caller.uid || event.creator == caller.uid
}

impl Subscription {
    /// Forwards until the connection closes.
    pub(super) async fn run(mut self) {
        let mut tick = tokio::time::interval(PROGRESS_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Check once at start; afterwards only while an event says something runs.
        let mut maybe_running = true;
        let mut network = self.manager.watch_network();
        network.mark_unchanged();
        let mut when_done = self.manager.watch_when_done();
        when_done.mark_unchanged();
        loop {
            tokio::select! {
                _ = self.closed.cancelled() => return,
                changed = when_done.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let pending = when_done.borrow_and_update().clone();
                    if !self.send(Notice::WhenDone(pending), "a when_done notification").await {
                        return;
                    }
                }
                changed = network.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let status = *network.borrow_and_update();
                    if !self.send(Notice::Network(status), "a network notification").await {
                        return;
                    }
                }
                received = self.events.recv() => match received {
                    Ok(event) => {
                        if event.seq <= self.after_seq || !concerns(&self.caller, &event) {
                            continue;
                        }
                        maybe_running |= event.state.is_running();
                        if self.kinds.as_ref().is_some_and(|kinds| !kinds.contains(&event.kind)) {
                            continue;
                        }
                        if !self.forward(&event).await {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            "closing a connection of uid {}: it fell {missed} events behind",
                            self.caller.uid
                        );
                        self.closed.cancel();
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = tick.tick(), if maybe_running => {
                    let jobs = self.manager.progress(&self.caller);
                    if jobs.is_empty() {
                        maybe_running = false;
                        continue;
                    }
                    match Notice::Progress(jobs).encode() {
                        // A client that does not read its progress misses some; that is fine.
                        Ok(line) => drop(self.out.try_send(line)),
                        Err(e) => tracing::warn!("cannot encode a progress notification: {e}"),
                    }
                }
            }
        }
    }

    /// Sends one event; false when the connection is gone or was closed for being slow.
    async fn forward(&self, event: &Event) -> bool {
        self.send(Notice::Event(event.clone()), &format!("event {}", event.seq)).await
    }

    /// Sends a notification that must not be lost; false when the connection
    /// is gone or was closed for being slow.
    async fn send(&self, notice: Notice, what: &str) -> bool {
        let line = match notice.encode() {
            Ok(line) => line,
            Err(e) => {
                tracing::warn!("cannot encode {what}: {e}");
                return true;
            }
        };
        match tokio::time::timeout(EVENT_SEND_TIMEOUT, self.out.send(line)).await {
            Ok(Ok(())) => true,
            Ok(Err(_)) => false,
            Err(_) => {
                tracing::warn!(
                    "closing a connection of uid {}: it has not read its events for {} s",
                    self.caller.uid,
                    EVENT_SEND_TIMEOUT.as_secs()
                );
                self.closed.cancel();
                false
            }
        }
    }
}
