//! The user's preferences (kept in eframe's storage, never in the service)
//! and the settings window.

use super::view_model::Sort;
use eframe::egui;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Storage key of the preferences.
pub const PREFS_KEY: &str = "haul.prefs";
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

/// The settings window; `open` closes it. Returns whether anything changed.
pub fn settings_ui(ctx: &egui::Context, open: &mut bool, prefs: &mut Prefs, fallback_dir: &std::path::Path) -> bool {
    let before = prefs.clone();
    let mut still_open = *open;
    egui::Window::new("Settings").open(&mut still_open).collapsible(false).resizable(false).show(ctx, |ui| {
        egui::Grid::new("settings").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
            let label = ui.label("Download folder");
            let mut folder =
                prefs.download_dir.clone().unwrap_or_else(|| fallback_dir.to_path_buf()).display().to_string();
            if ui.text_edit_singleline(&mut folder).labelled_by(label.id).changed() {
                prefs.download_dir = Some(PathBuf::from(folder.trim())).filter(|p| !p.as_os_str().is_empty());
            }
            ui.end_row();

            ui.label("Max active jobs");
            ui.label("Set by the service: haul service --max-active N")
                .on_hover_text("The protocol has no setting for it yet.");
            ui.end_row();

            ui.label("Notifications");
            ui.checkbox(&mut prefs.desktop_notifications, "Desktop notifications");
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
    });
    *open = still_open;
    *prefs != before
}
