//! `set_job`, `set_remote_name` and `take_ownership`.

use super::{Answer, empty, reply};
use crate::protocol::{RpcError, SetRemoteNameParams, TakeOwnership, parse_params, parse_set_job};
use crate::service::Session;
use serde_json::Value;

pub(super) fn set_job(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let (job_id, changes) = parse_set_job(params)?;
    let changes = match changes {
        Ok(changes) => changes,
        Err(bad_value) => {
            // A well-formed but unknown value (a flag, a priority) is reported
            // after "no such job" and "access denied", as the check order says.
            session.manager.get_job(&session.caller, job_id)?;
            return Err(bad_value);
        }
    };
    reply(session.manager.set_job(&session.caller, job_id, changes)?)
}

/// `set_priority` / `set_notify_flags`: `set_job` restricted to one property.
pub(super) fn set_one(session: &mut Session, params: Value, field: &str) -> Result<Answer, RpcError> {
    let Some(object) = params.as_object() else {
        return Err(RpcError::invalid_params("params must be an object"));
    };
    if let Some(extra) = object.keys().find(|k| *k != "job_id" && *k != field) {
        return Err(RpcError::invalid_params(format!(
            "invalid params: unknown field `{extra}`; expected job_id and {field}"
        )));
    }
    if !object.contains_key(field) {
        return Err(RpcError::invalid_params(format!("invalid params: missing field `{field}`")));
    }
    set_job(session, params)
}

pub(super) fn set_remote_name(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: SetRemoteNameParams = parse_params(params)?;
    session.manager.set_remote_name(&session.caller, p.job_id, p.file_index, &p.remote_url)?;
    empty()
}

pub(super) fn take_ownership(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let TakeOwnership { job_id } = parse_params(params)?;
    reply(session.manager.take_ownership(&session.caller, job_id)?)
}
