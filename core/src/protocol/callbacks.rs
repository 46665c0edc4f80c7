//! What the service sends on its own: callbacks to a job's sink (requests the
//! sink answers) and notifications to subscribers; each is encoded and decoded
//! here, once, for both ends.

use super::{JobProgressView, ProgressParams, RpcError, method};
use crate::model::{Event, Job, JobError, JobFile, NetworkStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A callback to the sink of a job (PROTOCOL.md "Callbacks").
#[derive(Clone, Debug, PartialEq)]
pub enum Callback {
    /// `file_transferred`: one file's bytes are all on disk.
    FileTransferred {
        /// The job as it is now.
        job: Job,
        /// The file.
        file: JobFile,
    },
    /// `job_transferred`: the job entered transferred.
    JobTransferred {
        /// The job as it is now.
        job: Job,
    },
    /// `job_error`: the job entered error.
    JobError {
        /// The job as it is now.
        job: Job,
        /// Its error.
        error: JobError,
    },
    /// `job_modification`: progress, a property or the state changed.
    JobModification {
        /// The job as it is now.
        job: Job,
    },
}

#[derive(Serialize, Deserialize)]
struct JobOnly {
    job: Job,
}

#[derive(Serialize, Deserialize)]
struct JobAndError {
    job: Job,
    error: JobError,
}

#[derive(Serialize, Deserialize)]
struct JobAndFile {
    job: Job,
    file: JobFile,
}

impl Callback {
    /// The callback's method name.
    pub fn method(&self) -> &'static str {
        match self {
            Callback::FileTransferred { .. } => method::FILE_TRANSFERRED,
            Callback::JobTransferred { .. } => method::JOB_TRANSFERRED,
            Callback::JobError { .. } => method::JOB_ERROR,
            Callback::JobModification { .. } => method::JOB_MODIFICATION,
        }
    }

    /// The job it is about.
    pub fn job(&self) -> &Job {
        match self {
            Callback::FileTransferred { job, .. }
            | Callback::JobTransferred { job }
            | Callback::JobError { job, .. }
            | Callback::JobModification { job } => job,
        }
    }

    /// The request's params.
    pub fn params(self) -> Result<Value, serde_json::Error> {
        match self {
            Callback::FileTransferred { job, file } => serde_json::to_value(JobAndFile { job, file }),
            Callback::JobTransferred { job } | Callback::JobModification { job } => {
                serde_json::to_value(JobOnly { job })
            }
            Callback::JobError { job, error } => serde_json::to_value(JobAndError { job, error }),
        }
    }

    /// Reads a callback request; an unknown method or unreadable params is the
    /// error to answer with.
    pub fn decode(method_name: &str, params: Value) -> Result<Callback, RpcError> {
        let unreadable = |e: serde_json::Error| RpcError::invalid_params(format!("invalid {method_name} params: {e}"));
        match method_name {
            method::FILE_TRANSFERRED => {
                let JobAndFile { job, file } = serde_json::from_value(params).map_err(unreadable)?;
                Ok(Callback::FileTransferred { job, file })
            }
            method::JOB_TRANSFERRED => {
                let JobOnly { job } = serde_json::from_value(params).map_err(unreadable)?;
                Ok(Callback::JobTransferred { job })
            }
            method::JOB_ERROR => {
                let JobAndError { job, error } = serde_json::from_value(params).map_err(unreadable)?;
                Ok(Callback::JobError { job, error })
            }
            method::JOB_MODIFICATION => {
                let JobOnly { job } = serde_json::from_value(params).map_err(unreadable)?;
                Ok(Callback::JobModification { job })
            }
            other => Err(RpcError::method_not_found(other)),
        }
    }
}

/// A notification to a subscriber (after `subscribe`).
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// `event`: a journal entry as it is written.
    Event(Event),
    /// `progress`: live figures of the caller's running jobs.
    Progress(Vec<JobProgressView>),
    /// `network`: the network state changed (online, metered).
    Network(NetworkStatus),
    /// `when_done`: a power action started counting down (`Some`) or stopped.
    WhenDone(Option<crate::model::WhenDonePending>),
    /// `add_dialog`: open the add dialog with these links (to a window only).
    AddDialog(super::OpenAddDialog),
}

/// The `when_done` notification's params.
#[derive(Serialize, Deserialize)]
struct WhenDoneParams {
    pending: Option<crate::model::WhenDonePending>,
}

