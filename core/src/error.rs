//! The errors a client can get back from the job manager, with their protocol codes.

use crate::transition::TransitionError;

/// Why a request on the job manager failed (PROTOCOL.md "Errors").
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such job or file.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not act on the job.
    #[error("{0}")]
    AccessDenied(String),
    /// The job's state does not allow the action.
    #[error("{0}")]
    InvalidState(String),
    /// Resume on a job without files.
    #[error("job {0} has no files to transfer; add a file first")]
    EmptyJob(String),
    /// A parameter is wrong.
    #[error("{0}")]
    InvalidArgument(String),
    /// Too many jobs, files or connections.
    #[error("{0}")]
    LimitExceeded(String),
    /// The secret store (keyring, or the secrets file) failed.
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretError),
    /// The job store failed.
    #[error("the job store failed: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// A value that breaks its rule (`model::values`) is an invalid argument.
impl From<crate::model::InvalidValue> for Error {
    fn from(e: crate::model::InvalidValue) -> Self {
        Error::InvalidArgument(e.0)
    }
}

impl Error {
    /// The protocol error code.
    pub fn code(&self) -> i64 {
        match self {
            Error::NotFound(_) => 1,
            Error::AccessDenied(_) => 2,
            Error::InvalidState(_) => 3,
            Error::EmptyJob(_) => 4,
            Error::InvalidArgument(_) => 5,
            Error::LimitExceeded(_) => 6,
            Error::Secrets(_) => crate::protocol::code::SECRETS_UNAVAILABLE,
            Error::Store(_) => -32603,
        }
    }

    /// The protocol error name (`data.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "not_found",
            Error::AccessDenied(_) => "access_denied",
            Error::InvalidState(_) => "invalid_state",
            Error::EmptyJob(_) => "empty_job",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::LimitExceeded(_) => "limit_exceeded",
            Error::Secrets(_) => "secrets_unavailable",
            Error::Store(_) => "internal",
        }
    }

    /// Maps a refused transition for the named job.
    pub fn from_transition(err: TransitionError, job: &str) -> Self {
        match err {
            TransitionError::EmptyJob => Error::EmptyJob(job.to_string()),
            TransitionError::InvalidState { state, action } => {
                Error::InvalidState(format!("cannot {} job {job}: it is {state}", format!("{action:?}").to_lowercase()))
            }
        }
    }
}
