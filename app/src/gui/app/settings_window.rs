//! The settings window as the app runs it: what it reads from the service
//! when it opens, and what it does with the changes.

use super::*;
use crate::gui::settings::{SettingsView, settings_ui};
use haul_core::protocol::Limits;

impl HaulApp {
    /// Opens the settings window and reads what it shows from the service.
    pub(super) fn open_settings(&mut self) {
        self.settings_open = true;
        self.start_on_login = self.autostart.is_enabled();
        self.bridge.send(Command::GetLimits);
        self.rpc_panel.reset();
        self.proxy_panel.reset();
        self.bridge.send(Command::GetRpcInfo);
    }

    /// Draws the settings window and carries out its changes.
    pub(super) fn settings_window_ui(&mut self, ctx: &egui::Context) {
        let view = SettingsView {
            fallback_dir: &self.download_dir,
            limits: self.model.limits.as_ref(),
            tray: self.tray.as_ref().is_some_and(Tray::is_shown),
            start_on_login: self.start_on_login,
            rpc: &self.model.rpc,
        };
        let change = settings_ui(
            ctx,
            &mut self.settings_open,
            &mut self.prefs,
            &mut self.rpc_panel,
            &mut self.proxy_panel,
            &view,
        );
        if change.prefs {
            self.bridge.set_auto_complete(self.prefs.auto_complete);
        }
        if let Some(limits) = change.limits {
            self.bridge.send(Command::SetLimits(limits));
        }
        if let Some(proxy) = change.proxy {
            self.bridge.send(Command::SetProxy(proxy));
        }
        if let Some(listen) = change.rpc_listen {
            self.model.rpc.applying = true;
            self.bridge.send(Command::SetRpcListen(listen));
        }
        if let Some(on) = change.start_on_login {
            if let Err(message) = self.autostart.set(on) {
                tracing::warn!("{message}");
                self.model.apply(Update::ActionFailed(message));
            }
            // What is there now, whatever happened.
            self.start_on_login = self.autostart.is_enabled();
        }
    }
}

impl HaulApp {
    /// While a power action counts down (the queue is empty), a small window
    /// says what will happen when, with Cancel.
    pub(super) fn when_done_countdown_ui(&mut self, ctx: &egui::Context) {
        let Some(pending) = self.model.when_done_pending.clone() else { return };
        let at = pending.at.with_timezone(&chrono::Local).format("%H:%M:%S");
        let mut cancel = false;
        egui::Window::new("All downloads are done").collapsible(false).resizable(false).show(ctx, |ui| {
            ui.label(format!("Haul will {} at {at}.", pending.action.words()));
            cancel = ui.button("Cancel the countdown").clicked();
        });
        if cancel {
            self.cancel_when_done();
        }
        // The time left changes every second.
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
    }

    /// Cancels the power action counting down (the countdown window's or the
    /// desktop notification's Cancel).
    pub(super) fn cancel_when_done(&mut self) {
        let limits = Limits { cancel_when_done: Some(true), ..Default::default() };
        self.bridge.send(Command::SetLimits(limits));
        self.model.when_done_pending = None;
    }
}
