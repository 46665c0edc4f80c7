//! aria2's notifications from Haul's journal: a download started, paused,
//! stopped, completed or failed — sent only to the user whose job it is.

use super::status;
use crate::model::{Caller, Event, EventKind, JobState};
use serde_json::{Value, json};

/// The aria2 notification for a journal entry, if it is one `who` may see.
pub fn notification(who: &Caller, event: &Event) -> Option<Value> {
    if event.owner != who.uid && event.creator != who.uid {
        return None;
    }
    let method = match (event.kind, event.state) {
        (EventKind::StateChanged, JobState::Connecting) => "aria2.onDownloadStart",
        (EventKind::StateChanged, JobState::Suspended) => "aria2.onDownloadPause",
        (EventKind::Cancelled, _) => "aria2.onDownloadStop",
        (EventKind::Acknowledged, _) => "aria2.onDownloadComplete",
        (EventKind::Error, _) => "aria2.onDownloadError",
        _ => return None,
    };
    Some(json!({"jsonrpc": "2.0", "method": method, "params": [{"gid": status::gid(event.job_id)}]}))
}
