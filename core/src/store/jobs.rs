//! Rows of the `jobs` and `files` tables, read and written whole.

use super::{Store, StoreError};
use crate::model::{
    CostPolicy, Credentials, FileProgress, Job, JobError, JobFile, JobId, JobState, JobTimes, NotifyCmdLine,
    NotifyFlags, Priority, Progress, ProxyChoice, RangeSet, TempName,
};
use chrono::{DateTime, Utc};
use rusqlite::{Row, params};
use std::collections::HashMap;
use std::path::PathBuf;

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

const FILE_COLUMNS: &str = "job_id, idx, remote_url, local_name, temp_name, bytes_total, \
    bytes_transferred, transferred, completed, sha256, etag, last_modified, html, done_ranges, restart_reason";

fn json<T: serde::Serialize>(value: &T) -> String {
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

    /// Writes one file's row, including its checkpoint.
    pub fn save_file(&self, job_id: JobId, file: &JobFile) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO files ({FILE_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)
             ON CONFLICT(job_id, idx) DO UPDATE SET remote_url=?3, local_name=?4, temp_name=?5,
             bytes_total=?6, bytes_transferred=?7, transferred=?8, completed=?9, sha256=?10,
             etag=?11, last_modified=?12, html=?13, done_ranges=?14, restart_reason=?15"
        );
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.sqlite(e))?;
        stmt.execute(params![
            job_id.to_string(),
            file.index,
            file.remote_url,
            file.local_name.to_string_lossy(),
            file.temp_path().to_string_lossy(),
            file.bytes_total.map(|b| b as i64),
            file.bytes_transferred as i64,
            file.transferred,
            file.completed,
            file.sha256,
            file.checkpoint.etag,
            file.checkpoint.last_modified,
            file.checkpoint.html,
            json(&file.checkpoint.done),
            file.restart_reason,
        ])
        .map_err(|e| self.sqlite(e))?;
        Ok(())
    }

    /// Saves what a transfer changes in a file's saved row (its size,
    /// progress, validators and ranges on disk), a narrower write than
    /// [`Store::save_file`] for the one made per file in a job of many. A
    /// file whose row is not there yet is saved whole.
    pub fn save_progress(&self, job_id: JobId, file: &JobFile) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE files SET bytes_total=?3, bytes_transferred=?4, transferred=?5, etag=?6,
                 last_modified=?7, html=?8, done_ranges=?9 WHERE job_id=?1 AND idx=?2",
            )
            .map_err(|e| self.sqlite(e))?;
        let changed = stmt
            .execute(params![
                job_id.to_string(),
                file.index,
                file.bytes_total.map(|b| b as i64),
                file.bytes_transferred as i64,
                file.transferred,
                file.checkpoint.etag,
                file.checkpoint.last_modified,
                file.checkpoint.html,
                json(&file.checkpoint.done),
            ])
            .map_err(|e| self.sqlite(e))?;
        if changed == 0 { self.save_file(job_id, file) } else { Ok(()) }
    }

    /// Marks every transferred file of a job completed (moved into place), in
    /// one statement rather than a row write per file.
    pub fn mark_completed(&self, job_id: JobId) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE files SET completed = 1 WHERE job_id = ?1 AND transferred = 1 AND completed = 0")
            .map_err(|e| self.sqlite(e))?;
        stmt.execute([job_id.to_string()]).map_err(|e| self.sqlite(e))?;
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

    /// Reads each job's files, in order, into `on_files` (a vector of exactly
    /// their number), which returns false for a job it does not know. Read
    /// job by job, so that no copy of every file is held meanwhile, nor a big
    /// buffer freed into the heap the jobs live in.
    pub fn read_files(&self, mut on_files: impl FnMut(JobId, Vec<JobFile>) -> bool) -> Result<(), StoreError> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM files ORDER BY job_id, idx");
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sqlite(e))?;
        let rows = stmt.query_map([], raw_file).map_err(|e| self.sqlite(e))?;
        let mut files: Vec<JobFile> = Vec::new();
        let mut current: Option<JobId> = None;
        let mut hand_over = |job_id: JobId, files: &mut Vec<JobFile>| {
            // A vector of exactly the job's files; the gathering one is kept for the next job.
            let mut exact = Vec::with_capacity(files.len());
            exact.append(files);
            match on_files(job_id, exact) {
                true => Ok(()),
                false => Err(self.corrupt(format!("files of unknown job {job_id}"))),
            }
        };
        for row in rows {
            let (job_id, file) = row.map_err(|e| self.sqlite(e))?;
            let job_id = job_id
                .map_err(|_| self.corrupt(format!("file {} of a job with a bad id", file.local_name.display())))?;
            if current != Some(job_id)
                && let Some(done) = current.replace(job_id)
            {
                hand_over(done, &mut files)?;
            }
            files.push(file);
        }
        if let Some(done) = current {
            hand_over(done, &mut files)?;
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

/// A file row: its job's id (unless unreadable) and the file.
fn raw_file(row: &Row<'_>) -> rusqlite::Result<(Result<JobId, uuid::Error>, JobFile)> {
    let local: String = row.get(3)?;
    let temp: String = row.get(4)?;
    let total: Option<i64> = row.get(5)?;
    let done: i64 = row.get(6)?;
    let ranges: Option<String> = row.get(13)?;
    let done = done.max(0) as u64;
    // Version-1 rows (and unreadable ones) have a prefix checkpoint.
    let ranges = ranges
        .and_then(|text| serde_json::from_str::<RangeSet>(&text).ok())
        .filter(|set| set.covered() == done)
        .unwrap_or_else(|| RangeSet::prefix(done));
    let job_id = row.get_ref(0)?.as_str()?.parse::<JobId>();
    let index: u32 = row.get(1)?;
    let local = PathBuf::from(local);
    let temp = match &job_id {
        Ok(job_id) => TempName::saved(PathBuf::from(temp), &local, *job_id, index),
        Err(_) => TempName::Path(PathBuf::from(temp)),
    };
    Ok((
        job_id,
        JobFile {
            index,
            remote_url: row.get(2)?,
            local_name: local,
            temp_name: temp,
            bytes_total: total.map(|t| t.max(0) as u64),
            bytes_transferred: done,
            transferred: row.get(7)?,
            completed: row.get(8)?,
            sha256: row.get(9)?,
            restart_reason: row.get(14)?,
            checkpoint: FileProgress {
                done: ranges,
                etag: row.get(10)?,
                last_modified: row.get(11)?,
                html: row.get(12)?,
            },
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileProgress, RangeSet};

    fn files_of(store: &Store) -> Vec<JobFile> {
        let mut all = Vec::new();
        store
            .read_files(|_, files| {
                all.extend(files);
                true
            })
            .expect("read files");
        all
    }

    #[test]
    fn progress_is_saved_without_touching_the_rest_of_the_row_and_a_missing_row_is_saved_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("haul.db")).expect("open");
        let job = crate::model::test_job("suspended");
        store.save_job(&job, 0).expect("job");
        let mut file = JobFile {
            index: 0,
            remote_url: "https://example.invalid/a.iso".into(),
            local_name: "/d/a.iso".into(),
            temp_name: TempName::Path("/d/.a.iso.part".into()),
            bytes_total: None,
            bytes_transferred: 0,
            transferred: false,
            completed: false,
            sha256: Some("ab".repeat(32)),
            restart_reason: Some("the server sent another file".into()),
            checkpoint: FileProgress::default(),
        };
        store.save_progress(job.id, &file).expect("a row that was not there");
        assert_eq!(files_of(&store), vec![file.clone()]);

        file.bytes_total = Some(100);
        file.bytes_transferred = 100;
        file.transferred = true;
        file.checkpoint = FileProgress {
            done: RangeSet::prefix(100),
            etag: Some("\"v1\"".into()),
            last_modified: Some("Wed, 01 Jan 2026 00:00:00 GMT".into()),
            html: false,
        };
        // What only a full save writes stays as it was saved.
        let mut moved = file.clone();
        moved.remote_url = "https://example.invalid/elsewhere.iso".into();
        store.save_progress(job.id, &moved).expect("progress");
        assert_eq!(files_of(&store), vec![file]);
    }
}
