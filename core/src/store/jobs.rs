//! Rows of the `jobs` and `files` tables, read and written whole.

use super::{Store, StoreError};
use crate::model::{
    CostPolicy, Credentials, Job, JobError, JobFile, JobId, JobState, JobTimes, NotifyCmdLine, NotifyFlags, Priority,
    Progress, ProxyChoice,
};
use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use std::collections::HashMap;

/// A job as stored: the job, its files and its place in the queue.
#[derive(Clone, Debug)]
pub struct StoredJob {
    /// The job's properties (progress is recomputed from the files).
    pub job: Job,
    /// Its files, in order.
    pub files: Vec<JobFile>,
    /// Position in the queue (creation order, unless `move_job` changed it).
    pub queue_order: i64,
}

const JOB_COLUMNS: &str = "id, queue_order, display_name, description, state, priority, owner, \
    creator, created, modified, transfer_completed, error, error_count, notify_flags, \
    notify_cmd_line, minimum_retry_delay_s, no_progress_timeout_s, auto_complete, custom_headers, \
    speed_limit_bps, max_connections, cost_policy, access";

pub(super) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

impl Store {
    /// Writes a job's properties (not its files).
    pub fn save_job(&self, job: &Job, queue_order: i64) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)
             ON CONFLICT(id) DO UPDATE SET queue_order=?2, display_name=?3, description=?4, state=?5,
             priority=?6, owner=?7, creator=?8, created=?9, modified=?10, transfer_completed=?11,
             error=?12, error_count=?13, notify_flags=?14, notify_cmd_line=?15,
             minimum_retry_delay_s=?16, no_progress_timeout_s=?17, auto_complete=?18, custom_headers=?19, speed_limit_bps=?20, max_connections=?21,
             cost_policy=?22, access=?23"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.sqlite(e))?;
        stmt.execute(params![
            job.id.to_string(),
            queue_order,
            job.display_name,
            job.description,
            job.state.as_str(),
            job.priority.as_str(),
            job.owner,
            job.creator,
            job.times.created.to_rfc3339(),
            job.times.modified.to_rfc3339(),
            job.times.transfer_completed.map(|t| t.to_rfc3339()),
            job.error.as_ref().map(json),
            job.error_count,
            job.notify_flags.bits(),
            job.notify_cmd_line.as_ref().map(json),
            job.minimum_retry_delay_s as i64,
            job.no_progress_timeout_s as i64,
            job.auto_complete,
            json(&job.custom_headers),
            job.speed_limit_bps as i64,
            job.max_connections,
            job.cost_policy.as_str(),
            json(&StoredAccess::of(job)),
        ])
        .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Moves a job to a new place in the queue (only its `queue_order`).
    pub fn set_queue_order(&self, job_id: JobId, queue_order: i64) -> Result<(), StoreError> {
        let mut stmt =
            self.conn.prepare_cached("UPDATE jobs SET queue_order = ?2 WHERE id = ?1").map_err(|e| self.sqlite(e))?;
        stmt.execute(params![job_id.to_string(), queue_order]).map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Deletes a job's row and its files' rows, in one transaction; its
    /// journal entries stay (they are history).
    pub fn delete_job(&self, job_id: JobId) -> Result<(), StoreError> {
        let batch = self.batch()?;
        let id = job_id.to_string();
        for sql in ["DELETE FROM files WHERE job_id = ?1", "DELETE FROM jobs WHERE id = ?1"] {
            let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.sqlite(e))?;
            stmt.execute([&id]).map_err(|e| self.sqlite(e))?;
        }
        batch.commit()
    }

    /// Writes a job and some of its files in one transaction.
    pub fn save_job_and_files(&self, job: &Job, queue_order: i64, files: &[&JobFile]) -> Result<(), StoreError> {
        let batch = self.batch()?;
        self.save_job(job, queue_order)?;
        for file in files {
            self.save_file(job.id, file)?;
        }
        batch.commit()
    }

    /// Reads every job with its files, in queue order.
    pub fn load_jobs(&self) -> Result<Vec<StoredJob>, StoreError> {
        let mut jobs = Vec::new();
        self.read_jobs(|stored| jobs.push(stored))?;
        // Files find their job by id, not by a scan of every job (quadratic with many jobs).
        let by_id: HashMap<JobId, usize> = jobs.iter().enumerate().map(|(i, j)| (j.job.id, i)).collect();
        self.read_files(|job_id, files| {
            let Some(stored) = by_id.get(&job_id).and_then(|&index| jobs.get_mut(index)) else {
                return false;
            };
            stored.files.extend(files);
            stored.job.progress = progress_of(&stored.files);
            true
        })?;
        Ok(jobs)
    }

    /// How many jobs there are.
    pub fn count_jobs(&self) -> Result<usize, StoreError> {
        let count: i64 =
            self.conn.query_row("SELECT count(*) FROM jobs", [], |row| row.get(0)).map_err(|e| self.sqlite(e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Reads every job, in queue order, into `on_job`: without its files,
    /// its progress that of none (see [`Store::read_files`]).
    pub fn read_jobs(&self, mut on_job: impl FnMut(StoredJob)) -> Result<(), StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY queue_order");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
        let rows = stmt.query_map([], raw_job).map_err(|e| self.sqlite(e))?;
        for row in rows {
            let raw = row.map_err(|e| self.sqlite(e))?;
            on_job(self.decode_job(raw)?);
        }
        Ok(())
    }

    fn decode_job(&self, raw: RawJob) -> Result<StoredJob, StoreError> {
        let bad = |what: &str| self.corrupt(format!("job {}: {what}", raw.id));
        let time = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| bad("time"));
        let access: StoredAccess = serde_json::from_str(&raw.access).map_err(|_| bad("access"))?;
        let job = Job {
            id: raw.id.parse().map_err(|_| bad("id"))?,
            display_name: raw.display_name,
            description: raw.description,
            job_type: "download".into(),
            state: JobState::parse(&raw.state).ok_or_else(|| bad("state"))?,
            priority: Priority::parse(&raw.priority).ok_or_else(|| bad("priority"))?,
            owner: raw.owner,
            creator: raw.creator,
            progress: progress_of(&[]),
            times: JobTimes {
                created: time(&raw.created)?,
                modified: time(&raw.modified)?,
                transfer_completed: raw.transfer_completed.as_deref().map(time).transpose()?,
            },
            error: raw
                .error
                .as_deref()
                .map(serde_json::from_str::<Box<JobError>>)
                .transpose()
                .map_err(|_| bad("error"))?,
            error_count: raw.error_count,
            notify_flags: NotifyFlags::from_bits_truncate(raw.notify_flags),
            notify_cmd_line: raw
                .notify_cmd_line
                .as_deref()
                .map(serde_json::from_str::<Box<NotifyCmdLine>>)
                .transpose()
                .map_err(|_| bad("notify command line"))?,
            minimum_retry_delay_s: raw.minimum_retry_delay_s.max(0) as u64,
            no_progress_timeout_s: raw.no_progress_timeout_s.max(0) as u64,
            auto_complete: raw.auto_complete,
            custom_headers: serde_json::from_str(&raw.custom_headers).map_err(|_| bad("custom headers"))?,
            speed_limit_bps: raw.speed_limit_bps.max(0) as u64,
            max_connections: raw.max_connections,
            cost_policy: CostPolicy::parse(&raw.cost_policy).ok_or_else(|| bad("cost policy"))?,
            credentials: access.credentials,
            cookies: access.cookies,
            proxy: access.proxy,
            speed_bps: 0.0,
            eta_s: None,
            wait_reason: None,
            wait_until: None,
        };
        Ok(StoredJob { job, files: Vec::new(), queue_order: raw.queue_order })
    }
}

