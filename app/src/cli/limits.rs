//! `haul limits`: the service's limits and its schedule, shown or changed; a
//! schedule window as text is "DAYS HH:MM-HH:MM LIMIT".

use super::args::LimitsArgs;
use super::connect::connect;
use super::output::{parse_rate, print_json, size};
use crate::exit::{Failure, USAGE};
use haul_core::model::{ClockTime, CostPolicy, Days, ScheduleWindow, WhenDone, WhenDoneAction};
use haul_core::protocol::Limits;

/// Parses "Mon-Fri 09:00-17:00 500K": days (`daily`, `weekdays`, `weekends`,
/// `Mon-Fri,Sun`), from-to in local time (`to` may be past midnight, or
/// `24:00`), and a speed limit, `unlimited` or `pause`.
pub fn parse_window(text: &str) -> Result<ScheduleWindow, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [days, hours, limit] = words[..] else {
        return Err(format!(
            "'{text}' is not a schedule window; write DAYS HH:MM-HH:MM LIMIT, e.g. \"Mon-Fri 09:00-17:00 500K\""
        ));
    };
    let days =
        Days::parse(days).ok_or_else(|| format!("'{days}' are not days; write e.g. Mon-Fri, Sat,Sun or daily"))?;
    let (from, to) = hours.split_once('-').ok_or_else(|| format!("'{hours}' is not HH:MM-HH:MM"))?;
    let time = |t: &str| ClockTime::parse(t).ok_or_else(|| format!("'{t}' is not a time of day (00:00 to 24:00)"));
    let (from, to) = (time(from)?, time(to)?);
    let (speed_limit_bps, pause_background) = match limit.to_ascii_lowercase().as_str() {
        "pause" | "paused" | "stop" => (0, true),
        "unlimited" | "none" => (0, false),
        _ => (parse_rate(limit)?, false),
    };
    let window = ScheduleWindow { days, from, to, speed_limit_bps, pause_background };
    match window.problem() {
        Some(problem) => Err(problem),
        None => Ok(window),
    }
}

/// "Mon-Fri 09:00-17:00 500 KB/s", "daily 22:00-06:00 pause".
pub fn window_text(window: &ScheduleWindow) -> String {
    let limit = match (window.pause_background, window.speed_limit_bps) {
        (true, _) => "pause".to_string(),
        (false, 0) => "unlimited".to_string(),
        (false, bps) => format!("{}/s", size(bps)),
    };
    format!("{} {}-{} {limit}", window.days, window.from, window.to)
}

fn speed_text(bps: u64) -> String {
    if bps == 0 { "unlimited".into() } else { format!("{}/s", size(bps)) }
}

