//! The window's dialogs: adding (and "Show the existing one" for a link
//! already on the list), the questions before destructive actions, settings.

use super::*;
use crate::gui::add_preview::Due;

impl HaulApp {
    /// Draws whichever dialogs are open and carries out their answers.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some(dialog) = &mut self.add {
            let model = &self.model;
            let existing = |url: &str| model.job_with_url(url).map(|j| (j.id, j.display_name.clone()));
            let outcome = dialog.ui(ctx, self.prefs.auto_complete, &existing);
            match dialog.previews.due(&dialog.urls, std::time::Instant::now()) {
                Due::Ask(links) => self.bridge.send(Command::Probe(links, dialog.valid_headers())),
                Due::Wait(after) => ctx.request_repaint_after(after),
                Due::Idle => {}
            }
            match outcome {
                AddOutcome::Open => {}
                AddOutcome::ShowExisting(job_id) => {
                    self.add = None;
                    self.model.filter.only = None;
                    self.model.filter.text.clear();
                    self.model.filter.state = crate::gui::view_model::StateFilter::All;
                    self.model.invalidate();
                    self.model.selection.select_only(job_id);
                    self.prefs.show_details = true;
                }
                AddOutcome::Cancelled => self.add = None,
                AddOutcome::Submit(requests) => {
                    for request in requests {
                        self.prefs.last_folder = Some(request.dir.clone());
                        self.bridge.send(Command::Add(Box::new(request)));
                    }
                    self.add = None;
                }
            }
        }
        if let Some(confirm) = &self.confirm
            && let Some(answer) = confirm_ui(ctx, confirm)
        {
            let confirm = confirm.clone();
            self.confirm = None;
            if answer {
                self.confirmed(confirm);
            }
        }
        if self.settings_open {
            self.settings_window_ui(ctx);
        }
        self.when_done_countdown_ui(ctx);
    }
}
