//! The window: each frame drains the client's updates into the view model,
//! draws it, and turns what the user did into commands for the client. It
//! never waits on the service; an idle window requests no frames. With a tray,
//! closing the window hides it; `logic` keeps running while it is hidden
//! (eframe runs it for invisible windows), so tray clicks, updates and
//! desktop notifications go on.

use super::add_dialog::{AddDialog, AddOutcome};
use super::autostart::Autostart;
use super::bridge::Bridge;
use super::config::{GuiConfig, TraySetup};
use super::confirm::{Confirm, confirm_ui};
use super::desktop_notify::DesktopNotifier;
use super::messages::{Command, Connection, Update};
use super::rpc_settings::RpcPanel;
use super::settings::{CURSOR_KEY, PREFS_KEY, Prefs, Theme};
use super::tray::{Tray, TrayAction, tooltip_text};
use super::view_model::{Level, NewToast, Notice, ToastAction, ViewModel};
use super::{details, dropped, shortcuts, sidebar, status_bar, table, toasts, toolbar};
use eframe::egui;
use haul_core::model::{JobId, JobState};
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod actions;
mod browsers;
mod clipboard;
mod desktop;
mod dialogs;
mod history;
mod settings_window;

/// How often the window redraws while something transfers.
const BUSY_FRAME: Duration = Duration::from_millis(100);
/// How often the details panel re-reads a running job's files.
const FILES_REFRESH: Duration = Duration::from_secs(1);
/// How long the "no link in the dropped file" toast stays.
const DROP_TOAST_TTL: Duration = Duration::from_secs(6);
/// The newest jobs whose links the add dialog checks for a second copy.
const KNOWN_LINKS: usize = 500;
/// Below this window width the side bar hides unless asked for.
const SIDEBAR_BELOW: f32 = 800.0;
/// How long closing the window waits for unregistering.
const EXIT_TIMEOUT: Duration = Duration::from_secs(3);

/// The Haul window.
pub struct HaulApp {
    bridge: Bridge,
    model: ViewModel,
    prefs: Prefs,
    download_dir: PathBuf,
    notifier: DesktopNotifier,
    add: Option<AddDialog>,
    confirm: Option<Confirm>,
    settings_open: bool,
    rpc_panel: RpcPanel,
    proxy_panel: super::proxy_settings::ProxyPanel,
    files_asked: Option<(JobId, JobState, Instant)>,
    theme_applied: Option<Theme>,
    tray: Option<Tray>,
    autostart: Autostart,
    /// Read when the settings window opens.
    start_on_login: Option<bool>,
    /// The window was closed into the tray.
    hidden: bool,
    /// Quit was chosen in the tray: the close request that follows is not cancelled.
    quitting: bool,
    /// Removals that can still be undone.
    removals: history::Removals,
    /// The pointer is over the toasts: they hold still and do not expire.
    toasts_hovered: bool,
    /// The side bar shown or hidden by the user (`None`: by the window's width).
    sidebar_choice: Option<bool>,
    /// Watching the clipboard for links copied elsewhere (while the setting is on).
    clipboard: clipboard::Watching,
    /// Where browser profiles are looked for (the offer to connect the extension).
    browser_folders: Option<(PathBuf, PathBuf)>,
    /// The benchmark's frame timer (`HAUL_FRAME_STATS`).
    frame_stats: Option<super::frame_stats::FrameStats>,
}

impl HaulApp {
    /// The window, connecting to the service described by `config`; preferences
    /// and the journal cursor come from eframe's storage unless `config` gives them.
    pub fn new(cc: &eframe::CreationContext<'_>, config: GuiConfig) -> Self {
        let prefs = config.prefs.unwrap_or_else(|| Prefs::load(cc.storage));
        let stored_cursor = cc.storage.and_then(|s| eframe::get_value::<u64>(s, CURSOR_KEY));
        let cursor = config.cursor.or(stored_cursor).unwrap_or(0);
        let bridge = Bridge::start(config.service, cursor, prefs.auto_complete, cc.egui_ctx.clone());
        let mut notifier = config.notifier.unwrap_or_else(DesktopNotifier::system);
        notifier.wake(&cc.egui_ctx);
        let tray = match config.tray {
            TraySetup::System => Tray::system(&cc.egui_ctx),
            TraySetup::Off => None,
            TraySetup::Given(tray) => Some(tray),
        };
        let mut app = Self::from_parts(bridge, prefs, cursor, config.download_dir, notifier);
        app.tray = tray;
        app.autostart = config.autostart.unwrap_or_else(Autostart::system);
        app.clipboard = clipboard::Watching::new(config.clipboard);
        app.browser_folders = config.browser_folders.or_else(crate::browser::user_folders);
        app
    }

