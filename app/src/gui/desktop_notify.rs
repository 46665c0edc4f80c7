//! Desktop notifications (notify-rust), sent from their own thread so the
//! window never waits on D-Bus. A burst becomes one notification ("5 downloads
//! finished"); with no notification daemon the failure is logged once and the
//! in-window toasts carry on alone. A lone download's notification carries the
//! toast's buttons where the desktop has them (`notification_actions`); the
//! clicks come back to the window. Notifications carry Haul's own identity:
//! its name, icon and desktop entry on Linux, the AppUserModelID of its
//! Start-menu shortcut on Windows.

use super::format;
use super::notification_actions::{Waiters, add_actions};
use super::outgoing::Outgoing;
use super::view_model::{Notice, ToastAction};
use eframe::egui;
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
#[cfg(any(test, all(unix, not(target_os = "macos"))))]
pub const DESKTOP_ENTRY: &str = "haul";
/// The AppUserModelID the MSI puts on the Start-menu shortcut
/// (packaging/windows/post-wixl.sql); toasts with it show as "Haul". The
/// process's own id is not set: that takes an `unsafe` Win32 call.
#[cfg(any(test, windows))]
pub const APP_USER_MODEL_ID: &str = "Haul.Haul";

/// Where notices go.
enum Sink {
    /// To the desktop, through a worker thread (started on first use).
    System(Option<Sender<Notice>>),
    /// Into a list (tests).
    Recording(Arc<Mutex<Vec<Notice>>>),
    /// Nowhere.
    Off,
}

/// Sends notices to the desktop, and hands back the buttons clicked on them.
pub struct DesktopNotifier {
    sink: Sink,
    /// Buttons clicked on notifications, for the window to carry out.
    clicks: Receiver<ToastAction>,
    clicked: Sender<ToastAction>,
    /// Wakes the window when a button is clicked.
    waker: Option<egui::Context>,
}

impl DesktopNotifier {
    fn with(sink: Sink) -> Self {
        let (clicked, clicks) = std::sync::mpsc::channel();
        DesktopNotifier { sink, clicks, clicked, waker: None }
    }

    /// The desktop's notifications.
    pub fn system() -> Self {
        Self::with(Sink::System(None))
    }

    /// No notifications at all.
    pub fn off() -> Self {
        Self::with(Sink::Off)
    }

    /// Records notices instead of showing them; returns the record.
    pub fn recording() -> (Self, Arc<Mutex<Vec<Notice>>>) {
        let record = Arc::new(Mutex::new(Vec::new()));
        (Self::with(Sink::Recording(record.clone())), record)
    }

    /// Repaints `ctx` when a notification's button is clicked (set before the first notice).
    pub fn wake(&mut self, ctx: &egui::Context) {
        self.waker = Some(ctx.clone());
    }

    /// Where clicked buttons go: what a click on a notification sends (tests stand in for it).
    pub fn click_sender(&self) -> Sender<ToastAction> {
        self.clicked.clone()
    }

    /// The buttons clicked since the last call.
    pub fn clicked(&self) -> Vec<ToastAction> {
        self.clicks.try_iter().collect()
    }

    /// Sends a notice.
    pub fn notify(&mut self, notice: Notice) {
        match &mut self.sink {
            Sink::System(sender) => {
                if sender.is_none() {
                    let waiters = Waiters::new(self.clicked.clone(), self.waker.clone());
                    *sender = start_worker(waiters);
                }
                if let Some(tx) = sender
                    && tx.send(notice).is_err()
                {
                    self.sink = Sink::Off;
                }
            }
            Sink::Recording(record) => record.lock().unwrap_or_else(|p| p.into_inner()).push(notice),
            Sink::Off => {}
        }
    }
}

fn start_worker(waiters: Waiters) -> Option<Sender<Notice>> {
    let (tx, rx) = std::sync::mpsc::channel();
    match std::thread::Builder::new().name("haul-notify".into()).spawn(move || worker(rx, waiters)) {
        Ok(_) => Some(tx),
        Err(e) => {
            tracing::warn!("desktop notifications are off: cannot start their thread: {e}");
            None
        }
    }
}

