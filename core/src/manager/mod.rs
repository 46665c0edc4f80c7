//! The job manager (IBackgroundCopyManager): owns every job in memory and in
//! the store, applies transitions, runs the scheduler and delivers callbacks.
//! Cloneable handle; one `std::sync::Mutex` guards the state and is never held
//! across an `.await`.

mod access;
mod ahead;
mod api;
mod apply;
mod delivery;
mod entry;
mod files;
mod listing;
mod network;
mod properties;
mod queue;
mod reporter;
mod run;
mod schedule;
mod speed;
mod validate;
mod when_done;
mod windows;

use crate::engine::{self, Effective, RateLimiter};
use crate::model::{Event, JobId, JobState, NetworkStatus, ScheduleWindow, WhenDone, WhenDonePending};
use crate::notify::{Pending, Registry};
use crate::store::{Store, StoreError};
use entry::Entry;
pub use listing::JobQuery;
use speed::SpeedMeter;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, broadcast, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
pub use windows::WindowListener;

/// Values under this minimum retry delay are raised to it (as BITS does).
pub const MIN_RETRY_DELAY_FLOOR_S: u64 = 5;

/// How the manager is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The SQLite database file.
    pub db_path: PathBuf,
    /// Background jobs transferring at once.
    pub max_active_jobs: usize,
    /// A connection that delivers nothing for this long fails (transiently).
    pub read_timeout: Duration,
    /// A sink that does not answer a callback within this time has failed.
    pub callback_timeout: Duration,
    /// Default minimum retry delay of new jobs, in seconds.
    pub default_retry_delay_s: u64,
    /// Default no-progress timeout of new jobs, in seconds.
    pub default_no_progress_timeout_s: u64,
    /// Most connections one file may use (1 = never split).
    pub max_connections_per_file: usize,
    /// Files of one job transferred at once.
    pub parallel_files: usize,
    /// Speed limit of all background jobs together (0 = unlimited).
    pub speed_limit_bps: u64,
    /// A service for every user (`haul service --system`): folder rights are
    /// checked for the caller, files and notify commands belong to the job's owner.
    pub system: bool,
    /// Where passwords and cookies are kept.
    pub secrets: crate::secrets::SecretsConfig,
}

impl Config {
    /// Defaults for a database at `db_path`.
    pub fn new(db_path: PathBuf) -> Self {
        Config {
            db_path,
            max_active_jobs: 4,
            read_timeout: Duration::from_secs(30),
            callback_timeout: Duration::from_secs(10),
            default_retry_delay_s: 10,
            default_no_progress_timeout_s: 14 * 24 * 3600,
            max_connections_per_file: 32,
            parallel_files: engine::PARALLEL_FILES,
            speed_limit_bps: 0,
            system: false,
            secrets: crate::secrets::SecretsConfig::Keyring,
        }
    }
}

/// Checkpoints are written at least this often while bytes flow (a killed
/// service fetches again at most this long's bytes)…
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);
/// …or after this many bytes, whichever comes first.
const CHECKPOINT_BYTES: u64 = 8 << 20;
/// `job_modification` callbacks are coalesced to one per this interval.
const MODIFICATION_INTERVAL: Duration = Duration::from_millis(500);
/// Deferred store writes (a finished file, a checkpoint) are committed this
/// soon, together: a job of 1,000 small files is not 1,000 commits.
const FLUSH_DELAY: Duration = Duration::from_millis(20);

