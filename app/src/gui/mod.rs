//! The Haul window (eframe/egui). The window never blocks: widgets send
//! `Command`s to a background client (its own thread and tokio runtime), and
//! each frame drains the client's `Update`s into a pure view model and draws it.
//!
//! - `app`: the eframe app: drain, draw, act
//! - `config`: how the window is set up (`GuiConfig`, `TraySetup`)
//! - `bridge`: the background client thread, connection and reconnection
//! - `context`: what the client's tasks share: the sink to the window, requests, `Context`
//! - `session`: one connection: startup (subscribe, load, summary, register), then live
//! - `startup`: the journal since the saved cursor → the "while you were away" summary
//! - `registration`: being every job's notification sink, and unregistering at exit
//! - `callbacks`: answering `job_transferred`, `job_error`, `file_transferred`
//! - `actions`: the commands, run against the service; `removal`: cancelling, removing, forgetting;
//!   `probe`: the add dialog's previews, over connections of their own
//! - `messages`: `Command`, `Update` and what they carry
//! - `view_model`: jobs, toasts (one per event), selection, filter and sort, and every number
//!   shown twice computed once (`progress`) — pure
//! - `toast_key`: the identity of an event worth a toast (told once)
//! - `table`, `toolbar`, `sidebar`, `details`, `status_bar`, `toasts`: the panels
//! - `add_dialog`, `confirm`, `settings`, `rpc_settings`: dialogs and preferences (`confirm`: questions
//!   naming what goes; `rpc_settings`: the aria2 RPC section; `proxy_settings`: the service's proxy); `folder_picker`: Browse…, or why not;
//!   `add_preview`: each pasted link's name, size and resumability (`probe_url`)
//! - `tray`, `autostart`: the tray icon and its menu; "start on login"
//! - `shortcuts`, `widgets`, `format`, `icon`: keys, shared widgets, words, the icon
//! - `desktop_notify`, `outgoing`, `notification_actions`, `open`: desktop notifications, one to send,
//!   their buttons, opening files
//! - `frame_stats`: the benchmark's frame timer, on with `HAUL_FRAME_STATS=PATH`
//! - `dropped`: links in files dropped onto the window; `clipboard_watch`: links copied elsewhere,
//!   offered in a notification (opt-in)

mod actions;
mod add_dialog;
mod add_preview;
mod app;
mod autostart;
mod bridge;
mod callbacks;
mod clipboard_watch;
mod config;
mod confirm;
mod context;
mod desktop_notify;
mod details;
mod dropped;
mod folder_picker;
mod format;
mod frame_stats;
mod icon;
mod messages;
mod notification_actions;
mod open;
mod outgoing;
mod probe;
mod proxy_settings;
mod registration;
mod removal;
mod rpc_settings;
mod schedule_settings;
mod session;
mod settings;
mod shortcuts;
mod sidebar;
mod startup;
mod status_bar;
mod table;
mod toast_key;
mod toasts;
mod toolbar;
mod tray;
mod view_model;
mod when_done_settings;
mod widgets;

pub use app::HaulApp;
pub use bridge::ServiceAddress;
pub use config::{GuiConfig, TraySetup};
pub use desktop_notify::DesktopNotifier;
pub use settings::Prefs;
// For the window tests (app/tests/gui.rs), which feed the window by hand.
pub use {
    autostart::Autostart,
    bridge::Bridge,
    clipboard_watch::Watcher as ClipboardWatcher,
    format::{state_icon, state_word},
    messages::{Connection, Startup, Summary, Update},
    settings::Theme,
    tray::{Tray, TrayAction, TrayRemote},
    view_model::{Activity, Level, Notice, StateFilter, ToastAction, ViewModel, percent},
};

use eframe::egui;

/// Whether there is a display to open a window on.
pub fn has_display() -> bool {
    if cfg!(any(target_os = "windows", target_os = "macos")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// Opens the window and runs until it is closed.
pub fn run(config: GuiConfig) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Haul")
            .with_app_id("haul")
            .with_inner_size([1120.0, 680.0])
            .with_min_inner_size([640.0, 360.0])
            .with_icon(icon::icon()),
        // Preferences live with the user's configuration, apart from the service's data.
        persistence_path: directories::ProjectDirs::from("", "", "haul")
            .map(|dirs| dirs.config_dir().join("window.ron")),
        ..Default::default()
    };
    eframe::run_native("Haul", options, Box::new(|cc| Ok(Box::new(HaulApp::new(cc, config)))))
        .map_err(|e| e.to_string())
}
