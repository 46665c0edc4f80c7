//! Creating jobs, adding files, and reading jobs and files.

use super::reply;
use crate::manager::NewFile;
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

/// A run of `add_file` requests the client sent without waiting: one commit
/// for all, each answered as if alone (in order: one result per params).
pub(in crate::service) fn add_files(session: &mut Session, params: Vec<Value>) -> Vec<Result<Value, RpcError>> {
    let parsed: Vec<Result<AddFileParams, RpcError>> = params.into_iter().map(parse_params).collect();
    let files: Vec<NewFile<'_>> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|p| NewFile {
            job_id: p.job_id,
            remote_url: &p.remote_url,
            local_name: &p.local_name,
            sha256: p.sha256.as_deref(),
        })
        .collect();
    let mut added = session.manager.add_files(&session.caller, &files).into_iter();
    parsed
        .iter()
        .map(|p| match p {
            Err(e) => Err(e.clone()),
            Ok(_) => match added.next() {
                Some(Ok(file_index)) => reply(FileIndexResult { file_index }),
                Some(Err(e)) => Err(e.into()),
                None => Err(RpcError::internal("a file of the group got no answer")),
            },
        })
        .collect()
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
