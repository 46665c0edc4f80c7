//! The window's picture of the world, fed only by `Update`s: jobs, their
//! files, the connection, toasts, selection and the table's filter and order.
//! Pure: no I/O, no egui; every frame draws it.

mod history;
mod links;
mod progress;
mod selection;
mod table;
mod toasts;
mod when_done;

pub use progress::{Activity, FileView, file_views, percent};
pub use selection::Selection;
pub use table::{Filter, Sort, SortColumn, StateFilter, fraction};
pub use toasts::{FOLDED_SHOWN, Level, NewToast, SUMMARY_TTL, Toast, ToastAction, Toasts, stack};

use super::format;
use super::messages::{Connection, Startup, Update};
use super::rpc_settings::RpcView;
use super::toast_key::ToastKey;
use haul_core::model::{Event, EventKind, Job, JobError, JobFile, JobId, JobState};
use haul_core::protocol::JobProgressView;
use std::collections::HashMap;

/// Something worth a desktop notification, decided while applying updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The first line.
    pub title: String,
    /// More words.
    pub body: String,
    /// A failure (rather than a success).
    pub failed: bool,
    /// The startup or reconnection summary (always sent).
    pub summary: bool,
    /// About Haul itself (the tray notice): always sent, as it is, never merged.
    pub plain: bool,
    /// The buttons a desktop notification of this notice alone carries (the toast's).
    pub actions: Vec<ToastAction>,
    /// What clicking that notification itself does.
    pub click: Option<ToastAction>,
}

/// Everything the window shows.
#[derive(Debug)]
pub struct ViewModel {
    /// The connection, for the status bar.
    pub connection: Connection,
    /// Whether the first job list arrived.
    pub loaded: bool,
    jobs: Vec<Job>,
    index: HashMap<JobId, usize>,
    files: HashMap<JobId, Vec<JobFile>>,
    /// What the table shows.
    pub filter: Filter,
    /// In what order.
    pub sort: Sort,
    visible: Vec<usize>,
    dirty: bool,
    /// Selected jobs.
    pub selection: Selection,
    /// Toasts and the events already told.
    pub toasts: Toasts,
    /// The journal position reached (saved at exit).
    pub cursor: u64,
    /// Text waiting to go to the clipboard.
    pub clipboard: Option<String>,
    /// The service's limits, once read (settings window).
    pub limits: Option<haul_core::protocol::Limits>,
    /// The aria2 RPC endpoint, once read (settings window).
    pub rpc: RpcView,
    /// Rows taken off the list, waiting for their undo or for the service.
    removing: std::collections::HashSet<JobId>,
    /// The network as the service sees it, once read (status bar).
    pub network: Option<haul_core::model::NetworkStatus>,
    /// A power action counting down now the queue is empty (the countdown window).
    pub when_done_pending: Option<haul_core::model::WhenDonePending>,
}

impl Default for ViewModel {
    fn default() -> Self {
        ViewModel {
            connection: Connection::Connecting,
            loaded: false,
            jobs: Vec::new(),
            index: HashMap::new(),
            files: HashMap::new(),
            filter: Filter::default(),
            sort: Sort::default(),
            visible: Vec::new(),
            dirty: true,
            selection: Selection::default(),
            toasts: Toasts::default(),
            cursor: 0,
            clipboard: None,
            limits: None,
            rpc: RpcView::default(),
            removing: Default::default(),
            network: None,
            when_done_pending: None,
        }
    }
}

impl ViewModel {
    /// A model that resumes the journal at `cursor`.
    pub fn new(cursor: u64, sort: Sort) -> Self {
        ViewModel { cursor, sort, ..Default::default() }
    }

    /// Applies one update; returns what deserves a desktop notification.
    pub fn apply(&mut self, update: Update) -> Option<Notice> {
        match update {
            Update::Connection(connection) => self.connection = connection,
            Update::Startup(startup) => return self.startup(*startup),
            Update::Job(job) => self.upsert(*job),
            Update::Event(event) => self.event(*event),
            Update::Progress(progress) => self.progress(progress),
            Update::Files(job_id, files) => {
                self.files.insert(job_id, files);
            }
            Update::Finished(job) => return self.finished(*job),
            Update::Failed(job, error) => return self.failed(*job, error),
            Update::FileDone(job_id, file) => {
                if let Some(file_slot) =
                    self.files.get_mut(&job_id).and_then(|files| progress::file_at(files, file.index))
                {
                    *file_slot = *file;
                }
            }
            Update::Added(job_id, name) => {
                self.selection.select_only(job_id);
                self.toasts.push(NewToast {
                    level: Level::Info,
                    title: format!("Added {name}"),
                    body: String::new(),
                    actions: Vec::new(),
                    ttl: Some(std::time::Duration::from_secs(3)),
                });
            }
            Update::ActionFailed(message) => {
                self.toasts.push(NewToast::error("That did not work".into(), message, Vec::new()));
            }
            Update::Clipboard(text) => self.clipboard = Some(text),
            Update::Limits(limits) => self.limits = Some(limits),
            Update::Rpc(info) => self.rpc.arrived(info),
            Update::RpcFailed(message) => self.rpc.failed(message),
            Update::Cancelled(job) => self.cancelled(*job),
            Update::Removed { gone, kept, deleted } => self.removed(gone, kept, deleted),
            Update::Network(status) => self.network = Some(status),
            Update::WhenDone(pending) => return self.when_done(pending),
            Update::Probed(..) | Update::AddDialog(_) => {} // the add dialog's: `HaulApp` hands them to it
        }
        None
    }

