//! The files table: one row per file of a job, with its checkpoint.

use super::jobs::json;
use super::{Store, StoreError};
use crate::model::{FileProgress, JobFile, JobId, RangeSet, TempName};
use rusqlite::{Row, params};
use std::path::PathBuf;

const FILE_COLUMNS: &str = "job_id, idx, remote_url, local_name, temp_name, bytes_total, \
    bytes_transferred, transferred, completed, sha256, etag, last_modified, html, done_ranges, restart_reason";

impl Store {
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
mod tests;
