//! What the window does for each action a widget asks for (`UiAction`).

use super::super::confirm::Confirm;
use super::super::messages::Command;
use super::super::toolbar;
use super::super::widgets::{self, UiAction};
use super::HaulApp;
use eframe::egui;
use haul_core::model::{JobId, JobState};

impl HaulApp {
    /// Carries out what a widget asked for.
    pub(super) fn perform(&mut self, action: UiAction, ctx: &egui::Context) {
        let single = self.model.selection.single();
        match action {
            UiAction::OpenAdd(urls) => self.open_add(urls),
            UiAction::Resume => self.send_for(self.selected_ids(|s| s == JobState::Suspended), Command::Resume),
            UiAction::Suspend => self.send_for(self.selected_ids(widgets::can_pause), Command::Suspend),
            UiAction::TogglePause => {
                let running = self.selected_ids(widgets::can_pause);
                if running.is_empty() {
                    self.send_for(self.selected_ids(|s| s == JobState::Suspended), Command::Resume);
                } else {
                    self.bridge.send(Command::Suspend(running));
                }
            }
            UiAction::Retry => self.send_for(
                self.selected_ids(|s| matches!(s, JobState::Error | JobState::TransientError)),
                Command::Resume,
            ),
            UiAction::AskCancel => self.confirm = Confirm::cancel(&self.model.selected_jobs()),
            UiAction::Remove => self.remove_selected(),
            UiAction::AskDeleteFiles => self.confirm = Confirm::delete_files(&self.model.selected_jobs()),
            UiAction::ClearFinished => self.clear_finished(),
            UiAction::AskComplete => match Confirm::complete(&self.model.selected_jobs()) {
                Ok(ids) => self.send_for(ids, Command::Complete),
                Err(question) => self.confirm = Some(question),
            },
            UiAction::Open | UiAction::Reveal => {
                if let Some(job_id) = single {
                    self.bridge.send(Command::Open { job_id, reveal: action == UiAction::Reveal });
                }
            }
            UiAction::CopyUrl => {
                if let Some(job_id) = single {
                    self.bridge.send(Command::CopyUrl(job_id));
                }
            }
            UiAction::SetPriority(priority) => {
                self.send_for(self.selected_ids(|s| !s.is_final()), |ids| Command::SetPriority(ids, priority))
            }
            UiAction::RefreshLink { job_id, file_index, url } => {
                self.bridge.send(Command::RefreshLink { job_id, file_index, url })
            }
            UiAction::DownloadAnyway(job_id) => {
                self.bridge.send(Command::SetCostPolicy(vec![job_id], haul_core::model::CostPolicy::Any))
            }
            UiAction::SelectAll => {
                let shown = self.model.visible_ids();
                self.model.selection.select_all(&shown);
            }
            UiAction::ClearSelection => self.model.selection.clear(),
            UiAction::Click { job_id, toggle, extend } => {
                let shown = if extend { self.model.visible_ids() } else { Vec::new() };
                self.model.selection.click(job_id, toggle, extend, &shown);
            }
            UiAction::SelectOnly(job_id) => self.model.selection.select_only(job_id),
            UiAction::Sort(column) => {
                let sort = &mut self.model.sort;
                sort.ascending = if sort.column == column { !sort.ascending } else { true };
                sort.column = column;
                self.prefs.sort = *sort;
                self.model.invalidate();
            }
            UiAction::Filter(filter) => {
                self.model.filter.state = filter;
                self.model.filter.only = None;
                self.model.invalidate();
            }
            UiAction::ClearList => {
                self.model.filter.only = None;
                self.model.filter.text.clear();
                self.model.invalidate();
            }
            UiAction::Toast(toast_id, toast_action) => {
                self.model.toasts.dismiss(toast_id);
                self.toast_action(toast_action);
            }
            UiAction::DismissToast(toast_id) => self.model.toasts.dismiss(toast_id),
            UiAction::OpenSettings => self.open_settings(),
            UiAction::ShowDetails(shown) => self.prefs.show_details = shown,
            UiAction::ToggleSidebar => {
                self.sidebar_choice = Some(!self.sidebar_shown(ctx.content_rect().width()));
            }
            UiAction::FocusFilter => ctx.memory_mut(|m| m.request_focus(toolbar::filter_id())),
        }
    }

    pub(super) fn selected_ids(&self, keep: impl Fn(JobState) -> bool) -> Vec<JobId> {
        self.model.selected_jobs().into_iter().filter(|j| keep(j.state)).map(|j| j.id).collect()
    }

    pub(super) fn send_for(&self, ids: Vec<JobId>, make: impl FnOnce(Vec<JobId>) -> Command) {
        if !ids.is_empty() {
            self.bridge.send(make(ids));
        }
    }
}
