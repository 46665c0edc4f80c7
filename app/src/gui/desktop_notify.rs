//! Desktop notifications (notify-rust), sent from their own thread so the
//! window never waits on D-Bus. A burst becomes one notification ("5 downloads
//! finished"); with no notification daemon the failure is logged once and the
//! in-window toasts carry on alone.

use super::format;
use super::view_model::Notice;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Notices arriving within this time of each other are sent as one.
const BURST: Duration = Duration::from_millis(800);

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
            let shown = notify_rust::Notification::new()
                .appname("Haul")
                .summary(&title)
                .body(&body)
                .icon("haul")
                .timeout(notify_rust::Timeout::Default)
                .show();
            if let Err(e) = shown {
                tracing::warn!("no desktop notifications ({e}); Haul shows them in its window only");
                working = false;
                break;
            }
        }
    }
}

/// One (title, body) per summary notice, and one for all the others.
pub fn combine(burst: &[Notice]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = burst
        .iter()
        .filter(|n| n.summary)
        .map(|n| (format!("While you were away: {}", n.title), n.body.clone()))
        .collect();
    let events: Vec<&Notice> = burst.iter().filter(|n| !n.summary).collect();
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
        Notice { title: title.into(), body: String::new(), failed, summary }
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
    }

    #[test]
    fn recording_keeps_every_notice() {
        let (mut notifier, record) = DesktopNotifier::recording();
        notifier.notify(notice("a", false, false));
        assert_eq!(record.lock().expect("record").len(), 1);
    }
}
