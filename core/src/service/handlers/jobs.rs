//! Creating jobs, adding files, and reading jobs and files.

use super::reply;
use crate::protocol::{
    AddFileParams, CreateJobParams, EnumJobsParams, FileIndexResult, JobIdResult, JobParams, RpcError, parse_params,
};
use crate::service::Session;
use serde_json::Value;

pub(super) fn create_job(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let params: CreateJobParams = parse_params(params)?;
    let job_id = session.manager.create_job(&session.caller, params.into())?;
    reply(JobIdResult { job_id })
}

pub(super) fn add_file(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let p: AddFileParams = parse_params(params)?;
    let file_index =
        session.manager.add_file(&session.caller, p.job_id, &p.remote_url, &p.local_name, p.sha256.as_deref())?;
    reply(FileIndexResult { file_index })
}

pub(super) fn get_job(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let JobParams { job_id } = parse_params(params)?;
    reply(session.manager.get_job(&session.caller, job_id)?)
}

pub(super) fn enum_jobs(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let p: EnumJobsParams = parse_params(params)?;
    reply(session.manager.enum_jobs(&session.caller, p.all_users, p.include_final)?)
}

pub(super) fn enum_files(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let JobParams { job_id } = parse_params(params)?;
    reply(session.manager.enum_files(&session.caller, job_id)?)
}
