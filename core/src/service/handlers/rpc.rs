//! `get_rpc_info` and `set_rpc_listen`: the aria2 endpoint as the caller may
//! use it, and moving it to another address.

use super::{Answer, reply};
use crate::aria2::{Endpoint, ListenError, RpcStatus};
use crate::protocol::{GetRpcInfo, RpcError, RpcInfo, SetRpcListen, code, parse_params};
use crate::service::Session;
use serde_json::Value;

pub(super) fn get_rpc_info(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetRpcInfo {} = parse_params(params)?;
    let Some(endpoint) = session.rpc.clone() else {
        return reply(off());
    };
    reply(info(session, &endpoint))
}

/// Moves the endpoint; the reply waits until it listens or has failed.
pub(super) async fn set_rpc_listen(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let SetRpcListen { listen } = parse_params(params)?;
    let Some(endpoint) = session.rpc.clone() else {
        return Err(RpcError::new(code::INVALID_STATE, "invalid_state", "this service runs no aria2 RPC endpoint"));
    };
    let caller = session.caller;
    let allowed = if endpoint.is_system() { caller.admin } else { caller.uid == session.service_uid };
    if !allowed {
        let who = if endpoint.is_system() {
            "an administrator".to_string()
        } else {
            format!("uid {} (the service's user)", session.service_uid)
        };
        return Err(RpcError::access_denied(format!(
            "uid {} may not move the aria2 RPC endpoint; only {who} may",
            caller.uid
        )));
    }
    match endpoint.set_listen(listen).await {
        Ok(()) => {}
        Err(ListenError::Refused(reason)) => return Err(RpcError::invalid_argument(format!("listen: {reason}"))),
        Err(ListenError::NotSaved(reason)) => return Err(RpcError::internal(reason)),
    }
    reply(info(session, &endpoint))
}

/// The endpoint's status and address, and the caller's secret.
fn info(session: &Session, endpoint: &Endpoint) -> RpcInfo {
    let access = endpoint.access();
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
    RpcInfo { status: status.into(), url, secret, error, listen: endpoint.listen() }
}

/// The answer of a service without an endpoint.
fn off() -> RpcInfo {
    RpcInfo { status: "off".into(), url: None, secret: None, error: None, listen: None }
}
