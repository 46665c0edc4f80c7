//! The action when the queue empties: fired once when the last job in the
//! queue leaves it by finishing (transferred or failed), not when the user
//! suspends or cancels it. A command runs at once; suspend and power off come
//! after a countdown that `set_limits {cancel_when_done}` stops. Unless made
//! permanent, the action goes back to nothing once it fired or was cancelled.

use super::{Manager, State};
use crate::error::Error;
use crate::model::{JobState, WhenDone, WhenDoneAction, WhenDonePending};
use crate::power::{PowerAction, request};
use chrono::Utc;
use std::time::Duration;

/// How long a power action waits for a Cancel.
const POWER_DELAY: Duration = Duration::from_secs(60);

/// TEST ONLY: seconds a power action waits instead of 60. Never set it otherwise.
pub const TEST_POWER_DELAY_ENV: &str = "HAUL_TEST_POWER_DELAY_S";

/// Whether a job in this state is in the queue (will transfer without the user).
fn in_queue(state: JobState) -> bool {
    matches!(state, JobState::Queued | JobState::Connecting | JobState::Transferring | JobState::TransientError)
}

fn power_delay() -> Duration {
    std::env::var(TEST_POWER_DELAY_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(POWER_DELAY, Duration::from_secs)
}

impl Manager {
    /// A job changed state: when it was the last in the queue and left it by
    /// finishing, the action fires.
    pub(super) fn note_queue_exit(&self, state: &mut State, old: JobState, new: JobState) {
        if !in_queue(old) || in_queue(new) {
            return;
        }
        let finished = matches!(new, JobState::Transferred | JobState::Error);
        if finished && !state.jobs.values().any(|e| in_queue(e.job.state)) {
            self.fire_when_done(state);
        }
    }

    fn fire_when_done(&self, state: &mut State) {
        let action = state.when_done.action.clone();
        match &action {
            WhenDoneAction::Nothing => return,
            WhenDoneAction::Command { command } => {
                tracing::info!("the queue is empty: running `{command}`");
                let command = command.clone();
                self.inner.tracker.spawn(async move {
                    match tokio::process::Command::new("sh").arg("-c").arg(&command).status().await {
                        Ok(status) if status.success() => {}
                        Ok(status) => tracing::warn!("`{command}` (when the queue emptied) ended with {status}"),
                        Err(e) => tracing::warn!("cannot run `{command}` (when the queue emptied): {e}"),
                    }
                });
            }
            WhenDoneAction::Suspend | WhenDoneAction::Poweroff => {
                if state.when_done_pending.is_some() {
                    return;
                }
                let delay = power_delay();
                let at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
                tracing::info!("the queue is empty: {} in {} s unless cancelled", action.words(), delay.as_secs());
                let stop = self.inner.shutdown.child_token();
                state.when_done_pending = Some((WhenDonePending { action: action.clone(), at }, stop.clone()));
                self.inner.when_done_changed.send_replace(state.when_done_pending.as_ref().map(|p| p.0.clone()));
                let power =
                    if action == WhenDoneAction::Suspend { PowerAction::Suspend } else { PowerAction::PowerOff };
                let manager = self.clone();
                self.inner.tracker.spawn(async move {
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                    }
                    manager.end_countdown();
                    match request(power).await {
                        Ok(()) => tracing::info!("asked logind to {}", action.words()),
                        Err(e) => tracing::error!("cannot {}: {e}", action.words()),
                    }
                });
                return self.spent(state);
            }
        }
        self.spent(state);
    }

    /// The countdown is over (fired): no longer pending.
    fn end_countdown(&self) {
        let mut state = self.lock();
        state.when_done_pending = None;
        self.inner.when_done_changed.send_replace(None);
    }

    /// The action fired once: back to nothing unless permanent.
    pub(super) fn spent(&self, state: &mut State) {
        if !state.when_done.permanent {
            state.when_done = WhenDone::default();
            self.save_settings(state);
        }
    }

    /// Stops a power action counting down; false when none was.
    pub(super) fn cancel_when_done(&self, state: &mut State) -> bool {
        let Some((pending, stop)) = state.when_done_pending.take() else { return false };
        stop.cancel();
        tracing::info!("cancelled: {}", pending.action.words());
        self.inner.when_done_changed.send_replace(None);
        true
    }

    /// Sets the action (a new choice also cancels a countdown).
    pub(super) fn replace_when_done(&self, state: &mut State, when_done: WhenDone) -> Result<(), Error> {
        if let WhenDoneAction::Command { command } = &when_done.action
            && command.trim().is_empty()
        {
            return Err(Error::InvalidArgument("the command to run when the queue empties is empty".into()));
        }
        self.cancel_when_done(state);
        state.when_done = when_done;
        self.save_settings(state);
        Ok(())
    }

    /// A power action counting down, for `get_limits` and the window.
    pub fn watch_when_done(&self) -> tokio::sync::watch::Receiver<Option<WhenDonePending>> {
        self.inner.when_done_changed.subscribe()
    }
}
