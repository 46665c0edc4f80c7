use super::*;
use crate::model::{ClockTime, Days};

fn window(days: &str, from: &str, to: &str, speed: u64, pause: bool) -> ScheduleWindow {
    ScheduleWindow {
        days: Days::parse(days).expect("days"),
        from: ClockTime::parse(from).expect("from"),
        to: ClockTime::parse(to).expect("to"),
        speed_limit_bps: speed,
        pause_background: pause,
    }
}

/// A local time in a named zone, e.g. "2026-12-07T10:00[Europe/Berlin]".
fn at(text: &str) -> Zoned {
    text.parse().expect("a zoned time")
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("a timestamp")
}

const BASE: u64 = 1_000;

#[test]
fn office_hours_on_weekdays_only() {
    // 2026-12-07 is a Monday.
    let windows = [window("Mon-Fri", "09:00", "17:00", 500_000, false)];
    let inside = evaluate(&at("2026-12-07T10:00[Europe/Berlin]"), &windows, BASE);
    assert_eq!((inside.window, inside.speed_limit_bps, inside.background_paused), (Some(0), 500_000, false));
    assert_eq!(inside.until, Some(ts("2026-12-07T16:00Z")), "17:00 in Berlin (CET, UTC+1)");
    let before = evaluate(&at("2026-12-07T08:59[Europe/Berlin]"), &windows, BASE);
    assert_eq!((before.window, before.speed_limit_bps), (None, BASE));
    assert_eq!(before.next_boundary, Some(ts("2026-12-07T08:00Z")));
    let end = evaluate(&at("2026-12-07T17:00[Europe/Berlin]"), &windows, BASE);
    assert_eq!(end.window, None, "the end is outside");
    let saturday = evaluate(&at("2026-12-12T10:00[Europe/Berlin]"), &windows, BASE);
    assert_eq!(saturday.window, None);
    assert_eq!(saturday.until, Some(ts("2026-12-14T08:00Z")), "Monday 09:00");
}

#[test]
fn a_window_across_midnight_belongs_to_the_day_it_starts() {
    let windows = [window("Fri", "22:00", "06:00", 0, true)];
    let saturday_night = evaluate(&at("2026-12-12T03:00[UTC]"), &windows, BASE);
    assert!(saturday_night.background_paused, "Friday's window goes on into Saturday");
    assert_eq!(saturday_night.until, Some(ts("2026-12-12T06:00Z")));
    let friday_morning = evaluate(&at("2026-12-11T03:00[UTC]"), &windows, BASE);
    assert!(!friday_morning.background_paused, "Thursday has no window");
    let friday_night = evaluate(&at("2026-12-11T23:59[UTC]"), &windows, BASE);
    assert!(friday_night.background_paused);
    let to_midnight = [window("daily", "20:00", "24:00", 7, false)];
    let late = evaluate(&at("2026-12-11T23:59[UTC]"), &to_midnight, BASE);
    assert_eq!((late.speed_limit_bps, late.until), (7, Some(ts("2026-12-12T00:00Z"))));
}

#[test]
fn dst_changes_keep_local_hours() {
    let windows = [window("daily", "01:00", "05:00", 300, false)];
    // Berlin springs forward on 2026-03-29 at 02:00 (to 03:00, UTC+2).
    let spring = evaluate(&at("2026-03-29T01:30[Europe/Berlin]"), &windows, BASE);
    assert_eq!(spring.speed_limit_bps, 300);
    assert_eq!(spring.until, Some(ts("2026-03-29T03:00Z")), "05:00 CEST: a window of three real hours");
    // Falls back on 2026-10-25 at 03:00 (to 02:00, UTC+1): 02:30 happens twice.
    let first = evaluate(&at("2026-10-25T02:30+02:00[Europe/Berlin]"), &windows, BASE);
    let second = evaluate(&at("2026-10-25T02:30+01:00[Europe/Berlin]"), &windows, BASE);
    assert_eq!((first.speed_limit_bps, second.speed_limit_bps), (300, 300));
    assert_eq!(first.until, Some(ts("2026-10-25T04:00Z")), "05:00 CET: five real hours");
    // A window wholly within the skipped hour never applies.
    let skipped = [window("daily", "02:00", "03:00", 0, true)];
    let after_gap = evaluate(&at("2026-03-29T03:00[Europe/Berlin]"), &skipped, BASE);
    assert!(!after_gap.background_paused);
    let before_gap = evaluate(&at("2026-03-29T01:59[Europe/Berlin]"), &skipped, BASE);
    assert_eq!(before_gap.until, Some(ts("2026-03-30T00:00Z")), "the next night's 02:00 CEST");
}

#[test]
fn where_windows_overlap_the_most_restrictive_wins() {
    let windows = [
        window("daily", "08:00", "20:00", 1_000_000, false),
        window("Mon-Fri", "09:00", "17:00", 200_000, false),
        window("Wed", "12:00", "13:00", 0, true),
        window("daily", "00:00", "24:00", 0, false),
    ];
    // 2026-12-09 is a Wednesday.
    let cases = [
        ("2026-12-09T12:30[UTC]", Some(2), 0, true),
        ("2026-12-09T10:00[UTC]", Some(1), 200_000, false),
        ("2026-12-12T10:00[UTC]", Some(0), 1_000_000, false),
        // an unlimited window still replaces the service's own limit
        ("2026-12-12T21:00[UTC]", Some(3), 0, false),
    ];
    for (now, window, speed, paused) in cases {
        let got = evaluate(&at(now), &windows, BASE);
        assert_eq!((got.window, got.speed_limit_bps, got.background_paused), (window, speed, paused), "{now}");
    }
    let lunch = evaluate(&at("2026-12-09T12:30[UTC]"), &windows, BASE);
    assert_eq!(lunch.until, Some(ts("2026-12-09T13:00Z")));
}

#[test]
fn a_pause_continued_by_another_window_lasts_until_both_end() {
    let windows = [window("Mon", "00:00", "12:00", 0, true), window("Mon", "12:00", "18:00", 0, true)];
    let got = evaluate(&at("2026-12-07T06:00[UTC]"), &windows, BASE);
    assert_eq!(got.next_boundary, Some(ts("2026-12-07T12:00Z")));
    assert_eq!(got.until, Some(ts("2026-12-07T18:00Z")));
}

#[test]
fn no_windows_is_the_base_limit_for_ever() {
    let got = evaluate(&at("2026-12-07T06:00[UTC]"), &[], BASE);
    assert_eq!(
        got,
        Effective { window: None, speed_limit_bps: BASE, background_paused: false, next_boundary: None, until: None }
    );
}

#[test]
fn days_parse_and_print() {
    for (text, shown) in [
        ("mon-fri", "Mon-Fri"),
        ("Sat,Sun", "Sat,Sun"),
        ("daily", "daily"),
        ("Sat-Mon", "Mon,Sat,Sun"),
        ("Mon,Wed-Fri", "Mon,Wed-Fri"),
    ] {
        assert_eq!(Days::parse(text).map(|d| d.to_string()).as_deref(), Some(shown), "{text}");
    }
    for bad in ["", "Mon-", "Funday", "Mon,,Tue"] {
        assert_eq!(Days::parse(bad), None, "{bad:?}");
    }
    assert_eq!(ClockTime::parse("24:00").map(|t| t.minutes()), Some(1440));
    assert_eq!(ClockTime::parse("24:01"), None);
    assert_eq!(ClockTime::parse("9:60"), None);
}
