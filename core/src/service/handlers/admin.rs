//! `get_stats`, `get_limits`, `set_limits` and `shutdown`.

use super::{Answer, empty, reply};
use crate::protocol::{
    GetLimits, GetNetwork, GetStats, PROTOCOL_VERSION, RpcError, SetLimits, Shutdown, StatsResult, parse_params,
    server_name,
};
use crate::service::Session;
use serde_json::Value;

pub(super) fn get_stats(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetStats {} = parse_params(params)?;
    reply(StatsResult {
        stats: session.manager.stats(&session.caller),
        protocol: PROTOCOL_VERSION,
        server: server_name(),
    })
}

pub(super) fn get_network(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetNetwork {} = parse_params(params)?;
    reply(session.manager.network())
}

pub(super) fn get_limits(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetLimits {} = parse_params(params)?;
    reply(session.manager.limits())
}

pub(super) fn set_limits(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let SetLimits(limits) = parse_params(params)?;
    reply(session.manager.set_limits(&session.caller, limits)?)
}

pub(super) fn shutdown(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Shutdown {} = parse_params(params)?;
    let caller = session.caller;
    if !caller.admin && caller.uid != session.service_uid {
        return Err(RpcError::access_denied(format!(
            "uid {} may not stop the service; only an administrator or uid {} (the service's user) may",
            caller.uid, session.service_uid
        )));
    }
    session.stop_requested = true;
    empty()
}
