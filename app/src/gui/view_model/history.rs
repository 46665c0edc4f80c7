//! The list as a history the user tidies: rows taken off at once (and put
//! back by Undo) while the service forgets them, and a toast saying what a
//! cancel deleted.

use super::{Level, NewToast, ViewModel};
use haul_core::model::{Job, JobId, JobState};
use std::time::Duration;

/// How long the "Cancelled …" and "Deleted …" toasts stay.
const TOLD_TTL: Duration = Duration::from_secs(6);

impl ViewModel {
    /// Takes these rows off the list until [`Self::restore`], or until the
    /// service has forgotten them.
    pub fn hide(&mut self, ids: &[JobId]) {
        for &job_id in ids {
            self.removing.insert(job_id);
            self.selection.remove(job_id);
        }
        self.dirty = true;
    }

    /// Puts rows taken off back (Undo).
    pub fn restore(&mut self, ids: &[JobId]) {
        for job_id in ids {
            self.removing.remove(job_id);
        }
        self.dirty = true;
    }

    /// Whether the row is off the list, waiting for its undo or the service.
    pub fn is_removing(&self, job_id: JobId) -> bool {
        self.removing.contains(&job_id)
    }

    /// The finished downloads on the list, files in place ("Clear finished" takes them).
    pub fn finished_ids(&self) -> Vec<JobId> {
        self.jobs
            .iter()
            .filter(|j| j.state == JobState::Acknowledged && !self.removing.contains(&j.id))
            .map(|j| j.id)
            .collect()
    }

    /// A job the user cancelled: off the list, with a word on what went.
    pub(super) fn cancelled(&mut self, job: Job) {
        self.remove(job.id);
        self.toasts.push(NewToast {
            level: Level::Info,
            title: cancel_words(&job),
            body: String::new(),
            actions: Vec::new(),
            ttl: Some(TOLD_TTL),
        });
    }

    /// The service forgot `gone`; `kept` come back; `deleted` files are off the disk.
    pub(super) fn removed(&mut self, gone: Vec<JobId>, kept: Vec<JobId>, deleted: Vec<String>) {
        for job_id in gone {
            self.removing.remove(&job_id);
            self.remove(job_id);
        }
        self.restore(&kept);
        let title = match deleted.as_slice() {
            [] => return,
            [one] => format!("Deleted {one} from the disk"),
            many => format!("Deleted {} files from the disk", many.len()),
        };
        let body = if deleted.len() > 1 { deleted.join(", ") } else { String::new() };
        self.toasts.push(NewToast { level: Level::Info, title, body, actions: Vec::new(), ttl: Some(TOLD_TTL) });
    }
}

/// "Cancelled ubuntu.iso — the partial file was deleted": what a cancel did, in words.
pub fn cancel_words(job: &Job) -> String {
    let name = &job.display_name;
    let progress = &job.progress;
    if progress.files_total > 1 && progress.files_transferred > 0 {
        format!("Cancelled {name} — its downloaded files were deleted")
    } else if progress.bytes_transferred > 0 {
        format!("Cancelled {name} — the partial file was deleted")
    } else {
        format!("Cancelled {name} — nothing had been downloaded yet")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::messages::{Startup, Update};
    use crate::gui::view_model::{StateFilter, test_job};

    fn model_with(jobs: Vec<Job>) -> ViewModel {
        let mut model = ViewModel::default();
        model.apply(Update::Startup(Box::new(Startup { jobs, ..Default::default() })));
        model
    }

    #[test]
    fn hidden_rows_leave_the_list_and_come_back_on_undo() {
        let done = test_job("done.pdf", JobState::Acknowledged, 5);
        let running = test_job("big.iso", JobState::Transferring, 1);
        let (done_id, running_id) = (done.id, running.id);
        let mut model = model_with(vec![done, running]);
        model.selection.select_only(done_id);
        assert_eq!(model.finished_ids(), [done_id]);
        model.hide(&[done_id]);
        assert_eq!(model.visible_ids(), [running_id]);
        assert_eq!(model.count(StateFilter::Finished), 0);
        assert!(model.selection.is_empty(), "a removed row is not acted on");
        assert!(model.finished_ids().is_empty(), "not cleared twice");
        model.restore(&[done_id]);
        assert_eq!(model.visible_ids().len(), 2);
        model.hide(&[done_id]);
        model.apply(Update::Removed { gone: vec![done_id], kept: vec![], deleted: vec!["done.pdf".into()] });
        assert!(model.job(done_id).is_none());
        assert!(!model.is_removing(done_id));
        assert_eq!(model.toasts.list().last().map(|t| t.title.as_str()), Some("Deleted done.pdf from the disk"));
    }

    #[test]
    fn a_cancel_says_what_it_deleted() {
        let mut job = test_job("ubuntu.iso", JobState::Cancelled, 1);
        assert_eq!(cancel_words(&job), "Cancelled ubuntu.iso — nothing had been downloaded yet");
        job.progress.bytes_transferred = 10;
        assert_eq!(cancel_words(&job), "Cancelled ubuntu.iso — the partial file was deleted");
        job.progress.files_total = 2;
        job.progress.files_transferred = 1;
        assert_eq!(cancel_words(&job), "Cancelled ubuntu.iso — its downloaded files were deleted");
    }
}
