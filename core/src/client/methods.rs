//! A typed method for every method of the protocol (`hello` is `Client::connect`).

use super::{Client, ClientError};
use crate::model::RemoteUrl;
use crate::model::{EventKind, Job, JobFile, JobId, NetworkStatus, NotifyFlags, Priority, RpcListen};
use crate::protocol::{
    AddFileParams, Cancel, Complete, CreateJobParams, EnumFiles, EnumJobsParams, EventsSinceParams, EventsSinceResult,
    ForgetJob, GetJob, GetLimits, GetNetwork, GetNotifyInterface, GetRpcInfo, GetStats, JobChanges, Limits,
    MoveJobParams, NotifyInterfaceResult, ProbeResult, ProbeUrl, Resume, RpcInfo, SetJobParams, SetLimits,
    SetNotifyFlags, SetNotifyInterfaceParams, SetPriority, SetRemoteNameParams, SetRpcListen, Shutdown, StatsResult,
    Subscribe, Suspend, TakeOwnership, Whence, code,
};

impl Client {
    /// Creates a suspended job.
    pub async fn create_job(&self, params: CreateJobParams) -> Result<JobId, ClientError> {
        Ok(self.request(params).await?.job_id)
    }

    /// Adds a file; returns its index.
    pub async fn add_file(&self, params: AddFileParams) -> Result<u32, ClientError> {
        Ok(self.request(params).await?.file_index)
    }

    /// One job.
    pub async fn get_job(&self, job_id: JobId) -> Result<Job, ClientError> {
        self.request(GetJob { job_id }).await
    }

    /// The caller's jobs (every user's with `all_users`, administrators only).
    pub async fn enum_jobs(&self, all_users: bool, include_final: bool) -> Result<Vec<Job>, ClientError> {
        self.request(EnumJobsParams { all_users, include_final }).await
    }

    /// A job's files.
    pub async fn enum_files(&self, job_id: JobId) -> Result<Vec<JobFile>, ClientError> {
        self.request(EnumFiles { job_id }).await
    }

    /// Queues a job (also "retry now" for a failed one).
    pub async fn resume(&self, job_id: JobId) -> Result<(), ClientError> {
        self.request(Resume { job_id }).await.map(drop)
    }

    /// Stops a job until resumed.
    pub async fn suspend(&self, job_id: JobId) -> Result<(), ClientError> {
        self.request(Suspend { job_id }).await.map(drop)
    }

    /// Cancels a job.
    pub async fn cancel(&self, job_id: JobId) -> Result<(), ClientError> {
        self.request(Cancel { job_id }).await.map(drop)
    }

    /// Moves a transferred job's files into place; returns whether it was partial.
    pub async fn complete(&self, job_id: JobId) -> Result<bool, ClientError> {
        Ok(self.request(Complete { job_id }).await?.partial)
    }

