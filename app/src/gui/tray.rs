//! The tray icon: a menu (Show, Pause all, Resume all, Quit) and a tooltip
//! with what is downloading. Native on Windows, a StatusNotifierItem (ksni,
//! no GTK) elsewhere. Menu clicks arrive on the tray's own threads; they are
//! queued here and wake the window, whose `logic` runs even while it is hidden.

use super::{format, icon};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};
use tray_icon::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

/// The tooltip changes at most this often (each change is a D-Bus signal).
const TOOLTIP_EVERY: Duration = Duration::from_secs(1);

/// What the user picked in the tray.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrayAction {
    /// Bring the window back and focus it (also a click on the icon).
    Show,
    /// Suspend every running or waiting job.
    PauseAll,
    /// Queue every paused job.
    ResumeAll,
    /// Leave Haul (the window's usual exit: unregister, save the cursor).
    Quit,
}

impl TrayAction {
    /// Every action, in menu order.
    pub const ALL: [TrayAction; 4] = [TrayAction::Show, TrayAction::PauseAll, TrayAction::ResumeAll, TrayAction::Quit];

    /// The menu item's id.
    fn menu_id(self) -> &'static str {
        match self {
            TrayAction::Show => "haul.show",
            TrayAction::PauseAll => "haul.pause_all",
            TrayAction::ResumeAll => "haul.resume_all",
            TrayAction::Quit => "haul.quit",
        }
    }

    /// The menu item's text.
    pub fn label(self) -> &'static str {
        match self {
            TrayAction::Show => "Show Haul",
            TrayAction::PauseAll => "Pause all",
            TrayAction::ResumeAll => "Resume all",
            TrayAction::Quit => "Quit",
        }
    }

    fn from_menu_id(id: &str) -> Option<TrayAction> {
        TrayAction::ALL.into_iter().find(|action| action.menu_id() == id)
    }
}

/// The tray as the window sees it: actions to drain, whether the icon is on
/// screen, and the tooltip.
pub struct Tray {
    actions: Receiver<TrayAction>,
    shown: Arc<AtomicBool>,
    tooltip: String,
    tooltip_set_at: Option<Instant>,
    /// `None` for a tray played by a test.
    icon: Option<TrayIcon>,
    /// Dropping it stops the watch on the desktop's tray host.
    _host_watch: Option<Sender<()>>,
}

/// A test's hand on a [`Tray`]: clicks menu items and says whether a tray host is there.
#[derive(Clone)]
pub struct TrayRemote {
    /// Queues a menu click.
    pub actions: Sender<TrayAction>,
    /// Whether the icon counts as shown.
    pub shown: Arc<AtomicBool>,
}

impl Tray {
    /// The desktop's tray; `None` (logged once) when there is none, e.g. no
    /// session bus. Call on the window's thread, once its event loop runs.
    pub fn system(ctx: &eframe::egui::Context) -> Option<Tray> {
        let (tx, actions) = std::sync::mpsc::channel();
        let icon = match build_icon() {
            Ok(icon) => icon,
            Err(e) => {
                tracing::warn!("no tray icon ({e}); closing the window quits Haul");
                return None;
            }
        };
        let menu_tx = tx.clone();
        let menu_ctx = ctx.clone();
        MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
            if let Some(action) = TrayAction::from_menu_id(event.id.as_ref()) {
                let _ = menu_tx.send(action);
                menu_ctx.request_repaint();
            }
        }));
        let click_ctx = ctx.clone();
        TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
            if is_activation(&event) {
                let _ = tx.send(TrayAction::Show);
                click_ctx.request_repaint();
            }
        }));
        let (shown, host_watch) = watch_host(ctx);
        Some(Tray {
            actions,
            shown,
            tooltip: String::new(),
            tooltip_set_at: None,
            icon: Some(icon),
            _host_watch: host_watch,
        })
    }

    /// A tray with no icon behind it, shown, driven by the returned remote (tests).
    pub fn detached() -> (Tray, TrayRemote) {
        let (tx, actions) = std::sync::mpsc::channel();
        let shown = Arc::new(AtomicBool::new(true));
        let tray = Tray {
            actions,
            shown: shown.clone(),
            tooltip: String::new(),
            tooltip_set_at: None,
            icon: None,
            _host_watch: None,
        };
        (tray, TrayRemote { actions: tx, shown })
    }

    /// The menu clicks since the last frame.
    pub fn drain(&self) -> impl Iterator<Item = TrayAction> + '_ {
        self.actions.try_iter()
    }

    /// Whether the icon is on screen (a tray host took it), so a hidden window
    /// can be brought back.
    pub fn is_shown(&self) -> bool {
        self.shown.load(Ordering::Relaxed)
    }

    /// The tooltip last set.
    pub fn tooltip(&self) -> &str {
        &self.tooltip
    }

    /// Sets the tooltip, at most once a second; returns when to try again if
    /// the change had to wait.
    pub fn set_tooltip(&mut self, text: String) -> Option<Duration> {
        if text == self.tooltip {
            return None;
        }
        if let Some(at) = self.tooltip_set_at {
            let since = at.elapsed();
            if since < TOOLTIP_EVERY {
                return Some(TOOLTIP_EVERY - since);
            }
        }
        // A StatusNotifierItem's tooltip has a title ("Haul") of its own.
        let shown = if cfg!(any(windows, target_os = "macos")) { &text } else { text.trim_start_matches("Haul — ") };
        if let Some(icon) = &self.icon
            && let Err(e) = icon.set_tooltip(Some(shown))
        {
            tracing::debug!("tray tooltip: {e}");
        }
        self.tooltip = text;
        self.tooltip_set_at = Some(Instant::now());
        None
    }
}

