//! Creating jobs, adding files, and reading jobs and files.

use super::{Answer, reply, value};
use crate::protocol::{
    AddFileParams, CreateJobParams, EnumFiles, EnumJobsParams, FileIndexResult, GetJob, JobIdResult, RpcError,
    parse_params,
};
use crate::service::Session;
use crate::service::pieces::List;
use serde_json::Value;

pub(super) fn create_job(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let params: CreateJobParams = parse_params(params)?;
    let job_id = session.manager.create_job(&session.caller, params)?;
    reply(JobIdResult { job_id })
}

pub(super) fn add_file(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let new: AddFileParams = parse_params(params)?;
    let file_index = session.manager.add_file(&session.caller, &new)?;
    reply(FileIndexResult { file_index })
}

/// A run of `add_file` requests the client sent without waiting: one commit
/// for all, each answered as if alone (in order: one result per params).
pub(in crate::service) fn add_files(session: &mut Session, params: Vec<Value>) -> Vec<Result<Value, RpcError>> {
    let mut parsed: Vec<Result<(), RpcError>> = Vec::with_capacity(params.len());
    let mut files: Vec<AddFileParams> = Vec::with_capacity(params.len());
    for p in params {
        parsed.push(parse_params(p).map(|file| files.push(file)));
    }
    let mut added = session.manager.add_files(&session.caller, &files).into_iter();
    parsed
        .into_iter()
        .map(|p| match p {
            Err(e) => Err(e),
            Ok(()) => match added.next() {
                Some(Ok(file_index)) => value(FileIndexResult { file_index }),
                Some(Err(e)) => Err(e.into()),
                None => Err(RpcError::internal("a file of the group got no answer")),
            },
        })
        .collect()
}

pub(super) fn get_job(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetJob { job_id } = parse_params(params)?;
    reply(session.manager.get_job(&session.caller, job_id)?)
}

pub(super) fn enum_jobs(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: EnumJobsParams = parse_params(params)?;
    let (query, job_ids) = session.manager.job_ids(&session.caller, p.all_users, p.include_final)?;
    Ok(Answer::List(List::Jobs { query, job_ids }))
}

pub(super) fn enum_files(params: Value) -> Result<Answer, RpcError> {
    let EnumFiles { job_id } = parse_params(params)?;
    Ok(Answer::List(List::Files { job_id }))
}
