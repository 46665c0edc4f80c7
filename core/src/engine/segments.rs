//! One file over several connections: dynamic splitting (an idle connection
//! takes half of the largest remaining range), with as many connections as
//! `ramp` decides from what is measured here.

use super::TransferError;
use super::budget::ConnectionPermit;
use super::context::Ctx;
use super::http::{self, IfRangeWith, if_range_with, status_error};
use super::ramp::{Ramp, Sample, TICK};
use super::range_client::{self, RangeBody};
use super::threads::{CloseOnDrop, Fence, transfer_threads, writers_take_turns};
use crate::model::RangeSet;
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

/// A range is never split below twice this.
const MIN_SEGMENT: u64 = 1 << 20;
/// Split points are aligned to this.
const ALIGN: u64 = 64 << 10;
/// One connection's range: it writes at `pos` until `end`, which others may lower.
struct Segment {
    pos: AtomicU64,
    end: AtomicU64,
}

impl Segment {
    fn new(start: u64, end: u64) -> Arc<Segment> {
        Arc::new(Segment { pos: AtomicU64::new(start), end: AtomicU64::new(end) })
    }

    fn remaining(&self) -> u64 {
        self.end.load(Ordering::Acquire).saturating_sub(self.pos.load(Ordering::Acquire))
    }

    /// Gives away the upper half of what is left, if it is big enough.
    fn split(&self) -> Option<Arc<Segment>> {
        let end = self.end.load(Ordering::Acquire);
        let pos = self.pos.load(Ordering::Acquire);
        let remaining = end.saturating_sub(pos);
        if remaining < 2 * MIN_SEGMENT {
            return None;
        }
        let mid = (pos + remaining / 2).div_ceil(ALIGN) * ALIGN;
        if mid >= end {
            return None;
        }
        self.end.compare_exchange(end, mid, Ordering::AcqRel, Ordering::Acquire).ok()?;
        Some(Segment::new(mid, end))
    }
}

/// What the connections of one split file share besides the context.
#[derive(Clone)]
struct Shared {
    /// Bytes written by all of them (the aggregate speed).
    written: Arc<AtomicU64>,
    /// Connections whose range answer has come (the primary counts).
    answered: Arc<AtomicUsize>,
    fence: Arc<Fence>,
}

type Worker = Pin<Box<dyn Future<Output = (Arc<Segment>, Result<(), TransferError>)> + Send>>;

/// An extra connection, as a task on the transfer threads; dropping the
/// returned future (when `run` returns) stops it.
fn spawn_worker(ctx: &Arc<Ctx>, segment: Arc<Segment>, total: u64, shared: &Shared) -> Worker {
    let task = transfer_threads().spawn(worker(ctx.clone(), segment.clone(), None, total, shared.clone()));
    let task = AbortOnDropHandle::new(task);
    let temp = ctx.plan.temp.clone();
    Box::pin(async move {
        match task.await {
            Ok(done) => done,
            Err(e) => {
                let source = std::io::Error::other(format!("internal error in a connection: {e}"));
                (segment, Err(TransferError::Local { path: temp, source }))
            }
        }
    })
}

