//! Desktop notifications (notify-rust), sent from their own thread so the
//! window never waits on D-Bus. A burst becomes one notification ("5 downloads
//! finished"); with no notification daemon the failure is logged once and the
//! in-window toasts carry on alone. Notifications carry Haul's own identity:
//! its name, icon and desktop entry on Linux, the AppUserModelID of its
//! Start-menu shortcut on Windows.

use super::format;
use super::view_model::Notice;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Notices arriving within this time of each other are sent as one.
const BURST: Duration = Duration::from_millis(800);
/// The name notification daemons show.
pub const APP_NAME: &str = "Haul";
/// The themed icon the packages install (hicolor `haul`), and the desktop
/// entry (`haul.desktop`) that tells the daemon which application this is.
pub const ICON_NAME: &str = "haul";
/// The desktop entry's id (`haul.desktop` without the suffix).
#[cfg_attr(windows, allow(dead_code))]
pub const DESKTOP_ENTRY: &str = "haul";
/// The AppUserModelID the MSI puts on the Start-menu shortcut
/// (packaging/windows/post-wixl.sql); toasts with it show as "Haul". The
/// process's own id is not set: that takes an `unsafe` Win32 call.
#[cfg_attr(not(windows), allow(dead_code))]
pub const APP_USER_MODEL_ID: &str = "Haul.Haul";

/// Where notices go.
pub enum DesktopNotifier {
    /// To the desktop, through a worker thread (started on first use).
    System(Option<Sender<Notice>>),
    /// Into a list (tests).
    #[allow(dead_code)]
    Recording(Arc<Mutex<Vec<Notice>>>),
    /// Nowhere.
    Off,
}

impl DesktopNotifier {
    /// The desktop's notifications.
    pub fn system() -> Self {
        DesktopNotifier::System(None)
    }

    /// Records notices instead of showing them; returns the record.
    #[allow(dead_code)] // used by the window tests (app/tests/gui.rs)
    pub fn recording() -> (Self, Arc<Mutex<Vec<Notice>>>) {
        let record = Arc::new(Mutex::new(Vec::new()));
        (DesktopNotifier::Recording(record.clone()), record)
    }

    /// Sends a notice.
    pub fn notify(&mut self, notice: Notice) {
        match self {
            DesktopNotifier::System(sender) => {
                if sender.is_none() {
                    *sender = start_worker();
                }
                if let Some(tx) = sender
                    && tx.send(notice).is_err()
                {
                    *self = DesktopNotifier::Off;
                }
            }
            DesktopNotifier::Recording(record) => record.lock().unwrap_or_else(|p| p.into_inner()).push(notice),
            DesktopNotifier::Off => {}
        }
    }
}

fn start_worker() -> Option<Sender<Notice>> {
    let (tx, rx) = std::sync::mpsc::channel();
    match std::thread::Builder::new().name("haul-notify".into()).spawn(move || worker(rx)) {
        Ok(_) => Some(tx),
        Err(e) => {
            tracing::warn!("desktop notifications are off: cannot start their thread: {e}");
            None
        }
    }
}

