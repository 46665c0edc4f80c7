//! The toolbar: add, the actions on the selection, the text filter and settings.
//! Each action is enabled only when some selected job allows it.

use super::view_model::ViewModel;
use super::widgets::{UiAction, icon_button};
use eframe::egui::{self, Ui};
use haul_core::model::JobState;

/// Id of the filter field (Ctrl+F focuses it).
pub fn filter_id() -> egui::Id {
    egui::Id::unique("haul-filter")
}

/// The toolbar; the text filter edits `model.filter.text` in place.
pub fn toolbar_ui(ui: &mut Ui, model: &mut ViewModel, actions: &mut Vec<UiAction>) {
    let selected = model.selected_jobs();
    let any = |f: fn(JobState) -> bool| selected.iter().any(|j| f(j.state));
    let can_resume = any(|s| s == JobState::Suspended);
    let can_suspend = any(super::widgets::can_pause);
    let can_retry = any(|s| matches!(s, JobState::Error | JobState::TransientError));
    let live = any(|s| !s.is_final());
    let can_remove = !selected.is_empty();
    let connected = matches!(model.connection, super::messages::Connection::Connected(_));
    ui.horizontal(|ui| {
        let mut button = |icon: &str, word: &str, enabled: bool, hint: &str, action: UiAction| {
            if icon_button(ui, icon, word, enabled, hint).clicked() {
                actions.push(action);
            }
        };
        button("➕", "Add", connected, "Add downloads (Ctrl+N)", UiAction::OpenAdd(None));
        button("▶", "Resume", can_resume, "Resume the selected downloads (Space)", UiAction::Resume);
        button("⏸", "Pause", can_suspend, "Pause the selected downloads (Space)", UiAction::Suspend);
        button("⟲", "Retry", can_retry, "Try the failed downloads again now", UiAction::Retry);
        button(
            "✖",
            "Cancel",
            live,
            "Stop the selected downloads and delete their partial files (asks first)",
            UiAction::AskCancel,
        );
        let hint = "Take the selected downloads off the list (Del); finished files stay on the disk";
        button("🗑", "Remove", can_remove, hint, UiAction::Remove);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if icon_button(ui, "⚙", "Settings", true, "Settings").clicked() {
                actions.push(UiAction::OpenSettings);
            }
            let edit = egui::TextEdit::singleline(&mut model.filter.text)
                .id(filter_id())
                .hint_text("name or id (Ctrl+F)")
                .desired_width(200.0);
            let response = ui.add(edit);
            let label = ui.label("🔍 Filter");
            if response.labelled_by(label.id).changed() {
                model.invalidate();
            }
        });
    });
}
