//! The window's dealings with the desktop around it: the tray (its menu,
//! tooltip and closing to it), desktop notifications (sent while the user is
//! not looking), clicks on them and on toasts, and files dropped on the window.

use super::*;

impl HaulApp {
    pub(super) fn notify(&mut self, notice: Notice, looking: bool) {
        // The summary always goes out (Haul often starts unseen, at login);
        // single events only when the user is not looking at the window.
        if self.prefs.desktop_notifications && (notice.summary || notice.plain || !looking) {
            self.notifier.notify(notice);
        }
    }

    /// Whether the user may be looking at the window: it has the keyboard
    /// focus and is on screen. A minimised window can keep the focus (X11
    /// window managers need not take it away), so focus alone does not tell.
    pub(super) fn user_is_looking(&self, ctx: &egui::Context) -> bool {
        let (focused, on_screen) = ctx.input(|i| (i.focused, i.viewport().visible() != Some(false)));
        focused && on_screen && !self.hidden
    }

    /// Carries out a toast's or a desktop notification's button.
    pub(super) fn toast_action(&mut self, action: ToastAction) {
        match action {
            ToastAction::Open(job_id) => self.bridge.send(Command::Open { job_id, reveal: false }),
            ToastAction::ShowInFolder(job_id) => self.bridge.send(Command::Open { job_id, reveal: true }),
            ToastAction::Retry(job_id) => self.bridge.send(Command::Resume(vec![job_id])),
            ToastAction::Details(job_id) => {
                self.model.selection.select_only(job_id);
                self.prefs.show_details = true;
            }
            ToastAction::ShowJobs(ids) => self.model.show_only("While you were away".into(), ids),
            ToastAction::Undo(removal_id) => self.undo(removal_id),
            ToastAction::CancelCountdown => self.cancel_when_done(),
            ToastAction::AddLinks(links) => self.offered_links(links),
            ToastAction::ConnectBrowsers => self.connect_browsers(),
        }
    }

    /// Carries out a button clicked on a desktop notification, as the toast's
    /// button would; those that need the window bring it up (from the tray too).
    pub(super) fn notification_action(&mut self, action: ToastAction, ctx: &egui::Context) {
        if matches!(
            action,
            ToastAction::Retry(_) | ToastAction::Details(_) | ToastAction::ShowJobs(_) | ToastAction::AddLinks(_)
        ) {
            self.show_window(ctx);
        }
        self.toast_action(action);
    }

    /// Files dropped onto the window: the links in them go to the add dialog;
    /// files with none say so.
    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if dropped.is_empty() {
            return;
        }
        let mut links: Vec<String> = Vec::new();
        let mut without: Vec<String> = Vec::new();
        for file in dropped {
            let path = file.path();
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            let found = dropped::links_in_file(path);
            if found.is_empty() {
                without.push(name);
            }
            links.extend(found.into_iter().filter(|l| !links.contains(l)).collect::<Vec<_>>());
        }
        if !without.is_empty() {
            self.model.toasts.push(NewToast {
                level: Level::Info,
                title: "No link to download".into(),
                body: format!("{} holds no http or https link.", without.join(", ")),
                actions: Vec::new(),
                ttl: Some(DROP_TOAST_TTL),
            });
        }
        if links.is_empty() {
            return;
        }
        self.links_to_dialog(&links.join("\n"));
        self.show_window(ctx);
    }

    /// Carries out what was picked in the tray.
    pub(super) fn tray_action(&mut self, action: TrayAction, ctx: &egui::Context) {
        match action {
            TrayAction::Show => self.show_window(ctx),
            TrayAction::PauseAll => {
                let running = self.all_ids(|s| {
                    matches!(
                        s,
                        JobState::Queued | JobState::Connecting | JobState::Transferring | JobState::TransientError
                    )
                });
                self.send_for(running, Command::Suspend);
            }
            TrayAction::ResumeAll => self.send_for(self.all_ids(|s| s == JobState::Suspended), Command::Resume),
            TrayAction::Quit => {
                self.quitting = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
            }
        }
    }

    /// The ids of the jobs whose state passes `keep`.
    pub(super) fn all_ids(&self, keep: impl Fn(JobState) -> bool) -> Vec<JobId> {
        self.model.jobs().iter().filter(|j| keep(j.state)).map(|j| j.id).collect()
    }

    /// Shows, restores and focuses the window.
    pub(super) fn show_window(&mut self, ctx: &egui::Context) {
        self.hidden = false;
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
        ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
        ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        ctx.request_repaint();
    }

    /// Closing the window: into the tray when the user wants it and a tray is
    /// on screen, else the usual exit. A hidden window whose tray went away
    /// comes back, since nothing else could bring it back.
    pub(super) fn close_to_tray(&mut self, ctx: &egui::Context) {
        let tray_shown = self.tray.as_ref().is_some_and(Tray::is_shown);
        if self.hidden && !tray_shown {
            tracing::warn!("the tray icon went away: showing the window again");
            self.show_window(ctx);
        }
        let close_requested = ctx.input(|i| i.viewport().close_requested());
        if !close_requested || self.quitting || !self.prefs.close_to_tray || !tray_shown {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
        self.hidden = true;
        if !self.prefs.tray_notice_given {
            self.prefs.tray_notice_given = true;
            let notice = Notice {
                title: "Haul keeps running in the tray".into(),
                body: "Downloads go on. To leave Haul, choose Quit in the tray icon's menu.".into(),
                failed: false,
                summary: false,
                plain: true,
                actions: Vec::new(),
                click: None,
            };
            if self.prefs.desktop_notifications {
                self.notifier.notify(notice);
            }
        }
    }

    /// Keeps the tray's tooltip in step with the status bar.
    pub(super) fn update_tooltip(&mut self, ctx: &egui::Context) {
        let Some(tray) = &mut self.tray else {
            return;
        };
        let connected = matches!(self.model.connection, Connection::Connected(_));
        let (active, waiting, speed) = self.model.totals();
        if let Some(wait) = tray.set_tooltip(tooltip_text(connected, active, waiting, speed)) {
            ctx.request_repaint_after(wait);
        }
    }
}
