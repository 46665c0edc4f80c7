//! Fetching one file into its hidden temp file: resume with `Range` + `If-Range`,
//! split large files over several connections, and restart from zero whenever
//! the server's answer cannot be trusted.

use super::clients::Clients;
use super::http::{self, if_range};
use super::range_client::Target;
use super::{RateLimiter, TransferError, segments};
use crate::model::FileProgress;
use reqwest::header;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Read;
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Files smaller than this are never split.
pub const SPLIT_MIN_FILE: u64 = 4 << 20;

/// Everything needed to fetch one file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The file's index in its job.
    pub index: u32,
    /// The URL.
    pub url: String,
    /// The hidden temp file.
    pub temp: PathBuf,
    /// The ranges on disk and the validators they came with.
    pub checkpoint: FileProgress,
    /// The size, if known from an earlier response.
    pub bytes_total: Option<u64>,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Expected sha256 (lowercase hex).
    pub sha256: Option<String>,
    /// Most connections for this file (1 = never split).
    pub max_connections: usize,
    /// The (uid, gid) to give the temp file, when the service is not its owner.
    pub owner: Option<(u32, u32)>,
    /// Speed limits to obey (the job's, and the global one for background jobs).
    pub limits: Vec<Arc<RateLimiter>>,
}

/// A finished file.
#[derive(Clone, Copy, Debug)]
pub struct FileResult {
    /// Its size.
    pub bytes_total: u64,
}

/// Where a transfer reports what it learns; implemented by the job manager.
pub trait Reporter: Send + Sync {
    /// The server answered: the size, the validators, and why the file restarts
    /// from zero if it does (the host then forgets the stored ranges).
    fn connected(&self, file: u32, bytes_total: Option<u64>, validator: &FileProgress, restart: Option<&str>);
    /// `[start, start + len)` of the file is on disk.
    fn written(&self, file: u32, start: u64, len: u64);
}

/// What the connections of one file share (owned: a split file's extra
/// connections run as tasks of their own, see `segments`).
#[derive(Clone)]
pub(super) struct Ctx {
    pub clients: Clients,
    pub plan: Arc<FilePlan>,
    pub reporter: Arc<dyn Reporter>,
    pub file: Arc<File>,
    pub validator: FileProgress,
    /// Where the extra ranges go over the lean client, if they do.
    pub lean: Option<Target>,
}

impl Ctx {
    /// A GET for `[start, end)` (`end` None: to the end), with `If-Range` when resuming.
    pub fn request(&self, start: u64, end: Option<u64>, validator: Option<&str>) -> reqwest::RequestBuilder {
        let mut request = self.plan.headers.iter().fold(self.plan_get(), |r, (k, v)| r.header(k, v));
        let range = match end {
            Some(end) => format!("bytes={start}-{}", end.saturating_sub(1)),
            None => format!("bytes={start}-"),
        };
        request = request.header(header::RANGE, range);
        if let Some(validator) = validator {
            request = request.header(header::IF_RANGE, validator);
        }
        request
    }

    fn plan_get(&self) -> reqwest::RequestBuilder {
        self.clients.main.get(&self.plan.url)
    }

    /// A GET of the whole file, without `Range`.
    pub fn plain_request(&self) -> reqwest::RequestBuilder {
        self.plan.headers.iter().fold(self.plan_get(), |r, (k, v)| r.header(k, v))
    }

    /// Writes `bytes` at `offset`, reports them, and waits as the speed limits require.
    pub async fn write(&self, bytes: &[u8], offset: u64) -> Result<(), TransferError> {
        self.store(bytes, offset)?;
        self.throttle(bytes.len()).await;
        Ok(())
    }

    /// Writes `bytes` at `offset` and reports them.
    pub fn store(&self, bytes: &[u8], offset: u64) -> Result<(), TransferError> {
        self.file
            .write_all_at(bytes, offset)
            .map_err(|source| TransferError::Local { path: self.plan.temp.clone(), source })?;
        self.reporter.written(self.plan.index, offset, bytes.len() as u64);
        Ok(())
    }

    /// Waits as the speed limits require after `len` bytes.
    pub async fn throttle(&self, len: usize) {
        for limit in &self.plan.limits {
            limit.take(len as u64).await;
        }
    }
}

/// The error for a non-success answer.
pub(super) fn http_error(response: &reqwest::Response, url: &str) -> TransferError {
    status_error(response.status(), response.headers(), url)
}

