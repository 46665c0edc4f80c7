//! The details panel of the selected job: its name and state in plain words
//! (the failure's reason, why a queued job waits, with "Download now anyway"
//! when it waits for an unmetered network; a field for a fresh link when the
//! link may have expired), then its properties and its files.
//! The panel can be hidden ("Hide details") and resized; it starts at the top
//! for each job it shows.

mod files;
mod properties;
mod refresh;

use super::format;
use super::view_model::ViewModel;
use super::widgets::{UiAction, state_color};
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{Job, JobId, JobState, WaitReason};

/// The panel for one job.
pub fn details_ui(ui: &mut Ui, model: &ViewModel, job: &Job, actions: &mut Vec<UiAction>) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let hide = ui.add(egui::Button::new("⏷").frame(false)).on_hover_text("Hide details");
            hide.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, "Hide details"));
            if hide.clicked() {
                actions.push(UiAction::ShowDetails(false));
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                ui.add(egui::Label::new(RichText::new(&job.display_name).heading()).truncate());
                let state = format::state_with_reason(job.state, job.error.as_deref());
                ui.add(egui::Label::new(RichText::new(state).color(state_color(job.state, dark))).truncate());
            });
        });
    });
    if let Some(reason) = job.wait_reason {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(job.wait_words().unwrap_or_else(|| reason.words().into()))
                    .color(state_color(JobState::TransientError, dark)),
            );
            if reason == WaitReason::UnmeteredNetwork
                && ui
                    .button("Download now anyway")
                    .on_hover_text("Let this download use metered networks too")
                    .clicked()
            {
                actions.push(UiAction::DownloadAnyway(job.id));
            }
        });
    }
    refresh::refresh_ui(ui, job, model.files(job.id), actions);
    // Another job: start at the top, not where the last one was scrolled to.
    let shown_id = egui::Id::unique("haul-details-job");
    let changed = ui.data(|d| d.get_temp::<JobId>(shown_id)) != Some(job.id);
    ui.data_mut(|d| d.insert_temp(shown_id, job.id));
    let mut scroll = egui::ScrollArea::vertical().id_salt("details").auto_shrink([false, false]);
    if changed {
        scroll = scroll.vertical_scroll_offset(0.0);
    }
    scroll.show(ui, |ui| {
        ui.columns(2, |columns| {
            let files = model.files(job.id);
            properties::properties_ui(&mut columns[0], job, files);
            files::files_ui(&mut columns[1], files, dark, job);
        });
    });
}

/// The folded panel: one line to bring the details back.
pub fn folded_ui(ui: &mut Ui, job: &Job, actions: &mut Vec<UiAction>) {
    ui.horizontal(|ui| {
        let show = ui.add(egui::Button::new("⏶ Details").frame(false)).on_hover_text("Show details");
        show.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, "Show details"));
        if show.clicked() {
            actions.push(UiAction::ShowDetails(true));
        }
        ui.add(egui::Label::new(RichText::new(&job.display_name).weak()).truncate());
    });
}