/// Sums the files' byte and file counts.
pub fn progress_of(files: &[JobFile]) -> Progress {
    let mut total = Some(0u64);
    let mut progress = Progress { files_total: files.len() as u32, ..Progress::default() };
    for file in files {
        total = total.zip(file.bytes_total).map(|(a, b)| a + b);
        progress.bytes_transferred += file.bytes_transferred;
        progress.files_transferred += u32::from(file.transferred);
    }
    progress.bytes_total = total;
    progress
}

struct RawJob {
    id: String,
    queue_order: i64,
    display_name: String,
    description: String,
    state: String,
    priority: String,
    owner: u32,
    creator: u32,
    created: String,
    modified: String,
    transfer_completed: Option<String>,
    error: Option<String>,
    error_count: u32,
    notify_flags: u32,
    notify_cmd_line: Option<String>,
    minimum_retry_delay_s: i64,
    no_progress_timeout_s: i64,
    auto_complete: bool,
    custom_headers: String,
    speed_limit_bps: i64,
    max_connections: u32,
    cost_policy: String,
    access: String,
}

/// The `access` column: what a job needs to be let in, without its secrets.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct StoredAccess {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credentials: Option<Box<Credentials>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    cookies: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proxy: Option<ProxyChoice>,
}

impl StoredAccess {
    fn of(job: &Job) -> StoredAccess {
        StoredAccess { credentials: job.credentials.clone(), cookies: job.cookies, proxy: job.proxy.clone() }
    }
}

fn raw_job(row: &Row<'_>) -> rusqlite::Result<RawJob> {
    Ok(RawJob {
        id: row.get(0)?,
        queue_order: row.get(1)?,
        display_name: row.get(2)?,
        description: row.get(3)?,
        state: row.get(4)?,
        priority: row.get(5)?,
        owner: row.get(6)?,
        creator: row.get(7)?,
        created: row.get(8)?,
        modified: row.get(9)?,
        transfer_completed: row.get(10)?,
        error: row.get(11)?,
        error_count: row.get(12)?,
        notify_flags: row.get(13)?,
        notify_cmd_line: row.get(14)?,
        minimum_retry_delay_s: row.get(15)?,
        no_progress_timeout_s: row.get(16)?,
        auto_complete: row.get(17)?,
        custom_headers: row.get(18)?,
        speed_limit_bps: row.get(19)?,
        max_connections: row.get(20)?,
        cost_policy: row.get(21)?,
        access: row.get(22)?,
    })
}
