//! Fetching one file into its hidden temp file: resume with `Range` + `If-Range`,
//! split large files over several connections, and restart from zero whenever
//! the server's answer cannot be trusted.

use super::clients::Clients;
use super::context::{Ctx, FilePlan, Reporter};
use super::http::{self, IfRangeWith, http_error, if_range};
use super::resume::{Resume, WholeAnswer, whole_answer};
use super::{TransferError, segments, stream};
use crate::model::FileProgress;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Files smaller than this are never split.
pub const SPLIT_MIN_FILE: u64 = 4 << 20;

/// A finished file.
#[derive(Clone, Copy, Debug)]
pub struct FileResult {
    /// Its size.
    pub bytes_total: u64,
}

/// Opens the temp file for writing, emptied unless `resuming`. One made
/// ahead of its turn (`manager/ahead.rs`) or left by an earlier attempt is
/// opened without `O_CREAT`, which takes no lock on the folder (the thread
/// making the next files holds it); only an absent one is created. An old
/// one is truncated only if it has bytes: on ext4, truncating a file makes
/// its close flush it to disk at once (a cost per file in a job of many).
fn open_temp(path: &Path, resuming: bool) -> std::io::Result<File> {
    match OpenOptions::new().write(true).open(path) {
        Ok(file) => {
            if !resuming && file.metadata()?.len() > 0 {
                file.set_len(0)?;
            }
            Ok(file)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            OpenOptions::new().write(true).create(true).truncate(false).open(path)
        }
        Err(e) => Err(e),
    }
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
    // A parts folder is looked for only when the file was seen before: a new
    // one starts from zero, where the first answer's type tells a stream (a
    // look per file is a cost in a job of many).
    if stream::is_playlist(&plan.url, None)
        || stream::is_dash(&plan.url, None)
        || (seen_before(&plan) && stream::parts_dir(&plan.temp).is_dir())
    {
        return stream::download_stream(clients, plan, reporter, stop).await;
    }
    let mut resume = Resume::new(&plan);
    for _attempt in 0..3 {
        let start = resume.start();
        let mut ctx = open_attempt(clients, &plan, &reporter, &resume)?;
        let response = first_answer(&ctx, &resume, start, stop).await?;
        let content_type = http::header_str(response.headers(), reqwest::header::CONTENT_TYPE);
        if start == 0
            && (stream::is_playlist("", content_type.as_deref()) || stream::is_dash("", content_type.as_deref()))
        {
            // Known by its content type only: a stream after all.
            drop(response);
            return stream::download_stream(clients, plan, reporter, stop).await;
        }
        let Some(accepted) = accept_answer(&mut ctx, &mut resume, &response, start)? else {
            continue;
        };
        match fetch(&mut ctx, response, accepted, &resume, stop).await {
            Err(TransferError::Changed { detail, .. }) => resume.distrust(detail),
            size => {
                let bytes_total = size?;
                verify_checksum(&plan).await?;
                return Ok(FileResult { bytes_total });
            }
        }
    }
    Err(resume.exhausted(&plan.url))
}

/// A first answer that continues the file: where its body starts, and
/// whether the file may be split over more connections.
struct Accepted {
    start: u64,
    ranges_ok: bool,
}

/// The error for a failure on the plan's temp file.
fn local(plan: &FilePlan) -> impl Fn(std::io::Error) -> TransferError + '_ {
    move |source| TransferError::Local { path: plan.temp.clone(), source }
}

/// Whether the file was seen before this transfer (an HTML answer then means
/// the server now sends something else, a login page say).
fn seen_before(plan: &FilePlan) -> bool {
    plan.checkpoint.done.covered() > 0 || plan.bytes_total.is_some() || if_range(&plan.checkpoint).is_some()
}

/// Opens the temp file for an attempt (emptied unless resuming, given to its
/// owner) and the context the attempt's connections share.
fn open_attempt(
    clients: &Clients,
    plan: &Arc<FilePlan>,
    reporter: &Arc<dyn Reporter>,
    resume: &Resume,
) -> Result<Ctx, TransferError> {
    let file = open_temp(&plan.temp, resume.resuming()).map_err(local(plan))?;
    #[cfg(unix)]
    if let Some((uid, gid)) = plan.owner {
        std::os::unix::fs::fchown(&file, Some(uid), Some(gid)).map_err(local(plan))?;
    }
    Ok(Ctx {
        clients: clients.clone(),
        plan: plan.clone(),
        reporter: reporter.clone(),
        file: Arc::new(file),
        validator: resume.checkpoint.clone(),
        if_range: Arc::new(http::SharedIfRange::new(resume.if_range)),
        lean: None,
        auth: plan.access.login.clone().map(|login| Arc::new(super::auth::Auth::new(login))),
    })
}

