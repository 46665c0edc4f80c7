//! The details panel's left column: what the job is (source, save path,
//! connections), how it went (progress, average speed, time taken), and the
//! service's own terms folded under "Advanced".

use crate::gui::format;
use crate::gui::view_model::percent;
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{CostPolicy, Job, JobFile};

fn row(ui: &mut Ui, key: &str, value: String) {
    ui.label(RichText::new(key).weak());
    ui.add(egui::Label::new(value).wrap());
    ui.end_row();
}

/// Source URL, save path and connections (the files come a moment after the job).
fn source_rows(ui: &mut Ui, job: &Job, files: Option<&[JobFile]>) {
    let (source, target) = match files {
        None => ("…".to_string(), "…".to_string()),
        Some([]) => ("no file yet".into(), "—".into()),
        Some([one]) => (one.remote_url.clone(), one.local_name.display().to_string()),
        Some(many) => {
            let folder = many[0].local_name.parent().map(|p| p.display().to_string()).unwrap_or_default();
            (format!("{} and {} more", many[0].remote_url, many.len() - 1), format!("{folder} ({} files)", many.len()))
        }
    };
    row(ui, "Source", source);
    row(ui, "Save to", target);
    row(ui, "Connections", format!("up to {} at once", job.max_connections));
}

/// Average speed and time taken: since it was added, until it finished (or now).
fn timing_rows(ui: &mut Ui, job: &Job, now: chrono::DateTime<chrono::Utc>) {
    let end = job.times.transfer_completed.unwrap_or(now);
    let seconds = (end - job.times.created).num_seconds().max(1) as u64;
    if job.progress.bytes_transferred > 0 {
        row(ui, "Average speed", format::speed(job.progress.bytes_transferred as f64 / seconds as f64));
    }
    let taken = format::span(seconds);
    row(ui, "Time taken", if job.times.transfer_completed.is_some() { taken } else { format!("{taken} so far") });
}

/// The job's properties in plain words, then the "Advanced" part.
pub(super) fn properties_ui(ui: &mut Ui, job: &Job, files: Option<&[JobFile]>) {
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&chrono::Local).format("%F %T").to_string();
    egui::Grid::new("job-properties").num_columns(2).striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
        let total = job.progress.bytes_total.map(format::size).unwrap_or_else(|| "unknown".into());
        let mut progress = format!("{} of {} ({}%)", format::size(job.progress.bytes_transferred), total, percent(job));
        if job.progress.files_total > 1 {
            progress.push_str(&format!(", {} of {} files", job.progress.files_transferred, job.progress.files_total));
        }
        row(ui, "Progress", progress);
        // What the job says of itself: a stream's variant and segment count.
        if !job.description.trim().is_empty() {
            row(ui, "About", job.description.clone());
        }
        // What people look for first, before the rest.
        timing_rows(ui, job, chrono::Utc::now());
        source_rows(ui, job, files);
        row(ui, "Priority", format::priority(job.priority).into());
        let networks = match job.cost_policy {
            CostPolicy::Any => "any, metered ones too",
            CostPolicy::Unmetered => "unmetered only",
        };
        row(ui, "Networks", networks.into());
        row(ui, "Created", time(job.times.created));
        row(ui, "Modified", time(job.times.modified));
        if let Some(done) = job.times.transfer_completed {
            row(ui, "Finished", time(done));
        }
        if job.error_count > 0 {
            row(ui, "Failed attempts", job.error_count.to_string());
        }
        let finish = if job.auto_complete { "as soon as it is downloaded" } else { "when you choose Finish now" };
        row(ui, "Moved into place", finish.into());
        if !job.custom_headers.is_empty() {
            row(ui, "Headers", job.custom_headers.join("\n"));
        }
    });
    advanced_ui(ui, job);
}

/// The service's own words (BITS names, codes, flags), folded away.
fn advanced_ui(ui: &mut Ui, job: &Job) {
    egui::CollapsingHeader::new("Advanced").id_salt("details-advanced").show(ui, |ui| {
        egui::Grid::new("job-advanced").num_columns(2).striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
            row(ui, "Job id", job.id.to_string());
            row(ui, "BITS state", job.state.as_str().to_string());
            if let Some(error) = &job.error {
                row(ui, "Error", format!("{:?} / {}", error.context, error.code));
                row(ui, "Service message", error.message.clone());
            }
            row(ui, "Notify flags", job.notify_flags.names().join(", "));
            if let Some(cmd) = &job.notify_cmd_line {
                row(ui, "Notify command", format!("{} {}", cmd.program, cmd.args.join(" ")));
            }
            row(
                ui,
                "Retry",
                format!(
                    "waits {} between attempts; gives up after {} without progress",
                    format::span(job.minimum_retry_delay_s),
                    format::span(job.no_progress_timeout_s)
                ),
            );
        });
    });
}
