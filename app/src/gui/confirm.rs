//! Questions before destructive actions: Cancel throws bytes away; Complete
//! on an unfinished job keeps only the files that are done.

use eframe::egui;
use haul_core::model::{Job, JobId, JobState};

/// An action waiting for the user's yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirm {
    /// Cancel these jobs.
    Cancel(Vec<JobId>, String),
    /// Complete these jobs.
    Complete(Vec<JobId>, String),
}

impl Confirm {
    /// The question for cancelling `jobs` (the live ones among them).
    pub fn cancel(jobs: &[&Job]) -> Option<Confirm> {
        let live: Vec<&&Job> = jobs.iter().filter(|j| !j.state.is_final()).collect();
        let bytes: u64 = live.iter().map(|j| j.progress.bytes_transferred).sum();
        let what = match live.as_slice() {
            [] => return None,
            [one] => format!("Cancel “{}”?", one.display_name),
            many => format!("Cancel {} downloads?", many.len()),
        };
        let detail = if bytes > 0 {
            format!(" The {} downloaded so far will be deleted.", super::format::size(bytes))
        } else {
            String::new()
        };
        Some(Confirm::Cancel(live.iter().map(|j| j.id).collect(), format!("{what}{detail}")))
    }

    /// The question for completing `jobs`, or `None` when every one is fully
    /// transferred (nothing would be dropped: complete at once).
    pub fn complete(jobs: &[&Job]) -> Result<Vec<JobId>, Confirm> {
        let live: Vec<&&Job> = jobs.iter().filter(|j| !j.state.is_final()).collect();
        let ids = live.iter().map(|j| j.id).collect();
        let partial: Vec<&&&Job> = live.iter().filter(|j| j.state != JobState::Transferred).collect();
        if partial.is_empty() {
            return Ok(ids);
        }
        let lines: Vec<String> = partial
            .iter()
            .map(|j| {
                format!(
                    "“{}”: {} of {} files are done and will be kept; the rest is deleted.",
                    j.display_name, j.progress.files_transferred, j.progress.files_total
                )
            })
            .collect();
        Err(Confirm::Complete(ids, format!("Complete before everything is downloaded?\n{}", lines.join("\n"))))
    }
}

/// Draws the question; `Some(true)` when confirmed, `Some(false)` when declined.
pub fn confirm_ui(ctx: &egui::Context, confirm: &Confirm) -> Option<bool> {
    let (text, yes) = match confirm {
        Confirm::Cancel(_, text) => (text, "Cancel downloads"),
        Confirm::Complete(_, text) => (text, "Complete"),
    };
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("haul-confirm")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.label(text);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(yes).clicked() {
                answer = Some(true);
            }
            if ui.button("Keep them").clicked() {
                answer = Some(false);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}
