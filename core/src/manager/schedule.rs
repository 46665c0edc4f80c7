//! The schedule in the manager: the windows, kept in the data folder, are
//! looked at on every scheduler pass and at every window boundary; they set the
//! global speed limit and hold background jobs while a window pauses them.

use super::{Manager, State};
use crate::engine::{Effective, evaluate_schedule, network_hold};
use crate::error::Error;
use crate::model::{Job, JobState, NetworkStatus, Priority, ScheduleNow, ScheduleWindow, WaitReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// TEST ONLY: seconds added to the wall clock when the schedule reads the time
/// (so a test can stand just before a window boundary). Never set it otherwise.
pub const TEST_CLOCK_OFFSET_ENV: &str = "HAUL_TEST_CLOCK_OFFSET_S";

/// The file in the data folder that keeps the schedule.
const SETTINGS_FILE: &str = "settings.json";

/// Most windows in a schedule.
pub const MAX_WINDOWS: usize = 64;

/// What the service keeps across restarts besides its jobs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct Saved {
    #[serde(default)]
    pub schedule: Vec<ScheduleWindow>,
    #[serde(default)]
    pub when_done: crate::model::WhenDone,
    #[serde(default)]
    pub default_cost_policy: crate::model::CostPolicy,
    /// The service's proxy (never with its password: that is in the secret store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::model::ProxyChoice>,
}

/// The settings file next to the database.
pub(super) fn settings_path(db_path: &Path) -> PathBuf {
    db_path.parent().unwrap_or(Path::new(".")).join(SETTINGS_FILE)
}

/// The saved settings; a missing or unreadable file is none (and said so).
pub(super) fn load(path: &Path) -> Saved {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!("ignoring {}: {e}", path.display());
            Saved::default()
        }),
        Err(_) => Saved::default(),
    }
}

fn store(path: &Path, saved: &Saved) -> std::io::Result<()> {
    let temp = path.with_extension("json.new");
    let text = serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?;
    std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, path))
}

/// The local time now, with the system's zone (`TZ` wins), moved by the test offset.
pub(super) fn local_now() -> jiff::Zoned {
    let offset = std::env::var(TEST_CLOCK_OFFSET_ENV).ok().and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0);
    let now = jiff::Timestamp::now();
    let now = now.checked_add(jiff::SignedDuration::from_secs(offset)).unwrap_or(now);
    now.to_zoned(jiff::tz::TimeZone::system())
}

fn to_chrono(at: jiff::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.as_second(), at.subsec_nanosecond().max(0) as u32)
}

/// Why a job waits now and until when: only a queued job waits; the network
/// first, then a schedule that pauses background jobs.
pub(super) fn waiting(
    job: &Job,
    network: &NetworkStatus,
    schedule: &Effective,
) -> (Option<WaitReason>, Option<DateTime<Utc>>) {
    if job.state != JobState::Queued {
        return (None, None);
    }
    if let Some(reason) = network_hold(network, job.cost_policy) {
        return (Some(reason), None);
    }
    if schedule.background_paused && job.priority != Priority::Foreground {
        return (Some(WaitReason::Schedule), schedule.until.and_then(to_chrono));
    }
    (None, None)
}

impl Manager {
    /// What the schedule makes of the background jobs now, for `get_limits`.
    pub(super) fn schedule_now(state: &State) -> ScheduleNow {
        let now = &state.schedule_now;
        ScheduleNow {
            window: now.window,
            speed_limit_bps: now.speed_limit_bps,
            background_paused: now.background_paused,
            until: now.until.and_then(to_chrono),
        }
    }

    /// Looks at the schedule now: sets the global limit, the wait reasons,
    /// and returns when to look again (the next window boundary).
    pub(super) fn refresh_schedule(&self, state: &mut State) -> Option<Instant> {
        let now = local_now();
        let base = self.inner.base_speed.load(Ordering::Relaxed);
        let effective = evaluate_schedule(&now, &state.schedule, base);
        if self.inner.global_limit.rate() != effective.speed_limit_bps {
            self.inner.global_limit.set_rate(effective.speed_limit_bps);
        }
        if effective != state.schedule_now {
            if (effective.window, effective.background_paused)
                != (state.schedule_now.window, state.schedule_now.background_paused)
            {
                tracing::info!(
                    "schedule: window {:?}, background speed {} B/s, paused {}",
                    effective.window,
                    effective.speed_limit_bps,
                    effective.background_paused
                );
            }
            state.schedule_now = effective;
            self.refresh_wait_reasons(state);
        }
        let next = effective.next_boundary?;
        let wait = now.timestamp().duration_until(next);
        let wait = Duration::try_from(wait).unwrap_or_default();
        // A little after the boundary, so the next look is inside the new window.
        Some(Instant::now() + wait + Duration::from_millis(5))
    }

    /// Keeps the schedule and the queue-empty action in the data folder.
    pub(super) fn save_settings(&self, state: &State) {
        let path = settings_path(&self.inner.config.db_path);
        let saved = Saved {
            schedule: state.schedule.clone(),
            when_done: state.when_done.clone(),
            default_cost_policy: state.default_cost,
            proxy: Some(state.proxy.clone()),
        };
        if let Err(e) = store(&path, &saved) {
            // The settings still apply until the service stops.
            tracing::error!("cannot save the settings in {}: {e}", path.display());
        }
    }

    /// Replaces the schedule and keeps it in the data folder.
    pub(super) fn replace_schedule(&self, state: &mut State, windows: Vec<ScheduleWindow>) -> Result<(), Error> {
        if windows.len() > MAX_WINDOWS {
            return Err(Error::InvalidArgument(format!("a schedule has at most {MAX_WINDOWS} windows")));
        }
        if let Some(problem) = windows.iter().find_map(ScheduleWindow::problem) {
            return Err(Error::InvalidArgument(problem));
        }
        state.schedule = windows;
        self.save_settings(state);
        self.refresh_schedule(state);
        self.kick();
        Ok(())
    }
}
