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
    /// An error with no file and no HTTP status.
    pub fn new(context: ErrorContext, code: impl Into<String>, message: impl Into<String>) -> Self {
        JobError { context, code: code.into(), message: message.into(), file_index: None, http_status: None }
    }
}
