//! The user's preferences (kept in eframe's storage, never in the service)
//! and the settings window.

use super::proxy_settings::{ProxyPanel, proxy_row_ui};
use super::rpc_settings::{RpcPanel, RpcView, rpc_section_ui};
use super::schedule_settings::schedule_section_ui;
use super::view_model::Sort;
use super::when_done_settings::when_done_section_ui;
use eframe::egui;
use haul_core::model::RpcListen;
use haul_core::protocol::Limits;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Storage key of the preferences.
pub const PREFS_KEY: &str = "haul.prefs";
/// The width of the settings window's label column.
const LABEL_WIDTH: f32 = 200.0;
/// Storage key of the journal cursor.
pub const CURSOR_KEY: &str = "haul.journal_cursor";

/// Light, dark, or as the system says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// egui's preference.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// What the user chose; every field has a default, so old saves still load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Where new downloads go (`None`: the user's download folder).
    pub download_dir: Option<PathBuf>,
    /// The folder the add dialog used last.
    pub last_folder: Option<PathBuf>,
    /// Desktop notifications besides the in-window toasts.
    pub desktop_notifications: bool,
    /// Complete transferred jobs (move the files into place) at once.
    pub auto_complete: bool,
    /// Light or dark.
    pub theme: Theme,
    /// The table's order.
    pub sort: Sort,
    /// The details panel is open.
    pub show_details: bool,
    /// Closing the window leaves Haul running in the tray (when there is one).
    pub close_to_tray: bool,
    /// The one-time notice "Haul keeps running in the tray" was given.
    pub tray_notice_given: bool,
    /// Offer to download links to files copied in other programs (off by default).
    pub watch_clipboard: bool,
    /// The file types those links must end in, e.g. "zip iso mp4".
    pub clipboard_types: String,
    /// Connecting the browser extension was offered (once, on a first start with a browser profile).
    pub browser_offered: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            download_dir: None,
            last_folder: None,
            desktop_notifications: true,
            auto_complete: true,
            theme: Theme::System,
            sort: Sort::default(),
            show_details: true,
            close_to_tray: true,
            tray_notice_given: false,
            watch_clipboard: false,
            clipboard_types: super::clipboard_watch::DEFAULT_EXTENSIONS.to_string(),
            browser_offered: false,
        }
    }
}

impl Prefs {
    /// Reads the preferences from eframe's storage.
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Prefs {
        storage.and_then(|s| eframe::get_value(s, PREFS_KEY)).unwrap_or_default()
    }

    /// The folder for a new download: the last one used, else the chosen default.
    pub fn add_folder(&self, fallback: &std::path::Path) -> PathBuf {
        self.last_folder.clone().or_else(|| self.download_dir.clone()).unwrap_or_else(|| fallback.to_path_buf())
    }
}

/// What the settings window shows besides the preferences.
pub struct SettingsView<'a> {
    /// The default download folder.
    pub fallback_dir: &'a std::path::Path,
    /// The service's limits, once read.
    pub limits: Option<&'a Limits>,
    /// Whether a tray icon is on screen.
    pub tray: bool,
    /// Whether Haul starts on login (`None`: not offered on this system).
    pub start_on_login: Option<bool>,
    /// The aria2 RPC endpoint, as the service last said.
    pub rpc: &'a RpcView,
}

/// What the user changed in the settings window.
#[derive(Debug, Default)]
pub struct SettingsChange {
    /// The preferences changed.
    pub prefs: bool,
    /// New limits for the service.
    pub limits: Option<Limits>,
    /// "Start on login" turned on or off.
    pub start_on_login: Option<bool>,
    /// Apply was pressed: move the aria2 RPC endpoint here.
    pub rpc_listen: Option<RpcListen>,
    /// Apply proxy was pressed: the service's new proxy.
    pub proxy: Option<String>,
}

