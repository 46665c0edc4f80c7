//! The job model's types: ids, states, priorities, flags, errors, jobs and files.
//! Everything here is plain data that serializes as PROTOCOL.md describes.

mod access;
mod caller;
mod error;
mod flags;
mod ids;
mod job;
#[cfg(test)]
pub(crate) use job::test_job;
mod network;
mod priority;
mod ranges;
mod schedule;
mod state;
mod temp_name;
mod values;
mod when_done;

pub use access::{AuthScheme, Credentials, ProxyChoice, ProxyUrl, redact};
pub use caller::Caller;
pub use error::{ErrorContext, JobError};
pub use flags::NotifyFlags;
pub use ids::{FileIndex, JobId};
pub use job::{
    DEFAULT_MAX_CONNECTIONS, Event, EventKind, FileProgress, Job, JobFile, JobTimes, MAX_CONNECTIONS_LIMIT,
    NotifyCmdLine, Progress,
};
pub use network::{Connectivity, CostPolicy, NO_NETWORK, NetworkSource, NetworkStatus, WaitReason, no_network_error};
pub use priority::Priority;
pub use ranges::RangeSet;
pub use schedule::{ClockTime, DAY_NAMES, Days, ScheduleNow, ScheduleWindow};
pub use state::JobState;
pub use temp_name::TempName;
pub use values::{INVALID_VALUE_PREFIX, InvalidValue, RemoteUrl, RpcListen, check_header, check_sha256};
pub use when_done::{WhenDone, WhenDoneAction, WhenDonePending};
