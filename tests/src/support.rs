//! Helpers for in-process tests of the job manager: a recording sink, a
//! bounded wait, and a manager on a temp database.

use haul_core::manager::Config;
use haul_core::model::{Caller, Job, JobError, JobFile, JobId, JobState};
use haul_core::notify::{Sink, SinkError, SinkFuture, next_sink_id};
use haul_core::{Manager, model};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The user the tests act as.
pub fn alice() -> Caller {
    Caller::from_uid(1000, Some(1))
}

/// Another user.
pub fn bob() -> Caller {
    Caller::from_uid(1001, Some(2))
}

/// A sink that records every callback as a short string, and can be told to fail.
pub struct RecordingSink {
    id: u64,
    calls: Mutex<Vec<String>>,
    failing: AtomicBool,
}

impl RecordingSink {
    /// A new sink that accepts every callback.
    pub fn new() -> Arc<RecordingSink> {
        Arc::new(RecordingSink { id: next_sink_id(), calls: Mutex::new(Vec::new()), failing: AtomicBool::new(false) })
    }

    /// Makes the sink fail (or accept) every further callback.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// The callbacks so far, e.g. `file_transferred:0`, `job_transferred`, `job_error:http_404`.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The callbacks so far without `job_modification`.
    pub fn terminal_calls(&self) -> Vec<String> {
        self.calls().into_iter().filter(|c| !c.starts_with("job_modification")).collect()
    }

    fn record(&self, call: String) -> SinkFuture {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner).push(call);
        let result = if self.failing.load(Ordering::SeqCst) { Err(SinkError("told to fail".into())) } else { Ok(()) };
        Box::pin(async move { result })
    }
}

impl Sink for RecordingSink {
    fn sink_id(&self) -> u64 {
        self.id
    }
    fn job_transferred(&self, _job: Job) -> SinkFuture {
        self.record("job_transferred".into())
    }
    fn job_error(&self, _job: Job, error: JobError) -> SinkFuture {
        self.record(format!("job_error:{}:{:?}", error.code, error.context))
    }
    fn job_modification(&self, _job: Job) -> SinkFuture {
        self.record("job_modification".into())
    }
    fn file_transferred(&self, _job: Job, file: JobFile) -> SinkFuture {
        self.record(format!("file_transferred:{}", file.index))
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
pub async fn wait_for(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// Waits until the job is in `state`; panics with the job's last state otherwise.
pub async fn wait_state(manager: &Manager, job_id: JobId, state: JobState, timeout: Duration) -> Job {
    let reached = wait_for(timeout, || manager.get_job(&alice(), job_id).is_ok_and(|j| j.state == state)).await;
    let job = manager.get_job(&alice(), job_id).expect("job exists");
    assert!(reached, "job never reached {state}; it is {} with error {:?}", job.state, job.error);
    job
}

/// A manager on a database in `dir`, with a short read timeout for fault tests.
pub fn open_manager(dir: &std::path::Path) -> Manager {
    open_manager_with(dir, |_| {})
}

/// Like [`open_manager`], after `adjust` has changed the configuration.
pub fn open_manager_with(dir: &std::path::Path, adjust: impl FnOnce(&mut Config)) -> Manager {
    let mut config = Config::new(dir.join("haul.db"));
    config.read_timeout = Duration::from_secs(5);
    config.default_retry_delay_s = 5;
    adjust(&mut config);
    Manager::open(config).expect("manager opens")
}

/// A runtime for one manager's lifetime: dropping it ends the manager's
/// tasks, so the same store can be opened again (a service restart).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// `add_file`'s params: the URL parsed as every client parses it (a bad URL
/// panics: tests that check URL rules go through the socket).
pub fn new_file(
    job_id: JobId,
    url: &str,
    local: &std::path::Path,
    sha256: Option<&str>,
) -> haul_core::protocol::AddFileParams {
    haul_core::protocol::AddFileParams {
        job_id,
        remote_url: haul_core::model::RemoteUrl::parse(url).expect("a valid URL"),
        local_name: local.to_path_buf(),
        sha256: sha256.map(str::to_string),
    }
}

/// Creates a job for alice with one file per (url, local name) and returns its id.
pub fn job_with_files(manager: &Manager, files: &[(String, std::path::PathBuf)]) -> JobId {
    let job_id = manager
        .create_job(
            &alice(),
            haul_core::protocol::CreateJobParams { display_name: "test job".into(), ..Default::default() },
        )
        .expect("create");
    for (url, local) in files {
        manager.add_file(&alice(), &new_file(job_id, url, local, None)).expect("add file");
    }
    job_id
}

/// Names in `dir` that look like Haul temp files.
pub fn temp_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".haul-part"))
                .collect()
        })
        .unwrap_or_default()
}

/// Re-exported for tests.
pub use model::NotifyFlags;