/// The job manager handle.
#[derive(Clone)]
pub struct Manager {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Windows that open their add dialog when asked.
    windows: windows::Windows,
    config: Config,
    events: broadcast::Sender<Event>,
    /// Deferred store writes are waiting for the flusher.
    flush_soon: Notify,
    kick: Notify,
    client: engine::Clients,
    /// Clients for other proxies than the environment's, made when first needed.
    proxied_clients: Mutex<HashMap<engine::ProxySetup, engine::Clients>>,
    /// Passwords and cookies.
    secrets: crate::secrets::SecretStore,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    global_limit: Arc<RateLimiter>,
    /// The background limit outside schedule windows (the scheduler sets `global_limit`).
    base_speed: AtomicU64,
    max_active: AtomicUsize,
    /// The network state, for `network` notifications (the scheduler reads `State::network`).
    network: watch::Sender<NetworkStatus>,
    /// The power action counting down, for the window (see `when_done.rs`).
    when_done_changed: watch::Sender<Option<WhenDonePending>>,
}

struct State {
    store: Store,
    /// Boxed: a map of 10,000 jobs grows by 24-byte slots, not 650-byte ones.
    jobs: HashMap<JobId, Box<Entry>>,
    next_order: i64,
    registry: Registry,
    /// Folders recently found writable (see `validate::validate_local`).
    writable_dirs: HashMap<(JobId, PathBuf), Instant>,
    /// The network as last heard of (see `network.rs`).
    network: NetworkStatus,
    /// Since when the network is gone, while it is.
    offline_since: Option<Instant>,
    /// The schedule's windows (see `schedule.rs`).
    schedule: Vec<ScheduleWindow>,
    /// What they made of the background jobs when last looked at.
    schedule_now: Effective,
    /// What to do when the queue empties (see `when_done.rs`).
    when_done: WhenDone,
    /// New background jobs' cost policy (foreground ones: `any`).
    default_cost: crate::model::CostPolicy,
    /// A power action counting down, and the token that cancels it.
    when_done_pending: Option<(WhenDonePending, CancellationToken)>,
    /// The service's proxy (a job's own wins).
    proxy: crate::model::ProxyChoice,
}

/// What only a running service knows of a job.
struct Run {
    token: Option<CancellationToken>,
    generation: u64,
    task_alive: bool,
    retry_at: Option<Instant>,
    no_progress_since: Option<Instant>,
    last_checkpoint: Option<Instant>,
    unsaved_bytes: u64,
    /// A checkpoint of the bytes written since the last one is due (see `reporter.rs`).
    checkpoint_armed: bool,
    speed: SpeedMeter,
    /// Leading files whose `file_transferred` was queued (they go in order).
    files_announced: usize,
    /// The job's speed limit, shared with its running transfer; made when
    /// the job first transfers (most jobs of a long list are not running).
    limiter: Option<Arc<RateLimiter>>,
    /// The job's connections at once, shared by its running files (see
    /// `engine::ConnectionBudget`); made with the limiter.
    connections: Option<Arc<engine::ConnectionBudget>>,
}

impl Run {
    const fn new() -> Run {
        Run {
            token: None,
            generation: 0,
            task_alive: false,
            retry_at: None,
            no_progress_since: None,
            last_checkpoint: None,
            unsaved_bytes: 0,
            checkpoint_armed: false,
            speed: SpeedMeter::new(),
            files_announced: 0,
            limiter: None,
            connections: None,
        }
    }
}

/// Why the manager could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error("cannot set up HTTP: {0}")]
    Http(#[from] engine::ClientError),
}

