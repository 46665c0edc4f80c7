//! The schedule's part of the settings window: a list of windows (days, from,
//! to, a speed limit or "pause background"), added and removed as a draft and
//! sent to the service with Apply.

use eframe::egui;
use haul_core::model::{ClockTime, DAY_NAMES, Days, ScheduleNow, ScheduleWindow};
use haul_core::protocol::Limits;

/// One window as the user edits it (times as typed).
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    days: Days,
    from: String,
    to: String,
    pause: bool,
    kib: u64,
}

impl Draft {
    fn of(window: &ScheduleWindow) -> Draft {
        Draft {
            days: window.days,
            from: window.from.to_string(),
            to: window.to.to_string(),
            pause: window.pause_background,
            kib: window.speed_limit_bps / 1024,
        }
    }

    fn window(&self) -> Result<ScheduleWindow, String> {
        let time = |t: &str| ClockTime::parse(t).ok_or_else(|| format!("'{t}' is not a time of day (HH:MM)"));
        let window = ScheduleWindow {
            days: self.days,
            from: time(&self.from)?,
            to: time(&self.to)?,
            speed_limit_bps: if self.pause { 0 } else { self.kib * 1024 },
            pause_background: self.pause,
        };
        window.problem().map_or(Ok(window), Err)
    }
}

/// The draft and the service's schedule it was made from (a new one from the
/// service replaces a draft the user has not touched).
#[derive(Clone, Debug, Default)]
struct Editor {
    source: Vec<ScheduleWindow>,
    drafts: Vec<Draft>,
}

/// "Background jobs: 512 KB/s until 17:00 (window 1)".
pub fn schedule_now_words(now: &ScheduleNow) -> String {
    let until =
        now.until.map(|t| format!(" until {}", t.with_timezone(&chrono::Local).format("%a %H:%M"))).unwrap_or_default();
    let what = match (now.background_paused, now.speed_limit_bps) {
        (true, _) => "paused".to_string(),
        (false, 0) => "no speed limit".to_string(),
        (false, bps) => format!("{}/s", crate::units::size(bps)),
    };
    let which = now.window.map(|i| format!(" (window {})", i + 1)).unwrap_or_default();
    format!("Background downloads now: {what}{until}{which}")
}

/// Draws the schedule editor; returns the limits to send when Apply is pressed.
pub fn schedule_section_ui(ui: &mut egui::Ui, limits: &Limits) -> Option<Limits> {
    let id = ui.make_persistent_id("schedule_editor");
    let service = limits.schedule.clone().unwrap_or_default();
    let mut editor: Editor = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let untouched = editor.drafts == editor.source.iter().map(Draft::of).collect::<Vec<_>>();
    if editor.source != service && untouched || editor.source.is_empty() && editor.drafts.is_empty() {
        editor = Editor { drafts: service.iter().map(Draft::of).collect(), source: service };
    }
    ui.strong("Schedule");
    ui.label(
        egui::RichText::new(
            "Within these hours, background downloads get another speed limit or wait; foreground ones never do. \
             Where windows overlap, the most restrictive applies.",
        )
        .weak(),
    );
    if let Some(now) = &limits.schedule_now {
        ui.label(schedule_now_words(now));
    }
    let mut remove = None;
    for (i, draft) in editor.drafts.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            for (day, name) in DAY_NAMES.iter().enumerate() {
                let mut on = draft.days.contains(day);
                if ui.toggle_value(&mut on, *name).changed() {
                    let one = Days::day(day);
                    draft.days = if on { draft.days.with(one) } else { draft.days.without(one) };
                }
            }
            ui.add(egui::TextEdit::singleline(&mut draft.from).desired_width(44.0)).on_hover_text("From (HH:MM)");
            ui.label("–");
            ui.add(egui::TextEdit::singleline(&mut draft.to).desired_width(44.0)).on_hover_text("To (HH:MM)");
            ui.checkbox(&mut draft.pause, "Pause background");
            ui.add_enabled_ui(!draft.pause, |ui| {
                ui.add(egui::DragValue::new(&mut draft.kib).range(0..=10_000_000).speed(64).suffix(" KiB/s"))
                    .on_hover_text("0 = no limit");
            });
            if ui.button("Remove window").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        editor.drafts.remove(i);
    }
    let mut apply = None;
    ui.horizontal(|ui| {
        if ui.button("Add window").clicked() {
            let from = String::from("09:00");
            editor.drafts.push(Draft { days: Days::WEEKDAYS, from, to: "17:00".into(), pause: false, kib: 512 });
        }
        let windows: Result<Vec<ScheduleWindow>, String> = editor.drafts.iter().map(Draft::window).collect();
        match windows {
            Ok(windows) => {
                let changed = windows != editor.source;
                if ui.add_enabled(changed, egui::Button::new("Apply schedule")).clicked() {
                    editor.source = windows.clone();
                    apply = Some(Limits { schedule: Some(windows), ..Default::default() });
                }
            }
            Err(problem) => {
                ui.label(egui::RichText::new(problem).color(ui.visuals().error_fg_color));
            }
        }
    });
    ui.data_mut(|d| d.insert_temp(id, editor));
    apply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_becomes_a_window_or_says_what_is_wrong() {
        let draft = Draft { days: Days::WEEKDAYS, from: "9:00".into(), to: "17:30".into(), pause: false, kib: 500 };
        let window = draft.window().expect("a window");
        assert_eq!((window.from.minutes(), window.to.minutes(), window.speed_limit_bps), (540, 1050, 512_000));
        let paused = Draft { pause: true, ..draft.clone() }.window().expect("a window");
        assert!(paused.pause_background && paused.speed_limit_bps == 0);
        assert!(Draft { to: "9:00".into(), ..draft.clone() }.window().is_err());
        assert!(Draft { from: "nine".into(), ..draft.clone() }.window().is_err());
        assert!(Draft { days: Days::default(), ..draft }.window().is_err());
    }
}
