//! Exit codes, mapped in one place, and `Failure`: an error that knows its
//! exit code.

use haul_core::client::ClientError;

/// Success.
pub const OK: u8 = 0;
/// A job ended in error (`add --wait`), or a general failure.
pub const FAILED: u8 = 1;
/// Bad usage (clap uses 2 as well).
pub const USAGE: u8 = 2;
/// The service could not be reached or started.
pub const NO_SERVICE: u8 = 3;
/// The service refused the request (not found, access denied, invalid state, …).
pub const REFUSED: u8 = 4;
/// The job was cancelled while waiting.
pub const CANCELLED: u8 = 5;
/// Ctrl-C while waiting (the job goes on).
pub const INTERRUPTED: u8 = 130;

/// The exit-code table for `haul --help`.
pub const HELP: &str = "Exit codes: 0 success; 1 the job failed or another error; 2 bad usage; \
3 the service could not be reached or started; 4 the service refused the request (no such job, \
access denied, invalid state, bad argument); 5 the job was cancelled while waiting; 130 interrupted by Ctrl-C while waiting (the download goes on).";

/// An error that knows its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The process's exit code.
    pub code: u8,
    /// One sentence for stderr ("" prints nothing).
    pub message: String,
}

impl Failure {
    /// A failure with this exit code and sentence.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

impl From<ClientError> for Failure {
    fn from(err: ClientError) -> Self {
        let code = match &err {
            ClientError::Rpc { .. } => REFUSED,
            _ => NO_SERVICE,
        };
        Failure::new(code, err.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast::<ClientError>() {
            Ok(client) => client.into(),
            Err(other) => Failure::new(FAILED, format!("{other:#}")),
        }
    }
}
