//! Buttons on desktop notifications, where the desktop has them (freedesktop
//! daemons that advertise "actions"; notify-rust has no callbacks on Windows):
//! the keys they go by, and a thread per shown notification that waits for the
//! click and hands it to the window as the toast's `ToastAction`.

use super::outgoing::Outgoing;
use super::view_model::ToastAction;
use eframe::egui;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
#[cfg(all(unix, not(target_os = "macos")))]
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;

/// At most this many notifications wait for a click at once (a thread each,
/// until the notification closes); more are sent without buttons.
#[cfg(all(unix, not(target_os = "macos")))]
const MAX_WAITING: usize = 8;

/// The action key freedesktop uses for a click on the notification itself.
const DEFAULT_KEY: &str = "default";

/// The D-Bus action key of a button.
fn key(action: &ToastAction) -> &'static str {
    match action {
        ToastAction::Open(_) => "open",
        ToastAction::ShowInFolder(_) => "reveal",
        ToastAction::Retry(_) => "retry",
        ToastAction::Details(_) => "details",
        ToastAction::ShowJobs(_) => "show-jobs",
        ToastAction::Undo(_) => "undo",
        ToastAction::CancelCountdown => "cancel-countdown",
        ToastAction::AddLinks(_) => "add-links",
        ToastAction::ConnectBrowsers => "connect-browsers",
    }
}

/// What the action `key` that the daemon reported means for `outgoing`.
#[cfg(any(test, all(unix, not(target_os = "macos"))))]
pub fn chosen(outgoing: &Outgoing, action_key: &str) -> Option<ToastAction> {
    if action_key == DEFAULT_KEY {
        return outgoing.click.clone();
    }
    outgoing.actions.iter().find(|a| key(a) == action_key).cloned()
}

/// Puts `outgoing`'s buttons (and its click) on `notification`.
pub fn add_actions(notification: &mut notify_rust::Notification, outgoing: &Outgoing) {
    if let Some(click) = &outgoing.click {
        notification.action(DEFAULT_KEY, click.label());
    }
    for action in &outgoing.actions {
        notification.action(key(action), action.label());
    }
}

/// The threads waiting for clicks, and where the clicks go.
pub struct Waiters {
    /// Whether the daemon has buttons (asked once, on the first notification that would carry them).
    supported: Option<bool>,
    waiting: Arc<AtomicUsize>,
    clicked: Sender<ToastAction>,
    waker: Option<egui::Context>,
}

/// Counts a waiting thread for as long as it lives, however it ends.
#[cfg(all(unix, not(target_os = "macos")))]
struct Waiting(Arc<AtomicUsize>);

#[cfg(all(unix, not(target_os = "macos")))]
impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Waiters {
    /// Clicks go to `clicked`, and wake `waker`.
    pub fn new(clicked: Sender<ToastAction>, waker: Option<egui::Context>) -> Self {
        Waiters { supported: None, waiting: Arc::new(AtomicUsize::new(0)), clicked, waker }
    }

    /// Whether `outgoing` can carry its buttons: it has some, the desktop shows
    /// them, and a thread may wait for them.
    pub fn can_wait(&mut self, outgoing: &Outgoing) -> bool {
        if outgoing.actions.is_empty() && outgoing.click.is_none() {
            return false;
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let supported = *self.supported.get_or_insert_with(|| match notify_rust::get_capabilities() {
                Ok(capabilities) => {
                    let actions = capabilities.iter().any(|c| c == "actions");
                    if !actions {
                        tracing::info!("the notification daemon shows no buttons; notifications go without them");
                    }
                    actions
                }
                Err(e) => {
                    tracing::debug!("cannot ask the notification daemon what it shows ({e})");
                    false
                }
            });
            supported && self.waiting.load(Ordering::SeqCst) < MAX_WAITING
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            let _ = &self.supported;
            false
        }
    }

    /// Waits, on a thread of its own, for a click on the shown notification
    /// `handle` (if it carries buttons); the thread ends when it closes.
    #[cfg(all(unix, not(target_os = "macos")))]
    pub fn wait(&mut self, handle: notify_rust::NotificationHandle, outgoing: Outgoing) {
        if outgoing.actions.is_empty() && outgoing.click.is_none() {
            return;
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(self.waiting.clone());
        let (clicked, waker) = (self.clicked.clone(), self.waker.clone());
        let spawned = std::thread::Builder::new().name("haul-notify-click".into()).spawn(move || {
            let _waiting = waiting;
            handle.wait_for_action(|action_key| {
                if let Some(action) = chosen(&outgoing, action_key) {
                    tracing::info!("notification button clicked: {}", action.label());
                    if clicked.send(action).is_ok()
                        && let Some(ctx) = waker
                    {
                        ctx.request_repaint();
                    }
                }
            });
        });
        if let Err(e) = spawned {
            tracing::warn!("cannot wait for a click on the notification: {e}");
        }
    }

    /// Notifications here take no clicks.
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    pub fn wait<H>(&mut self, _handle: H, _outgoing: Outgoing) {
        let _ = (&self.clicked, &self.waker, &self.waiting);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use haul_core::model::JobId;

    fn outgoing(actions: Vec<ToastAction>, click: Option<ToastAction>) -> Outgoing {
        Outgoing { title: "a downloaded".into(), body: String::new(), actions, click }
    }

    #[test]
    fn keys_map_back_to_the_toasts_actions() {
        let job_id = JobId::new();
        let done = outgoing(
            vec![ToastAction::Open(job_id), ToastAction::ShowInFolder(job_id)],
            Some(ToastAction::Open(job_id)),
        );
        assert_eq!(chosen(&done, "default"), Some(ToastAction::Open(job_id)));
        assert_eq!(chosen(&done, "reveal"), Some(ToastAction::ShowInFolder(job_id)));
        assert_eq!(chosen(&done, "open"), Some(ToastAction::Open(job_id)));
        assert_eq!(chosen(&done, "retry"), None, "not one of its buttons");
        assert_eq!(chosen(&done, "__closed"), None, "closing is no click");
        let failed = outgoing(vec![ToastAction::Retry(job_id)], Some(ToastAction::Details(job_id)));
        assert_eq!(chosen(&failed, "retry"), Some(ToastAction::Retry(job_id)));
        assert_eq!(chosen(&failed, "default"), Some(ToastAction::Details(job_id)));
        let countdown = outgoing(vec![ToastAction::CancelCountdown], None);
        assert_eq!(chosen(&countdown, "cancel-countdown"), Some(ToastAction::CancelCountdown));
        assert_eq!(chosen(&countdown, "default"), None, "a click on the text cancels nothing");
    }

    #[test]
    fn the_notification_carries_the_buttons_labels() {
        let job_id = JobId::new();
        let mut notification = notify_rust::Notification::new();
        add_actions(
            &mut notification,
            &outgoing(
                vec![ToastAction::Open(job_id), ToastAction::ShowInFolder(job_id)],
                Some(ToastAction::Open(job_id)),
            ),
        );
        assert_eq!(notification.actions, ["default", "Open", "open", "Open", "reveal", "Show in folder"]);
    }

    #[test]
    fn nothing_to_click_needs_no_thread() {
        let (tx, _rx) = std::sync::mpsc::channel();
        let mut waiters = Waiters::new(tx, None);
        assert!(!waiters.can_wait(&outgoing(Vec::new(), None)));
        assert_eq!(waiters.supported, None, "the daemon was not even asked");
    }
}
