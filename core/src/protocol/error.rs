//! The JSON-RPC error object: a code, a sentence, and `data.kind`.

use serde::{Deserialize, Serialize};

/// Error codes: JSON-RPC's own and PROTOCOL.md's.
pub mod code {
    /// The line is not JSON (or not UTF-8).
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON is not a valid message (a batch, a non-object, a bad id, a long line).
    pub const INVALID_REQUEST: i64 = -32600;
    /// No such method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// The params are not well-formed.
    pub const INVALID_PARAMS: i64 = -32602;
    /// The service failed internally.
    pub const INTERNAL: i64 = -32603;
    /// A sink did not accept a callback.
    pub const CALLBACK_FAILED: i64 = -32000;
    /// No such job or file.
    pub const NOT_FOUND: i64 = 1;
    /// The caller may not do this.
    pub const ACCESS_DENIED: i64 = 2;
    /// The job's state does not allow it.
    pub const INVALID_STATE: i64 = 3;
    /// Resume on a job with no files.
    pub const EMPTY_JOB: i64 = 4;
    /// A bad value.
    pub const INVALID_ARGUMENT: i64 = 5;
    /// Too many jobs, files or connections.
    pub const LIMIT_EXCEEDED: i64 = 6;
    /// No `hello` yet, or an unsupported protocol version.
    pub const PROTOCOL: i64 = 7;
    /// The server a URL names could not be asked, or refused (`probe_url`).
    pub const REMOTE_FAILED: i64 = 8;
    /// No keyring to keep a password or cookies in (and no secrets file chosen).
    pub const SECRETS_UNAVAILABLE: i64 = 9;
}

/// `data` of an error object: its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorData {
    /// The error's name, e.g. `not_found`.
    pub kind: String,
}

/// A JSON-RPC error object (PROTOCOL.md "Errors").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RpcError {
    /// The code.
    pub code: i64,
    /// A sentence that names what was wrong.
    pub message: String,
    /// The error's name; every error the service sends has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ErrorData>,
}

impl RpcError {
    /// An error with a code, a name and a message.
    pub fn new(code: i64, kind: &str, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: Some(ErrorData { kind: kind.into() }) }
    }

    /// The error's name (`data.kind`), or "unknown" when the peer sent none.
    pub fn kind(&self) -> &str {
        self.data.as_ref().map_or("unknown", |d| d.kind.as_str())
    }

    /// -32700: the line is not JSON or not UTF-8.
    pub fn parse_error(message: impl Into<String>) -> Self {
        Self::new(code::PARSE_ERROR, "parse_error", message)
    }

    /// -32600: not a valid message.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_REQUEST, "invalid_request", message)
    }

    /// -32600 for a line over [`super::MAX_LINE`].
    pub fn line_too_long() -> Self {
        Self::invalid_request(format!("line too long: a message may be at most {} bytes", super::MAX_LINE))
    }

    /// -32601: no such method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(code::METHOD_NOT_FOUND, "method_not_found", format!("there is no method '{method}'"))
    }

    /// -32602: the params are not well-formed.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_PARAMS, "invalid_params", message)
    }

    /// -32603: the service failed internally.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(code::INTERNAL, "internal", message)
    }

    /// 5: a value is out of range or unknown.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(code::INVALID_ARGUMENT, "invalid_argument", message)
    }

    /// 2: the caller may not do this.
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(code::ACCESS_DENIED, "access_denied", message)
    }

    /// 6: too many of something.
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(code::LIMIT_EXCEEDED, "limit_exceeded", message)
    }

    /// 7: no `hello` yet, or an unsupported version.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(code::PROTOCOL, "protocol", message)
    }

    /// -32000: a sink did not accept a callback.
    pub fn callback_failed(message: impl Into<String>) -> Self {
        Self::new(code::CALLBACK_FAILED, "callback_failed", message)
    }
}

impl From<&crate::Error> for RpcError {
    fn from(error: &crate::Error) -> Self {
        RpcError::new(error.code(), error.kind(), error.to_string())
    }
}

impl From<crate::Error> for RpcError {
    fn from(error: crate::Error) -> Self {
        RpcError::from(&error)
    }
}