/// Fetches every gap of `[0, total)` not in `done`; `primary` already streams
/// from `start`.
pub(super) async fn run(
    ctx: &Ctx,
    primary: reqwest::Response,
    start: u64,
    total: u64,
    done: &RangeSet,
    stop: &CancellationToken,
) -> Result<(), TransferError> {
    let ctx = Arc::new(ctx.clone());
    // Where the extra connections go too (after redirects): TLS or not.
    let encrypted = primary.url().scheme() == "https";
    let shared = Shared {
        written: Arc::new(AtomicU64::new(0)),
        answered: Arc::new(AtomicUsize::new(1)),
        fence: Arc::new(Fence::default()),
    };
    let _close = CloseOnDrop(shared.fence.clone());
    let written = &shared.written;
    let mut gaps: VecDeque<(u64, u64)> = done.gaps(total).into();
    let mut ramp = Ramp::resumed(ctx.plan.max_connections, gaps.len());
    let first_end = match gaps.front() {
        Some(&(s, e)) if s == start => {
            gaps.pop_front();
            e
        }
        _ => total,
    };
    let mut active: Vec<Arc<Segment>> = Vec::new();
    let mut workers: FuturesUnordered<Worker> = FuturesUnordered::new();
    // Connections started, the primary included.
    let mut started = 1usize;
    let first = Segment::new(start, first_end);
    active.push(first.clone());
    workers.push(Box::pin(worker(ctx.clone(), first, Some(primary), total, shared.clone())));

    // The ramp's clock.
    let began = Instant::now();
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    // The job's connections held by the extra ones: one fewer than are running
    // (the file's own permit covers one).
    let mut extra: Vec<ConnectionPermit> = Vec::new();
    loop {
        while workers.len() < ramp.target() {
            let permit = match workers.is_empty() {
                true => None,
                false => match ctx.plan.connections.try_take() {
                    Some(permit) => Some(permit),
                    None => break,
                },
            };
            let next = match gaps.pop_front() {
                Some((s, e)) => Some(Segment::new(s, e)),
                None => active.iter().max_by_key(|s| s.remaining()).and_then(|s| s.split()),
            };
            let Some(segment) = next else {
                if let Some(permit) = permit {
                    permit.unused();
                }
                break;
            };
            extra.extend(permit);
            active.push(segment.clone());
            workers.push(spawn_worker(&ctx, segment, total, &shared));
            started += 1;
        }
        shared.fence.take_turns(writers_take_turns(encrypted, ramp.capped(), workers.len()));
        if workers.is_empty() {
            return match gaps.is_empty() {
                true => Ok(()),
                false => Err(TransferError::ShortBody { url: ctx.plan.url.clone(), got: 0, expected: total }),
            };
        }
        tokio::select! {
            _ = stop.cancelled() => return Err(TransferError::Stopped),
            Some((segment, result)) = workers.next() => {
                active.retain(|s| !Arc::ptr_eq(s, &segment));
                extra.truncate(workers.len().saturating_sub(1));
                match result {
                    Ok(()) => ramp.finished(),
                    Err(e @ (TransferError::Changed { .. } | TransferError::Local { .. } | TransferError::Stopped)) => return Err(e),
                    Err(e) => {
                        let (pos, end) = (segment.pos.load(Ordering::Acquire), segment.end.load(Ordering::Acquire));
                        if pos < end {
                            gaps.push_back((pos, end));
                        }
                        tracing::debug!("{}: a connection failed ({e}); {} left", ctx.plan.url, workers.len());
                        if ramp.failed(workers.len()) {
                            return Err(e);
                        }
                        if workers.is_empty() {
                            // Back off before trying again on a single connection.
                            let wait = e.retry_after().unwrap_or(Duration::from_millis(250)).min(Duration::from_secs(5));
                            tokio::select! {
                                _ = stop.cancelled() => return Err(TransferError::Stopped),
                                _ = tokio::time::sleep(wait) => {}
                            }
                        }
                    }
                }
            }
            _ = tick.tick() => {
                let sample = Sample {
                    at: began.elapsed(),
                    written: written.load(Ordering::Relaxed),
                    running: workers.len(),
                    all_answered: shared.answered.load(Ordering::Acquire) >= started,
                };
                if let Some(speed) = ramp.tick(sample) {
                    tracing::debug!(
                        "{}: {:.0} MiB/s on {} connections; now {}",
                        ctx.plan.url,
                        speed / 1048576.0,
                        workers.len(),
                        ramp.target()
                    );
                }
            }
        }
    }
}

/// A range's response body, from either client.
enum Body {
    /// The file's first response, or a range a proxy serves (reqwest).
    Main(reqwest::Response),
    /// An extra range fetched directly (the lean client).
    Lean(RangeBody),
}

impl Body {
    async fn chunk(&mut self, url: &str) -> Result<Option<Bytes>, TransferError> {
        match self {
            Body::Main(response) => response.chunk().await.map_err(|e| TransferError::from_reqwest(url, &e)),
            Body::Lean(body) => body.chunk(url).await,
        }
    }
}

/// One connection: opens its range (unless given the primary response) and
/// writes until its segment's end, which may shrink while it runs.
async fn worker(
    ctx: Arc<Ctx>,
    segment: Arc<Segment>,
    response: Option<reqwest::Response>,
    total: u64,
    shared: Shared,
) -> (Arc<Segment>, Result<(), TransferError>) {
    let result = async {
        let url = &ctx.plan.url;
        let mut body = match response {
            Some(response) => Body::Main(response),
            None => {
                let body = open(&ctx, &segment, total).await?;
                shared.answered.fetch_add(1, Ordering::AcqRel);
                body
            }
        };
        loop {
            let pos = segment.pos.load(Ordering::Acquire);
            if pos >= segment.end.load(Ordering::Acquire) {
                return Ok(());
            }
            let Some(bytes) = body.chunk(url).await? else {
                let end = segment.end.load(Ordering::Acquire);
                return match pos >= end {
                    true => Ok(()),
                    false => Err(TransferError::ShortBody { url: url.clone(), got: pos, expected: end }),
                };
            };
            let end = segment.end.load(Ordering::Acquire);
            let take = end.saturating_sub(pos).min(bytes.len() as u64) as usize;
            if take > 0 {
                shared.fence.write(|| ctx.store(&bytes[..take], pos))?;
                segment.pos.store(pos + take as u64, Ordering::Release);
                shared.written.fetch_add(take as u64, Ordering::Relaxed);
                ctx.throttle(take).await;
            }
        }
    }
    .await;
    (segment, result)
}