    fn startup(&mut self, startup: Startup) -> Option<Notice> {
        self.loaded = true;
        self.jobs = startup.jobs.into_iter().filter(|j| j.state != JobState::Cancelled).collect();
        self.reindex();
        self.selection.retain(|id| self.index.contains_key(id));
        self.toasts.mark_seen(startup.seen);
        // The service's position (after a reset journal it may go back).
        self.cursor = startup.cursor;
        let summary = startup.summary;
        if summary.is_empty() {
            return None;
        }
        let when = if startup.reconnect { "While Haul was disconnected" } else { "While you were away" };
        let counts = format::outcome_counts(summary.finished.len(), summary.failed.len());
        let ids: Vec<JobId> = summary.finished.iter().chain(&summary.failed).copied().collect();
        let names: Vec<&str> = ids.iter().filter_map(|id| self.job(*id)).map(|j| j.display_name.as_str()).collect();
        let body = preview(&names);
        let failed = !summary.failed.is_empty();
        self.toasts.push(NewToast {
            level: if failed { Level::Error } else { Level::Success },
            title: format!("{when}: {counts}"),
            body: body.clone(),
            actions: vec![ToastAction::ShowJobs(ids)],
            ttl: if failed { None } else { Some(SUMMARY_TTL) },
        });
        Some(Notice { title: counts, body, failed, summary: true, plain: false, actions: Vec::new(), click: None })
    }

    fn finished(&mut self, job: Job) -> Option<Notice> {
        let key = ToastKey::finished(&job);
        let (job_id, name) = (job.id, job.display_name.clone());
        self.upsert(job);
        let title = format!("{name} downloaded");
        let actions = vec![ToastAction::Open(job_id), ToastAction::ShowInFolder(job_id)];
        self.toasts.push_once(key, NewToast::success(title.clone(), actions.clone())).then(|| Notice {
            title,
            body: String::new(),
            failed: false,
            summary: false,
            plain: false,
            click: Some(ToastAction::Open(job_id)),
            actions,
        })
    }

    fn failed(&mut self, job: Job, error: JobError) -> Option<Notice> {
        let key = ToastKey::failed(&job);
        let (job_id, name) = (job.id, job.display_name.clone());
        self.upsert(job);
        let title = format!("{name} failed");
        // The plain words once; the service's own message stays in the details' Advanced part.
        let body = format::error_words(&error);
        let actions = vec![ToastAction::Retry(job_id), ToastAction::Details(job_id)];
        self.toasts.push_once(key, NewToast::error(title.clone(), body.clone(), actions)).then(|| Notice {
            title,
            body: format::error_words(&error),
            failed: true,
            summary: false,
            plain: false,
            actions: vec![ToastAction::Retry(job_id)],
            click: Some(ToastAction::Details(job_id)),
        })
    }

    /// Inserts or replaces a job. Copies arrive in the order they were asked
    /// for (one connection), and every event asks for one, so the last wins.
    fn upsert(&mut self, job: Job) {
        if job.state == JobState::Cancelled {
            return self.remove(job.id);
        }
        match self.index.get(&job.id) {
            Some(&i) => self.jobs[i] = job,
            None => {
                self.index.insert(job.id, self.jobs.len());
                self.jobs.push(job);
            }
        }
        self.dirty = true;
    }

    fn remove(&mut self, job_id: JobId) {
        if self.index.remove(&job_id).is_some() {
            self.jobs.retain(|j| j.id != job_id);
            self.reindex();
        }
        self.files.remove(&job_id);
        self.selection.remove(job_id);
    }

    fn event(&mut self, event: Event) {
        self.cursor = self.cursor.max(event.seq);
        if event.kind == EventKind::Cancelled {
            return self.remove(event.job_id);
        }
        let Some(&i) = self.index.get(&event.job_id) else {
            return;
        };
        let job = &mut self.jobs[i];
        job.state = event.state;
        if event.error.is_some() || !matches!(event.state, JobState::TransientError | JobState::Error) {
            job.error = event.error;
        }
        if !event.state.is_running() {
            job.speed_bps = 0.0;
            job.eta_s = None;
        }
        self.dirty = true;
    }

