//! Questions before destructive actions: Cancel and Remove throw bytes away;
//! Complete on an unfinished job keeps only the files that are done; "Remove
//! and delete the file" deletes finished files. The question names what goes;
//! the safe answer comes first and has the keyboard focus, so Enter keeps.

use super::format;
use super::widgets::level_color;
use eframe::egui::{self, RichText};
use haul_core::model::{Job, JobId, JobState};

/// An action waiting for the user's yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirm {
    /// Cancel these jobs.
    Cancel(Vec<JobId>, String),
    /// Complete these jobs, dropping their unfinished files.
    Complete(Vec<JobId>, String),
    /// Take these jobs off the list; the live ones stop and lose their bytes.
    Remove(Vec<JobId>, String),
    /// Take these finished jobs off the list and delete their files.
    DeleteFiles(Vec<JobId>, String),
}

/// Whether a job in `state` is history: done, or failed and waiting. Taking
/// it off the list loses nothing the user could not get back with Undo.
pub fn is_history(state: JobState) -> bool {
    matches!(state, JobState::Acknowledged | JobState::Error)
}

/// "“a.iso”", or "3 downloads".
fn what(jobs: &[&Job]) -> String {
    match jobs {
        [one] => format!("“{}”", one.display_name),
        many => format!("{} downloads", many.len()),
    }
}

/// " The 3 MB downloaded so far will be deleted." (nothing when nothing was).
fn bytes_lost(jobs: &[&Job]) -> String {
    let bytes: u64 = jobs.iter().map(|j| j.progress.bytes_transferred).sum();
    if bytes > 0 { format!(" The {} downloaded so far will be deleted.", format::size(bytes)) } else { String::new() }
}

/// " Its 1 finished file is deleted too (Finish now keeps it)." for batches
/// some of whose files are already downloaded (nothing otherwise).
fn finished_lost(jobs: &[&Job]) -> String {
    let done: u32 = jobs.iter().filter(|j| j.progress.files_total > 1).map(|j| j.progress.files_transferred).sum();
    match done {
        0 => String::new(),
        1 => " Its 1 finished file is deleted too (Finish now keeps it).".into(),
        n => format!(" Their {n} finished files are deleted too (Finish now keeps them)."),
    }
}

impl Confirm {
    /// The question for cancelling `jobs` (the live ones among them).
    pub fn cancel(jobs: &[&Job]) -> Option<Confirm> {
        let live: Vec<&Job> = jobs.iter().copied().filter(|j| !j.state.is_final()).collect();
        if live.is_empty() {
            return None;
        }
        let text = format!("Cancel {}?{}{}", what(&live), bytes_lost(&live), finished_lost(&live));
        Some(Confirm::Cancel(live.iter().map(|j| j.id).collect(), text))
    }

    /// The question for removing `jobs`, or `None` when they are all history
    /// (they go at once, with Undo).
    pub fn remove(jobs: &[&Job]) -> Option<Confirm> {
        let live: Vec<&Job> = jobs.iter().copied().filter(|j| !is_history(j.state)).collect();
        if live.is_empty() {
            return None;
        }
        let text = format!("Remove {}? It stops, and cannot be brought back.{}", what(&live), bytes_lost(&live));
        Some(Confirm::Remove(jobs.iter().map(|j| j.id).collect(), text))
    }

    /// The question for removing the finished ones among `jobs` and deleting their files.
    pub fn delete_files(jobs: &[&Job]) -> Option<Confirm> {
        let done: Vec<&Job> = jobs.iter().copied().filter(|j| j.state == JobState::Acknowledged).collect();
        let names: Vec<&str> = done.iter().map(|j| j.display_name.as_str()).collect();
        let text = match names.as_slice() {
            [] => return None,
            [one] => format!("Delete “{one}” from the disk? It cannot be brought back."),
            many => format!(
                "Delete these {} downloads from the disk? They cannot be brought back.\n{}",
                many.len(),
                many.join("\n")
            ),
        };
        Some(Confirm::DeleteFiles(done.iter().map(|j| j.id).collect(), text))
    }

    /// The question for completing `jobs`, or their ids when every one is fully
    /// transferred (nothing would be dropped: complete at once).
    pub fn complete(jobs: &[&Job]) -> Result<Vec<JobId>, Confirm> {
        let live: Vec<&Job> = jobs.iter().copied().filter(|j| !j.state.is_final()).collect();
        let ids = live.iter().map(|j| j.id).collect();
        let partial: Vec<&&Job> = live.iter().filter(|j| j.state != JobState::Transferred).collect();
        if partial.is_empty() {
            return Ok(ids);
        }
        let lines: Vec<String> = partial
            .iter()
            .map(|j| {
                let (done, total) = (j.progress.files_transferred, j.progress.files_total);
                format!("“{}”: {done} of {total} {} downloaded; the rest is discarded.", j.display_name, files(total))
            })
            .collect();
        Err(Confirm::Complete(ids, format!("Stop before everything is downloaded?\n{}", lines.join("\n"))))
    }

