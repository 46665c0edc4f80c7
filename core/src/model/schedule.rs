//! Schedules (BITS's BandwidthThrottlingStart/EndTime policy, with days): time
//! windows in local time within which background jobs get another speed limit
//! or do not run. Plain data; `engine::schedule` decides what applies when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The days' short names, Monday first (the bit order of [`Days`]).
pub const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Days of the week on which a window starts: bit 0 is Monday, bit 6 Sunday.
/// On the wire, a list of lower-case short names (`["mon","tue"]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Days(u8);

impl Days {
    /// Every day.
    pub const ALL: Days = Days(0x7f);
    /// Monday to Friday.
    pub const WEEKDAYS: Days = Days(0x1f);

    /// The day `monday_based` (0 = Monday … 6 = Sunday); out of range is no day.
    pub fn day(monday_based: usize) -> Days {
        Days(if monday_based < 7 { 1 << monday_based } else { 0 })
    }

    /// Whether the day `monday_based` (0 = Monday) is one of these.
    pub fn contains(self, monday_based: usize) -> bool {
        monday_based < 7 && self.0 & (1 << monday_based) != 0
    }

    /// These days and `other`'s.
    pub fn with(self, other: Days) -> Days {
        Days(self.0 | other.0)
    }

    /// These days without `other`'s.
    pub fn without(self, other: Days) -> Days {
        Days(self.0 & !other.0)
    }

    /// No day at all.
    pub fn is_empty(self) -> bool {
        self.0 & 0x7f == 0
    }

    /// Parses `daily`, `weekdays`, `weekends`, or a comma list of days and
    /// ranges (`Mon-Fri,Sun`, case does not matter).
    pub fn parse(text: &str) -> Option<Days> {
        match text.to_ascii_lowercase().as_str() {
            "daily" | "every" | "all" => return Some(Days::ALL),
            "weekdays" => return Some(Days::WEEKDAYS),
            "weekends" => return Some(Days(0x60)),
            _ => {}
        }
        let index = |name: &str| DAY_NAMES.iter().position(|d| d.eq_ignore_ascii_case(name.trim()));
        let mut days = Days::default();
        for part in text.split(',') {
            match part.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (index(first)?, index(last)?);
                    // A range may wrap around the week (Sat-Mon).
                    let mut day = first;
                    loop {
                        days = days.with(Days::day(day));
                        if day == last {
                            break;
                        }
                        day = (day + 1) % 7;
                    }
                }
                None => days = days.with(Days::day(index(part)?)),
            }
        }
        (!days.is_empty()).then_some(days)
    }
}

impl fmt::Display for Days {
    /// `daily`, `Mon-Fri`, `Sat,Sun`, `Mon,Wed-Fri`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Days::ALL {
            return f.write_str("daily");
        }
        let mut parts = Vec::new();
        let mut day = 0;
        while day < 7 {
            if !self.contains(day) {
                day += 1;
                continue;
            }
            let start = day;
            while day + 1 < 7 && self.contains(day + 1) {
                day += 1;
            }
            parts.push(match day - start {
                0 => DAY_NAMES[start].to_string(),
                1 => format!("{},{}", DAY_NAMES[start], DAY_NAMES[day]),
                _ => format!("{}-{}", DAY_NAMES[start], DAY_NAMES[day]),
            });
            day += 1;
        }
        f.write_str(&parts.join(","))
    }
}

impl Serialize for Days {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names: Vec<String> =
            (0..7).filter(|d| self.contains(*d)).map(|d| DAY_NAMES[d].to_ascii_lowercase()).collect();
        names.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut days = Days::default();
        for name in names {
            let day = DAY_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(&name))
                .ok_or_else(|| serde::de::Error::custom(format!("unknown day {name:?} (mon … sun)")))?;
            days = days.with(Days::day(day));
        }
        Ok(days)
    }
}

/// A time of day to the minute, `00:00` to `24:00` (the end of the day).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// Minutes since midnight, if at most 24 hours.
    pub fn from_minutes(minutes: u16) -> Option<ClockTime> {
        (minutes <= 24 * 60).then_some(ClockTime(minutes))
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Parses `HH:MM` (or `H:MM`, or `HH`).
    pub fn parse(text: &str) -> Option<ClockTime> {
        let (hours, minutes) = text.trim().split_once(':').unwrap_or((text.trim(), "0"));
        let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
        if hours > 24 || minutes > 59 {
            return None;
        }
        ClockTime::from_minutes(hours * 60 + minutes)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ClockTime::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a time of day (HH:MM, 00:00 to 24:00)")))
    }
}

/// One window: from `from` on each of `days` until `to` (the next day when
/// `to` is not after `from`, e.g. 22:00-06:00), background jobs are limited
/// to `speed_limit_bps` (0 = unlimited) or, with `pause_background`, do not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleWindow {
    /// The days the window starts on.
    pub days: Days,
    /// When it starts, local time.
    pub from: ClockTime,
    /// When it ends, local time.
    pub to: ClockTime,
    /// Speed limit of all background jobs together within the window (0 = unlimited).
    #[serde(default)]
    pub speed_limit_bps: u64,
    /// Background jobs do not run within the window.
    #[serde(default)]
    pub pause_background: bool,
}

impl ScheduleWindow {
    /// Why the window cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.days.is_empty() {
            Some("a schedule window needs at least one day".into())
        } else if self.from == self.to {
            Some(format!("a schedule window cannot start and end at {}", self.from))
        } else if self.from.minutes() == 24 * 60 {
            Some("a schedule window cannot start at 24:00 (use 00:00)".into())
        } else {
            None
        }
    }
}

/// What the schedule makes of the background jobs now (`get_limits`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleNow {
    /// The window that applies (an index into the schedule), if one does.
    #[serde(default)]
    pub window: Option<usize>,
    /// The speed limit of all background jobs together now (0 = unlimited).
    pub speed_limit_bps: u64,
    /// Background jobs do not run now.
    #[serde(default)]
    pub background_paused: bool,
    /// When this changes next (a window starts or ends), if ever.
    #[serde(default)]
    pub until: Option<DateTime<Utc>>,
}