    /// The window over an existing bridge (tests, measurements).
    pub fn from_parts(
        bridge: Bridge,
        prefs: Prefs,
        cursor: u64,
        download_dir: PathBuf,
        notifier: DesktopNotifier,
    ) -> Self {
        HaulApp {
            bridge,
            model: ViewModel::new(cursor, prefs.sort),
            prefs,
            download_dir,
            notifier,
            add: None,
            confirm: None,
            settings_open: false,
            rpc_panel: RpcPanel::default(),
            proxy_panel: Default::default(),
            files_asked: None,
            theme_applied: None,
            tray: None,
            autostart: Autostart::Unsupported,
            start_on_login: None,
            hidden: false,
            quitting: false,
            removals: Default::default(),
            toasts_hovered: false,
            sidebar_choice: None,
            clipboard: Default::default(),
            browser_folders: None,
            frame_stats: super::frame_stats::FrameStats::from_env(),
        }
    }

    /// Whether the window was closed into the tray and not shown since.
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    /// The tray, if there is one.
    pub fn tray(&self) -> Option<&Tray> {
        self.tray.as_ref()
    }

    /// What the window shows.
    pub fn model(&self) -> &ViewModel {
        &self.model
    }

    /// The preferences.
    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    /// What a click on a desktop notification's button sends (tests stand in for the desktop).
    pub fn notification_clicks(&self) -> std::sync::mpsc::Sender<ToastAction> {
        self.notifier.click_sender()
    }

    /// The add dialog, while open.
    pub fn add_dialog(&mut self) -> Option<&mut AddDialog> {
        self.add.as_mut()
    }

    /// Unregisters from the jobs and closes the connection (at exit).
    pub fn shutdown(&mut self) {
        self.commit_removals(true);
        self.bridge.shutdown(EXIT_TIMEOUT);
    }

    /// Opens the add dialog (unless it is open), filled with `urls`.
    fn open_add(&mut self, urls: Option<String>) {
        if self.add.is_none() {
            self.add = Some(AddDialog::new(&self.prefs.add_folder(&self.download_dir), urls));
            // The jobs' links, to warn before adding one twice.
            for job_id in self.model.jobs_without_files(KNOWN_LINKS) {
                self.bridge.send(Command::LoadFiles(job_id));
            }
        }
    }

    /// Links for the add dialog: added to an open one, else a new one opens with them.
    fn links_to_dialog(&mut self, text: &str) {
        match &mut self.add {
            Some(dialog) => {
                if !dialog.urls.trim().is_empty() && !dialog.urls.ends_with('\n') {
                    dialog.urls.push('\n');
                }
                dialog.urls.push_str(text);
            }
            None => self.open_add(Some(text.to_string())),
        }
    }

    /// Keeps the details panel's file list fresh: on selection, when the
    /// job's state changes (its files are then "in place"), and every second
    /// while it runs.
    fn request_files(&mut self, job_id: JobId, state: JobState) {
        let due = match self.files_asked {
            Some((asked, was, at)) if asked == job_id && was == state => {
                state.is_running() && at.elapsed() >= FILES_REFRESH
            }
            _ => true,
        };
        if due {
            self.files_asked = Some((job_id, state, Instant::now()));
            self.bridge.send(Command::LoadFiles(job_id));
        }
    }

    /// Whether the side bar shows: the user's choice, else only on a window wide enough.
    fn sidebar_shown(&self, window_width: f32) -> bool {
        self.sidebar_choice.unwrap_or(window_width >= SIDEBAR_BELOW)
    }
}