/// "Haul — 3 downloading, 45 MB/s": the tooltip for the status bar's figures.
pub fn tooltip_text(connected: bool, active: usize, waiting: usize, speed_bps: f64) -> String {
    if !connected {
        return "Haul — reconnecting to its service…".into();
    }
    let mut parts = Vec::new();
    if active > 0 {
        let mut downloading = format!("{active} downloading");
        if speed_bps >= 1.0 {
            downloading.push_str(&format!(", {}", format::speed(speed_bps)));
        }
        parts.push(downloading);
    }
    if waiting > 0 {
        parts.push(format!("{waiting} waiting"));
    }
    if parts.is_empty() { "Haul — idle".into() } else { format!("Haul — {}", parts.join(", ")) }
}

/// A left click (or double click) on the icon itself.
fn is_activation(event: &TrayIconEvent) -> bool {
    matches!(
        event,
        TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. }
            | TrayIconEvent::DoubleClick { button: MouseButton::Left, .. }
    )
}

fn build_icon() -> Result<TrayIcon, String> {
    let menu = Menu::new();
    for (index, action) in TrayAction::ALL.into_iter().enumerate() {
        if action == TrayAction::Quit || index == 1 {
            menu.append(&PredefinedMenuItem::separator()).map_err(|e| e.to_string())?;
        }
        menu.append(&MenuItem::with_id(action.menu_id(), action.label(), true, None)).map_err(|e| e.to_string())?;
    }
    let picture = icon::icon();
    let image = tray_icon::Icon::from_rgba(picture.rgba, picture.width, picture.height).map_err(|e| e.to_string())?;
    TrayIconBuilder::new()
        .with_id("haul")
        .with_title("Haul")
        .with_tooltip("Haul")
        .with_icon(image)
        .with_menu(Box::new(menu))
        .with_menu_on_left_click(false)
        .build()
        .map_err(|e| e.to_string())
}

/// Whether the icon can be seen. tray-icon's StatusNotifierItem is created even
/// when no tray host runs (it waits for one), so a thread asks the
/// StatusNotifierWatcher every few seconds whether a host is registered.
#[cfg(target_os = "linux")]
fn watch_host(ctx: &eframe::egui::Context) -> (Arc<AtomicBool>, Option<Sender<()>>) {
    const EVERY: Duration = Duration::from_secs(5);
    let shown = Arc::new(AtomicBool::new(false));
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let (flag, ctx) = (shown.clone(), ctx.clone());
    let spawned = std::thread::Builder::new().name("haul-tray-host".into()).spawn(move || {
        let mut bus = None;
        let mut told = None;
        loop {
            let present = host_registered(&mut bus);
            if told != Some(present) {
                // The flag first: whoever reads the log line may act on it at once.
                flag.store(present, Ordering::Relaxed);
                if present {
                    tracing::info!("the tray icon is shown");
                } else {
                    tracing::warn!("no tray host on this desktop (no StatusNotifierWatcher with a host registered); closing the window quits Haul");
                }
                told = Some(present);
                ctx.request_repaint();
            }
            match stop_rx.recv_timeout(EVERY) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                _ => return,
            }
        }
    });
    match spawned {
        Ok(_) => (shown, Some(stop_tx)),
        Err(e) => {
            tracing::warn!("cannot watch the tray host: {e}");
            (shown, None)
        }
    }
}

#[cfg(target_os = "linux")]
fn host_registered(bus: &mut Option<zbus::blocking::Connection>) -> bool {
    if bus.is_none() {
        *bus = zbus::blocking::Connection::session().ok();
    }
    let Some(connection) = bus.as_ref() else {
        return false;
    };
    let asked = connection.call_method(
        Some("org.kde.StatusNotifierWatcher"),
        "/StatusNotifierWatcher",
        Some("org.freedesktop.DBus.Properties"),
        "Get",
        &("org.kde.StatusNotifierWatcher", "IsStatusNotifierHostRegistered"),
    );
    asked
        .ok()
        .and_then(|reply| reply.body().deserialize::<zbus::zvariant::OwnedValue>().ok())
        .and_then(|value| bool::try_from(value).ok())
        .unwrap_or(false)
}

/// Elsewhere an icon that was created is shown.
#[cfg(not(target_os = "linux"))]
fn watch_host(_ctx: &eframe::egui::Context) -> (Arc<AtomicBool>, Option<Sender<()>>) {
    (Arc::new(AtomicBool::new(true)), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tooltip_says_what_is_downloading() {
        assert_eq!(tooltip_text(true, 3, 0, 45_000_000.0), "Haul — 3 downloading, 45 MB/s");
        assert_eq!(tooltip_text(true, 1, 2, 0.0), "Haul — 1 downloading, 2 waiting");
        assert_eq!(tooltip_text(true, 0, 2, 0.0), "Haul — 2 waiting");
        assert_eq!(tooltip_text(true, 0, 0, 0.0), "Haul — idle");
        assert!(tooltip_text(false, 3, 0, 1.0).contains("reconnecting"));
    }

    #[test]
    fn menu_ids_map_back_to_actions() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_menu_id(action.menu_id()), Some(action));
        }
        assert_eq!(TrayAction::from_menu_id("something else"), None);
    }

    #[test]
    fn the_tooltip_changes_at_most_once_a_second() {
        let (mut tray, _remote) = Tray::detached();
        assert_eq!(tray.set_tooltip("a".into()), None);
        assert_eq!(tray.tooltip(), "a");
        assert_eq!(tray.set_tooltip("a".into()), None, "no change, nothing to do");
        let wait = tray.set_tooltip("b".into()).expect("too soon");
        assert!(wait <= TOOLTIP_EVERY);
        assert_eq!(tray.tooltip(), "a");
    }
}
