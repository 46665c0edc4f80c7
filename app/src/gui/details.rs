//! The details panel of the selected job: its files with their own progress,
//! times, error (context, code, message, count), notify flags, retry settings;
//! why a queued job waits, with "Download now anyway" when it waits for an unmetered network.

use super::format;
use super::view_model::{ViewModel, fraction};
use super::widgets::{UiAction, state_color};
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{CostPolicy, Job, JobFile, WaitReason};

/// The panel for one job.
pub fn details_ui(ui: &mut Ui, model: &ViewModel, job: &Job, actions: &mut Vec<UiAction>) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        ui.heading(&job.display_name);
        ui.label(RichText::new(format::state_word(job.state)).color(state_color(job.state, dark)));
        ui.label(RichText::new(format!("({})", job.state.as_str())).weak());
    });
    if let Some(reason) = job.wait_reason {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(job.wait_words().unwrap_or_else(|| reason.words().into()))
                    .color(state_color(haul_core::model::JobState::TransientError, dark)),
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
    egui::ScrollArea::vertical().id_salt("details").auto_shrink([false, true]).show(ui, |ui| {
        ui.columns(2, |columns| {
            properties_ui(&mut columns[0], job);
            files_ui(&mut columns[1], model.files(job.id), dark, job);
        });
    });
}

fn properties_ui(ui: &mut Ui, job: &Job) {
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%F %T").to_string();
    egui::Grid::new("job-properties").num_columns(2).striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
        let row = |ui: &mut Ui, key: &str, value: String| {
            ui.label(RichText::new(key).weak());
            ui.add(egui::Label::new(value).wrap());
            ui.end_row();
        };
        row(ui, "Id", job.id.to_string());
        let total = job.progress.bytes_total.map(format::size).unwrap_or_else(|| "unknown".into());
        row(
            ui,
            "Progress",
            format!(
                "{} of {} ({:.0}%), {} of {} files",
                format::size(job.progress.bytes_transferred),
                total,
                fraction(job) * 100.0,
                job.progress.files_transferred,
                job.progress.files_total
            ),
        );
        row(ui, "Priority", format::priority(job.priority).into());
        let networks = match job.cost_policy {
            CostPolicy::Any => "any, metered ones too",
            CostPolicy::Unmetered => "unmetered only",
        };
        row(ui, "Networks", networks.into());
        row(ui, "Created", time(job.times.created));
        row(ui, "Modified", time(job.times.modified));
        if let Some(done) = job.times.transfer_completed {
            row(ui, "Transferred", time(done));
        }
        if let Some(error) = &job.error {
            row(ui, "Error", format::error_words(error));
            row(ui, "Error detail", format!("{:?} / {}: {}", error.context, error.code, error.message));
        }
        row(ui, "Errors so far", job.error_count.to_string());
        row(ui, "Notify flags", job.notify_flags.names().join(", "));
        if let Some(cmd) = &job.notify_cmd_line {
            row(ui, "Notify command", format!("{} {}", cmd.program, cmd.args.join(" ")));
        }
        row(
            ui,
            "Retry",
            format!(
                "after {} s; fails after {} s without progress",
                job.minimum_retry_delay_s, job.no_progress_timeout_s
            ),
        );
        row(ui, "Auto-complete", if job.auto_complete { "by the service" } else { "no" }.into());
        if !job.custom_headers.is_empty() {
            row(ui, "Headers", job.custom_headers.join("\n"));
        }
    });
}

fn files_ui(ui: &mut Ui, files: Option<&[JobFile]>, dark: bool, job: &Job) {
    ui.label(RichText::new("Files").strong());
    let Some(files) = files else {
        ui.label(RichText::new("loading…").weak());
        return;
    };
    egui::Grid::new("job-files").num_columns(3).striped(true).spacing([10.0, 4.0]).show(ui, |ui| {
        for file in files {
            let name = file.local_name.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let layout = egui::Layout::left_to_right(egui::Align::Center);
            let hover = format!("{}\n← {}", file.local_name.display(), file.remote_url);
            ui.allocate_ui_with_layout(egui::vec2(180.0, 18.0), layout, |ui| {
                ui.add(egui::Label::new(name).truncate()).on_hover_text(hover);
            });
            let done = match file.bytes_total {
                _ if file.transferred || file.completed => 1.0,
                Some(0) => 1.0,
                Some(total) => (file.bytes_transferred as f64 / total as f64) as f32,
                None => 0.0,
            };
            let text = match file.bytes_total {
                Some(total) => format!("{} / {}", format::size(file.bytes_transferred), format::size(total)),
                None => format::size(file.bytes_transferred),
            };
            let bar = egui::ProgressBar::new(done).text(text).desired_width(180.0);
            ui.add(bar.fill(state_color(job.state, dark).gamma_multiply(0.8)));
            let status = if file.completed {
                "in place"
            } else if file.transferred {
                "downloaded"
            } else {
                "pending"
            };
            ui.label(status);
            ui.end_row();
        }
    });
}