fn worker(rx: Receiver<Notice>) {
    let mut working = true;
    while let Ok(first) = rx.recv() {
        let mut burst = vec![first];
        loop {
            match rx.recv_timeout(BURST) {
                Ok(notice) => burst.push(notice),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if !working {
            continue;
        }
        for (title, body) in combine(&burst) {
            let shown = notification(&title, &body).show();
            if let Err(e) = shown {
                tracing::warn!("no desktop notifications ({e}); Haul shows them in its window only");
                working = false;
                break;
            }
        }
    }
}

/// A notification under Haul's identity.
pub fn notification(title: &str, body: &str) -> notify_rust::Notification {
    let mut notification = notify_rust::Notification::new();
    notification.appname(APP_NAME).summary(title).body(body).icon(ICON_NAME).timeout(notify_rust::Timeout::Default);
    #[cfg(all(unix, not(target_os = "macos")))]
    notification.hint(notify_rust::Hint::DesktopEntry(DESKTOP_ENTRY.into()));
    #[cfg(windows)]
    notification.app_id(APP_USER_MODEL_ID);
    notification
}

/// One (title, body) per plain or summary notice, and one for all the others.
pub fn combine(burst: &[Notice]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = burst
        .iter()
        .filter(|n| n.plain || n.summary)
        .map(|n| match n.plain {
            true => (n.title.clone(), n.body.clone()),
            false => (format!("While you were away: {}", n.title), n.body.clone()),
        })
        .collect();
    let events: Vec<&Notice> = burst.iter().filter(|n| !n.plain && !n.summary).collect();
    match events.as_slice() {
        [] => {}
        [one] => out.push((one.title.clone(), one.body.clone())),
        many => {
            let failed = many.iter().filter(|n| n.failed).count();
            let titles: Vec<&str> = many.iter().map(|n| n.title.as_str()).collect();
            out.push((format::outcome_counts(many.len() - failed, failed), titles.join("\n")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(title: &str, failed: bool, summary: bool) -> Notice {
        Notice { title: title.into(), body: String::new(), failed, summary, plain: false }
    }

    #[test]
    fn a_burst_becomes_one_notification() {
        let burst = [
            notice("a downloaded", false, false),
            notice("b failed", true, false),
            notice("c downloaded", false, false),
        ];
        let combined = combine(&burst);
        assert_eq!(combined.len(), 1);
        assert_eq!(combined[0].0, "2 downloads finished, 1 failed");
        assert!(combined[0].1.contains("b failed"));
        assert_eq!(combine(&[notice("a downloaded", false, false)])[0].0, "a downloaded");
        let with_summary = combine(&[notice("3 downloads finished", false, true), notice("x failed", true, false)]);
        assert_eq!(with_summary.len(), 2);
        assert_eq!(with_summary[0].0, "While you were away: 3 downloads finished");
        let plain = Notice { plain: true, ..notice("Haul keeps running in the tray", false, false) };
        let with_plain = combine(&[notice("a downloaded", false, false), plain]);
        assert_eq!(with_plain[0].0, "Haul keeps running in the tray", "as it is, not counted as a download");
        assert_eq!(with_plain[1].0, "a downloaded");
    }

    #[test]
    fn notifications_carry_hauls_identity() {
        let n = notification("a downloaded", "in /d");
        assert_eq!(n.appname, APP_NAME);
        assert_eq!(n.icon, ICON_NAME);
        assert_eq!(n.summary, "a downloaded");
        #[cfg(all(unix, not(target_os = "macos")))]
        assert!(n.hints.contains(&notify_rust::Hint::DesktopEntry("haul".into())));
    }

    #[test]
    fn the_desktop_entry_and_icon_are_the_shipped_ones() {
        let linux = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/linux");
        let entry = std::fs::read_to_string(format!("{linux}/{DESKTOP_ENTRY}.desktop")).expect("haul.desktop");
        assert!(entry.lines().any(|l| l == format!("Icon={ICON_NAME}")), "{entry}");
    }

    #[test]
    fn the_app_user_model_id_is_the_start_menu_shortcuts() {
        // The MSI's shortcut gets its id from post-wixl.sql (wixl cannot say it in the .wxs,
        // whose comment names it); both must say ours.
        let windows = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/windows");
        let sql = std::fs::read_to_string(format!("{windows}/post-wixl.sql")).expect("post-wixl.sql");
        let row = sql
            .lines()
            .find(|l| l.contains("'System.AppUserModel.ID'") && l.contains("'HaulShortcut'"))
            .expect("the shortcut's AppUserModelID row");
        let id = row.rsplit("'System.AppUserModel.ID', '").next().and_then(|rest| rest.split('\'').next());
        assert_eq!(id, Some(APP_USER_MODEL_ID), "{row}");
        let wxs = std::fs::read_to_string(format!("{windows}/haul.wxs")).expect("haul.wxs");
        assert!(wxs.contains(&format!("AppUserModelID {APP_USER_MODEL_ID} ")), "haul.wxs names another id");
        assert!(wxs.contains("Id=\"HaulShortcut\""), "the shortcut the row refers to");
    }

    #[test]
    fn recording_keeps_every_notice() {
        let (mut notifier, record) = DesktopNotifier::recording();
        notifier.notify(notice("a", false, false));
        assert_eq!(record.lock().expect("record").len(), 1);
    }
}
