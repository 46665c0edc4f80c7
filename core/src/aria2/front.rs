//! The aria2 front end: checks each call's secret, runs `system.multicall`,
//! and dispatches aria2's methods (one table) to the reading and acting
//! halves, all as the user the secret names, through the job manager with the
//! same access rules as the socket.

use super::access::RpcAccess;
use super::{Aria2Error, act, read, status};
use crate::Manager;
use crate::model::{Caller, Job, JobId, RemoteUrl};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio_util::sync::CancellationToken;

/// Every method this front end answers, as `system.listMethods` lists them.
pub const METHODS: [&str; 36] = [
    "aria2.addUri",
    "aria2.addTorrent",
    "aria2.addMetalink",
    "aria2.getPeers",
    "aria2.remove",
    "aria2.forceRemove",
    "aria2.pause",
    "aria2.pauseAll",
    "aria2.forcePause",
    "aria2.forcePauseAll",
    "aria2.unpause",
    "aria2.unpauseAll",
    "aria2.tellStatus",
    "aria2.getUris",
    "aria2.getFiles",
    "aria2.getServers",
    "aria2.tellActive",
    "aria2.tellWaiting",
    "aria2.tellStopped",
    "aria2.getOption",
    "aria2.changeUri",
    "aria2.changeOption",
    "aria2.getGlobalOption",
    "aria2.changeGlobalOption",
    "aria2.purgeDownloadResult",
    "aria2.removeDownloadResult",
    "aria2.changePosition",
    "aria2.getVersion",
    "aria2.getSessionInfo",
    "aria2.shutdown",
    "aria2.forceShutdown",
    "aria2.getGlobalStat",
    "aria2.saveSession",
    "system.multicall",
    "system.listMethods",
    "system.listNotifications",
];

/// The notifications a WebSocket client may get.
pub const NOTIFICATIONS: [&str; 6] = [
    "aria2.onDownloadStart",
    "aria2.onDownloadPause",
    "aria2.onDownloadStop",
    "aria2.onDownloadComplete",
    "aria2.onDownloadError",
    "aria2.onBtDownloadComplete",
];

/// What the front end knows; shared by every connection of the endpoint.
pub struct Front {
    pub(super) manager: Manager,
    pub(super) access: Arc<RpcAccess>,
    /// Where downloads go without a `dir` option (per-user mode only).
    pub(super) default_dir: Option<PathBuf>,
    /// The service's own user: the one who may shut it down.
    pub(super) service_uid: u32,
    pub(super) system: bool,
    pub(super) stop: CancellationToken,
    pub(super) session_id: String,
    /// The other URIs of a download added with several (mirrors), tried in
    /// turn when it fails. Kept while the service runs.
    mirrors: Mutex<HashMap<JobId, VecDeque<RemoteUrl>>>,
}

