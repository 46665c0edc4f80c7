//! The service's methods, one concept per file; `dispatch` is the table of contents.

mod access;
mod actions;
mod admin;
mod dialogs;
mod hello;
pub(super) mod jobs;
mod journal;
mod notify;
mod probe;
mod properties;
mod queue;
mod rpc;

use super::Session;
use super::pieces::List;
use crate::protocol::{RpcError, method};
use serde::Serialize;
use serde_json::Value;

/// What a method answers: most a value, long lists read as they are written.
pub(super) enum Answer {
    /// A short result, written whole.
    Value(Value),
    /// A list of any length, sent in pieces (see `pieces.rs`).
    List(List),
}

/// Runs `method` for the session's caller.
pub(super) fn dispatch(session: &mut Session, method: &str, params: Value) -> Result<Answer, RpcError> {
    match method {
        method::HELLO => hello::hello(session, params),
        method::CREATE_JOB => jobs::create_job(session, params),
        method::ADD_FILE => jobs::add_file(session, params),
        method::GET_JOB => jobs::get_job(session, params),
        method::ENUM_JOBS => jobs::enum_jobs(session, params),
        method::ENUM_FILES => jobs::enum_files(params),
        method::RESUME => actions::resume(session, params),
        method::SUSPEND => actions::suspend(session, params),
        method::CANCEL => actions::cancel(session, params),
        method::COMPLETE => actions::complete(session, params),
        method::SET_JOB => properties::set_job(session, params),
        method::SET_PRIORITY => properties::set_one(session, params, "priority"),
        method::SET_NOTIFY_FLAGS => properties::set_one(session, params, "notify_flags"),
        method::SET_REMOTE_NAME => properties::set_remote_name(session, params),
        method::TAKE_OWNERSHIP => properties::take_ownership(session, params),
        method::SET_NOTIFY_INTERFACE => notify::set_notify_interface(session, params),
        method::GET_NOTIFY_INTERFACE => notify::get_notify_interface(session, params),
        method::EVENTS_SINCE => journal::events_since(session, params),
        method::SUBSCRIBE => journal::subscribe(session, params),
        method::GET_STATS => admin::get_stats(session, params),
        method::SHUTDOWN => admin::shutdown(session, params),
        method::GET_LIMITS => admin::get_limits(session, params),
        method::SET_LIMITS => admin::set_limits(session, params),
        method::GET_RPC_INFO => rpc::get_rpc_info(session, params),
        method::SET_RPC_LISTEN => {
            Err(RpcError::internal("set_rpc_listen waits for the endpoint: send it through Session::handle"))
        }
        method::PROBE_URL => Err(RpcError::internal("probe_url waits for a server: send it through Session::handle")),
        method::SET_CREDENTIALS | method::SET_COOKIES | method::SET_PROXY => {
            Err(RpcError::internal("secrets wait for the keyring: send them through Session::handle"))
        }
        method::GET_NETWORK => admin::get_network(session, params),
        method::FORGET_JOB => queue::forget_job(session, params),
        method::MOVE_JOB => queue::move_job(session, params),
        method::RECEIVE_ADD_DIALOGS => dialogs::receive_add_dialogs(session, params),
        method::OPEN_ADD_DIALOG => dialogs::open_add_dialog(session, params),
        other => Err(RpcError::method_not_found(other)),
    }
}

/// Runs `method` if it is one that waits (for more than the job manager);
/// else hands the params back for [`dispatch`].
pub(super) async fn dispatch_waiting(
    session: &mut Session,
    method: &str,
    params: Value,
) -> Result<Result<Answer, RpcError>, Value> {
    match method {
        method::SET_RPC_LISTEN => Ok(rpc::set_rpc_listen(session, params).await),
        method::PROBE_URL => Ok(probe::probe_url(session, params).await),
        method::SET_CREDENTIALS => Ok(access::set_credentials(session, params).await),
        method::SET_COOKIES => Ok(access::set_cookies(session, params).await),
        method::SET_PROXY => Ok(access::set_proxy(session, params).await),
        _ => Err(params),
    }
}

/// A result as JSON.
fn value<T: Serialize>(result: T) -> Result<Value, RpcError> {
    serde_json::to_value(result).map_err(|e| RpcError::internal(format!("cannot encode the result: {e}")))
}

/// A result as the answer.
fn reply<T: Serialize>(result: T) -> Result<Answer, RpcError> {
    value(result).map(Answer::Value)
}

/// The `{}` result.
fn empty() -> Result<Answer, RpcError> {
    Ok(Answer::Value(Value::Object(serde_json::Map::new())))
}