impl Manager {
    /// Opens the store, recovers interrupted jobs and starts the scheduler.
    /// Must be called inside a tokio runtime.
    pub fn open(config: Config) -> Result<Manager, OpenError> {
        let store = Store::open(&config.db_path)?;
        let client = engine::Clients::new(config.read_timeout, config.parallel_files)?;
        // Each job goes straight to its place, boxed at its final size: a
        // list of every job first, freed after, would leave RSS up for good.
        let mut jobs: HashMap<JobId, Box<Entry>> = HashMap::with_capacity(store.count_jobs()?);
        let mut next_order = 0;
        store.read_jobs(|s| {
            next_order = next_order.max(s.queue_order + 1);
            jobs.insert(s.job.id, Box::new(Entry::new(s.job, s.queue_order)));
        })?;
        store.read_files(|job_id, files| jobs.get_mut(&job_id).map(|entry| entry.add_loaded_files(files)).is_some())?;
        store.release_memory();
        let saved = schedule::load(&schedule::settings_path(&config.db_path));
        let (events, _) = broadcast::channel(4096);
        let manager = Manager {
            inner: Arc::new(Inner {
                windows: windows::Windows::default(),
                state: Mutex::new(State {
                    store,
                    jobs,
                    next_order,
                    registry: Registry::default(),
                    writable_dirs: HashMap::new(),
                    network: NetworkStatus::default(),
                    offline_since: None,
                    schedule: saved.schedule,
                    when_done: saved.when_done,
                    default_cost: saved.default_cost_policy,
                    when_done_pending: None,
                    proxy: saved.proxy.unwrap_or(crate::model::ProxyChoice::System),
                    schedule_now: engine::evaluate_schedule(&schedule::local_now(), &[], config.speed_limit_bps),
                }),
                events,
                kick: Notify::new(),
                flush_soon: Notify::new(),
                client,
                proxied_clients: Mutex::default(),
                secrets: crate::secrets::SecretStore::new(config.secrets.clone(), &config.db_path),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                global_limit: Arc::new(RateLimiter::new(config.speed_limit_bps)),
                base_speed: AtomicU64::new(config.speed_limit_bps),
                max_active: AtomicUsize::new(config.max_active_jobs.max(1)),
                network: watch::Sender::new(NetworkStatus::default()),
                when_done_changed: watch::Sender::new(None),
                config,
            }),
        };
        manager.recover()?;
        let scheduler = manager.clone();
        manager.inner.tracker.spawn(async move { scheduler.scheduler_loop().await });
        let flusher = manager.clone();
        manager.inner.tracker.spawn(async move { flusher.flush_loop().await });
        Ok(manager)
    }

    /// Puts interrupted jobs back in the queue and re-arms pending notifications.
    fn recover(&self) -> Result<(), StoreError> {
        let mut state = self.lock();
        let ids: Vec<JobId> = state.jobs.keys().copied().collect();
        for job_id in ids {
            let Some(entry) = state.jobs.get_mut(&job_id) else {
                continue;
            };
            match entry.job.state {
                JobState::Connecting | JobState::Transferring => {
                    entry.job.state = JobState::Queued;
                    let (job, order) = (entry.job.clone(), entry.queue_order);
                    state.store.save_job(&job, order)?;
                    self.journal(&mut state, &job, crate::model::EventKind::StateChanged, None, None);
                }
                JobState::TransientError => entry.run.make_mut().retry_at = Some(Instant::now()),
                JobState::Transferred => self.enqueue(&mut state, job_id, Pending::Transferred),
                JobState::Error => self.enqueue(&mut state, job_id, Pending::Error),
                _ => {}
            }
        }
        Ok(())
    }

    /// Stops every transfer, writes the checkpoints and waits for the tasks.
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
        self.flush();
    }

    /// Commits deferred store writes within [`FLUSH_DELAY`] of the first one.
    async fn flush_loop(&self) {
        loop {
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => break,
                _ = self.inner.flush_soon.notified() => {}
            }
            tokio::select! {
                _ = self.inner.shutdown.cancelled() => break,
                _ = tokio::time::sleep(FLUSH_DELAY) => {}
            }
            self.flush();
        }
        self.flush();
    }

    fn flush(&self) {
        if let Err(e) = self.lock().store.flush() {
            tracing::error!("{e}");
        }
    }

    /// A token that is cancelled when the manager shuts down.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// The HTTP client transfers use (for `probe_url`: the same headers,
    /// redirects and TLS as a download).
    pub fn http_client(&self) -> reqwest::Client {
        self.global_client()
    }

    /// Journal entries as they are written (all users; filter by `Event::owner`).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every change is
        // written whole), so a poisoned lock is still usable.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn kick(&self) {
        self.inner.kick.notify_one();
    }
}
