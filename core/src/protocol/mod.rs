//! The JSON-RPC 2.0 messages of PROTOCOL.md, shared by the service and its clients:
//! framing, ids, errors, method names, one type per method with its result,
//! callbacks and notifications, and the table of requests awaiting an answer.
//! Everything that crosses the socket is defined here; `manager` and `client`
//! depend on it, never the other way.

mod callbacks;
mod dialogs;
mod error;
mod framing;
mod message;
mod methods;
mod params;
mod path;
mod pending;
mod probe;
mod results;

pub use callbacks::{Callback, Notice};
pub use dialogs::{OpenAddDialog, OpenAddDialogResult, ReceiveAddDialogs};
pub use error::{ErrorData, RpcError, code};
pub use framing::{LineRead, read_line};
pub use message::{Id, Invalid, Message, Request, Response, encode_error, encode_notification};
pub use message::{RESULT_TAIL, encode_request, encode_result, result_head};
pub use methods::{
    Cancel, Complete, EnumFiles, ForgetJob, GetJob, GetLimits, GetNetwork, GetNotifyInterface, GetRpcInfo, GetStats,
    Method, Resume, SetLimits, SetNotifyFlags, SetPriority, SetRpcListen, Shutdown, Subscribe, Suspend, TakeOwnership,
};
pub use params::{
    AddFileParams, CreateJobParams, EnumJobsParams, EventsSinceParams, HelloParams, JobChanges, JobParams, Limits,
    MoveJobParams, SetCookiesParams, SetCredentialsParams, SetJobParams, SetNotifyInterfaceParams, SetProxyParams,
    SetRemoteNameParams, Whence, parse_params, parse_set_job,
};
pub use path::{current_uid, socket_path};
pub use pending::{Pending, Slot};
pub use probe::{ProbeResult, ProbeUrl};
pub use results::{
    CompleteResult, Empty, EventsSinceResult, FileIndexResult, HelloResult, JobIdResult, JobProgressView,
    NotifyInterfaceResult, PositionResult, ProgressParams, RpcInfo, Stats, StatsResult, SubscribeResult,
};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest message line the service accepts, in bytes (without the `\n`).
pub const MAX_LINE: usize = 1 << 20;

/// The service's name and version as `hello` reports it, e.g. `haul/0.1.0`.
pub fn server_name() -> String {
    format!("haul/{}", env!("CARGO_PKG_VERSION"))
}

/// Every method a client may call, as the service dispatches them.
pub const REQUEST_METHODS: [&str; 34] = [
    method::HELLO,
    method::CREATE_JOB,
    method::ADD_FILE,
    method::GET_JOB,
    method::ENUM_JOBS,
    method::ENUM_FILES,
    method::RESUME,
    method::SUSPEND,
    method::CANCEL,
    method::COMPLETE,
    method::SET_JOB,
    method::SET_PRIORITY,
    method::SET_NOTIFY_FLAGS,
    method::SET_REMOTE_NAME,
    method::TAKE_OWNERSHIP,
    method::SET_NOTIFY_INTERFACE,
    method::GET_NOTIFY_INTERFACE,
    method::EVENTS_SINCE,
    method::SUBSCRIBE,
    method::GET_STATS,
    method::SHUTDOWN,
    method::GET_LIMITS,
    method::SET_LIMITS,
    method::FORGET_JOB,
    method::MOVE_JOB,
    method::GET_RPC_INFO,
    method::SET_RPC_LISTEN,
    method::GET_NETWORK,
    method::PROBE_URL,
    method::RECEIVE_ADD_DIALOGS,
    method::OPEN_ADD_DIALOG,
    method::SET_CREDENTIALS,
    method::SET_COOKIES,
    method::SET_PROXY,
];

/// Whether a client may call `name`.
pub fn is_request_method(name: &str) -> bool {
    REQUEST_METHODS.contains(&name)
}