    /// (the question, the destructive answer, the safe one).
    fn words(&self) -> (&str, String, &'static str) {
        match self {
            Confirm::Cancel(_, text) => (text, "Cancel downloads".into(), "Keep them"),
            Confirm::Complete(_, text) => (text, keep_words(text), "Keep downloading"),
            Confirm::Remove(_, text) => (text, "Remove".into(), "Keep them"),
            Confirm::DeleteFiles(ids, text) => {
                (text, if ids.len() == 1 { "Delete the file" } else { "Delete the files" }.into(), "Keep them")
            }
        }
    }
}

fn files(count: u32) -> &'static str {
    if count == 1 { "file" } else { "files" }
}

/// "Keep the 1 finished file and discard the rest", from the question's one line per job.
fn keep_words(text: &str) -> String {
    let counts: Vec<u32> =
        text.lines().filter_map(|line| line.split("”: ").nth(1)?.split(' ').next()?.parse().ok()).collect();
    match counts.as_slice() {
        [0] => "Discard everything".into(),
        [n] => format!("Keep the {n} finished {} and discard the rest", files(*n)),
        _ => "Keep the finished files and discard the rest".into(),
    }
}

/// Draws the question; `Some(true)` when confirmed, `Some(false)` when declined.
pub fn confirm_ui(ctx: &egui::Context, confirm: &Confirm) -> Option<bool> {
    let (text, yes, no) = confirm.words();
    let dark = ctx.global_style().visuals.dark_mode;
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("haul-confirm")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        ui.label(text);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let keep = ui.button(no);
            if ui.memory(|m| m.focused().is_none()) {
                keep.request_focus();
            }
            if keep.clicked() {
                answer = Some(false);
            }
            let destroy = egui::Button::new(RichText::new(&yes).color(level_color(Some(false), dark)));
            if ui.add(destroy).clicked() {
                answer = Some(true);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::view_model::test_job;

    #[test]
    fn complete_says_what_is_kept_and_what_is_discarded() {
        let mut batch = test_job("batch", JobState::Suspended, 1);
        batch.progress.files_total = 2;
        batch.progress.files_transferred = 1;
        let question = Confirm::complete(&[&batch]).expect_err("a question");
        let (text, yes, no) = question.words();
        assert!(text.contains("“batch”: 1 of 2 files downloaded"), "{text}");
        assert_eq!(yes, "Keep the 1 finished file and discard the rest");
        assert_eq!(no, "Keep downloading");
        batch.progress.files_transferred = 0;
        assert_eq!(Confirm::complete(&[&batch]).expect_err("a question").words().1, "Discard everything");
        let done = test_job("done", JobState::Transferred, 1);
        assert_eq!(Confirm::complete(&[&done]), Ok(vec![done.id]), "nothing dropped: no question");
    }

    #[test]
    fn cancel_says_when_finished_files_of_a_batch_go_too() {
        let mut batch = test_job("batch", JobState::Suspended, 1);
        batch.progress.files_total = 2;
        batch.progress.files_transferred = 1;
        let Some(Confirm::Cancel(_, text)) = Confirm::cancel(&[&batch]) else { panic!("a question") };
        assert!(text.contains("Its 1 finished file is deleted too"), "{text}");
        let single = test_job("one.iso", JobState::Suspended, 1);
        let Some(Confirm::Cancel(_, text)) = Confirm::cancel(&[&single]) else { panic!("a question") };
        assert!(!text.contains("finished file"), "{text}");
    }

    #[test]
    fn history_goes_without_a_question_and_live_jobs_ask() {
        let done = test_job("done.pdf", JobState::Acknowledged, 1);
        let failed = test_job("gone.zip", JobState::Error, 1);
        assert_eq!(Confirm::remove(&[&done, &failed]), None);
        let mut running = test_job("big.iso", JobState::Transferring, 1);
        running.progress.bytes_transferred = 3_000_000;
        let Some(Confirm::Remove(ids, text)) = Confirm::remove(&[&done, &running]) else { panic!("a question") };
        assert_eq!(ids, [done.id, running.id]);
        assert!(text.starts_with("Remove “big.iso”?") && text.contains("3.0 MB"), "{text}");
        let Some(Confirm::DeleteFiles(ids, text)) = Confirm::delete_files(&[&done, &running]) else {
            panic!("a question")
        };
        assert_eq!(ids, [done.id], "only finished files are deleted");
        assert!(text.contains("“done.pdf”"), "{text}");
    }
}
