//! One type per method: its params, and through [`Method`] its name and the
//! type of its result. Clients send these; the service reads the same types.

use super::method;
use super::params::{
    AddFileParams, CreateJobParams, EnumJobsParams, EventsSinceParams, HelloParams, JobParams, Limits, MoveJobParams,
    SetCookiesParams, SetCredentialsParams, SetJobParams, SetNotifyInterfaceParams, SetProxyParams,
    SetRemoteNameParams,
};
use super::results::{
    CompleteResult, Empty, EventsSinceResult, FileIndexResult, HelloResult, JobIdResult, NotifyInterfaceResult,
    PositionResult, RpcInfo, StatsResult, SubscribeResult,
};
use crate::model::{EventKind, Job, JobFile, JobId, NetworkStatus, NotifyFlags, Priority, ProxyChoice, RpcListen};
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
    /// `forget_job`: removes a final job for good (its journal stays).
    ForgetJob => method::FORGET_JOB, Empty;
}

macro_rules! empty_methods {
    ($($(#[$doc:meta])* $type:ident => $name:expr, $output:ty;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
            pub struct $type {}

            impl Method for $type {
                const NAME: &'static str = $name;
                type Output = $output;
            }
        )*
    };
}

empty_methods! {
    /// `get_stats`: counts over the caller's jobs.
    GetStats => method::GET_STATS, StatsResult;
    /// `get_limits`: the service-wide limits.
    GetLimits => method::GET_LIMITS, Limits;
    /// `shutdown`: stops the service.
    Shutdown => method::SHUTDOWN, Empty;
    /// `get_rpc_info`: the aria2 endpoint's URL and the caller's secret for it.
    GetRpcInfo => method::GET_RPC_INFO, RpcInfo;
    /// `get_network`: whether the service is online, and whether the network is metered.
    GetNetwork => method::GET_NETWORK, NetworkStatus;
}

/// `subscribe`: live events and progress from now on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribe {
    /// Only events of these kinds (absent: every kind). A client that
    /// watches for one thing, such as `haul add --wait` for its job's
    /// cancellation, is not sent a `file_transferred` event for each of
    /// 10,000 files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<EventKind>>,
}

impl Method for Subscribe {
    const NAME: &'static str = method::SUBSCRIBE;
    type Output = SubscribeResult;
}

/// `set_limits`: changes the service-wide limits (absent fields stay).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SetLimits(pub Limits);

/// `set_rpc_listen`: moves the aria2 endpoint to another address (or turns it
/// off) at once, and keeps that choice across restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetRpcListen {
    /// `ADDR:PORT` or `off`.
    pub listen: RpcListen,
}

/// `set_priority`: `set_job` with only the priority (the BITS-style name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPriority {
    /// The job.
    pub job_id: JobId,
    /// Its new priority.
    pub priority: Priority,
}

/// `set_notify_flags`: `set_job` with only the notify flags (the BITS-style name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetNotifyFlags {
    /// The job.
    pub job_id: JobId,
    /// The callbacks it wants.
    pub notify_flags: NotifyFlags,
}

methods! {
    HelloParams => method::HELLO, HelloResult;
    CreateJobParams => method::CREATE_JOB, JobIdResult;
    AddFileParams => method::ADD_FILE, FileIndexResult;
    EnumJobsParams => method::ENUM_JOBS, Vec<Job>;
    SetJobParams => method::SET_JOB, Job;
    SetRemoteNameParams => method::SET_REMOTE_NAME, Empty;
    SetNotifyInterfaceParams => method::SET_NOTIFY_INTERFACE, Empty;
    EventsSinceParams => method::EVENTS_SINCE, EventsSinceResult;
    SetLimits => method::SET_LIMITS, Limits;
    SetPriority => method::SET_PRIORITY, Job;
    SetNotifyFlags => method::SET_NOTIFY_FLAGS, Job;
    MoveJobParams => method::MOVE_JOB, PositionResult;
    SetRpcListen => method::SET_RPC_LISTEN, RpcInfo;
    SetCredentialsParams => method::SET_CREDENTIALS, Job;
    SetCookiesParams => method::SET_COOKIES, Job;
    SetProxyParams => method::SET_PROXY, ProxyChoice;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every method the service answers has its type here, once.
    #[test]
    fn every_method_has_one_type() {
        let typed = [
            HelloParams::NAME,
            CreateJobParams::NAME,
            AddFileParams::NAME,
            GetJob::NAME,
            EnumJobsParams::NAME,
            EnumFiles::NAME,
            Resume::NAME,
            Suspend::NAME,
            Cancel::NAME,
            Complete::NAME,
            SetJobParams::NAME,
            SetPriority::NAME,
            SetNotifyFlags::NAME,
            SetRemoteNameParams::NAME,
            TakeOwnership::NAME,
            SetNotifyInterfaceParams::NAME,
            GetNotifyInterface::NAME,
            EventsSinceParams::NAME,
            Subscribe::NAME,
            GetStats::NAME,
            Shutdown::NAME,
            GetLimits::NAME,
            SetLimits::NAME,
            ForgetJob::NAME,
            GetRpcInfo::NAME,
            MoveJobParams::NAME,
            SetRpcListen::NAME,
            GetNetwork::NAME,
            super::super::ProbeUrl::NAME,
            super::super::ReceiveAddDialogs::NAME,
            super::super::OpenAddDialog::NAME,
            SetCredentialsParams::NAME,
            SetCookiesParams::NAME,
            SetProxyParams::NAME,
        ];
        let mut names = typed.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), typed.len(), "a method name is used twice");
        for name in typed {
            assert!(super::super::is_request_method(name), "{name} is not a method the service dispatches");
        }
        assert_eq!(super::super::REQUEST_METHODS.len(), typed.len(), "a method has no type");
    }
}
