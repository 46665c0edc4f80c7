//! In-window notifications: what each toast says and offers, and the rule
//! that one event shows one toast however often it is reported.

use crate::gui::toast_key::ToastKey;
use haul_core::model::JobId;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// How long a success toast stays.
pub const SUCCESS_TTL: Duration = Duration::from_secs(6);
/// How long the "while you were away" toast stays when nothing failed.
pub const SUMMARY_TTL: Duration = Duration::from_secs(12);
/// Toasts kept at once; the oldest go first.
const MAX_TOASTS: usize = 6;

/// How a toast looks and whether it goes away by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something finished.
    Success,
    /// Something failed: stays until closed.
    Error,
    /// Anything else.
    Info,
}

/// A button on a toast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToastAction {
    /// Open the job's (first) file.
    Open(JobId),
    /// Open the folder holding it.
    ShowInFolder(JobId),
    /// Resume the job.
    Retry(JobId),
    /// Select the job and show its details.
    Details(JobId),
    /// Show only these jobs in the table.
    ShowJobs(Vec<JobId>),
    /// Put back the rows of this removal (its id).
    Undo(u64),
    /// Cancel the power action counting down now that the queue is empty.
    CancelCountdown,
    /// Open the add dialog with these links (copied in another program).
    AddLinks(Vec<String>),
    /// Install the browser extension's host for the browsers found.
    ConnectBrowsers,
}

impl ToastAction {
    /// The button's text.
    pub fn label(&self) -> &'static str {
        match self {
            ToastAction::Open(_) => "Open",
            ToastAction::ShowInFolder(_) => "Show in folder",
            ToastAction::Retry(_) => "Retry",
            ToastAction::Details(_) => "Details",
            ToastAction::ShowJobs(_) => "Show them",
            ToastAction::Undo(_) => "Undo",
            ToastAction::CancelCountdown => "Cancel",
            ToastAction::AddLinks(_) => "Download with Haul",
            ToastAction::ConnectBrowsers => "Connect",
        }
    }
}

/// One toast.
#[derive(Clone, Debug)]
pub struct Toast {
    /// Stable id for the widgets.
    pub id: u64,
    /// Success, error or info.
    pub level: Level,
    /// The first line.
    pub title: String,
    /// More words, may be empty.
    pub body: String,
    /// Buttons.
    pub actions: Vec<ToastAction>,
    /// When it goes away by itself (`None`: sticky).
    pub expires: Option<Instant>,
    /// How long it stays once seen (`None`: sticky).
    pub ttl: Option<Duration>,
}

/// The toasts on screen and every event already shown.
#[derive(Debug, Default)]
pub struct Toasts {
    list: Vec<Toast>,
    seen: HashSet<ToastKey>,
    next_id: u64,
}

impl Toasts {
    /// Marks events as already told (e.g. in the startup summary).
    pub fn mark_seen(&mut self, keys: impl IntoIterator<Item = ToastKey>) {
        self.seen.extend(keys);
    }

    /// Shows a toast for an event unless it was shown before; true if shown.
    pub fn push_once(&mut self, key: ToastKey, toast: NewToast) -> bool {
        if !self.seen.insert(key) {
            return false;
        }
        self.push(toast);
        true
    }

    /// Shows a toast; returns its id.
    pub fn push(&mut self, toast: NewToast) -> u64 {
        self.next_id += 1;
        let expires = toast.ttl.map(|ttl| Instant::now() + ttl);
        self.list.push(Toast {
            id: self.next_id,
            level: toast.level,
            title: toast.title,
            body: toast.body,
            actions: toast.actions,
            expires,
            ttl: toast.ttl,
        });
        if self.list.len() > MAX_TOASTS {
            // Drop the oldest that would go by itself, else the oldest.
            let index = self.list.iter().position(|t| t.expires.is_some()).unwrap_or(0);
            self.list.remove(index);
        }
        self.next_id
    }

    /// Whether the toast `id` is still shown.
    pub fn is_shown(&self, id: u64) -> bool {
        self.list.iter().any(|t| t.id == id)
    }

    /// Removes a toast (its close button, or an action taken).
    pub fn dismiss(&mut self, id: u64) {
        self.list.retain(|t| t.id != id);
    }

    /// Drops toasts whose time is up; returns how long until the next one is.
    pub fn expire(&mut self, now: Instant) -> Option<Duration> {
        self.list.retain(|t| t.expires.is_none_or(|at| at > now));
        self.list.iter().filter_map(|t| t.expires).min().map(|at| at.saturating_duration_since(now))
    }

    /// Keeps every toast for its whole time from `now` on (nobody sees the
    /// window: a minimised window's toasts are there when it comes back).
    pub fn hold(&mut self, now: Instant) {
        for toast in &mut self.list {
            toast.expires = toast.ttl.map(|ttl| now + ttl);
        }
    }

    /// The toasts, oldest first.
    pub fn list(&self) -> &[Toast] {
        &self.list
    }
}

/// Toasts shown while the stack is folded (the newest ones).
pub const FOLDED_SHOWN: usize = 2;

