//! Fetching one file into its hidden temp file: resume with `Range` + `If-Range`,
//! restart from zero whenever the server's answer cannot be trusted.

use super::TransferError;
use crate::model::FileProgress;
use reqwest::header::{self, HeaderMap};
use sha2::{Digest, Sha256};
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Everything needed to fetch one file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The file's index in its job.
    pub index: u32,
    /// The URL.
    pub url: String,
    /// The hidden temp file.
    pub temp: PathBuf,
    /// Bytes already on disk (the checkpoint).
    pub offset: u64,
    /// The size, if known from an earlier response.
    pub bytes_total: Option<u64>,
    /// Validators of the response the stored bytes came from.
    pub validator: FileProgress,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Expected sha256 (lowercase hex).
    pub sha256: Option<String>,
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
    /// from zero if it does.
    fn connected(
        &self,
        file: u32,
        bytes_total: Option<u64>,
        validator: &FileProgress,
        restart: Option<&str>,
    );
    /// `bytes` of the file are on disk (called per chunk; the host throttles).
    fn progress(&self, file: u32, bytes: u64);
}

/// The HTTP client every transfer shares (connection reuse, HTTP/2 where offered).
pub fn build_client(read_timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    // Installing twice is harmless: the second call reports the first provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("haul/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(read_timeout)
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()
}

/// The `If-Range` validator for stored bytes: a strong ETag, else Last-Modified.
fn if_range(validator: &FileProgress) -> Option<&str> {
    match &validator.etag {
        Some(etag) if !etag.starts_with("W/") => Some(etag),
        _ => validator.last_modified.as_deref(),
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Parses `bytes START-END/TOTAL`.
fn content_range(headers: &HeaderMap) -> Option<(u64, u64, Option<u64>)> {
    let value = header_str(headers, header::CONTENT_RANGE)?;
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let total = if total == "*" {
        None
    } else {
        Some(total.parse().ok()?)
    };
    Some((start.parse().ok()?, end.parse().ok()?, total))
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, header::CONTENT_LENGTH)?
        .trim()
        .parse()
        .ok()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = header_str(headers, header::RETRY_AFTER)?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds.min(24 * 3600)))
}

