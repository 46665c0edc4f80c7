//! "The link may have expired — paste a fresh one": a field under a failed
//! job's reason that points the failed file at a new link (`set_remote_name`)
//! and resumes the job; the saved bytes are kept if it serves the same file.

use crate::gui::widgets::UiAction;
use eframe::egui::{self, Color32, RichText, Ui};
use haul_core::model::{ErrorContext, Job, JobFile, JobState, RemoteUrl};

/// The field, for a job that failed on a remote file; nothing otherwise.
pub(super) fn refresh_ui(ui: &mut Ui, job: &Job, files: Option<&[JobFile]>, actions: &mut Vec<UiAction>) {
    let Some(error) = job.error.as_ref().filter(|_| job.state == JobState::Error) else { return };
    if error.context != ErrorContext::RemoteFile || error.code == "checksum_mismatch" {
        return;
    }
    let file_index = error.file_index.unwrap_or(0);
    let saved = files
        .and_then(|files| files.get(file_index as usize))
        .map_or(job.progress.bytes_transferred > 0, |file| file.bytes_transferred > 0);
    let headline = match error.link_may_have_expired(saved) {
        true => "The link may have expired — paste a fresh one",
        false => "Try another link for this file",
    };
    let text_id = egui::Id::unique("haul-refresh-link").with(job.id);
    let problem_id = text_id.with("problem");
    let mut text: String = ui.data(|d| d.get_temp(text_id)).unwrap_or_default();
    ui.label(RichText::new(headline).strong());
    ui.horizontal(|ui| {
        let field = egui::TextEdit::singleline(&mut text).hint_text("https://…").desired_width(320.0);
        let label = ui.label("New link:");
        let edited = ui.add(field.id_salt(text_id)).labelled_by(label.id);
        let entered = edited.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let clicked = ui
            .button("Use this link")
            .on_hover_text("Download the rest from this link; the saved bytes are kept if it serves the same file")
            .clicked();
        if edited.changed() {
            ui.data_mut(|d| d.remove::<String>(problem_id));
        }
        if clicked || entered {
            match RemoteUrl::parse(text.trim()) {
                Ok(url) => {
                    actions.push(UiAction::RefreshLink { job_id: job.id, file_index, url });
                    text.clear();
                }
                Err(e) => {
                    ui.data_mut(|d| d.insert_temp(problem_id, e.to_string()));
                }
            }
        }
    });
    if let Some(problem) = ui.data(|d| d.get_temp::<String>(problem_id)) {
        ui.label(RichText::new(problem).color(Color32::from_rgb(0xd0, 0x40, 0x40)));
    }
    ui.data_mut(|d| d.insert_temp(text_id, text));
}