/// The toasts drawn this frame, oldest first, and how many wait behind a
/// "N more" button. Folded: the newest `folded` (e.g. [`FOLDED_SHOWN`], none
/// on a very small window); `frozen` (the ids shown when the pointer came over
/// the stack) keeps the same toasts in the same places while it is there,
/// whatever arrives.
pub fn stack<'a>(list: &'a [Toast], expanded: bool, folded: usize, frozen: Option<&[u64]>) -> (Vec<&'a Toast>, usize) {
    let shown: Vec<&Toast> = match frozen {
        Some(ids) => list.iter().filter(|t| ids.contains(&t.id)).collect(),
        None if expanded => list.iter().collect(),
        None => list.iter().skip(list.len().saturating_sub(folded)).collect(),
    };
    let more = list.len() - shown.len();
    (shown, more)
}

/// What a new toast says; `ttl: None` makes it sticky.
#[derive(Clone, Debug)]
pub struct NewToast {
    /// Success, error or info.
    pub level: Level,
    /// The first line.
    pub title: String,
    /// More words.
    pub body: String,
    /// Buttons.
    pub actions: Vec<ToastAction>,
    /// How long it stays.
    pub ttl: Option<Duration>,
}

impl NewToast {
    /// A success that goes away by itself.
    pub fn success(title: String, actions: Vec<ToastAction>) -> Self {
        NewToast { level: Level::Success, title, body: String::new(), actions, ttl: Some(SUCCESS_TTL) }
    }

    /// An error that stays.
    pub fn error(title: String, body: String, actions: Vec<ToastAction>) -> Self {
        NewToast { level: Level::Error, title, body, actions, ttl: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_event_shows_one_toast() {
        let mut toasts = Toasts::default();
        let job = JobId::new();
        let key = ToastKey::Failed(job, 1);
        assert!(toasts.push_once(key.clone(), NewToast::error("a failed".into(), String::new(), vec![])));
        assert!(!toasts.push_once(key, NewToast::error("a failed".into(), String::new(), vec![])));
        assert!(toasts.push_once(ToastKey::Failed(job, 2), NewToast::error("again".into(), String::new(), vec![])));
        assert_eq!(toasts.list().len(), 2);
        toasts.mark_seen([ToastKey::Finished(job, "t".into())]);
        assert!(!toasts.push_once(ToastKey::Finished(job, "t".into()), NewToast::success("x".into(), vec![])));
    }

    #[test]
    fn successes_expire_and_errors_stay() {
        let mut toasts = Toasts::default();
        toasts.push(NewToast::success("done".into(), vec![]));
        toasts.push(NewToast::error("failed".into(), String::new(), vec![]));
        let next = toasts.expire(Instant::now());
        assert!(next.is_some_and(|d| d <= SUCCESS_TTL));
        toasts.expire(Instant::now() + SUCCESS_TTL + Duration::from_secs(1));
        assert_eq!(toasts.list().len(), 1);
        assert_eq!(toasts.list()[0].level, Level::Error);
        let id = toasts.list()[0].id;
        toasts.dismiss(id);
        assert!(toasts.list().is_empty());
    }

    #[test]
    fn unseen_toasts_wait_for_the_user() {
        let mut toasts = Toasts::default();
        toasts.push(NewToast::success("done".into(), vec![]));
        let back = Instant::now() + SUCCESS_TTL * 10;
        // Held while nobody looks, however long that is...
        toasts.hold(back);
        toasts.expire(back);
        assert_eq!(toasts.list().len(), 1, "a toast nobody saw is still there");
        // ...then its full time from when the user is back.
        assert!(toasts.expire(back).is_some_and(|left| left == SUCCESS_TTL));
        toasts.expire(back + SUCCESS_TTL + Duration::from_secs(1));
        assert!(toasts.list().is_empty());
    }

    #[test]
    fn the_stack_folds_and_holds_still_under_the_pointer() {
        let mut toasts = Toasts::default();
        for n in 0..4 {
            toasts.push(NewToast::error(format!("e{n}"), String::new(), vec![]));
        }
        let titles = |shown: Vec<&Toast>| shown.iter().map(|t| t.title.clone()).collect::<Vec<_>>();
        let (shown, more) = stack(toasts.list(), false, FOLDED_SHOWN, None);
        assert_eq!((titles(shown), more), (vec!["e2".to_string(), "e3".into()], 2));
        assert_eq!(stack(toasts.list(), true, FOLDED_SHOWN, None).1, 0, "unfolded: all of them");
        let frozen: Vec<u64> = stack(toasts.list(), false, FOLDED_SHOWN, None).0.iter().map(|t| t.id).collect();
        toasts.push(NewToast::error("e4".into(), String::new(), vec![]));
        let (shown, more) = stack(toasts.list(), false, FOLDED_SHOWN, Some(&frozen));
        assert_eq!((titles(shown), more), (vec!["e2".to_string(), "e3".into()], 3), "the new one waits");
        assert_eq!(stack(toasts.list(), false, 0, None).1, 5, "a tiny window: all behind one button");
    }

    #[test]
    fn old_toasts_make_room() {
        let mut toasts = Toasts::default();
        for n in 0..10 {
            toasts.push(NewToast::error(format!("e{n}"), String::new(), vec![]));
        }
        assert_eq!(toasts.list().len(), MAX_TOASTS);
        assert_eq!(toasts.list()[0].title, "e4");
    }
}