/// Asks for the segment's range; anything but a matching 206 of the same file
/// means the file changed (restart) or the server failed.
///
/// The request goes over the lean client where the file's first answer came
/// from (see `RangeClient::target`), unless that URL now redirects; otherwise
/// reqwest asks the job's URL, following redirects.
async fn open(ctx: &Ctx, segment: &Segment, total: u64) -> Result<Body, TransferError> {
    let url = &ctx.plan.url;
    let start = segment.pos.load(Ordering::Acquire);
    let end = segment.end.load(Ordering::Acquire);
    // A server that ignores this `If-Range` answers 200 with the whole file:
    // ask again the next way (at most twice).
    for _ in 0..2 {
        let with = ctx.if_range.get();
        match open_with(ctx, start, end, total, with).await? {
            Opened::Body(body) => return Ok(body),
            Opened::Ignored(next) => {
                if ctx.if_range.advance(with, next) {
                    ctx.reporter.resumed(ctx.plan.index, next.words());
                }
            }
        }
    }
    match open_with(ctx, start, end, total, ctx.if_range.get()).await? {
        Opened::Body(body) => Ok(body),
        Opened::Ignored(_) => Err(TransferError::Changed {
            url: url.clone(),
            detail: "the server answered every range request with the whole file".into(),
        }),
    }
}

/// A range request's outcome: the body, or the server ignored `If-Range`.
enum Opened {
    Body(Body),
    Ignored(IfRangeWith),
}

/// One range request with `If-Range` sent the way `with` says.
async fn open_with(ctx: &Ctx, start: u64, end: u64, total: u64, with: IfRangeWith) -> Result<Opened, TransferError> {
    let url = &ctx.plan.url;
    let validator = if_range_with(&ctx.validator, with);
    let ignored = |status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap| match status.as_u16() {
        200 => http::ignored_if_range(&ctx.validator, Some(total), validator, headers),
        _ => None,
    };
    if let Some(target) = &ctx.lean {
        let range = format!("bytes={start}-{}", end.saturating_sub(1));
        let mut headers: Vec<(&str, &str)> = ctx
            .plan
            .headers
            .iter()
            .filter(|(k, _)| !(target.drop_credentials && range_client::is_credential(k)))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        headers.push(("range", &range));
        if let Some(validator) = validator {
            headers.push(("if-range", validator));
        }
        let response = ctx.clients.ranges.get(&target.url, &headers).await?;
        if let Some(next) = ignored(response.status(), response.headers()) {
            return Ok(Opened::Ignored(next));
        }
        if !response.status().is_redirection() {
            check_range(url, start, total, ctx, response.status(), response.headers())?;
            return Ok(Opened::Body(Body::Lean(response.into_body())));
        }
    }
    let response = ctx.request(start, Some(end), validator).send().await.map_err(|e| ctx.request_failed(&e))?;
    if let Some(next) = ignored(response.status(), response.headers()) {
        return Ok(Opened::Ignored(next));
    }
    check_range(url, start, total, ctx, response.status(), response.headers())?;
    Ok(Opened::Body(Body::Main(response)))
}

/// A range answer must be a 206 of the same file, starting where asked.
fn check_range(
    url: &str,
    start: u64,
    total: u64,
    ctx: &Ctx,
    status: reqwest::StatusCode,
    headers: &reqwest::header::HeaderMap,
) -> Result<(), TransferError> {
    if !status.is_success() {
        return Err(status_error(status, headers, url));
    }
    if status.as_u16() != 206 {
        return Err(TransferError::Changed {
            url: url.to_string(),
            detail: format!("the server answered a range request with {status} (the file changed?)"),
        });
    }
    if let Some(detail) = http::range_mismatch(start, Some(total), &ctx.validator, headers) {
        return Err(TransferError::Changed { url: url.to_string(), detail });
    }
    Ok(())
}
