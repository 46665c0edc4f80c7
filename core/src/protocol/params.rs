//! The params of each method, and how malformed params become -32602 errors
//! that name the offending field.

use super::RpcError;
use crate::model::{CostPolicy, INVALID_VALUE_PREFIX, JobId, NotifyCmdLine, NotifyFlags, Priority, RemoteUrl};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;

/// `hello`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelloParams {
    /// The protocol version the client speaks.
    pub protocol: u32,
    /// The client's name and version, e.g. `haul-cli/0.1`.
    #[serde(default)]
    pub client: Option<String>,
}

/// `create_job`: a new job, as every way in (the CLI, the window, scripts)
/// describes it; its files follow with `add_file`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateJobParams {
    /// A name for people.
    pub display_name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Priority, default normal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Complete the job automatically once transferred (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_complete: Option<bool>,
}

/// `add_file`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddFileParams {
    /// The job.
    pub job_id: JobId,
    /// An http or https URL, checked as it is read.
    pub remote_url: RemoteUrl,
    /// An absolute path.
    pub local_name: PathBuf,
    /// The expected sha256, hex (checked by the service: see `model::check_sha256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Methods that name only a job: `get_job`, `enum_files`, `resume`, `suspend`,
/// `cancel`, `complete`, `take_ownership`, `get_notify_interface`, `forget_job`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobParams {
    /// The job.
    pub job_id: JobId,
}

/// `enum_jobs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnumJobsParams {
    /// Every user's jobs (administrators only).
    #[serde(default)]
    pub all_users: bool,
    /// Also acknowledged and cancelled jobs.
    #[serde(default)]
    pub include_final: bool,
}

/// Where `move_job`'s `position` counts from (aria2's `changePosition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Whence {
    /// From the front of the queue (0 = first).
    Set,
    /// From the job's current place (-1 = one nearer the front).
    Cur,
    /// From the end of the queue (0 = last, -1 = one before last).
    End,
}

/// `move_job`: a new place for a job in its waiting queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveJobParams {
    /// The job.
    pub job_id: JobId,
    /// The place, counted as `how` says; clamped into the queue.
    pub position: i64,
    /// What `position` counts from.
    pub how: Whence,
}

/// `set_remote_name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetRemoteNameParams {
    /// The job.
    pub job_id: JobId,
    /// The file's index.
    pub file_index: u32,
    /// The new URL, checked as it is read.
    pub remote_url: RemoteUrl,
}

/// `set_job`'s changes: the properties to change; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobChanges {
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_flags: Option<NotifyFlags>,
    /// See `Job`; `null` is "leave"; an empty program clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_cmd_line: Option<NotifyCmdLine>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_retry_delay_s: Option<u64>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_progress_timeout_s: Option<u64>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_headers: Option<Vec<String>>,
    /// See `Job`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_complete: Option<bool>,
    /// See `Job` (0 = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_limit_bps: Option<u64>,
    /// See `Job` (1 to 128).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// See `Job`: `any` or `unmetered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_policy: Option<CostPolicy>,
}

impl JobChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        *self == JobChanges::default()
    }
}

/// `set_job`: the job and its changes (read by the service with [`parse_set_job`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetJobParams {
    /// The job.
    pub job_id: JobId,
    /// What to change.
    #[serde(flatten)]
    pub changes: JobChanges,
}

/// Service-wide limits (`get_limits`'s result, `set_limits`'s params and result);
/// in `set_limits`, absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Speed limit of all background jobs together, bytes per second (0 =
    /// unlimited), outside the schedule's windows.
    pub speed_limit_bps: Option<u64>,
    /// Background jobs transferring at once.
    pub max_active_jobs: Option<usize>,
    /// The schedule's windows, in local time (an empty list: no schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<crate::model::ScheduleWindow>>,
    /// What the schedule makes of the background jobs now (read-only: only in results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_now: Option<crate::model::ScheduleNow>,
    /// What to do when the queue empties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_done: Option<crate::model::WhenDone>,
    /// A power action counting down (read-only: only in results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_done_pending: Option<crate::model::WhenDonePending>,
    /// New background jobs' cost policy: `unmetered` (the default) or `any`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_cost_policy: Option<crate::model::CostPolicy>,
    /// `true` cancels a power action counting down (only in `set_limits`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_when_done: Option<bool>,
    /// The service's proxy: `none`, `system` or a URL without password
    /// (read-only: only in results; set it with `set_proxy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<crate::model::ProxyChoice>,
}

/// `set_credentials`: a job's server credentials (BITS's `SetCredentials`);
/// without `user_name`, removes them (`RemoveCredentials`). The password is
/// kept in the secret store; the job shows only the user name and scheme.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCredentialsParams {
    /// The job.
    pub job_id: JobId,
    /// The user name; absent: remove the credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The password (absent: empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// `basic`, `digest` or `any` (the default: whatever the server asks for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<crate::model::AuthScheme>,
}

/// `set_cookies`: the cookies a job sends, as the text of a Netscape cookies.txt
/// (empty: none). The text is kept in the secret store.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCookiesParams {
    /// The job.
    pub job_id: JobId,
    /// The file's text.
    pub cookies: String,
}

/// `set_proxy`: the proxy of a job, or of the service when `job_id` is absent:
/// `none`, `system` (the environment's) or `http://`, `https://`, `socks5://`,
/// `socks5h://` `[user[:password]@]host:port`. A password goes to the secret store.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetProxyParams {
    /// The job; absent: the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<JobId>,
    /// The proxy.
    pub proxy: String,
}

