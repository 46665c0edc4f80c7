//! One type per method: its params, and through [`Method`] its name and the
//! type of its result. Clients send these; the service reads the same types.

use super::method;
use super::params::{
    AddFileParams, CreateJobParams, EnumJobsParams, EventsSinceParams, HelloParams, JobParams, Limits, SetJobParams,
    SetNotifyInterfaceParams, SetRemoteNameParams,
};
use super::results::{
    CompleteResult, Empty, EventsSinceResult, FileIndexResult, HelloResult, JobIdResult, NotifyInterfaceResult,
    StatsResult, SubscribeResult,
};
use crate::model::{Job, JobFile, JobId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A request of the protocol: the params of one method.
pub trait Method: Serialize {
    /// The method's name on the wire.
    const NAME: &'static str;
    /// What the service answers.
    type Output: DeserializeOwned + Send + 'static;
}

macro_rules! methods {
    ($($params:ty => $name:expr, $output:ty;)*) => {
        $(impl Method for $params {
            const NAME: &'static str = $name;
            type Output = $output;
        })*
    };
}

macro_rules! job_methods {
    ($($(#[$doc:meta])* $type:ident => $name:expr, $output:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
            pub struct $type {
                /// The job.
                pub job_id: JobId,
            }

            impl From<$type> for JobParams {
                fn from(params: $type) -> JobParams {
                    JobParams { job_id: params.job_id }
                }
            }

            impl Method for $type {
                const NAME: &'static str = $name;
                type Output = $output;
            }
        )*
    };
}

job_methods! {
    /// `get_job`: one job.
    GetJob => method::GET_JOB, Job;
    /// `enum_files`: a job's files.
    EnumFiles => method::ENUM_FILES, Vec<JobFile>;
    /// `resume`: queues a job (also "retry now").
    Resume => method::RESUME, Empty;
    /// `suspend`: stops a job until resumed.
    Suspend => method::SUSPEND, Empty;
    /// `cancel`: stops a job and deletes its temp files.
    Cancel => method::CANCEL, Empty;
    /// `complete`: moves a transferred job's files into place.
    Complete => method::COMPLETE, CompleteResult;
    /// `take_ownership`: an administrator takes a job over.
    TakeOwnership => method::TAKE_OWNERSHIP, Job;
    /// `get_notify_interface`: whether the job has a sink, and whether it is this connection.
    GetNotifyInterface => method::GET_NOTIFY_INTERFACE, NotifyInterfaceResult;
}

/// `subscribe`: live events and progress from now on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribe {}

/// `get_stats`: counts over the caller's jobs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetStats {}

/// `get_limits`: the service-wide limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetLimits {}

/// `set_limits`: changes the service-wide limits (absent fields stay).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SetLimits(pub Limits);

/// `shutdown`: stops the service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shutdown {}

methods! {
    HelloParams => method::HELLO, HelloResult;
    CreateJobParams => method::CREATE_JOB, JobIdResult;
    AddFileParams => method::ADD_FILE, FileIndexResult;
    EnumJobsParams => method::ENUM_JOBS, Vec<Job>;
    SetJobParams => method::SET_JOB, Job;
    SetRemoteNameParams => method::SET_REMOTE_NAME, Empty;
    SetNotifyInterfaceParams => method::SET_NOTIFY_INTERFACE, Empty;
    EventsSinceParams => method::EVENTS_SINCE, EventsSinceResult;
    Subscribe => method::SUBSCRIBE, SubscribeResult;
    GetStats => method::GET_STATS, StatsResult;
    GetLimits => method::GET_LIMITS, Limits;
    SetLimits => method::SET_LIMITS, Limits;
    Shutdown => method::SHUTDOWN, Empty;
}