/// Asks for the file from `start` (with `If-Range` when resuming), or whole
/// once ranges are not trusted; an answer that is not a success fails the file.
async fn first_answer(
    ctx: &Ctx,
    resume: &Resume,
    start: u64,
    stop: &CancellationToken,
) -> Result<reqwest::Response, TransferError> {
    // A 401 challenge is answered once with the job's login.
    let mut challenged = false;
    loop {
        let request =
            if resume.trust_ranges { ctx.request(start, None, resume.if_range_sent()) } else { ctx.plain_request() };
        let response = tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            sent = request.send() => sent.map_err(|e| ctx.request_failed(&e))?,
        };
        let status = response.status().as_u16();
        if status == 401
            && let Some(auth) = &ctx.auth
        {
            // Only the job's own host gets the login (a redirect elsewhere does not).
            let same_host = super::range_client::same_host(&ctx.plan.url, response.url().as_str());
            if !challenged && same_host && auth.challenge(response.headers()) {
                challenged = true;
                continue;
            }
            if same_host {
                let user = ctx.plan.access.login.as_ref().map(|l| l.user.clone()).unwrap_or_default();
                return Err(TransferError::LoginRefused { status, url: ctx.plan.url.clone(), user });
            }
        }
        if status == 407
            && let Some(proxy) = ctx.clients.proxy()
        {
            return Err(TransferError::Proxy {
                proxy: proxy.to_string(),
                detail: super::classify::login_refused("407 Proxy Authentication Required"),
                code: super::classify::PROXY_LOGIN_REFUSED,
            });
        }
        if !http::carries_the_file(response.status()) {
            return Err(http_error(&response, &ctx.plan.url));
        }
        return Ok(response);
    }
}

/// Checks the first answer against the stored bytes and takes its size and
/// validators (and reports them); None when it cannot continue them: the
/// next attempt starts from zero.
fn accept_answer(
    ctx: &mut Ctx,
    resume: &mut Resume,
    response: &reqwest::Response,
    start: u64,
) -> Result<Option<Accepted>, TransferError> {
    let plan = ctx.plan.clone();
    let headers = response.headers();
    let fresh = http::validators(headers);
    if seen_before(&plan) && fresh.html && !plan.checkpoint.html {
        return Err(TransferError::UnexpectedHtml { url: plan.url.clone() });
    }
    let partial = response.status().as_u16() == 206;
    if partial {
        if let Some(reason) = http::range_mismatch(start, resume.total, &resume.checkpoint, headers) {
            resume.distrust(reason);
            return Ok(None);
        }
        if resume.resuming() && resume.if_range != IfRangeWith::default() {
            ctx.reporter.resumed(plan.index, resume.if_range.words());
        }
    } else if resume.resuming() || start > 0 {
        match whole_answer(resume, headers) {
            WholeAnswer::IgnoredIfRange(next) => {
                tracing::info!(
                    "{}: the server answered {} to a range with {}; trying {}",
                    plan.url,
                    response.status(),
                    resume.if_range.words(),
                    next.words()
                );
                resume.if_range = next;
                return Ok(None);
            }
            WholeAnswer::Restart(reason) => resume.restart = Some(reason),
        }
        ctx.file.set_len(0).map_err(local(&plan))?;
    }
    resume.total = match partial {
        // A range of unknown total (`/*`) still says where it ends: a body
        // that stops short of that is cut, not the whole file.
        true => http::content_range(headers).map(|(_, end, t)| t.or(resume.total).unwrap_or(end + 1)),
        false => http::content_length(headers),
    };
    let done = if partial { std::mem::take(&mut resume.checkpoint.done) } else { Default::default() };
    resume.checkpoint = FileProgress { done, ..fresh };
    ctx.validator = resume.checkpoint.clone();
    ctx.reporter.connected(plan.index, resume.total, &resume.checkpoint, resume.restart.take().as_deref());
    let ranges_ok = resume.trust_ranges && (partial || http::accepts_ranges(headers));
    Ok(Some(Accepted { start: if partial { start } else { 0 }, ranges_ok }))
}

/// Fetches the accepted answer's body: split over several connections when
/// the file is big and ranges work, else on this one; returns the file's size.
async fn fetch(
    ctx: &mut Ctx,
    response: reqwest::Response,
    accepted: Accepted,
    resume: &Resume,
    stop: &CancellationToken,
) -> Result<u64, TransferError> {
    let done = &resume.checkpoint.done;
    match resume.total {
        Some(t)
            if accepted.ranges_ok
                && ctx.plan.max_connections > 1
                && t.saturating_sub(done.covered()) >= SPLIT_MIN_FILE =>
        {
            // Decided only for a file that is split: parsing two URLs is
            // a cost per file in a job of many small ones.
            // Credentials, cookies and a proxy set by hand stay on reqwest,
            // which carries them on every connection.
            if ctx.clients.lean && ctx.plan.access.is_empty() {
                ctx.lean = ctx.clients.ranges.target(&ctx.plan.url, response.url().as_str());
            }
            preallocate(&ctx.file, t).map_err(local(&ctx.plan))?;
            segments::run(ctx, response, accepted.start, t, done, stop).await.map(|()| t)
        }
        _ => stream(ctx, response, accepted.start, resume.total, stop).await,
    }
}

/// Checks the finished temp file against the plan's sha256, if it has one.
async fn verify_checksum(plan: &FilePlan) -> Result<(), TransferError> {
    let Some(expected) = &plan.sha256 else { return Ok(()) };
    let path = plan.temp.clone();
    let actual = tokio::task::spawn_blocking(move || sha256_of(&path))
        .await
        .map_err(|e| local(plan)(std::io::Error::other(e)))?
        .map_err(local(plan))?;
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(TransferError::Checksum { path: plan.temp.clone(), expected: expected.clone(), actual });
    }
    Ok(())
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
            chunk = response.chunk() => chunk.map_err(|e| ctx.request_failed(&e))?,
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