impl Front {
    /// A front end over `manager`; `stop` is the service's stop signal.
    pub fn new(
        manager: Manager,
        access: Arc<RpcAccess>,
        default_dir: Option<PathBuf>,
        system: bool,
        stop: CancellationToken,
    ) -> Front {
        Front {
            manager,
            access,
            default_dir,
            service_uid: crate::users::service_uid(),
            system,
            stop,
            session_id: uuid::Uuid::new_v4().simple().to_string(),
            mirrors: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn mirrors(&self) -> MutexGuard<'_, HashMap<JobId, VecDeque<RemoteUrl>>> {
        // Only whole values are stored under this lock, so a poisoned one is intact.
        self.mirrors.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one call; `Ok` with the caller the secret named (if any) so a
    /// WebSocket can send that user's notifications.
    pub fn call(&self, method: &str, params: Value) -> (Result<Value, Aria2Error>, Option<Caller>) {
        let mut params = match params {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            // JSON-RPC's (and aria2's) "Invalid params", so clients can tell it from a failed call.
            _ => return (Err(Aria2Error::with_code(-32602, "Invalid params: params must be an array")), None),
        };
        match method {
            "system.listMethods" => (Ok(json!(METHODS.as_slice())), None),
            "system.listNotifications" => (Ok(json!(NOTIFICATIONS.as_slice())), None),
            "system.multicall" => self.multicall(params),
            _ if method.starts_with("aria2.") => {
                let token = match params.first() {
                    Some(Value::String(token)) if token.starts_with("token:") => token.clone(),
                    _ => return (Err(Aria2Error::unauthorized()), None),
                };
                let Some(caller) = self.access.caller_for(&token) else {
                    return (Err(Aria2Error::unauthorized()), None);
                };
                params.remove(0);
                (self.dispatch(&caller, method, params), Some(caller))
            }
            other => (Err(Aria2Error::new(format!("No such method: {other}"))), None),
        }
    }

    /// `system.multicall([{methodName, params}, …])`: each result wrapped in
    /// an array, each error as a struct; every call carries its own secret.
    fn multicall(&self, params: Vec<Value>) -> (Result<Value, Aria2Error>, Option<Caller>) {
        let Some(Value::Array(calls)) = params.into_iter().next() else {
            return (Err(Aria2Error::new("system.multicall takes an array of calls")), None);
        };
        let mut caller = None;
        let results: Vec<Value> = calls
            .into_iter()
            .map(|call| {
                let Value::Object(mut call) = call else {
                    return Aria2Error::new("a call of system.multicall must be a struct").to_value();
                };
                let method = match call.remove("methodName") {
                    Some(Value::String(method)) if method != "system.multicall" => method,
                    Some(Value::String(_)) => {
                        return Aria2Error::new("system.multicall cannot call itself").to_value();
                    }
                    _ => return Aria2Error::new("a call of system.multicall needs a methodName").to_value(),
                };
                let (result, who) = self.call(&method, call.remove("params").unwrap_or(Value::Null));
                caller = caller.or(who);
                match result {
                    Ok(value) => Value::Array(vec![value]),
                    Err(e) => e.to_value(),
                }
            })
            .collect();
        (Ok(Value::Array(results)), caller)
    }

    fn dispatch(&self, caller: &Caller, method: &str, params: Vec<Value>) -> Result<Value, Aria2Error> {
        let p = Params(params);
        match method {
            "aria2.addUri" => act::add_uri(self, caller, &p),
            "aria2.remove" | "aria2.forceRemove" => act::remove(self, caller, &p),
            "aria2.pause" | "aria2.forcePause" => act::pause(self, caller, &p),
            "aria2.pauseAll" | "aria2.forcePauseAll" => act::pause_all(self, caller),
            "aria2.unpause" => act::unpause(self, caller, &p),
            "aria2.unpauseAll" => act::unpause_all(self, caller),
            "aria2.removeDownloadResult" => act::remove_result(self, caller, &p),
            "aria2.purgeDownloadResult" => act::purge_results(self, caller),
            "aria2.changePosition" => act::change_position(self, caller, &p),
            "aria2.changeOption" => act::change_option(self, caller, &p),
            "aria2.changeGlobalOption" => act::change_global_option(self, caller, &p),
            "aria2.saveSession" => Ok(json!("OK")),
            "aria2.shutdown" | "aria2.forceShutdown" => act::shutdown(self, caller),
            "aria2.tellStatus" => read::tell_status(self, caller, &p),
            "aria2.tellActive" => read::tell_active(self, caller, &p),
            "aria2.tellWaiting" => read::tell_waiting(self, caller, &p),
            "aria2.tellStopped" => read::tell_stopped(self, caller, &p),
            "aria2.getFiles" => read::get_files(self, caller, &p),
            "aria2.getUris" => read::get_uris(self, caller, &p),
            "aria2.getServers" => read::get_servers(self, caller, &p),
            "aria2.getOption" => read::get_option(self, caller, &p),
            "aria2.getGlobalOption" => read::get_global_option(self),
            "aria2.getGlobalStat" => read::get_global_stat(self, caller),
            "aria2.getVersion" => read::get_version(),
            "aria2.getSessionInfo" => Ok(json!({ "sessionId": self.session_id })),
            "aria2.addTorrent" | "aria2.addMetalink" | "aria2.getPeers" => {
                Err(Aria2Error::new(format!("{method}: BitTorrent and Metalink are not supported by Haul")))
            }
            "aria2.changeUri" => Err(Aria2Error::new("aria2.changeUri is not supported by Haul")),
            other => Err(Aria2Error::new(format!("No such method: {other}"))),
        }
    }

    /// The caller's job with this GID (or unique GID prefix).
    pub(super) fn job(&self, caller: &Caller, gid: &str) -> Result<Job, Aria2Error> {
        if !status::looks_like_gid(gid) {
            return Err(Aria2Error::new(format!("Bad GID {gid}")));
        }
        let gid = gid.to_ascii_lowercase();
        let jobs = self.manager.enum_jobs(caller, false, true)?;
        let mut found = jobs.into_iter().filter(|job| status::gid(job.id).starts_with(&gid));
        match (found.next(), found.next()) {
            (Some(job), None) => Ok(job),
            (Some(_), Some(_)) => Err(Aria2Error::new(format!("GID {gid} is not unique"))),
            (None, _) => Err(Aria2Error::new(format!("GID {gid} is not found"))),
        }
    }

    /// The caller's jobs in the order aria2 lists them.
    pub(super) fn jobs(&self, caller: &Caller) -> Result<Vec<Job>, Aria2Error> {
        Ok(self.manager.enum_jobs(caller, false, true)?)
    }
}

/// A call's params after the secret, read by position.
pub(super) struct Params(pub(super) Vec<Value>);

impl Params {
    /// The GID at `index`.
    pub(super) fn gid(&self, index: usize) -> Result<&str, Aria2Error> {
        match self.0.get(index) {
            Some(Value::String(gid)) => Ok(gid),
            _ => Err(Aria2Error::new("a GID (a string) is expected")),
        }
    }

    /// An integer at `index` (aria2 takes numbers, some clients send strings).
    pub(super) fn int(&self, index: usize, what: &str) -> Result<i64, Aria2Error> {
        match self.0.get(index) {
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| Aria2Error::new(format!("{what} must be an integer"))),
            Some(Value::String(s)) => s.parse().map_err(|_| Aria2Error::new(format!("{what} must be an integer"))),
            _ => Err(Aria2Error::new(format!("{what} is missing"))),
        }
    }

    /// A struct at `index`, empty when absent.
    pub(super) fn map(&self, index: usize) -> Result<Map<String, Value>, Aria2Error> {
        match self.0.get(index) {
            Some(Value::Object(map)) => Ok(map.clone()),
            None | Some(Value::Null) => Ok(Map::new()),
            _ => Err(Aria2Error::new("options must be a struct")),
        }
    }

    /// The `keys` array at `index`, empty when absent.
    pub(super) fn keys(&self, index: usize) -> Vec<String> {
        match self.0.get(index) {
            Some(Value::Array(keys)) => keys.iter().filter_map(|k| k.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }
}
