//! What crosses between the window and its background client: commands the
//! widgets send, and updates the client sends back for the next frame.

use super::toast_key::ToastKey;
use crate::jobs_add::NewDownload;
use haul_core::model::{
    CostPolicy, Event, Job, JobError, JobFile, JobId, NetworkStatus, Priority, RemoteUrl, RpcListen,
};
use haul_core::protocol::{JobProgressView, Limits, ProbeResult, RpcInfo};

/// A user's request, carried out by the background client.
#[derive(Debug)]
pub enum Command {
    /// Queue (also "retry now").
    Resume(Vec<JobId>),
    /// Pause.
    Suspend(Vec<JobId>),
    /// Cancel (the window asked for confirmation).
    Cancel(Vec<JobId>),
    /// Move downloaded files into place.
    Complete(Vec<JobId>),
    /// Change the priority.
    SetPriority(Vec<JobId>, Priority),
    /// Change which networks the jobs may use.
    SetCostPolicy(Vec<JobId>, CostPolicy),
    /// Create a job from the add dialog.
    Add(Box<NewDownload>),
    /// Ask the servers of pasted links what they hold (the add dialog's
    /// preview): each link as typed, and parsed; the headers to send.
    Probe(Vec<(String, RemoteUrl)>, Vec<String>),
    /// Fetch a job's files (details panel).
    LoadFiles(JobId),
    /// Point a file at a fresh link (its link expired) and resume the job.
    RefreshLink {
        /// The job.
        job_id: JobId,
        /// The file.
        file_index: u32,
        /// The new link.
        url: RemoteUrl,
    },
    /// Open the job's first file (`reveal`: its folder instead).
    Open {
        /// The job.
        job_id: JobId,
        /// Open the folder rather than the file.
        reveal: bool,
    },
    /// Put the job's first URL on the clipboard.
    CopyUrl(JobId),
    /// Read the service's limits (settings window).
    GetLimits,
    /// Change the service's limits.
    SetLimits(Limits),
    /// Change the service's proxy (`none`, `system` or a URL).
    SetProxy(String),
    /// Read the aria2 RPC endpoint and the user's secret (settings window).
    GetRpcInfo,
    /// Move the aria2 RPC endpoint.
    SetRpcListen(RpcListen),
    /// Take jobs off the list for good: live ones are cancelled first (their
    /// partial files deleted); with `delete_files`, the finished files are
    /// deleted from the disk too.
    Remove {
        /// The jobs.
        jobs: Vec<JobId>,
        /// Delete the downloaded files as well.
        delete_files: bool,
    },
}

/// The connection to the service, as the status bar tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    /// First attempt (starting the service if needed).
    Connecting,
    /// Connected to this server (e.g. `haul/0.1.0`).
    Connected(String),
    /// Lost; trying again.
    Reconnecting(String),
}

/// What the client learnt at (re)connection.
#[derive(Clone, Debug, Default)]
pub struct Startup {
    /// Every job of the user, final ones included.
    pub jobs: Vec<Job>,
    /// What finished or failed since the saved cursor.
    pub summary: Summary,
    /// Outcomes already told (in the summary, or before the cursor): their
    /// replayed callbacks show no toast.
    pub seen: Vec<ToastKey>,
    /// The journal position now.
    pub cursor: u64,
    /// After a lost connection rather than at start.
    pub reconnect: bool,
}

/// Jobs that finished or failed while the window was closed (or disconnected).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Done.
    pub finished: Vec<JobId>,
    /// Failed.
    pub failed: Vec<JobId>,
}

impl Summary {
    /// Nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.finished.is_empty() && self.failed.is_empty()
    }
}

/// Something for the next frame.
#[derive(Debug)]
pub enum Update {
    /// The connection changed.
    Connection(Connection),
    /// Open the add dialog with these links and headers (the browser extension's "Ask where to save").
    AddDialog(haul_core::protocol::OpenAddDialog),
    /// The full picture after (re)connecting.
    Startup(Box<Startup>),
    /// A job as it is now.
    Job(Box<Job>),
    /// A journal entry, live.
    Event(Box<Event>),
    /// Live progress of running jobs.
    Progress(Vec<JobProgressView>),
    /// A job's files.
    Files(JobId, Vec<JobFile>),
    /// `job_transferred` callback.
    Finished(Box<Job>),
    /// `job_error` callback.
    Failed(Box<Job>, JobError),
    /// `file_transferred` callback.
    FileDone(JobId, Box<JobFile>),
    /// A job the window created.
    Added(JobId, String),
    /// What a pasted link's server said (the link as typed), or why it could not say.
    Probed(String, Result<ProbeResult, String>),
    /// A request failed; the sentence says what and why.
    ActionFailed(String),
    /// Text for the clipboard.
    Clipboard(String),
    /// The service's limits as they are now.
    Limits(Limits),
    /// The aria2 RPC endpoint as it is now.
    Rpc(RpcInfo),
    /// Reading or moving the aria2 RPC endpoint failed; the sentence says why.
    RpcFailed(String),
    /// A job the user cancelled, as it ended (its name and what was deleted).
    Cancelled(Box<Job>),
    /// Jobs taken off the list: `gone` are forgotten by the service; `kept`
    /// could not be (they come back); `deleted` names the files deleted from the disk.
    Removed {
        /// Forgotten.
        gone: Vec<JobId>,
        /// Not forgotten after all.
        kept: Vec<JobId>,
        /// The files deleted from the disk.
        deleted: Vec<String>,
    },
    /// The network as the service sees it (online, metered).
    Network(NetworkStatus),
    /// A power action started counting down (`Some`), or stopped.
    WhenDone(Option<haul_core::model::WhenDonePending>),
}

impl Update {
    /// Whether this is part of the stream of job changes, which a frame may
    /// show a little late (see `context::STREAM_FRAME`); everything else
    /// answers the user or changes what the window is, and is drawn at once.
    pub fn is_streamed(&self) -> bool {
        matches!(self, Update::Job(_) | Update::Event(_) | Update::Progress(_) | Update::FileDone(..))
    }
}
