//! The "when the queue empties" part of the settings window: nothing, a
//! command, suspend or power off, once or every time; sent with Apply.

use eframe::egui;
use haul_core::model::{WhenDone, WhenDoneAction};
use haul_core::protocol::Limits;

/// Which action the combo box shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Nothing,
    Command,
    Suspend,
    Poweroff,
}

/// The user's draft, and the service's choice it was made from.
#[derive(Clone, Debug)]
struct Draft {
    source: Option<WhenDone>,
    kind: Kind,
    command: String,
    permanent: bool,
}

impl Draft {
    fn of(when_done: &WhenDone) -> Draft {
        let (kind, command) = match &when_done.action {
            WhenDoneAction::Nothing => (Kind::Nothing, String::new()),
            WhenDoneAction::Command { command } => (Kind::Command, command.clone()),
            WhenDoneAction::Suspend => (Kind::Suspend, String::new()),
            WhenDoneAction::Poweroff => (Kind::Poweroff, String::new()),
        };
        Draft { source: Some(when_done.clone()), kind, command, permanent: when_done.permanent }
    }

    /// What the draft asks for; `None` while the command is empty.
    fn when_done(&self) -> Option<WhenDone> {
        let action = match self.kind {
            Kind::Nothing => WhenDoneAction::Nothing,
            Kind::Command if self.command.trim().is_empty() => return None,
            Kind::Command => WhenDoneAction::Command { command: self.command.trim().to_string() },
            Kind::Suspend => WhenDoneAction::Suspend,
            Kind::Poweroff => WhenDoneAction::Poweroff,
        };
        Some(WhenDone { action, permanent: self.permanent })
    }
}

/// Draws the section; returns the limits to send when Apply is pressed.
pub fn when_done_section_ui(ui: &mut egui::Ui, limits: &Limits) -> Option<Limits> {
    let id = ui.make_persistent_id("when_done_editor");
    let service = limits.when_done.clone().unwrap_or_default();
    let mut draft: Draft = ui.data(|d| d.get_temp(id)).unwrap_or_else(|| Draft::of(&service));
    let untouched = draft.source.as_ref().is_some_and(|s| draft.when_done().as_ref() == Some(s));
    if draft.source.as_ref() != Some(&service) && untouched {
        draft = Draft::of(&service);
    }
    ui.strong("When all downloads are done");
    let mut apply = None;
    ui.horizontal(|ui| {
        let label = ui.label("Then");
        egui::ComboBox::from_id_salt("when_done_action")
            .selected_text(match draft.kind {
                Kind::Nothing => "Do nothing",
                Kind::Command => "Run a command",
                Kind::Suspend => "Suspend the computer",
                Kind::Poweroff => "Power off the computer",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut draft.kind, Kind::Nothing, "Do nothing");
                ui.selectable_value(&mut draft.kind, Kind::Command, "Run a command");
                ui.selectable_value(&mut draft.kind, Kind::Suspend, "Suspend the computer");
                ui.selectable_value(&mut draft.kind, Kind::Poweroff, "Power off the computer");
            })
            .response
            .labelled_by(label.id);
        if draft.kind == Kind::Command {
            ui.add(egui::TextEdit::singleline(&mut draft.command).hint_text("command line").desired_width(180.0));
        }
        ui.checkbox(&mut draft.permanent, "Every time").on_hover_text("Otherwise it is done once, then off again");
        let wanted = draft.when_done();
        let changed = wanted.is_some() && wanted != Some(service.clone());
        if ui.add_enabled(changed, egui::Button::new("Apply action")).clicked() {
            draft.source = wanted.clone();
            apply = Some(Limits { when_done: wanted, ..Default::default() });
        }
    });
    if matches!(draft.kind, Kind::Suspend | Kind::Poweroff) {
        ui.label(egui::RichText::new("A 60-second countdown with Cancel comes first.").weak());
    }
    ui.data_mut(|d| d.insert_temp(id, draft));
    apply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_round_trips_and_an_empty_command_is_not_an_action() {
        let chosen = WhenDone { action: WhenDoneAction::Command { command: "make".into() }, permanent: true };
        assert_eq!(Draft::of(&chosen).when_done(), Some(chosen.clone()));
        let empty = Draft { command: " ".into(), ..Draft::of(&chosen) };
        assert_eq!(empty.when_done(), None);
        let power = WhenDone { action: WhenDoneAction::Poweroff, permanent: false };
        assert_eq!(Draft::of(&power).when_done(), Some(power));
    }
}
