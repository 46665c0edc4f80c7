//! The details panel's right column: each file with its own bar and state.

use crate::gui::format;
use crate::gui::view_model::file_views;
use crate::gui::widgets::state_color;
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{Job, JobFile, JobState};

/// The files, each with its state and a bar on the job's own numbers.
pub(super) fn files_ui(ui: &mut Ui, files: Option<&[JobFile]>, dark: bool, job: &Job) {
    ui.label(RichText::new("Files").strong());
    let Some(files) = files else {
        ui.label(RichText::new("loading…").weak());
        return;
    };
    let views = file_views(job, files);
    // Name and bar share what is left after the state word ("downloading").
    let room = ((ui.available_width() - 110.0) / 2.0).clamp(70.0, 180.0);
    egui::Grid::new("job-files").num_columns(3).striped(true).spacing([10.0, 4.0]).show(ui, |ui| {
        for (file, view) in files.iter().zip(views) {
            let name = file.local_name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let layout = egui::Layout::left_to_right(egui::Align::Center);
            let hover = format!("{}\n← {}", file.local_name.display(), file.remote_url);
            ui.allocate_ui_with_layout(egui::vec2(room, 18.0), layout, |ui| {
                ui.add(egui::Label::new(name).truncate()).on_hover_text(hover);
            });
            let text = match view.bytes_total {
                Some(total) => format!("{} / {}", format::size(view.bytes_done), format::size(total)),
                None => format::size(view.bytes_done),
            };
            let bar = egui::ProgressBar::new(view.fraction()).text(text).desired_width(room);
            ui.add(bar.fill(crate::gui::table::bar_fill(view.fraction(), state_color(job.state, dark))));
            ui.label(view.status);
            ui.end_row();
        }
    });
    for file in files {
        if let Some(reason) = &file.restart_reason {
            let name = file.local_name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let words = format!("{name} restarted from zero: {reason}");
            ui.add(egui::Label::new(RichText::new(words).color(state_color(JobState::TransientError, dark))).wrap());
        }
    }
}
