//! How the window is set up: where the service is, and what tests put in
//! place of the desktop (preferences, cursor, notifications, tray, autostart).

use super::autostart::Autostart;
use super::bridge::ServiceAddress;
use super::clipboard_watch::Watcher;
use super::desktop_notify::DesktopNotifier;
use super::settings::Prefs;
use super::tray::Tray;
use std::path::PathBuf;

/// How the window is set up; tests inject the socket, preferences and cursor.
pub struct GuiConfig {
    /// Where the service is and how to start it.
    pub service: ServiceAddress,
    /// The default folder for downloads.
    pub download_dir: PathBuf,
    /// Preferences to use instead of the stored ones.
    pub prefs: Option<Prefs>,
    /// Journal cursor to use instead of the stored one.
    pub cursor: Option<u64>,
    /// Where desktop notifications go (default: the desktop).
    pub notifier: Option<DesktopNotifier>,
    /// The tray icon.
    pub tray: TraySetup,
    /// Where "start on login" lives (default: this system's place).
    pub autostart: Option<Autostart>,
    /// Where copied text comes from while watching the clipboard is on
    /// (default: the system clipboard, read by a thread of its own).
    pub clipboard: Option<Watcher>,
    /// The user's config folder and home, where browser profiles are looked
    /// for (default: this user's).
    pub browser_folders: Option<(PathBuf, PathBuf)>,
}

/// Which tray the window gets.
pub enum TraySetup {
    /// The desktop's (none, logged, when it has no tray).
    System,
    /// None: closing the window quits.
    Off,
    /// This one (tests: [`Tray::detached`]).
    Given(Tray),
}
