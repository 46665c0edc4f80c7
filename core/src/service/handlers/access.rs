//! `set_credentials`, `set_cookies` and `set_proxy`: they wait for the secret
//! store (the keyring answers over D-Bus), so they run in `dispatch_waiting`.

use super::{Answer, reply};
use crate::protocol::{RpcError, SetCookiesParams, SetCredentialsParams, SetProxyParams, parse_params};
use crate::service::Session;
use serde_json::Value;

pub(super) async fn set_credentials(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: SetCredentialsParams = parse_params(params)?;
    let login = p.user_name.map(|user| (user, p.password.unwrap_or_default(), p.scheme.unwrap_or_default()));
    reply(session.manager.set_credentials(&session.caller, p.job_id, login).await?)
}

pub(super) async fn set_cookies(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: SetCookiesParams = parse_params(params)?;
    reply(session.manager.set_cookies(&session.caller, p.job_id, &p.cookies).await?)
}

pub(super) async fn set_proxy(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: SetProxyParams = parse_params(params)?;
    reply(session.manager.set_proxy(&session.caller, p.job_id, &p.proxy).await?)
}