/// Never shows the password.
impl std::fmt::Debug for SetCredentialsParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCredentialsParams")
            .field("job_id", &self.job_id)
            .field("user_name", &self.user_name)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

/// Never shows the cookies.
impl std::fmt::Debug for SetCookiesParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetCookiesParams").field("job_id", &self.job_id).finish_non_exhaustive()
    }
}

/// Never shows a password in the proxy URL.
impl std::fmt::Debug for SetProxyParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetProxyParams")
            .field("job_id", &self.job_id)
            .field("proxy", &crate::model::redact(&self.proxy))
            .finish()
    }
}

/// `set_notify_interface`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetNotifyInterfaceParams {
    /// The job.
    pub job_id: JobId,
    /// `true` makes this connection the job's sink; `false` clears the sink.
    pub register: bool,
}

/// `events_since`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventsSinceParams {
    /// Events after this sequence number.
    pub seq: u64,
    /// At most this many (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Deserializes params; a failure is -32602 naming the field, or 5
/// (invalid_argument) when a field has the right type but an unknown value
/// (a priority or notify flag that does not exist).
pub fn parse_params<P: DeserializeOwned>(params: Value) -> Result<P, RpcError> {
    if !params.is_object() {
        return Err(RpcError::invalid_params("params must be an object"));
    }
    serde_path_to_error::deserialize(params).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let detail = if path == "." { inner.clone() } else { format!("{path}: {inner}") };
        if let Some(rule) = inner.strip_prefix(INVALID_VALUE_PREFIX) {
            return RpcError::invalid_argument(format!("{path}: {rule}"));
        }
        let bad_value = ["unknown variant", "unknown notify flag"];
        if bad_value.iter().any(|start| inner.starts_with(start)) {
            RpcError::invalid_argument(format!("invalid value for {detail}"))
        } else {
            RpcError::invalid_params(format!("invalid params: {detail}"))
        }
    })
}

/// `set_job`: the job and the changes (unknown properties are refused).
/// The job id is checked first, so a malformed one is reported before the rest.
pub fn parse_set_job(params: Value) -> Result<(JobId, Result<JobChanges, RpcError>), RpcError> {
    let Value::Object(mut object) = params else {
        return Err(RpcError::invalid_params("params must be an object"));
    };
    let job_id = object.remove("job_id").unwrap_or(Value::Null);
    let JobParams { job_id } = parse_params(serde_json::json!({ "job_id": job_id }))?;
    let changes = parse_params::<JobChanges>(Value::Object(object));
    match changes {
        Err(e) if e.code == super::code::INVALID_PARAMS => Err(e),
        other => Ok((job_id, other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::code;
    use serde_json::json;

    fn code_and_message<P: DeserializeOwned>(params: Value) -> (i64, String) {
        match parse_params::<P>(params) {
            Ok(_) => (0, String::new()),
            Err(e) => (e.code, e.message),
        }
    }

    #[test]
    fn malformed_params_name_the_field() {
        let (c, m) = code_and_message::<JobParams>(json!({"job_id": 5}));
        assert_eq!(c, code::INVALID_PARAMS);
        assert!(m.contains("job_id"), "{m}");
        let (c, m) = code_and_message::<JobParams>(json!({"job_id": "not-a-uuid"}));
        assert_eq!(c, code::INVALID_PARAMS);
        assert!(m.contains("job_id"), "{m}");
        let (c, m) = code_and_message::<JobParams>(json!({}));
        assert_eq!(c, code::INVALID_PARAMS);
        assert!(m.contains("job_id"), "{m}");
        let (c, m) = code_and_message::<SetNotifyInterfaceParams>(json!({"job_id": JobId::new(), "register": "yes"}));
        assert_eq!(c, code::INVALID_PARAMS);
        assert!(m.contains("register"), "{m}");
        let (c, _) = code_and_message::<JobParams>(json!([1]));
        assert_eq!(c, code::INVALID_PARAMS);
    }

    #[test]
    fn unknown_enum_values_are_invalid_arguments() {
        let (c, m) = code_and_message::<CreateJobParams>(json!({"display_name": "a", "priority": "urgent"}));
        assert_eq!(c, code::INVALID_ARGUMENT);
        assert!(m.contains("priority"), "{m}");
    }

    #[test]
    fn set_job_checks_the_id_then_the_changes() {
        let id = JobId::new();
        let bad_id = parse_set_job(json!({"job_id": 1, "priority": "high"}));
        assert_eq!(bad_id.map(|_| ()).map_err(|e| e.code), Err(code::INVALID_PARAMS));
        let unknown = parse_set_job(json!({"job_id": id, "colour": "red"}));
        let message = unknown.map(|_| ()).map_err(|e| e.message).err().unwrap_or_default();
        assert!(message.contains("colour"), "{message}");
        let bad_flag = parse_set_job(json!({"job_id": id, "notify_flags": ["loud"]}));
        let Ok((got, Err(e))) = bad_flag else {
            panic!("a bad flag is an invalid argument");
        };
        assert_eq!((got, e.code), (id, code::INVALID_ARGUMENT));
        let Ok((_, Ok(changes))) = parse_set_job(json!({"job_id": id, "display_name": "x"})) else {
            panic!("valid changes");
        };
        assert_eq!(changes.display_name.as_deref(), Some("x"));
    }
}
