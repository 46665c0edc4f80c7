//! What a file's transfer works with: its plan, where it reports, and the
//! context its connections share (the open temp file, the clients, the limits).

use super::auth::{Access, Auth};
use super::budget::ConnectionBudget;
use super::clients::Clients;
use super::http::SharedIfRange;
use super::range_client::Target;
use super::{RateLimiter, TransferError};
use crate::model::FileProgress;
use reqwest::header;
use std::fs::File;
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// The job's connections at once: the file's first connection is the
    /// permit its transfer holds, each extra one of a split file takes one more.
    pub connections: Arc<ConnectionBudget>,
    /// The (uid, gid) to give the temp file, when the service is not its owner.
    pub owner: Option<(u32, u32)>,
    /// Speed limits to obey (the job's, and the global one for background jobs).
    pub limits: Vec<Arc<RateLimiter>>,
    /// The job's credentials and cookies (secrets: never logged).
    pub access: Arc<Access>,
}

/// Where a transfer reports what it learns; implemented by the job manager.
pub trait Reporter: Send + Sync {
    /// The server answered: the size, the validators, and why the file restarts
    /// from zero if it does (the host then forgets the stored ranges).
    fn connected(&self, file: u32, bytes_total: Option<u64>, validator: &FileProgress, restart: Option<&str>);
    /// `[start, start + len)` of the file is on disk.
    fn written(&self, file: u32, start: u64, len: u64);
    /// Ranges of the file are now asked for `how`, another way than the usual
    /// `If-Range` with the ETag, which the server ignored; for the journal.
    fn resumed(&self, file: u32, how: &str);
}

/// What the connections of one file share (owned: a split file's extra
/// connections run as tasks of their own, see `segments`).
#[derive(Clone)]
pub(super) struct Ctx {
    /// The clients every transfer shares.
    pub clients: Clients,
    /// The file to fetch.
    pub plan: Arc<FilePlan>,
    /// Where the written ranges and the server's answer are reported.
    pub reporter: Arc<dyn Reporter>,
    /// The open temp file.
    pub file: Arc<File>,
    /// The validators the file's bytes must keep matching.
    pub validator: FileProgress,
    /// What the file's ranged requests carry in `If-Range`.
    pub if_range: Arc<SharedIfRange>,
    /// Where the extra ranges go over the lean client, if they do.
    pub lean: Option<Target>,
    /// The file's login and how it is answered now.
    pub auth: Option<Arc<Auth>>,
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

    /// A GET of the plan's URL with its cookies and credentials.
    fn plan_get(&self) -> reqwest::RequestBuilder {
        let mut request = self.clients.main.get(&self.plan.url);
        if let Some(cookie) = self.plan.access.cookies.as_ref().and_then(|jar| jar.header_for(&self.plan.url))
            && let Ok(mut value) = header::HeaderValue::from_str(&cookie)
        {
            value.set_sensitive(true);
            request = request.header(header::COOKIE, value);
        }
        if let Some(value) = self.auth.as_ref().and_then(|auth| auth.header(&self.plan.url)) {
            request = request.header(header::AUTHORIZATION, value);
        }
        request
    }

    /// The error for a failed request of this file (the proxy's, if the
    /// connection to it failed).
    pub fn request_failed(&self, err: &reqwest::Error) -> TransferError {
        TransferError::from_reqwest_via(&self.plan.url, self.clients.proxy(), err)
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