/// The schedule the arguments ask for, if they ask for a change.
fn schedule_change(args: &LimitsArgs) -> Result<Option<Vec<ScheduleWindow>>, Failure> {
    match args.schedule.as_slice() {
        [] => Ok(None),
        [off] if off.eq_ignore_ascii_case("off") || off.eq_ignore_ascii_case("none") => Ok(Some(Vec::new())),
        texts => texts
            .iter()
            .map(|t| parse_window(t).map_err(|e| Failure::new(USAGE, e)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// Parses `--when-done`: `nothing`, `command:CMD`, `suspend`, `poweroff`;
/// `None` for `cancel`.
pub fn parse_when_done(text: &str) -> Result<Option<WhenDoneAction>, String> {
    if let Some(command) = text.strip_prefix("command:") {
        return match command.trim() {
            "" => Err("command: needs a command line, e.g. command:\"notify-send done\"".into()),
            command => Ok(Some(WhenDoneAction::Command { command: command.into() })),
        };
    }
    match text.to_ascii_lowercase().as_str() {
        "nothing" | "off" | "none" => Ok(Some(WhenDoneAction::Nothing)),
        "suspend" => Ok(Some(WhenDoneAction::Suspend)),
        "poweroff" | "power-off" | "shutdown" => Ok(Some(WhenDoneAction::Poweroff)),
        "cancel" => Ok(None),
        _ => Err(format!("'{text}' is not an action: nothing, command:\"CMD\", suspend, poweroff or cancel")),
    }
}

/// `haul limits`: shows the service's limits, or changes them.
pub async fn limits(args: LimitsArgs, json_out: bool) -> Result<(), Failure> {
    let schedule = schedule_change(&args)?;
    let (mut when_done, mut cancel_when_done) = (None, None);
    if let Some(text) = &args.when_done {
        match parse_when_done(text).map_err(|e| Failure::new(USAGE, e))? {
            Some(action) => when_done = Some(WhenDone { action, permanent: args.permanent }),
            None => cancel_when_done = Some(true),
        }
    }
    let default_cost_policy = match args.default_cost.as_deref() {
        None => None,
        Some(name) => Some(
            CostPolicy::parse(name)
                .ok_or_else(|| Failure::new(USAGE, format!("'{name}' is not a cost policy; use any or unmetered")))?,
        ),
    };
    if let Some(proxy) = &args.proxy {
        haul_core::model::ProxyChoice::parse(proxy).map_err(|e| Failure::new(USAGE, e.0))?;
    }
    let client = connect().await?;
    if let Some(proxy) = &args.proxy {
        client.set_proxy(None, proxy.clone()).await?;
    }
    let asks = args.speed.is_some()
        || args.max_active.is_some()
        || schedule.is_some()
        || args.when_done.is_some()
        || default_cost_policy.is_some();
    let limits = if asks {
        let change = Limits {
            speed_limit_bps: args.speed,
            max_active_jobs: args.max_active,
            schedule,
            when_done,
            cancel_when_done,
            default_cost_policy,
            ..Default::default()
        };
        client.set_limits(change).await?
    } else {
        client.get_limits().await?
    };
    if json_out {
        print_json(&limits);
        return Ok(());
    }
    print_limits(&limits);
    Ok(())
}

fn print_limits(limits: &Limits) {
    let base = limits.speed_limit_bps.unwrap_or(0);
    outln!("Total speed of background jobs: {}", speed_text(base));
    match limits.max_active_jobs {
        Some(n) => outln!("Background jobs at once:        {n}"),
        None => outln!("Background jobs at once:        unknown"),
    }
    if let Some(proxy) = &limits.proxy {
        outln!("Proxy:                          {proxy}");
    }
    match limits.default_cost_policy {
        Some(CostPolicy::Any) => outln!("New background jobs' networks:  any (metered ones too)"),
        Some(CostPolicy::Unmetered) => outln!("New background jobs' networks:  unmetered only"),
        None => {}
    }
    if let Some(when_done) = &limits.when_done {
        let once = if when_done.permanent || when_done.action == WhenDoneAction::Nothing { "" } else { " (once)" };
        outln!("When the queue empties:         {}{once}", when_done.action.words());
    }
    if let Some(pending) = &limits.when_done_pending {
        let at = pending.at.with_timezone(&chrono::Local).format("%H:%M:%S");
        outln!("Counting down:                  {} at {at} (haul limits --when-done cancel)", pending.action.words());
    }
    let windows = limits.schedule.as_deref().unwrap_or_default();
    if windows.is_empty() {
        outln!("Schedule:                       none");
        return;
    }
    outln!("Schedule (local time; where windows overlap, the most restrictive applies):");
    for (i, window) in windows.iter().enumerate() {
        outln!("  {}. {}", i + 1, window_text(window));
    }
    let Some(now) = limits.schedule_now else { return };
    let until =
        now.until.map(|t| format!(" until {}", t.with_timezone(&chrono::Local).format("%a %H:%M"))).unwrap_or_default();
    let which = match now.window {
        Some(i) => format!("window {}", i + 1),
        None => "outside the windows".into(),
    };
    if now.background_paused {
        outln!("Now ({which}):  background jobs paused{until}");
    } else {
        outln!("Now ({which}):  background jobs at {}{until}", speed_text(now.speed_limit_bps));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_and_print_back() {
        for (text, shown) in [
            ("Mon-Fri 09:00-17:00 500K", "Mon-Fri 09:00-17:00 512 KB/s"),
            ("daily 22:00-06:00 unlimited", "daily 22:00-06:00 unlimited"),
            ("sat,sun 0:00-24:00 pause", "Sat,Sun 00:00-24:00 pause"),
        ] {
            assert_eq!(parse_window(text).map(|w| window_text(&w)), Ok(shown.to_string()), "{text}");
        }
        let touch = WhenDoneAction::Command { command: "touch /tmp/x".into() };
        assert_eq!(parse_when_done("command:touch /tmp/x"), Ok(Some(touch)));
        assert_eq!(parse_when_done("PowerOff"), Ok(Some(WhenDoneAction::Poweroff)));
        assert_eq!(parse_when_done("cancel"), Ok(None));
        assert!(parse_when_done("command: ").is_err() && parse_when_done("reboot").is_err());
        for bad in
            ["Mon-Fri 09:00-17:00", "Mon 9-9 1M", "Someday 09:00-10:00 1M", "Mon 09:00-25:00 1M", "Mon 9:00-10:00 fast"]
        {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}
