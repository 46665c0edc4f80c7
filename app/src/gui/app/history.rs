//! Tidying the list: finished and failed downloads leave it at once with an
//! Undo toast, and the service forgets them only when that toast is gone
//! (expired, closed, or the window closing); live ones are removed after a
//! question, as they stop and lose their bytes.

use super::*;
use crate::gui::confirm::is_history;

/// How long Undo is offered (while the user is looking: see `Toasts::hold`).
const UNDO_TTL: Duration = Duration::from_secs(8);

/// A removal waiting for its undo.
struct Pending {
    removal_id: u64,
    toast_id: u64,
    ids: Vec<JobId>,
}

/// The removals that can still be undone.
#[derive(Default)]
pub(super) struct Removals {
    pending: Vec<Pending>,
    next_id: u64,
}

impl HaulApp {
    /// Remove (toolbar, menu, Delete): history goes at once with Undo; live jobs ask first.
    pub(super) fn remove_selected(&mut self) {
        let jobs = self.model.selected_jobs();
        match Confirm::remove(&jobs) {
            Some(question) => self.confirm = Some(question),
            None => {
                let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
                self.remove_with_undo(ids, "Removed");
            }
        }
    }

    /// "Clear finished": every finished download, with Undo.
    pub(super) fn clear_finished(&mut self) {
        let ids = self.model.finished_ids();
        self.remove_with_undo(ids, "Cleared");
    }

    /// The user said yes to a question.
    pub(super) fn confirmed(&mut self, confirm: Confirm) {
        match confirm {
            Confirm::Cancel(ids, _) => self.bridge.send(Command::Cancel(ids)),
            Confirm::Complete(ids, _) => self.bridge.send(Command::Complete(ids)),
            Confirm::Remove(ids, _) => {
                let (history, live): (Vec<JobId>, Vec<JobId>) =
                    ids.into_iter().partition(|&id| self.model.job(id).is_some_and(|j| is_history(j.state)));
                self.remove_with_undo(history, "Removed");
                self.model.hide(&live);
                self.send_for(live, |jobs| Command::Remove { jobs, delete_files: false });
            }
            Confirm::DeleteFiles(ids, _) => {
                self.model.hide(&ids);
                self.send_for(ids, |jobs| Command::Remove { jobs, delete_files: true });
            }
        }
    }

    /// Takes `ids` off the list now; the service forgets them once Undo is gone.
    fn remove_with_undo(&mut self, ids: Vec<JobId>, verb: &str) {
        let title = match ids.as_slice() {
            [] => return,
            [one] => format!("{verb} {}", self.model.job(*one).map_or("a download", |j| j.display_name.as_str())),
            many if verb == "Cleared" => format!("{verb} {} finished downloads", many.len()),
            many => format!("{verb} {} downloads", many.len()),
        };
        self.model.hide(&ids);
        self.removals.next_id += 1;
        let removal_id = self.removals.next_id;
        let toast_id = self.model.toasts.push(NewToast {
            level: Level::Info,
            title,
            body: String::new(),
            actions: vec![ToastAction::Undo(removal_id)],
            ttl: Some(UNDO_TTL),
        });
        self.removals.pending.push(Pending { removal_id, toast_id, ids });
    }

    /// Undo: the rows come back; the service was not told.
    pub(super) fn undo(&mut self, removal_id: u64) {
        if let Some(at) = self.removals.pending.iter().position(|p| p.removal_id == removal_id) {
            let pending = self.removals.pending.remove(at);
            self.model.restore(&pending.ids);
        }
    }

    /// Tells the service about the removals whose Undo is gone (`all`: every one, at exit).
    pub(super) fn commit_removals(&mut self, all: bool) {
        let toasts = &self.model.toasts;
        let (due, waiting): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.removals.pending).into_iter().partition(|p| all || !toasts.is_shown(p.toast_id));
        self.removals.pending = waiting;
        let jobs: Vec<JobId> = due.into_iter().flat_map(|p| p.ids).collect();
        self.send_for(jobs, |jobs| Command::Remove { jobs, delete_files: false });
    }
}