    /// Completes a transferred job: the one rule every client follows. A job
    /// that is no longer live (the service's auto-complete came first, as
    /// PROTOCOL.md says a racing client should expect) counts as done.
    pub async fn complete_transferred(&self, job_id: JobId) -> Result<(), ClientError> {
        match self.complete(job_id).await {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(code::INVALID_STATE) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Removes a final (acknowledged or cancelled) job for good; its journal stays.
    pub async fn forget_job(&self, job_id: JobId) -> Result<(), ClientError> {
        self.request(ForgetJob { job_id }).await.map(drop)
    }

    /// Moves a waiting job within the caller's queue (aria2's `changePosition`);
    /// returns its new 0-based place.
    pub async fn move_job(&self, job_id: JobId, position: i64, how: Whence) -> Result<u64, ClientError> {
        Ok(self.request(MoveJobParams { job_id, position, how }).await?.position)
    }

    /// Changes a job's properties; returns the job as it is now.
    pub async fn set_job(&self, job_id: JobId, changes: JobChanges) -> Result<Job, ClientError> {
        self.request(SetJobParams { job_id, changes }).await
    }

    /// Changes only the priority (`set_priority`); returns the job as it is now.
    pub async fn set_priority(&self, job_id: JobId, priority: Priority) -> Result<Job, ClientError> {
        self.request(SetPriority { job_id, priority }).await
    }

    /// Changes only the notify flags (`set_notify_flags`); returns the job as it is now.
    pub async fn set_notify_flags(&self, job_id: JobId, notify_flags: NotifyFlags) -> Result<Job, ClientError> {
        self.request(SetNotifyFlags { job_id, notify_flags }).await
    }

    /// Points a file at a new URL.
    pub async fn set_remote_name(
        &self,
        job_id: JobId,
        file_index: u32,
        remote_url: RemoteUrl,
    ) -> Result<(), ClientError> {
        self.request(SetRemoteNameParams { job_id, file_index, remote_url }).await.map(drop)
    }

    /// An administrator takes a job over.
    pub async fn take_ownership(&self, job_id: JobId) -> Result<Job, ClientError> {
        self.request(TakeOwnership { job_id }).await
    }

    /// Makes this connection the job's sink (`true`) or clears its sink (`false`).
    pub async fn set_notify_interface(&self, job_id: JobId, register: bool) -> Result<(), ClientError> {
        self.request(SetNotifyInterfaceParams { job_id, register }).await.map(drop)
    }

    /// Whether the job has a sink, and whether it is this connection.
    pub async fn get_notify_interface(&self, job_id: JobId) -> Result<NotifyInterfaceResult, ClientError> {
        self.request(GetNotifyInterface { job_id }).await
    }

    /// The caller's journal after `seq`.
    pub async fn events_since(&self, seq: u64, limit: Option<u32>) -> Result<EventsSinceResult, ClientError> {
        self.request(EventsSinceParams { seq, limit }).await
    }

    /// Starts `event` and `progress` notifications; returns the journal cursor.
    pub async fn subscribe(&self) -> Result<u64, ClientError> {
        Ok(self.request(Subscribe::default()).await?.next_seq)
    }

    /// Like [`Client::subscribe`], but only events of these kinds come as
    /// `event` notifications (progress and the rest as before).
    pub async fn subscribe_to(&self, kinds: &[EventKind]) -> Result<u64, ClientError> {
        Ok(self.request(Subscribe { kinds: Some(kinds.to_vec()) }).await?.next_seq)
    }

    /// Counts over the caller's jobs.
    pub async fn get_stats(&self) -> Result<StatsResult, ClientError> {
        self.request(GetStats {}).await
    }

    /// Sets a job's server credentials (the password goes to the service's
    /// secret store); `None` removes them.
    pub async fn set_credentials(
        &self,
        job_id: JobId,
        login: Option<(String, String, crate::model::AuthScheme)>,
    ) -> Result<Job, ClientError> {
        let params = match login {
            Some((user, password, scheme)) => crate::protocol::SetCredentialsParams {
                job_id,
                user_name: Some(user),
                password: Some(password),
                scheme: Some(scheme),
            },
            None => crate::protocol::SetCredentialsParams { job_id, ..Default::default() },
        };
        self.request(params).await
    }

    /// Sets the cookies a job sends, from a Netscape cookies.txt's text.
    pub async fn set_cookies(&self, job_id: JobId, cookies: String) -> Result<Job, ClientError> {
        self.request(crate::protocol::SetCookiesParams { job_id, cookies }).await
    }

    /// Sets the proxy of a job (or, with `None`, the service's); returns it as kept.
    pub async fn set_proxy(
        &self,
        job_id: Option<JobId>,
        proxy: String,
    ) -> Result<crate::model::ProxyChoice, ClientError> {
        self.request(crate::protocol::SetProxyParams { job_id, proxy }).await
    }

    /// The service-wide limits.
    pub async fn get_limits(&self) -> Result<Limits, ClientError> {
        self.request(GetLimits {}).await
    }

    /// Changes the service-wide limits (absent fields stay); returns them as they are now.
    pub async fn set_limits(&self, limits: Limits) -> Result<Limits, ClientError> {
        self.request(SetLimits(limits)).await
    }

    /// The aria2 endpoint's URL and this user's secret for it.
    pub async fn get_rpc_info(&self) -> Result<RpcInfo, ClientError> {
        self.request(GetRpcInfo {}).await
    }

    /// Moves the aria2 endpoint to `listen` (or turns it off) and keeps that
    /// choice; returns the endpoint as it is now (a port in use: status `failed`).
    pub async fn set_rpc_listen(&self, listen: RpcListen) -> Result<RpcInfo, ClientError> {
        self.request(SetRpcListen { listen }).await
    }

    /// Whether the service is online, and whether the network is metered.
    pub async fn get_network(&self) -> Result<NetworkStatus, ClientError> {
        self.request(GetNetwork {}).await
    }

    /// What a download of `url` would be (name, size, whether it can resume),
    /// asked of its server with `headers`; the answer waits for the server
    /// (at most 10 s), and so do this connection's later requests.
    pub async fn probe_url(&self, url: RemoteUrl, headers: Vec<String>) -> Result<ProbeResult, ClientError> {
        let headers = (!headers.is_empty()).then_some(headers);
        self.request(ProbeUrl { url, headers }).await
    }

    /// Makes this connection a window: `add_dialog` notifications come to it
    /// (as [`Incoming::AddDialog`](super::Incoming::AddDialog)).
    pub async fn receive_add_dialogs(&self) -> Result<(), ClientError> {
        self.request(crate::protocol::ReceiveAddDialogs {}).await.map(drop)
    }

    /// Asks the caller's windows to open their add dialog with `links`; false when none is connected.
    pub async fn open_add_dialog(&self, links: Vec<RemoteUrl>, headers: Vec<String>) -> Result<bool, ClientError> {
        Ok(self.request(crate::protocol::OpenAddDialog { links, headers }).await?.shown)
    }

    /// Asks the service to stop.
    pub async fn shutdown(&self) -> Result<(), ClientError> {
        self.request(Shutdown {}).await.map(drop)
    }
}