impl Notice {
    /// The notification's method name.
    pub fn method(&self) -> &'static str {
        match self {
            Notice::Event(_) => method::EVENT,
            Notice::Progress(_) => method::PROGRESS,
            Notice::Network(_) => method::NETWORK,
            Notice::WhenDone(_) => method::WHEN_DONE,
            Notice::AddDialog(_) => method::ADD_DIALOG,
        }
    }

    /// The notification's line.
    pub fn encode(&self) -> Result<String, serde_json::Error> {
        #[derive(Serialize)]
        struct Progress<'a> {
            jobs: &'a [JobProgressView],
        }
        let params = match self {
            Notice::Event(event) => serde_json::to_value(event)?,
            Notice::Progress(jobs) => serde_json::to_value(Progress { jobs })?,
            Notice::Network(status) => serde_json::to_value(status)?,
            Notice::WhenDone(pending) => serde_json::to_value(WhenDoneParams { pending: pending.clone() })?,
            Notice::AddDialog(dialog) => serde_json::to_value(dialog)?,
        };
        Ok(super::encode_notification(self.method(), params))
    }

    /// Reads a notification; `None` for one this build does not know (ignored,
    /// so a newer service can add notifications), an error if it is unreadable.
    pub fn decode(method_name: &str, params: Value) -> Option<Result<Notice, serde_json::Error>> {
        match method_name {
            method::EVENT => Some(serde_json::from_value(params).map(Notice::Event)),
            method::PROGRESS => {
                Some(serde_json::from_value::<ProgressParams>(params).map(|p| Notice::Progress(p.jobs)))
            }
            method::NETWORK => Some(serde_json::from_value(params).map(Notice::Network)),
            method::WHEN_DONE => {
                Some(serde_json::from_value::<WhenDoneParams>(params).map(|p| Notice::WhenDone(p.pending)))
            }
            method::ADD_DIALOG => Some(serde_json::from_value(params).map(Notice::AddDialog)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorContext;

    fn job() -> Job {
        crate::model::test_job("transferred")
    }

    #[test]
    fn every_callback_decodes_to_what_was_encoded() {
        let error = JobError {
            file_index: Some(0),
            http_status: Some(404),
            ..JobError::new(ErrorContext::RemoteFile, "http_404", "not there")
        };
        let callbacks = [
            Callback::JobTransferred { job: job() },
            Callback::JobModification { job: job() },
            Callback::JobError { job: job(), error },
        ];
        for callback in callbacks {
            let method_name = callback.method();
            let params = callback.clone().params().expect("encodes");
            assert_eq!(Callback::decode(method_name, params), Ok(callback));
        }
    }

    #[test]
    fn unknown_or_unreadable_callbacks_are_errors_to_answer() {
        let unknown = Callback::decode("job_exploded", serde_json::json!({}));
        assert_eq!(unknown.map_err(|e| e.code), Err(super::super::code::METHOD_NOT_FOUND));
        let unreadable = Callback::decode(method::JOB_ERROR, serde_json::json!({"job": 1}));
        assert_eq!(unreadable.map_err(|e| e.code), Err(super::super::code::INVALID_PARAMS));
    }

    #[test]
    fn unknown_notifications_are_ignored() {
        assert!(Notice::decode("weather", serde_json::json!({})).is_none());
        assert!(Notice::decode(method::PROGRESS, serde_json::json!({"jobs": []})).is_some_and(|n| n.is_ok()));
    }

    #[test]
    fn a_when_done_notice_decodes_to_what_was_encoded() {
        use crate::model::{WhenDoneAction, WhenDonePending};
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        for pending in [Some(WhenDonePending { action: WhenDoneAction::Poweroff, at }), None] {
            let line = Notice::WhenDone(pending.clone()).encode().expect("encodes");
            let message: Value = serde_json::from_str(&line).expect("json");
            assert_eq!(message["method"], method::WHEN_DONE);
            let decoded = Notice::decode(method::WHEN_DONE, message["params"].clone());
            assert_eq!(decoded.and_then(Result::ok), Some(Notice::WhenDone(pending)));
        }
        let line = Notice::WhenDone(Some(WhenDonePending { action: WhenDoneAction::Suspend, at })).encode();
        let message: Value = serde_json::from_str(&line.expect("encodes")).expect("json");
        assert_eq!(message["params"]["pending"]["action"], "suspend");
    }

    #[test]
    fn a_network_notice_decodes_to_what_was_encoded() {
        let status = NetworkStatus { online: false, metered: true, ..NetworkStatus::default() };
        let line = Notice::Network(status).encode().expect("encodes");
        let message: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(message["method"], method::NETWORK);
        assert_eq!(message["params"]["online"], false);
        assert_eq!(message["params"]["source"], "assumed");
        let decoded = Notice::decode(method::NETWORK, message["params"].clone());
        assert_eq!(decoded.and_then(Result::ok), Some(Notice::Network(status)));
        assert!(Notice::decode(method::NETWORK, serde_json::json!({"online": "yes"})).is_some_and(|n| n.is_err()));
    }
}
