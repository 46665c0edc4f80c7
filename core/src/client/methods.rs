//! Typed helpers for the common methods; anything else goes through `Client::call`.

use super::{Client, ClientError};
use crate::model::{Job, JobFile, JobId};
use crate::protocol::{
    AddFileParams, CompleteResult, CreateJobParams, EnumJobsParams, EventsSinceParams, EventsSinceResult,
    FileIndexResult, JobIdResult, JobParams, NotifyInterfaceResult, SetNotifyInterfaceParams, StatsResult,
    SubscribeResult, method,
};
use serde_json::{Value, json};
use std::path::Path;

impl Client {
    /// Creates a suspended job.
    pub async fn create_job(&self, params: CreateJobParams) -> Result<JobId, ClientError> {
        let result: JobIdResult = self.call(method::CREATE_JOB, params).await?;
        Ok(result.job_id)
    }

    /// Adds a file; returns its index.
    pub async fn add_file(
        &self,
        job_id: JobId,
        remote_url: &str,
        local_name: &Path,
        sha256: Option<&str>,
    ) -> Result<u32, ClientError> {
        let params = AddFileParams {
            job_id,
            remote_url: remote_url.to_string(),
            local_name: local_name.to_path_buf(),
            sha256: sha256.map(str::to_string),
        };
        let result: FileIndexResult = self.call(method::ADD_FILE, params).await?;
        Ok(result.file_index)
    }

    /// One job.
    pub async fn get_job(&self, job_id: JobId) -> Result<Job, ClientError> {
        self.call(method::GET_JOB, JobParams { job_id }).await
    }

    /// The caller's jobs (every user's with `all_users`, administrators only).
    pub async fn enum_jobs(&self, all_users: bool, include_final: bool) -> Result<Vec<Job>, ClientError> {
        let params = EnumJobsParams { all_users, include_final };
        self.call(method::ENUM_JOBS, params).await
    }

    /// A job's files.
    pub async fn enum_files(&self, job_id: JobId) -> Result<Vec<JobFile>, ClientError> {
        self.call(method::ENUM_FILES, JobParams { job_id }).await
    }

    /// Queues a job.
    pub async fn resume(&self, job_id: JobId) -> Result<(), ClientError> {
        self.job_action(method::RESUME, job_id).await
    }

    /// Stops a job until resumed.
    pub async fn suspend(&self, job_id: JobId) -> Result<(), ClientError> {
        self.job_action(method::SUSPEND, job_id).await
    }

    /// Cancels a job.
    pub async fn cancel(&self, job_id: JobId) -> Result<(), ClientError> {
        self.job_action(method::CANCEL, job_id).await
    }

    /// Moves a transferred job's files into place; returns whether it was partial.
    pub async fn complete(&self, job_id: JobId) -> Result<bool, ClientError> {
        let result: CompleteResult = self.call(method::COMPLETE, JobParams { job_id }).await?;
        Ok(result.partial)
    }

    /// Changes properties, given as a JSON object of PROTOCOL.md's `set_job` fields.
    pub async fn set_job(&self, job_id: JobId, changes: Value) -> Result<Job, ClientError> {
        let mut params = match changes {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        params.insert("job_id".into(), json!(job_id));
        self.call(method::SET_JOB, params).await
    }

    /// Makes this connection the job's sink (`true`) or clears its sink (`false`).
    pub async fn set_notify_interface(&self, job_id: JobId, register: bool) -> Result<(), ClientError> {
        let params = SetNotifyInterfaceParams { job_id, register };
        let _: Value = self.call(method::SET_NOTIFY_INTERFACE, params).await?;
        Ok(())
    }

    /// Whether the job has a sink, and whether it is this connection.
    pub async fn get_notify_interface(&self, job_id: JobId) -> Result<NotifyInterfaceResult, ClientError> {
        self.call(method::GET_NOTIFY_INTERFACE, JobParams { job_id }).await
    }

    /// The caller's journal after `seq`.
    pub async fn events_since(&self, seq: u64, limit: Option<u32>) -> Result<EventsSinceResult, ClientError> {
        self.call(method::EVENTS_SINCE, EventsSinceParams { seq, limit }).await
    }

    /// Starts `event` and `progress` notifications; returns the journal cursor.
    pub async fn subscribe(&self) -> Result<u64, ClientError> {
        let result: SubscribeResult = self.call(method::SUBSCRIBE, json!({})).await?;
        Ok(result.next_seq)
    }

    /// Counts over the caller's jobs.
    pub async fn get_stats(&self) -> Result<StatsResult, ClientError> {
        self.call(method::GET_STATS, json!({})).await
    }

    /// Asks the service to stop.
    pub async fn shutdown(&self) -> Result<(), ClientError> {
        let _: Value = self.call(method::SHUTDOWN, json!({})).await?;
        Ok(())
    }

    async fn job_action(&self, method: &str, job_id: JobId) -> Result<(), ClientError> {
        let _: Value = self.call(method, JobParams { job_id }).await?;
        Ok(())
    }
}
