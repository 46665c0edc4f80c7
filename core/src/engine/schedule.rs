//! What a schedule makes of the background jobs at a moment: a pure function
//! of the local time (with its zone, for DST) and the windows. Where windows
//! overlap, the most restrictive wins: pausing, then the lowest speed limit.

use crate::model::ScheduleWindow;
use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, Zoned};

/// Boundaries are looked for this many days ahead (a week, and a day for DST).
const DAYS_AHEAD: i64 = 8;

/// The limits that apply at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effective {
    /// The window that applies (index into the schedule), if any.
    pub window: Option<usize>,
    /// The speed limit of all background jobs together (0 = unlimited).
    pub speed_limit_bps: u64,
    /// Background jobs may not run.
    pub background_paused: bool,
    /// The first window boundary after now (when to look again), if any.
    pub next_boundary: Option<Timestamp>,
    /// When the speed limit or the pause changes next, if it ever does.
    pub until: Option<Timestamp>,
}

/// How restrictive a window is: lower is more restrictive.
fn restriction(window: &ScheduleWindow) -> (bool, u64) {
    let speed = if window.speed_limit_bps == 0 { u64::MAX } else { window.speed_limit_bps };
    (!window.pause_background, speed)
}

/// Whether `window` covers the local time `at`.
fn covers(window: &ScheduleWindow, at: DateTime) -> bool {
    let day = at.weekday().to_monday_zero_offset() as usize;
    let minute = at.hour() as u16 * 60 + at.minute() as u16;
    let (from, to) = (window.from.minutes(), window.to.minutes());
    if from < to {
        window.days.contains(day) && (from..to).contains(&minute)
    } else {
        // Past midnight: the evening of a chosen day, or the morning after it.
        (window.days.contains(day) && minute >= from) || (window.days.contains((day + 6) % 7) && minute < to)
    }
}

/// The window that applies at `at` (the most restrictive of those covering
/// it; the first of equals), if any.
fn winner(windows: &[ScheduleWindow], at: DateTime) -> Option<usize> {
    windows
        .iter()
        .enumerate()
        .filter(|(_, w)| w.problem().is_none() && covers(w, at))
        .min_by_key(|(i, w)| (restriction(w), *i))
        .map(|(i, _)| i)
}

/// (window, speed, paused) at the local time `at`.
fn limits_at(windows: &[ScheduleWindow], base_bps: u64, at: DateTime) -> (Option<usize>, u64, bool) {
    match winner(windows, at) {
        Some(i) => (Some(i), windows[i].speed_limit_bps, windows[i].pause_background),
        None => (None, base_bps, false),
    }
}

/// Every window start and end from yesterday to a week ahead, as instants in
/// `now`'s zone (a time a DST change skips is taken after the gap), after
/// `now`, in order.
fn boundaries(windows: &[ScheduleWindow], now: &Zoned) -> Vec<Timestamp> {
    let today = now.date();
    let mut out = Vec::new();
    for offset in -1..=DAYS_AHEAD {
        let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else { continue };
        let day = date.weekday().to_monday_zero_offset() as usize;
        for window in windows.iter().filter(|w| w.problem().is_none() && w.days.contains(day)) {
            let crosses = window.to <= window.from;
            let end_date = if crosses { date.tomorrow().ok() } else { Some(date) };
            let ends = end_date.map(|d| (d, window.to.minutes()));
            for (on, minutes) in [Some((date, window.from.minutes())), ends].into_iter().flatten() {
                if let Some(at) = instant(now, on, minutes) {
                    out.push(at);
                }
            }
        }
    }
    out.retain(|at| *at > now.timestamp());
    out.sort();
    out.dedup();
    out
}

/// `minutes` after midnight of `date` in `now`'s zone (24:00 is the next midnight).
fn instant(now: &Zoned, date: Date, minutes: u16) -> Option<Timestamp> {
    let (date, minutes) = if minutes >= 24 * 60 { (date.tomorrow().ok()?, minutes - 24 * 60) } else { (date, minutes) };
    let civil = date.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0);
    now.time_zone().to_zoned(civil).ok().map(|z| z.timestamp())
}

/// What the schedule makes of the background jobs at `now`; outside every
/// window, `base_bps` (the service's own limit) applies.
pub fn evaluate(now: &Zoned, windows: &[ScheduleWindow], base_bps: u64) -> Effective {
    let (window, speed_limit_bps, background_paused) = limits_at(windows, base_bps, now.datetime());
    let next = boundaries(windows, now);
    let zone = now.time_zone();
    let until = next.iter().copied().find(|at| {
        let (_, speed, paused) = limits_at(windows, base_bps, zone.to_datetime(*at));
        (speed, paused) != (speed_limit_bps, background_paused)
    });
    Effective { window, speed_limit_bps, background_paused, next_boundary: next.first().copied(), until }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