    fn progress(&mut self, progress: Vec<JobProgressView>) {
        for view in progress {
            let Some(&i) = self.index.get(&view.id) else {
                continue;
            };
            let job = &mut self.jobs[i];
            job.state = view.state;
            job.progress.bytes_transferred = view.bytes_transferred;
            job.progress.bytes_total = view.bytes_total;
            job.progress.files_transferred = view.files_transferred;
            // Smoothed over about a second (the service reports every 250 ms).
            job.speed_bps =
                if job.speed_bps > 0.0 { job.speed_bps * 0.6 + view.speed_bps * 0.4 } else { view.speed_bps };
            job.eta_s = view.eta_s.filter(|_| view.speed_bps >= 1.0);
        }
        self.dirty = true;
    }

    fn reindex(&mut self) {
        self.index = self.jobs.iter().enumerate().map(|(i, j)| (j.id, i)).collect();
        self.dirty = true;
    }

    /// Marks the table order for recomputation (filter or sort changed).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// The shown jobs' indices, in order (recomputed when something changed).
    pub fn visible(&mut self) -> &[usize] {
        if self.dirty {
            self.visible = table::visible(&self.jobs, &self.filter, self.sort);
            self.visible.retain(|&i| !self.removing.contains(&self.jobs[i].id));
            // The toolbar acts on the selection: never on rows the filter hides.
            let shown: std::collections::HashSet<JobId> = self.visible.iter().map(|&i| self.jobs[i].id).collect();
            self.selection.retain(|id| shown.contains(id));
            self.dirty = false;
        }
        &self.visible
    }

    /// The shown jobs' indices as last computed by [`Self::visible`].
    pub fn rows(&self) -> &[usize] {
        &self.visible
    }

    /// The shown jobs' ids, in order.
    pub fn visible_ids(&mut self) -> Vec<JobId> {
        self.visible();
        self.visible.iter().map(|&i| self.jobs[i].id).collect()
    }

    /// A job by position in the job list.
    pub fn job_at(&self, index: usize) -> &Job {
        &self.jobs[index]
    }

    /// A job by id.
    pub fn job(&self, job_id: JobId) -> Option<&Job> {
        self.index.get(&job_id).map(|&i| &self.jobs[i])
    }

    /// Every job.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// A job's files, once loaded.
    pub fn files(&self, job_id: JobId) -> Option<&[JobFile]> {
        self.files.get(&job_id).map(Vec::as_slice)
    }

    /// The selected jobs that still exist.
    pub fn selected_jobs(&self) -> Vec<&Job> {
        self.selection.ids().filter_map(|id| self.job(id)).collect()
    }

    /// How many jobs each side-bar filter holds.
    pub fn count(&self, filter: StateFilter) -> usize {
        self.jobs.iter().filter(|j| filter.admits(j.state) && !self.removing.contains(&j.id)).count()
    }

    /// (downloading, waiting or retrying, total speed) for the tray's tooltip.
    pub fn totals(&self) -> (usize, usize, f64) {
        let activity = self.activity();
        (activity.downloading, activity.waiting + activity.retrying, activity.speed_bps)
    }

    /// The active jobs by kind, counted as the side bar counts "Active".
    pub fn activity(&self) -> Activity {
        Activity::of(self.jobs.iter().filter(|j| !self.removing.contains(&j.id)))
    }

    /// Whether something is moving (the window then repaints about 10× a second).
    pub fn is_busy(&self) -> bool {
        self.jobs.iter().any(|j| j.state.is_running())
    }

    /// Shows only these jobs, titled (the summary's "Show them").
    pub fn show_only(&mut self, title: String, ids: Vec<JobId>) {
        self.filter.only = Some((title, ids.into_iter().collect()));
        self.dirty = true;
    }
}

/// "a, b, c and 4 more".
fn preview(names: &[&str]) -> String {
    const SHOWN: usize = 3;
    match names.len() {
        0 => String::new(),
        n if n <= SHOWN => names.join(", "),
        n => format!("{} and {} more", names[..SHOWN].join(", "), n - SHOWN),
    }
}

/// A job for unit tests, created `minutes_ago` minutes before now.
#[cfg(test)]
pub fn test_job(name: &str, state: JobState, minutes_ago: i64) -> Job {
    let created = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    serde_json::from_value(serde_json::json!({
        "id": JobId::new(), "display_name": name, "description": "", "type": "download",
        "state": state, "priority": "normal", "owner": 1000, "creator": 1000,
        "progress": {"bytes_total": null, "bytes_transferred": 0, "files_total": 1, "files_transferred": 0},
        "times": {"created": created, "modified": created, "transfer_completed": null},
        "error": null, "error_count": 0, "notify_flags": ["job_transferred", "job_error"],
        "notify_cmd_line": null, "minimum_retry_delay_s": 60, "no_progress_timeout_s": 1209600,
        "auto_complete": false, "speed_bps": 0.0, "eta_s": null
    }))
    .expect("a valid job")
}

#[cfg(test)]
mod tests;
