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

/// Below this width the actions on the selection fold into a "More" menu.
const FOLD_BELOW: f32 = 760.0;
/// The filter box never gets narrower than this.
const FILTER_MIN: f32 = 120.0;

/// The toolbar; the text filter edits `model.filter.text` in place. On a
/// narrow window the actions fold into "More" and the filter keeps its width.
pub fn toolbar_ui(ui: &mut Ui, model: &mut ViewModel, sidebar_shown: bool, actions: &mut Vec<UiAction>) {
    let selected = model.selected_jobs();
    let any = |f: fn(JobState) -> bool| selected.iter().any(|j| f(j.state));
    let can_resume = any(|s| s == JobState::Suspended);
    let can_suspend = any(super::widgets::can_pause);
    let can_retry = any(|s| matches!(s, JobState::Error | JobState::TransientError));
    let live = any(|s| !s.is_final());
    let can_remove = !selected.is_empty();
    let connected = matches!(model.connection, super::messages::Connection::Connected(_));
    let narrow = ui.available_width() < FOLD_BELOW;
    let selection_actions = [
        ("▶", "Resume", can_resume, "Resume the selected downloads (Space)", UiAction::Resume),
        ("⏸", "Pause", can_suspend, "Pause the selected downloads (Space)", UiAction::Suspend),
        ("⟲", "Retry", can_retry, "Try the failed downloads again now", UiAction::Retry),
        (
            "✖",
            "Cancel",
            live,
            "Stop the selected downloads and delete their partial files (asks first)",
            UiAction::AskCancel,
        ),
        (
            "🗑",
            "Remove",
            can_remove,
            "Take the selected downloads off the list (Del); finished files stay on the disk",
            UiAction::Remove,
        ),
    ];
    ui.horizontal(|ui| {
        let side = ui.add(egui::Button::selectable(sidebar_shown, "☰")).on_hover_text("Show or hide the filters");
        side.widget_info(|| egui::WidgetInfo::selected(egui::accesskit::Role::Button, true, sidebar_shown, "Filters"));
        if side.clicked() {
            actions.push(UiAction::ToggleSidebar);
        }
        if icon_button(ui, "➕", "Add", connected, "Add downloads (Ctrl+N)").clicked() {
            actions.push(UiAction::OpenAdd(None));
        }
        if narrow {
            let more = ui.menu_button("More ⏷", |ui| {
                for (icon, word, enabled, hint, action) in selection_actions.clone() {
                    if icon_button(ui, icon, word, enabled, hint).clicked() {
                        actions.push(action);
                        ui.close();
                    }
                }
            });
            more.response
                .widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, "More actions"));
        } else {
            for (icon, word, enabled, hint, action) in selection_actions {
                if icon_button(ui, icon, word, enabled, hint).clicked() {
                    actions.push(action);
                }
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if icon_button(ui, "⚙", "Settings", true, "Settings").clicked() {
                actions.push(UiAction::OpenSettings);
            }
            let width = (ui.available_width() - 70.0).clamp(FILTER_MIN, 200.0);
            let edit = egui::TextEdit::singleline(&mut model.filter.text)
                .id(filter_id())
                .hint_text("name or id (Ctrl+F)")
                .desired_width(width);
            let response = ui.add(edit);
            let label = ui.label(if narrow { "🔍" } else { "🔍 Filter" });
            label.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Label, true, "Filter"));
            if response.labelled_by(label.id).changed() {
                model.invalidate();
            }
        });
    });
}
