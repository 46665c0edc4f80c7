//! What can go wrong talking to the service.

use std::path::PathBuf;

/// A client failure, in one sentence that names the problem.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket could not be reached.
    #[error("cannot connect to the Haul service at {}: {source}", path.display())]
    Io {
        /// The socket.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The service program could not be started.
    #[error("cannot start the Haul service ({}): {reason}", program.display())]
    Start {
        /// The program.
        program: PathBuf,
        /// Why.
        reason: String,
    },
    /// The service was started but its socket never answered.
    #[error("the Haul service did not come up on {} within {} s", path.display(), timeout.as_secs())]
    NotStarted {
        /// The socket.
        path: PathBuf,
        /// How long we waited.
        timeout: std::time::Duration,
    },
    /// The service answered with an error.
    #[error("{message} (error {code}, {kind})")]
    Rpc {
        /// The error code.
        code: i64,
        /// Its name, e.g. `not_found`.
        kind: String,
        /// The service's sentence.
        message: String,
    },
    /// The connection closed before the reply came.
    #[error("the connection to the Haul service closed")]
    Closed,
    /// The reply could not be read as the expected type.
    #[error("the service's reply to {method} could not be read: {source}")]
    Decode {
        /// The method.
        method: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// The request is longer than the service accepts.
    #[error(
        "the request {method} is {bytes} bytes; the service accepts at most {} per message",
        crate::protocol::MAX_LINE
    )]
    TooLarge {
        /// The method.
        method: String,
        /// The request's size.
        bytes: usize,
    },
    /// The params could not be encoded.
    #[error("the params of {method} could not be encoded: {source}")]
    Encode {
        /// The method.
        method: String,
        /// The cause.
        source: serde_json::Error,
    },
}

impl ClientError {
    /// The protocol error code, for errors the service sent.
    pub fn code(&self) -> Option<i64> {
        match self {
            ClientError::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }
}

impl From<crate::protocol::RpcError> for ClientError {
    fn from(e: crate::protocol::RpcError) -> Self {
        ClientError::Rpc { code: e.code, kind: e.kind().to_string(), message: e.message }
    }
}
