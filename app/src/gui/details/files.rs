//! The details panel's right column: each file with its own bar and state.

use crate::gui::format;
use crate::gui::view_model::{FileView, file_views};
use crate::gui::widgets::state_color;
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{Job, JobFile, JobState};

/// Height of a file's row, in points (spacing included).
const ROW_HEIGHT: f32 = 22.0;

/// The files, each with its state and a bar on the job's own numbers. Only
/// the rows inside the panel's view are laid out (a job of 10,000 files took
/// over a second a frame when all were); the others are empty space of their height.
pub(super) fn files_ui(ui: &mut Ui, files: Option<&[JobFile]>, dark: bool, job: &Job) {
    ui.label(RichText::new("Files").strong());
    let Some(files) = files else {
        ui.label(RichText::new("loading…").weak());
        return;
    };
    let views = file_views(job, files);
    // Name and bar share what is left after the state word ("downloading").
    let room = ((ui.available_width() - 110.0) / 2.0).clamp(70.0, 180.0);
    let width = ui.available_width();
    let top = ui.cursor().top();
    let clip = ui.clip_rect();
    let first = (((clip.top() - top) / ROW_HEIGHT).floor().max(0.0) as usize).min(files.len());
    let end = ((((clip.bottom() - top) / ROW_HEIGHT).ceil().max(0.0) as usize) + 1).clamp(first, files.len());
    ui.scope(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        if first > 0 {
            ui.allocate_space(egui::vec2(width, first as f32 * ROW_HEIGHT));
        }
        for (i, (file, view)) in files.iter().zip(views).enumerate().take(end).skip(first) {
            let layout = egui::Layout::left_to_right(egui::Align::Center);
            let (rect, _) = ui.allocate_exact_size(egui::vec2(width, ROW_HEIGHT), egui::Sense::hover());
            if i % 2 == 1 {
                ui.painter().rect_filled(rect, 0.0, ui.visuals().faint_bg_color);
            }
            let mut row = ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(layout));
            row.spacing_mut().item_spacing.x = 10.0;
            file_row_ui(&mut row, file, &view, room, dark, job.state);
        }
        if end < files.len() {
            ui.allocate_space(egui::vec2(width, (files.len() - end) as f32 * ROW_HEIGHT));
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

/// One file: its name (the path and link on hover), its bar and its state word.
fn file_row_ui(ui: &mut Ui, file: &JobFile, view: &FileView, room: f32, dark: bool, state: JobState) {
    let name = file.local_name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // A cell of its own width, whatever the name's: the rows' bars line up.
    let (cell, _) = ui.allocate_exact_size(egui::vec2(room, 18.0), egui::Sense::hover());
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    let mut cell = ui.new_child(egui::UiBuilder::new().max_rect(cell).layout(layout));
    let name = cell.add(egui::Label::new(name).truncate());
    name.on_hover_text(format!("{}\n← {}", file.local_name.display(), file.remote_url));
    let text = match view.bytes_total {
        Some(total) => format!("{} / {}", format::size(view.bytes_done), format::size(total)),
        None => format::size(view.bytes_done),
    };
    let bar = egui::ProgressBar::new(view.fraction()).text(text).desired_width(room);
    ui.add(bar.fill(crate::gui::table::bar_fill(view.fraction(), state_color(state, dark))));
    ui.label(view.status);
}