/// Method names, client → service and service → sink.
pub mod method {
    /// The handshake.
    pub const HELLO: &str = "hello";
    /// This connection is a window that opens its add dialog when asked.
    pub const RECEIVE_ADD_DIALOGS: &str = "receive_add_dialogs";
    /// Asks the caller's windows to open their add dialog with links.
    pub const OPEN_ADD_DIALOG: &str = "open_add_dialog";
    /// Notification: open the add dialog with these links.
    pub const ADD_DIALOG: &str = "add_dialog";
    /// Creates a suspended job.
    pub const CREATE_JOB: &str = "create_job";
    /// Adds a file to a job.
    pub const ADD_FILE: &str = "add_file";
    /// One job.
    pub const GET_JOB: &str = "get_job";
    /// The caller's jobs.
    pub const ENUM_JOBS: &str = "enum_jobs";
    /// A job's files.
    pub const ENUM_FILES: &str = "enum_files";
    /// Queues a job.
    pub const RESUME: &str = "resume";
    /// Stops a job until resumed.
    pub const SUSPEND: &str = "suspend";
    /// Cancels a job.
    pub const CANCEL: &str = "cancel";
    /// Moves a transferred job's files into place.
    pub const COMPLETE: &str = "complete";
    /// Changes a job's properties.
    pub const SET_JOB: &str = "set_job";
    /// `set_job` with only `priority` (DESIGN.md's BITS-style name).
    pub const SET_PRIORITY: &str = "set_priority";
    /// `set_job` with only `notify_flags` (DESIGN.md's BITS-style name).
    pub const SET_NOTIFY_FLAGS: &str = "set_notify_flags";
    /// Points a file at a new URL.
    pub const SET_REMOTE_NAME: &str = "set_remote_name";
    /// An administrator takes a job over.
    pub const TAKE_OWNERSHIP: &str = "take_ownership";
    /// Registers or clears the connection as a job's sink.
    pub const SET_NOTIFY_INTERFACE: &str = "set_notify_interface";
    /// Whether a job has a sink, and whether it is this connection.
    pub const GET_NOTIFY_INTERFACE: &str = "get_notify_interface";
    /// The journal after a sequence number.
    pub const EVENTS_SINCE: &str = "events_since";
    /// Live events and progress from now on.
    pub const SUBSCRIBE: &str = "subscribe";
    /// Counts over the caller's jobs.
    pub const GET_STATS: &str = "get_stats";
    /// Stops the service.
    pub const SHUTDOWN: &str = "shutdown";
    /// `get_limits`
    pub const GET_LIMITS: &str = "get_limits";
    /// `set_limits`
    pub const SET_LIMITS: &str = "set_limits";
    /// Removes a final job for good (its journal stays).
    pub const FORGET_JOB: &str = "forget_job";
    /// Moves a job within the caller's waiting queue.
    pub const MOVE_JOB: &str = "move_job";
    /// The aria2 endpoint's URL and the caller's secret for it.
    pub const GET_RPC_INFO: &str = "get_rpc_info";
    /// Moves the aria2 endpoint to another address, or turns it off.
    pub const SET_RPC_LISTEN: &str = "set_rpc_listen";
    /// Whether the service is online, and whether the network is metered.
    pub const GET_NETWORK: &str = "get_network";
    /// What a download of a URL would be: name, size, whether it can resume.
    pub const PROBE_URL: &str = "probe_url";
    /// Request: a job's server credentials (the password to the secret store).
    pub const SET_CREDENTIALS: &str = "set_credentials";
    /// Request: a job's cookies, from a cookies.txt's text.
    pub const SET_COOKIES: &str = "set_cookies";
    /// Request: the proxy of a job or of the service.
    pub const SET_PROXY: &str = "set_proxy";
    /// Notification: a journal entry.
    pub const EVENT: &str = "event";
    /// Notification: live progress of running jobs.
    pub const PROGRESS: &str = "progress";
    /// Notification: the network state changed.
    pub const NETWORK: &str = "network";
    /// Notification: a power action started or stopped counting down.
    pub const WHEN_DONE: &str = "when_done";
    /// Callback: the job entered transferred.
    pub const JOB_TRANSFERRED: &str = "job_transferred";
    /// Callback: the job entered error.
    pub const JOB_ERROR: &str = "job_error";
    /// Callback: progress, property or state changed.
    pub const JOB_MODIFICATION: &str = "job_modification";
    /// Callback: one file's bytes are all on disk.
    pub const FILE_TRANSFERRED: &str = "file_transferred";
}
