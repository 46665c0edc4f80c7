//! `hello`: the handshake that checks the protocol version.

use super::{Answer, reply};
use crate::protocol::{HelloParams, HelloResult, PROTOCOL_VERSION, RpcError, parse_params, server_name};
use crate::service::Session;
use serde_json::Value;

pub(super) fn hello(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let params: HelloParams = parse_params(params)?;
    if params.protocol != PROTOCOL_VERSION {
        return Err(RpcError::protocol(format!(
            "protocol version {} is not supported; this service speaks version {PROTOCOL_VERSION}",
            params.protocol
        )));
    }
    session.greeted = true;
    tracing::debug!("hello from uid {} ({})", session.caller.uid, params.client.as_deref().unwrap_or("unnamed client"));
    reply(HelloResult { protocol: PROTOCOL_VERSION, server: server_name(), caller: session.caller })
}