fn worker(rx: Receiver<Notice>, mut waiters: Waiters) {
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
        for mut outgoing in combine(&burst) {
            let mut notification = notification(&outgoing.title, &outgoing.body);
            if !waiters.can_wait(&outgoing) {
                outgoing.actions.clear();
                outgoing.click = None;
            }
            add_actions(&mut notification, &outgoing);
            match notification.show() {
                Ok(handle) => waiters.wait(handle, outgoing),
                Err(e) => {
                    tracing::warn!("no desktop notifications ({e}); Haul shows them in its window only");
                    working = false;
                    break;
                }
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

/// One notification per plain or summary notice, and one for all the others;
/// plain notices (each its own notification) and a lone event keep their buttons.
pub fn combine(burst: &[Notice]) -> Vec<Outgoing> {
    let outgoing = |title: String, body: String| Outgoing { title, body, actions: Vec::new(), click: None };
    let mut out: Vec<Outgoing> = burst
        .iter()
        .filter(|n| n.plain || n.summary)
        .map(|n| match n.plain {
            true => Outgoing {
                actions: n.actions.clone(),
                click: n.click.clone(),
                ..outgoing(n.title.clone(), n.body.clone())
            },
            false => outgoing(format!("While you were away: {}", n.title), n.body.clone()),
        })
        .collect();
    let events: Vec<&Notice> = burst.iter().filter(|n| !n.plain && !n.summary).collect();
    match events.as_slice() {
        [] => {}
        [one] => out.push(Outgoing {
            title: one.title.clone(),
            body: one.body.clone(),
            actions: one.actions.clone(),
            click: one.click.clone(),
        }),
        many => {
            let failed = many.iter().filter(|n| n.failed).count();
            let titles: Vec<&str> = many.iter().map(|n| n.title.as_str()).collect();
            out.push(outgoing(format::outcome_counts(many.len() - failed, failed), titles.join("\n")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use haul_core::model::JobId;

    fn notice(title: &str, failed: bool, summary: bool) -> Notice {
        Notice { title: title.into(), body: String::new(), failed, summary, plain: false, actions: vec![], click: None }
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
        assert_eq!(combined[0].title, "2 downloads finished, 1 failed");
        assert!(combined[0].body.contains("b failed"));
        assert_eq!(combine(&[notice("a downloaded", false, false)])[0].title, "a downloaded");
        let with_summary = combine(&[notice("3 downloads finished", false, true), notice("x failed", true, false)]);
        assert_eq!(with_summary.len(), 2);
        assert_eq!(with_summary[0].title, "While you were away: 3 downloads finished");
        let plain = Notice { plain: true, ..notice("Haul keeps running in the tray", false, false) };
        let with_plain = combine(&[notice("a downloaded", false, false), plain]);
        assert_eq!(with_plain[0].title, "Haul keeps running in the tray", "as it is, not counted as a download");
        assert_eq!(with_plain[1].title, "a downloaded");
    }

    #[test]
    fn only_a_lone_download_keeps_its_buttons() {
        let job_id = JobId::new();
        let done = Notice {
            actions: vec![ToastAction::Open(job_id), ToastAction::ShowInFolder(job_id)],
            click: Some(ToastAction::Open(job_id)),
            ..notice("a downloaded", false, false)
        };
        let alone = combine(std::slice::from_ref(&done));
        assert_eq!(alone[0].actions, done.actions);
        assert_eq!(alone[0].click, done.click);
        let burst = combine(&[done.clone(), done]);
        assert_eq!(burst.len(), 1);
        assert!(burst[0].actions.is_empty() && burst[0].click.is_none(), "a burst names no one download");
        let countdown =
            Notice { plain: true, actions: vec![ToastAction::CancelCountdown], ..notice("All done", false, false) };
        let with_countdown = combine(&[countdown, notice("a downloaded", false, false), notice("b", false, false)]);
        assert_eq!(with_countdown[0].actions, [ToastAction::CancelCountdown], "a plain notice keeps its Cancel");
        assert!(with_countdown[1].actions.is_empty());
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
        let job_id = JobId::new();
        notifier.click_sender().send(ToastAction::Retry(job_id)).expect("send");
        assert_eq!(notifier.clicked(), vec![ToastAction::Retry(job_id)]);
        assert!(notifier.clicked().is_empty(), "each click is handed over once");
    }
}
