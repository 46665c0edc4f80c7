//! Where the next attempt at a file starts from, and what a whole-file answer
//! to a request for the rest of the stored bytes means.

use super::FilePlan;
use super::TransferError;
use super::http::{self, IfRangeWith, if_range, if_range_with};
use crate::model::FileProgress;

/// What the next attempt at a file starts from; an answer that cannot be
/// trusted leaves the next attempt a start from zero.
pub(super) struct Resume {
    /// The ranges on disk and the validators they came with.
    pub(super) checkpoint: FileProgress,
    /// The file's size, if known.
    pub(super) total: Option<u64>,
    /// Why the file restarts from zero, told with the next answer.
    pub(super) restart: Option<String>,
    /// After a range answer that did not match, ranges are not trusted for this
    /// file any more: it is fetched whole, on one connection, without `Range`.
    pub(super) trust_ranges: bool,
    /// What requests for more of the stored bytes carry in `If-Range`.
    pub(super) if_range: IfRangeWith,
}

impl Resume {
    /// The plan's stored bytes, unless they are in doubt before asking.
    pub(super) fn new(plan: &FilePlan) -> Resume {
        let restart = stored_bytes_doubt(plan);
        let (checkpoint, total) = match restart {
            Some(_) => (FileProgress::default(), None),
            None => (plan.checkpoint.clone(), plan.bytes_total),
        };
        Resume { checkpoint, total, restart, trust_ranges: true, if_range: IfRangeWith::default() }
    }

    /// Where the first connection starts: the first gap.
    pub(super) fn start(&self) -> u64 {
        match self.total {
            Some(t) => self.checkpoint.done.gaps(t).first().map_or(t, |g| g.0),
            None => self.checkpoint.done.prefix_len(),
        }
    }

    /// Whether bytes on disk are kept.
    pub(super) fn resuming(&self) -> bool {
        self.checkpoint.done.covered() > 0
    }

    /// The `If-Range` the first request carries.
    pub(super) fn if_range_sent(&self) -> Option<&str> {
        match self.trust_ranges && self.resuming() {
            true => if_range_with(&self.checkpoint, self.if_range),
            false => None,
        }
    }

    /// The server's answers cannot be trusted (`reason`): start from zero,
    /// fetching the file whole.
    pub(super) fn distrust(&mut self, reason: String) {
        self.restart = Some(reason);
        self.checkpoint = FileProgress::default();
        self.total = None;
        self.trust_ranges = false;
    }

    /// The file's error once every attempt was distrusted.
    pub(super) fn exhausted(self, url: &str) -> TransferError {
        TransferError::BadRange {
            url: url.to_string(),
            detail: self.restart.unwrap_or_else(|| "the server's range answers did not match three times".into()),
        }
    }
}

/// What a whole-file answer (200) to a request for the rest of the stored bytes means.
pub(super) enum WholeAnswer {
    /// The same file (same validators and size): the server ignored the
    /// `If-Range` sent; the rest is asked for again the next way.
    IgnoredIfRange(IfRangeWith),
    /// The file restarts from zero, for this reason.
    Restart(String),
}

/// Judges a 200 answer to a resumed range request by its validators and size.
pub(super) fn whole_answer(resume: &Resume, headers: &reqwest::header::HeaderMap) -> WholeAnswer {
    let stored = &resume.checkpoint;
    if let Some(reason) = http::validators_differ(stored, headers) {
        return WholeAnswer::Restart(format!("the server's file is not the one the saved bytes came from: {reason}"));
    }
    let size = http::content_length(headers);
    if let (Some(old), Some(new)) = (resume.total, size)
        && old != new
    {
        return WholeAnswer::Restart(format!(
            "the server's file is not the one the saved bytes came from: the size changed from {old} to {new} bytes"
        ));
    }
    if let Some(next) = http::ignored_if_range(stored, resume.total, resume.if_range_sent(), headers) {
        return WholeAnswer::IgnoredIfRange(next);
    }
    WholeAnswer::Restart("the server sent the whole file (200 OK) instead of the rest".into())
}

/// Why the stored bytes cannot be trusted before asking the server, if so.
fn stored_bytes_doubt(plan: &FilePlan) -> Option<String> {
    let done = &plan.checkpoint.done;
    if done.covered() == 0 {
        return None;
    }
    let on_disk = std::fs::metadata(&plan.temp).map(|m| m.len()).ok();
    match on_disk {
        None => Some("the temp file is gone".into()),
        Some(len) if len < done.max_end() => {
            Some(format!("the temp file has {len} bytes, {} were recorded", done.max_end()))
        }
        _ if if_range(&plan.checkpoint).is_none() => {
            Some("the server gave no validator (ETag or Last-Modified) to resume safely".into())
        }
        _ => None,
    }
}
