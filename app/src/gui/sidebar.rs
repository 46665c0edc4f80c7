//! The side bar: the state filters with their counts, the summary's list
//! while it is shown, and "Clear finished".

use super::view_model::{StateFilter, ViewModel};
use super::widgets::UiAction;
use eframe::egui::{self, Ui};

/// The filters.
pub fn sidebar_ui(ui: &mut Ui, model: &ViewModel, actions: &mut Vec<UiAction>) {
    ui.add_space(4.0);
    if let Some((title, ids)) = &model.filter.only {
        let shown = ui.add(egui::Button::selectable(true, format!("{title} ({})", ids.len())));
        shown.on_hover_text("The downloads the summary told about");
        if ui.button("✖ Back to all").clicked() {
            actions.push(UiAction::ClearList);
        }
        ui.separator();
    }
    for filter in StateFilter::ALL {
        let selected = model.filter.only.is_none() && model.filter.state == filter;
        let count = egui::RichText::new(model.count(filter).to_string()).weak();
        let button = egui::Button::selectable(selected, filter.label()).right_text(count);
        let response = ui.add_sized([ui.available_width(), 22.0], button);
        response
            .widget_info(|| egui::WidgetInfo::selected(egui::accesskit::Role::Button, true, selected, filter.label()));
        if response.clicked() {
            actions.push(UiAction::Filter(filter));
        }
    }
    ui.add_space(8.0);
    let finished = !model.finished_ids().is_empty();
    let hint = "Take every finished download off the list (the files stay on the disk)";
    if super::widgets::icon_button(ui, "🗑", "Clear finished", finished, hint).clicked() {
        actions.push(UiAction::ClearFinished);
    }
}