fn is_html(headers: &HeaderMap) -> bool {
    header_str(headers, header::CONTENT_TYPE)
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// Why the stored bytes cannot be continued with this 206 answer, if they cannot.
fn range_mismatch(
    plan: &FilePlan,
    offset: u64,
    headers: &HeaderMap,
    fresh: &FileProgress,
) -> Option<String> {
    let Some((start, _end, total)) = content_range(headers) else {
        return Some("a 206 answer without a valid Content-Range".into());
    };
    if start != offset {
        return Some(format!(
            "Content-Range starts at {start}, {offset} was asked"
        ));
    }
    if let (Some(old), Some(new)) = (plan.bytes_total, total)
        && old != new
    {
        return Some(format!("the size changed from {old} to {new} bytes"));
    }
    if let (Some(old), Some(new)) = (&plan.validator.etag, &fresh.etag)
        && old != new
    {
        return Some(format!("the ETag changed from {old} to {new}"));
    }
    if let (Some(old), Some(new)) = (&plan.validator.last_modified, &fresh.last_modified)
        && old != new
    {
        return Some(format!("Last-Modified changed from {old} to {new}"));
    }
    None
}

/// Downloads `plan` into its temp file, reporting progress, until done, failed
/// or stopped by `stop`.
pub async fn download_file(
    client: &reqwest::Client,
    plan: &FilePlan,
    reporter: &dyn Reporter,
    stop: &CancellationToken,
) -> Result<FileResult, TransferError> {
    let local = |source| TransferError::Local {
        path: plan.temp.clone(),
        source,
    };
    let on_disk = std::fs::metadata(&plan.temp).map(|m| m.len()).unwrap_or(0);
    let mut restart: Option<String> = None;
    let mut offset = plan.offset;
    if offset > 0 && on_disk < offset {
        restart = Some(format!(
            "the temp file has {on_disk} of the {offset} bytes recorded"
        ));
        offset = 0;
    } else if offset > 0 && if_range(&plan.validator).is_none() {
        restart =
            Some("the server gave no validator (ETag or Last-Modified) to resume safely".into());
        offset = 0;
    }
    let first_seen =
        plan.offset > 0 || plan.bytes_total.is_some() || if_range(&plan.validator).is_some();
    for _attempt in 0..2 {
        let mut request = client.get(&plan.url);
        for (name, value) in &plan.headers {
            request = request.header(name, value);
        }
        if offset > 0 {
            request = request.header(header::RANGE, format!("bytes={offset}-"));
            if let Some(validator) = if_range(&plan.validator) {
                request = request.header(header::IF_RANGE, validator);
            }
        }
        let response = tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            sent = request.send() => sent.map_err(|e| TransferError::from_reqwest(&plan.url, &e))?,
        };
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            return Err(TransferError::Http {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_string(),
                url: plan.url.clone(),
                retry_after: retry_after(&headers),
            });
        }
        let fresh = FileProgress {
            etag: header_str(&headers, header::ETAG),
            last_modified: header_str(&headers, header::LAST_MODIFIED),
            html: is_html(&headers),
        };
        if first_seen && fresh.html && !plan.validator.html {
            return Err(TransferError::UnexpectedHtml {
                url: plan.url.clone(),
            });
        }
        let total = if status.as_u16() == 206 {
            if let Some(reason) = range_mismatch(plan, offset, &headers, &fresh) {
                restart = Some(reason);
                offset = 0;
                continue;
            }
            content_range(&headers).and_then(|(_, _, total)| total)
        } else {
            if offset > 0 {
                restart = Some(format!(
                    "the server sent the whole file ({status}) instead of the rest"
                ));
                offset = 0;
            }
            content_length(&headers)
        };
        reporter.connected(plan.index, total, &fresh, restart.as_deref());
        let written = write_body(response, plan, offset, total, reporter, stop).await?;
        let total = total.unwrap_or(written);
        if written != total {
            return Err(TransferError::ShortBody {
                url: plan.url.clone(),
                got: written,
                expected: total,
            });
        }
        if let Some(expected) = &plan.sha256 {
            let path = plan.temp.clone();
            let actual = tokio::task::spawn_blocking(move || sha256_of(&path))
                .await
                .map_err(|e| local(std::io::Error::other(e)))?
                .map_err(local)?;
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(TransferError::Checksum {
                    path: plan.temp.clone(),
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        return Ok(FileResult { bytes_total: total });
    }
    Err(TransferError::BadRange {
        url: plan.url.clone(),
        detail: restart.unwrap_or_else(|| "the range answer did not match twice".into()),
    })
}

/// Streams the body into the temp file at `offset`; returns the bytes on disk.
async fn write_body(
    mut response: reqwest::Response,
    plan: &FilePlan,
    offset: u64,
    total: Option<u64>,
    reporter: &dyn Reporter,
    stop: &CancellationToken,
) -> Result<u64, TransferError> {
    let local = |source| TransferError::Local {
        path: plan.temp.clone(),
        source,
    };
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&plan.temp)
        .map_err(local)?;
    if offset == 0 {
        file.set_len(0).map_err(local)?;
    }
    let mut position = offset;
    loop {
        let chunk = tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            chunk = response.chunk() => chunk,
        };
        match chunk {
            Ok(Some(bytes)) => {
                if total.is_some_and(|t| position + bytes.len() as u64 > t) {
                    return Err(TransferError::BadRange {
                        url: plan.url.clone(),
                        detail: "the body is longer than announced".into(),
                    });
                }
                file.write_all_at(&bytes, position).map_err(local)?;
                position += bytes.len() as u64;
                reporter.progress(plan.index, position);
            }
            Ok(None) => return Ok(position),
            Err(e) if total.is_some_and(|t| position < t) => {
                return Err(TransferError::from_reqwest(&plan.url, &e));
            }
            Err(e) => return Err(TransferError::from_reqwest(&plan.url, &e)),
        }
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
