//! `move_job` (a new place in the waiting queue) and `forget_job` (a final job removed for good).

use super::{Answer, empty, reply};
use crate::protocol::{ForgetJob, JobParams, MoveJobParams, PositionResult, RpcError, code, parse_params};
use crate::service::Session;
use serde_json::Value;

pub(super) fn forget_job(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let ForgetJob { job_id } = parse_params(params)?;
    session.manager.forget_job(&session.caller, job_id)?;
    empty()
}

pub(super) fn move_job(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: MoveJobParams = match parse_params(params.clone()) {
        Ok(p) => p,
        Err(bad_value) if bad_value.code == code::INVALID_ARGUMENT => {
            // A well-formed but unknown `how` is reported after "no such job"
            // and "access denied", as the check order says.
            let JobParams { job_id } = parse_params(params)?;
            session.manager.get_job(&session.caller, job_id)?;
            return Err(bad_value);
        }
        Err(e) => return Err(e),
    };
    let position = session.manager.move_job(&session.caller, p.job_id, p.position, p.how)?;
    reply(PositionResult { position })
}
