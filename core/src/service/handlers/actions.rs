//! `resume`, `suspend`, `cancel` and `complete`.

use super::{Answer, empty, reply};
use crate::protocol::{Cancel, Complete, CompleteResult, Resume, RpcError, Suspend, parse_params};
use crate::service::Session;
use serde_json::Value;

pub(super) fn resume(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Resume { job_id } = parse_params(params)?;
    session.manager.resume(&session.caller, job_id)?;
    empty()
}

pub(super) fn suspend(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Suspend { job_id } = parse_params(params)?;
    session.manager.suspend(&session.caller, job_id)?;
    empty()
}

pub(super) fn cancel(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Cancel { job_id } = parse_params(params)?;
    session.manager.cancel(&session.caller, job_id)?;
    empty()
}

pub(super) fn complete(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Complete { job_id } = parse_params(params)?;
    let partial = session.manager.complete(&session.caller, job_id)?;
    reply(CompleteResult { partial })
}