/// The settings window; `open` closes it. `rpc` is the RPC section's own state.
pub fn settings_ui(
    ctx: &egui::Context,
    open: &mut bool,
    prefs: &mut Prefs,
    rpc: &mut RpcPanel,
    proxy_panel: &mut ProxyPanel,
    view: &SettingsView<'_>,
) -> SettingsChange {
    let (fallback_dir, limits) = (view.fallback_dir, view.limits);
    let mut change = None;
    let mut start_on_login = None;
    let mut rpc_listen = None;
    let mut proxy = None;
    let before = prefs.clone();
    let mut still_open = *open;
    egui::Window::new("Settings").open(&mut still_open).collapsible(false).resizable(false).show(ctx, |ui| {
        let grid = egui::Grid::new("settings").num_columns(2).spacing([12.0, 8.0]).min_col_width(LABEL_WIDTH);
        grid.show(ui, |ui| {
            let label = ui.label("Download folder");
            let mut folder =
                prefs.download_dir.clone().unwrap_or_else(|| fallback_dir.to_path_buf()).display().to_string();
            if ui.text_edit_singleline(&mut folder).labelled_by(label.id).changed() {
                prefs.download_dir = Some(PathBuf::from(folder.trim())).filter(|p| !p.as_os_str().is_empty());
            }
            ui.end_row();

            match limits {
                Some(limits) => {
                    let label = ui.label("Downloads at once");
                    let mut active = limits.max_active_jobs.unwrap_or(4);
                    let widget = egui::DragValue::new(&mut active).range(1..=64);
                    if ui.add(widget).labelled_by(label.id).changed() {
                        change = Some(Limits { max_active_jobs: Some(active), ..Default::default() });
                    }
                    ui.end_row();
                    // MB/s, decimal, as every other speed in the window (units.rs).
                    let label = ui.label("Total speed limit (MB/s, 0 = none)");
                    let mut mbps = limits.speed_limit_bps.unwrap_or(0) as f64 / 1e6;
                    let widget = egui::DragValue::new(&mut mbps).range(0.0..=10_000.0).speed(0.1).max_decimals(1);
                    if ui.add(widget).labelled_by(label.id).changed() {
                        let bps = (mbps * 1e6).round() as u64;
                        change = Some(Limits { speed_limit_bps: Some(bps), ..Default::default() });
                    }
                    ui.end_row();
                    ui.label("New background downloads use");
                    let cost = limits.default_cost_policy.unwrap_or_default();
                    ui.horizontal(|ui| {
                        use haul_core::model::CostPolicy;
                        for (policy, words) in
                            [(CostPolicy::Unmetered, "Unmetered networks only"), (CostPolicy::Any, "Any network")]
                        {
                            if ui.selectable_label(cost == policy, words).clicked() && cost != policy {
                                change = Some(Limits { default_cost_policy: Some(policy), ..Default::default() });
                            }
                        }
                    });
                    ui.end_row();
                    let label = ui.label("Proxy");
                    proxy = proxy_row_ui(ui, label.id, proxy_panel, limits.proxy.as_ref());
                    ui.end_row();
                }
                None => {
                    ui.label("Downloads at once");
                    ui.label("reading from the service…");
                    ui.end_row();
                }
            }

            ui.label("Notifications");
            ui.checkbox(&mut prefs.desktop_notifications, "Desktop notifications");
            ui.end_row();

            ui.label("Clipboard");
            ui.vertical(|ui| {
                ui.checkbox(&mut prefs.watch_clipboard, "Offer to download links copied in other programs")
                    .on_hover_text("A notification offers \"Download with Haul\"; nothing is added without you");
                if prefs.watch_clipboard {
                    ui.horizontal(|ui| {
                        let label = ui.label("File types:");
                        let field = egui::TextEdit::singleline(&mut prefs.clipboard_types).desired_width(260.0);
                        ui.add(field).labelled_by(label.id);
                    });
                }
            });
            ui.end_row();

            ui.label("Tray");
            ui.add_enabled_ui(view.tray, |ui| {
                ui.checkbox(&mut prefs.close_to_tray, "Keep running in the tray when the window is closed")
                    .on_disabled_hover_text("There is no tray on this desktop: closing the window quits Haul.");
            });
            ui.end_row();

            ui.label("Login");
            match view.start_on_login {
                Some(mut on) => {
                    if ui.checkbox(&mut on, "Start on login").changed() {
                        start_on_login = Some(on);
                    }
                }
                None => {
                    ui.label("Start on login is not offered on this system");
                }
            }
            ui.end_row();

            ui.label("When a download is done");
            ui.checkbox(&mut prefs.auto_complete, "Move the files into place at once (auto-complete)");
            ui.end_row();

            ui.label("Theme");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut prefs.theme, Theme::System, "System");
                ui.selectable_value(&mut prefs.theme, Theme::Light, "Light");
                ui.selectable_value(&mut prefs.theme, Theme::Dark, "Dark");
            });
            ui.end_row();
        });
        if let Some(limits) = limits {
            ui.add_space(6.0);
            ui.separator();
            if let Some(schedule) = schedule_section_ui(ui, limits) {
                change = Some(schedule);
            }
            ui.add_space(6.0);
            ui.separator();
            if let Some(when_done) = when_done_section_ui(ui, limits) {
                change = Some(when_done);
            }
        }
        ui.add_space(6.0);
        ui.separator();
        ui.add_space(4.0);
        rpc_listen = rpc_section_ui(ui, rpc, view.rpc, LABEL_WIDTH);
    });
    *open = still_open;
    SettingsChange { prefs: *prefs != before, limits: change, start_on_login, rpc_listen, proxy }
}
