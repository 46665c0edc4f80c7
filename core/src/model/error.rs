//! A job's error object: what failed, where, and a sentence for a person.

use serde::{Deserialize, Serialize};

/// Where an error happened (BG_ERROR_CONTEXT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorContext {
    /// No error.
    None,
    /// The local file: permissions, disk full, a missing folder.
    LocalFile,
    /// The remote file: HTTP status, changed or bad content.
    RemoteFile,
    /// The network: connection refused, reset, timeout.
    Transport,
    /// The service itself.
    QueueManager,
    /// Delivering a notification.
    Notification,
    /// Anything else.
    Unknown,
}

impl ErrorContext {
    /// The protocol name, e.g. `remote_file`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorContext::None => "none",
            ErrorContext::LocalFile => "local_file",
            ErrorContext::RemoteFile => "remote_file",
            ErrorContext::Transport => "transport",
            ErrorContext::QueueManager => "queue_manager",
            ErrorContext::Notification => "notification",
            ErrorContext::Unknown => "unknown",
        }
    }
}

/// The error a job carries while in transient_error or error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    /// Where it happened.
    pub context: ErrorContext,
    /// A stable machine-readable code such as `http_404` or `connection_reset`.
    pub code: String,
    /// A sentence that names the cause, e.g. the HTTP status and the URL.
    pub message: String,
    /// The file that failed, if one did.
    pub file_index: Option<u32>,
    /// The HTTP status, if the server answered with one.
    pub http_status: Option<u16>,
}

impl JobError {
    /// Whether the error says the file's link may have expired, so a fresh
    /// link is what the user should give: a web page where the file was (only
    /// said for a file seen before), or a refusal (401, 403, 404, 410) once
    /// `bytes_saved` shows the link worked before.
    pub fn link_may_have_expired(&self, bytes_saved: bool) -> bool {
        match (self.code.as_str(), self.http_status) {
            ("unexpected_html", _) => true,
            (_, Some(401 | 403 | 404 | 410)) => bytes_saved,
            _ => false,
        }
    }

    /// An error with no file and no HTTP status.
    pub fn new(context: ErrorContext, code: impl Into<String>, message: impl Into<String>) -> Self {
        JobError { context, code: code.into(), message: message.into(), file_index: None, http_status: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, status: Option<u16>) -> JobError {
        JobError { http_status: status, ..JobError::new(ErrorContext::RemoteFile, code, "m") }
    }

    #[test]
    fn a_refusal_after_saved_bytes_or_a_web_page_may_be_an_expired_link() {
        for status in [401, 403, 404, 410] {
            let e = error(&format!("http_{status}"), Some(status));
            assert!(e.link_may_have_expired(true), "{status} after bytes");
            assert!(!e.link_may_have_expired(false), "{status} before any byte is a wrong link, not an expired one");
        }
        assert!(error("unexpected_html", None).link_may_have_expired(false));
        assert!(!error("http_500", Some(500)).link_may_have_expired(true));
        assert!(!error("connection_refused", None).link_may_have_expired(true));
    }
}