/// The error for a non-success status.
pub(super) fn status_error(status: reqwest::StatusCode, headers: &header::HeaderMap, url: &str) -> TransferError {
    TransferError::Http {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        url: url.to_string(),
        retry_after: http::retry_after(headers),
    }
}

/// Why the stored bytes cannot be trusted before asking the server, if so.
fn stored_bytes_doubt(plan: &FilePlan) -> Option<String> {
    let done = &plan.checkpoint.done;
    if done.covered() == 0 {
        return None;
    }
    let on_disk = std::fs::metadata(&plan.temp).map(|m| m.len()).ok();
    match on_disk {
        None => Some("the temp file is gone".into()),
        Some(len) if len < done.max_end() => {
            Some(format!("the temp file has {len} bytes, {} were recorded", done.max_end()))
        }
        _ if if_range(&plan.checkpoint).is_none() => {
            Some("the server gave no validator (ETag or Last-Modified) to resume safely".into())
        }
        _ => None,
    }
}

/// Opens the temp file for writing, emptied unless `resuming`. A new file is
/// created without looking at it first; an old one is truncated only if it
/// has bytes: on ext4, truncating a file makes its close flush it to disk at
/// once (a cost per file in a job of many).
fn open_temp(path: &Path, resuming: bool) -> std::io::Result<File> {
    if !resuming {
        match OpenOptions::new().write(true).create_new(true).open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            created => return created,
        }
    }
    let file = OpenOptions::new().write(true).create(true).truncate(false).open(path)?;
    if !resuming && file.metadata()?.len() > 0 {
        file.set_len(0)?;
    }
    Ok(file)
}

/// Reserves the disk space of a file of `len` bytes, keeping its length: the
/// connections of a split file write at many offsets at once, and a disk that
/// is too small is known before any byte comes (as a local error). A file
/// system that cannot reserve space is written without.
fn preallocate(file: &File, len: u64) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FallocateFlags, fallocate};
        match fallocate(file, FallocateFlags::KEEP_SIZE, 0, len) {
            Err(e) if e == rustix::io::Errno::NOSPC => return Err(e.into()),
            Err(e) => tracing::debug!("no space reserved for the temp file: {e}"),
            Ok(()) => {}
        }
    }
    let _ = (file, len);
    Ok(())
}

