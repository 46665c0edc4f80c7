//! `get_stats`, `get_limits`, `set_limits` and `shutdown`.

use super::{empty, reply};
use crate::aria2::RpcStatus;
use crate::protocol::{
    GetLimits, GetNetwork, GetRpcInfo, GetStats, PROTOCOL_VERSION, RpcError, RpcInfo, SetLimits, Shutdown, StatsResult,
    parse_params, server_name,
};
use crate::service::Session;
use serde_json::Value;

pub(super) fn get_stats(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let GetStats {} = parse_params(params)?;
    reply(StatsResult {
        stats: session.manager.stats(&session.caller),
        protocol: PROTOCOL_VERSION,
        server: server_name(),
    })
}

pub(super) fn get_network(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let GetNetwork {} = parse_params(params)?;
    reply(session.manager.network())
}

pub(super) fn get_limits(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let GetLimits {} = parse_params(params)?;
    reply(session.manager.limits())
}

pub(super) fn set_limits(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let SetLimits(limits) = parse_params(params)?;
    reply(session.manager.set_limits(&session.caller, limits)?)
}

pub(super) fn shutdown(session: &mut Session, params: Value) -> Result<Value, RpcError> {
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

pub(super) fn get_rpc_info(session: &mut Session, params: Value) -> Result<Value, RpcError> {
    let GetRpcInfo {} = parse_params(params)?;
    let Some(access) = &session.rpc else {
        let off = RpcInfo { status: "off".into(), url: None, secret: None, error: None };
        return reply(off);
    };
    let (status, url, mut error) = match access.status() {
        RpcStatus::Off => ("off", None, None),
        RpcStatus::Starting => ("starting", None, None),
        RpcStatus::Listening(url) => ("listening", Some(url), None),
        RpcStatus::Failed(reason) => ("failed", None, Some(reason)),
    };
    let secret = match access.secret_for(session.caller.uid) {
        Ok(secret) => Some(secret),
        Err(reason) => {
            error = error.or(Some(reason));
            None
        }
    };
    reply(RpcInfo { status: status.into(), url, secret, error })
}