impl eframe::App for HaulApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        if let Some(stats) = &mut self.frame_stats {
            stats.frame(ctx, self.model.jobs().len());
        }
        let actions: Vec<_> = self.tray.as_ref().map(|t| t.drain().collect()).unwrap_or_default();
        for action in actions {
            self.tray_action(action, ctx);
        }
        for action in self.notifier.clicked() {
            self.notification_action(action, ctx);
        }
        self.close_to_tray(ctx);
        self.dropped_files(ctx);
        let looking = self.user_is_looking(ctx);
        self.watch_clipboard(ctx, looking);
        self.offer_browsers();
        let updates: Vec<_> = self.bridge.drain().collect();
        for update in updates {
            if let Update::Probed(link, outcome) = update {
                if let Some(add) = &mut self.add {
                    add.previews.arrived(link, outcome);
                }
                continue;
            }
            if let Update::AddDialog(dialog) = update {
                self.asked_to_add(dialog, ctx);
                continue;
            }
            if let Some(notice) = self.model.apply(update) {
                self.notify(notice, looking);
            }
        }
        self.update_tooltip(ctx);
        self.commit_removals(false);
        if let Some(text) = self.model.clipboard.take() {
            ctx.copy_text(text);
        }
        if !looking || self.toasts_hovered {
            // Unseen toasts wait: their time starts when the user is back
            // (or when the pointer leaves them: nothing moves under it).
            self.model.toasts.hold(Instant::now());
        } else if let Some(next) = self.model.toasts.expire(Instant::now()) {
            ctx.request_repaint_after(next);
        }
        if self.hidden {
            // Nothing to draw: the client's updates wake the window by themselves.
        } else if self.model.is_busy() {
            ctx.request_repaint_after(BUSY_FRAME);
        } else if self.model.jobs().iter().any(|j| j.state == JobState::TransientError) {
            // "Retrying in 8 s" counts down.
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if self.theme_applied != Some(self.prefs.theme) {
            ctx.set_theme(self.prefs.theme.preference());
            self.theme_applied = Some(self.prefs.theme);
        }
        // The filter first: the toolbar then acts only on rows still shown.
        self.model.visible();
        let mut actions = Vec::new();
        if self.add.is_none() && self.confirm.is_none() {
            shortcuts::shortcuts(&ctx, &mut actions);
        }
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            let sidebar = self.sidebar_shown(ui.ctx().content_rect().width());
            toolbar::toolbar_ui(ui, &mut self.model, sidebar, &mut actions);
            ui.add_space(2.0);
        });
        egui::Panel::bottom("status").show(ui, |ui| status_bar::status_bar_ui(ui, &self.model));
        let selected = self.model.selection.single().and_then(|id| self.model.job(id)).cloned();
        match selected {
            Some(job) if self.prefs.show_details => {
                self.request_files(job.id, job.state);
                // At most half the height: a small window keeps rows to see.
                let most = (ui.available_height() * 0.5).max(100.0);
                egui::Panel::bottom("details")
                    .resizable(true)
                    .default_size(230.0f32.min(most))
                    .size_range(100.0..=most)
                    .show(ui, |ui| details::details_ui(ui, &self.model, &job, &mut actions));
            }
            Some(job) => {
                egui::Panel::bottom("details-folded").show(ui, |ui| details::folded_ui(ui, &job, &mut actions));
            }
            None => {}
        }
        if self.sidebar_shown(ctx.content_rect().width()) {
            egui::Panel::left("filters").resizable(false).default_size(160.0).show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| sidebar::sidebar_ui(ui, &self.model, &mut actions))
            });
        }
        let list = egui::CentralPanel::default().show(ui, |ui| table::table_ui(ui, &mut self.model, &mut actions));
        // Over the job list only: the details panel stays readable.
        self.toasts_hovered = toasts::toasts_ui(&ctx, &self.model.toasts, list.response.rect, &mut actions);
        self.dialogs_ui(&ctx);
        for action in actions {
            self.perform(action, &ctx);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
        eframe::set_value(storage, CURSOR_KEY, &self.model.cursor);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shutdown();
    }
}