/// Downloads `plan` into its temp file until done, failed or stopped by `stop`.
pub async fn download_file(
    clients: &Clients,
    plan: Arc<FilePlan>,
    reporter: Arc<dyn Reporter>,
    stop: &CancellationToken,
) -> Result<FileResult, TransferError> {
    let local = |source| TransferError::Local { path: plan.temp.clone(), source };
    let first_seen =
        plan.checkpoint.done.covered() > 0 || plan.bytes_total.is_some() || if_range(&plan.checkpoint).is_some();
    let mut checkpoint = plan.checkpoint.clone();
    let mut total = plan.bytes_total;
    let mut restart = stored_bytes_doubt(&plan);
    // After a range answer that did not match, ranges are not trusted for this
    // file any more: it is fetched whole, on one connection, without `Range`.
    let mut trust_ranges = true;
    if restart.is_some() {
        checkpoint = FileProgress::default();
        total = None;
    }
    for _attempt in 0..3 {
        let start = match total {
            Some(t) => checkpoint.done.gaps(t).first().map_or(t, |g| g.0),
            None => checkpoint.done.prefix_len(),
        };
        let resuming = checkpoint.done.covered() > 0;
        let file = open_temp(&plan.temp, resuming).map_err(local)?;
        #[cfg(unix)]
        if let Some((uid, gid)) = plan.owner {
            std::os::unix::fs::fchown(&file, Some(uid), Some(gid)).map_err(local)?;
        }
        let mut ctx = Ctx {
            clients: clients.clone(),
            plan: plan.clone(),
            reporter: reporter.clone(),
            file: Arc::new(file),
            validator: checkpoint.clone(),
            lean: None,
        };
        let request = if trust_ranges {
            ctx.request(start, None, if resuming { if_range(&checkpoint) } else { None })
        } else {
            ctx.plain_request()
        };
        let response = tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            sent = request.send() => sent.map_err(|e| TransferError::from_reqwest(&plan.url, &e))?,
        };
        if !response.status().is_success() {
            return Err(http_error(&response, &plan.url));
        }
        let headers = response.headers().clone();
        let fresh = http::validators(&headers);
        if first_seen && fresh.html && !plan.checkpoint.html {
            return Err(TransferError::UnexpectedHtml { url: plan.url.clone() });
        }
        let partial = response.status().as_u16() == 206;
        if partial {
            if let Some(reason) = http::range_mismatch(start, total, &checkpoint, &headers) {
                restart = Some(reason);
                checkpoint = FileProgress::default();
                total = None;
                trust_ranges = false;
                continue;
            }
        } else if resuming || start > 0 {
            restart = Some(format!("the server sent the whole file ({}) instead of the rest", response.status()));
            ctx.file.set_len(0).map_err(local)?;
        }
        let start = if partial { start } else { 0 };
        total = if partial {
            http::content_range(&headers).and_then(|(_, _, t)| t)
        } else {
            http::content_length(&headers)
        };
        checkpoint = FileProgress { done: if partial { checkpoint.done } else { Default::default() }, ..fresh };
        ctx.validator = checkpoint.clone();
        reporter.connected(plan.index, total, &checkpoint, restart.take().as_deref());
        let ranges_ok = trust_ranges && (partial || http::accepts_ranges(&headers));
        let outcome = match total {
            Some(t)
                if ranges_ok
                    && plan.max_connections > 1
                    && t.saturating_sub(checkpoint.done.covered()) >= SPLIT_MIN_FILE =>
            {
                // Decided only for a file that is split: parsing two URLs is
                // a cost per file in a job of many small ones.
                ctx.lean = clients.ranges.target(&plan.url, response.url().as_str());
                preallocate(&ctx.file, t).map_err(local)?;
                segments::run(&ctx, response, start, t, &checkpoint.done, stop).await.map(|()| t)
            }
            _ => stream(&ctx, response, start, total, stop).await,
        };
        let size = match outcome {
            Err(TransferError::Changed { detail, .. }) => {
                restart = Some(detail);
                checkpoint = FileProgress::default();
                total = None;
                trust_ranges = false;
                continue;
            }
            other => other?,
        };
        if let Some(expected) = &plan.sha256 {
            let path = plan.temp.clone();
            let actual = tokio::task::spawn_blocking(move || sha256_of(&path))
                .await
                .map_err(|e| local(std::io::Error::other(e)))?
                .map_err(local)?;
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(TransferError::Checksum { path: plan.temp.clone(), expected: expected.clone(), actual });
            }
        }
        return Ok(FileResult { bytes_total: size });
    }
    Err(TransferError::BadRange {
        url: plan.url.clone(),
        detail: restart.unwrap_or_else(|| "the server's range answers did not match three times".into()),
    })
}

/// One connection from `start` to the end; returns the file's size.
async fn stream(
    ctx: &Ctx,
    mut response: reqwest::Response,
    start: u64,
    total: Option<u64>,
    stop: &CancellationToken,
) -> Result<u64, TransferError> {
    let url = &ctx.plan.url;
    let mut position = start;
    loop {
        let chunk = tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            chunk = response.chunk() => chunk.map_err(|e| TransferError::from_reqwest(url, &e))?,
        };
        let Some(bytes) = chunk else { break };
        if total.is_some_and(|t| position + bytes.len() as u64 > t) {
            return Err(TransferError::BadRange {
                url: url.clone(),
                detail: "the body is longer than announced".into(),
            });
        }
        ctx.write(&bytes, position).await?;
        position += bytes.len() as u64;
    }
    match total {
        Some(t) if position != t => Err(TransferError::ShortBody { url: url.clone(), got: position, expected: t }),
        _ => Ok(position),
    }
}

/// The sha256 of a file, lowercase hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Unix's `write_all_at`, for Windows, whose `FileExt` has only `seek_write`
/// (which also moves the file's cursor; nothing here uses the cursor).
#[cfg(windows)]
trait FileExt {
    fn write_all_at(&self, bytes: &[u8], offset: u64) -> std::io::Result<()>;
}

#[cfg(windows)]
impl FileExt for File {
    fn write_all_at(&self, mut bytes: &[u8], mut offset: u64) -> std::io::Result<()> {
        use std::io::ErrorKind;
        while !bytes.is_empty() {
            match std::os::windows::fs::FileExt::seek_write(self, bytes, offset) {
                Ok(0) => return Err(std::io::Error::new(ErrorKind::WriteZero, "failed to write the whole buffer")),
                Ok(n) => {
                    bytes = &bytes[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
