//! `set_notify_interface` and `get_notify_interface`: this connection as a job's sink.

use super::{Answer, empty, reply};
use crate::notify::Sink;
use crate::protocol::{GetNotifyInterface, NotifyInterfaceResult, RpcError, SetNotifyInterfaceParams, parse_params};
use crate::service::Session;
use serde_json::Value;
use std::sync::Arc;

pub(super) fn set_notify_interface(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: SetNotifyInterfaceParams = parse_params(params)?;
    let sink = p.register.then(|| Arc::new(session.sink.clone()) as Arc<dyn Sink>);
    session.manager.set_notify_interface(&session.caller, p.job_id, sink)?;
    empty()
}

pub(super) fn get_notify_interface(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let GetNotifyInterface { job_id } = parse_params(params)?;
    let (registered, mine) = session.manager.get_notify_interface(&session.caller, job_id, session.sink.sink_id())?;
    reply(NotifyInterfaceResult { registered, mine })
}
