//! One file over several connections: dynamic splitting (an idle connection
//! takes half of the largest remaining range) and an adaptive connection
//! count (more while the aggregate speed still rises, fewer when refused).

use super::TransferError;
use super::http::{self, if_range};
use super::range_client::{self, RangeBody};
use super::threads::{CloseOnDrop, Fence, cores, transfer_threads};
use super::transfer::{Ctx, status_error};
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
/// How often the connection count is looked at.
const TICK: Duration = Duration::from_millis(25);
/// How long the first connection runs alone before the count is chosen.
const PROBE: Duration = Duration::from_millis(50);
/// The aggregate speed of a connection count is its average over this long
/// (one tick's sample is too noisy to decide on).
const WINDOW: Duration = Duration::from_millis(50);
/// A single connection this fast means the server does not cap connections:
/// a second one helps a little, more only cost CPU.
const FAST_SINGLE_BPS: f64 = 256.0 * 1024.0 * 1024.0;
/// Connections tried at once when one connection is slow.
const SLOW_START: usize = 16;
/// More connections must raise the aggregate speed by this factor to continue.
const GAIN: f64 = 1.2;
/// When the aggregate grew at least this fraction of linearly with the
/// connections (each one is capped by the server), go to the maximum at once.
const LINEAR: f64 = 0.75;
/// Failed connections (in a row, without a finished range) before the file fails.
const MAX_FAILURES: u32 = 8;

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
    let shared = Shared {
        written: Arc::new(AtomicU64::new(0)),
        answered: Arc::new(AtomicUsize::new(1)),
        fence: Arc::new(Fence::default()),
    };
    let _close = CloseOnDrop(shared.fence.clone());
    let written = &shared.written;
    let mut gaps: VecDeque<(u64, u64)> = done.gaps(total).into();
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

    let max = ctx.plan.max_connections.max(1);
    let mut target = 1;
    let mut growing = true;
    let mut best_speed = 0.0f64;
    // Connections running while `best_speed` was measured.
    let mut best_count = 1usize;
    // One connection was slow: the server (or the path) caps each connection.
    let mut capped = false;
    // A fast single connection is measured a second time, past its warm-up.
    let mut warmed = false;
    let mut stalls = 0;
    let mut failures = 0;
    // Since when (and from how many bytes) the current count has been measured.
    let mut window = (Instant::now(), 0u64);
    let mut tick = tokio::time::interval(TICK);
    tick.tick().await;
    loop {
        while workers.len() < target {
            let next = match gaps.pop_front() {
                Some((s, e)) => Some(Segment::new(s, e)),
                None => active.iter().max_by_key(|s| s.remaining()).and_then(|s| s.split()),
            };
            let Some(segment) = next else { break };
            active.push(segment.clone());
            workers.push(spawn_worker(&ctx, segment, total, &shared));
            started += 1;
        }
        shared.fence.take_turns(capped && workers.len() > cores());
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
                match result {
                    Ok(()) => failures = 0,
                    Err(e @ (TransferError::Changed { .. } | TransferError::Local { .. } | TransferError::Stopped)) => return Err(e),
                    Err(e) => {
                        let (pos, end) = (segment.pos.load(Ordering::Acquire), segment.end.load(Ordering::Acquire));
                        if pos < end {
                            gaps.push_back((pos, end));
                        }
                        failures += 1;
                        tracing::debug!("{}: a connection failed ({e}); {} left", ctx.plan.url, workers.len());
                        // The server refuses or drops connections: do not add more, use fewer.
                        growing = false;
                        target = workers.len().max(1);
                        if failures >= MAX_FAILURES {
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
                let now = (Instant::now(), written.load(Ordering::Relaxed));
                if shared.answered.load(Ordering::Acquire) < started {
                    // A connection still waits for its answer (a far server):
                    // the count is measured from when all of them deliver.
                    window = now;
                    continue;
                }
                let elapsed = now.0.duration_since(window.0);
                // Ticks come a little early or late: half a tick early is on time.
                let due = if target == 1 { PROBE } else { WINDOW };
                if !growing || workers.len() < target || elapsed + TICK / 2 < due {
                    continue;
                }
                let speed = (now.1 - window.1) as f64 / elapsed.as_secs_f64();
                window = now;
                if target == 1 && speed >= FAST_SINGLE_BPS && !warmed {
                    // A fresh connection is still speeding up (TCP's slow
                    // start): judge a second from its steady speed.
                    warmed = true;
                } else if target == 1 {
                    capped = speed < FAST_SINGLE_BPS;
                    target = if capped { SLOW_START } else { 2 }.min(max);
                    best_speed = speed;
                    best_count = 1;
                } else if speed > best_speed * GAIN {
                    let per_connection = best_speed / best_count as f64;
                    let linear = capped && speed >= LINEAR * per_connection * workers.len() as f64;
                    best_speed = speed;
                    best_count = workers.len();
                    stalls = 0;
                    target = if linear { max } else { (target * 2).min(max) };
                } else {
                    stalls += 1;
                    growing = stalls < 2;
                }
                if target >= max {
                    growing = false;
                }
                tracing::debug!(
                    "{}: {:.0} MiB/s on {} connections; now {target}",
                    ctx.plan.url,
                    speed / 1048576.0,
                    workers.len()
                );
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
    let validator = if_range(&ctx.validator);
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
        if !response.status().is_redirection() {
            check_range(url, start, total, ctx, response.status(), response.headers())?;
            return Ok(Body::Lean(response.into_body()));
        }
    }
    let response =
        ctx.request(start, Some(end), validator).send().await.map_err(|e| TransferError::from_reqwest(url, &e))?;
    check_range(url, start, total, ctx, response.status(), response.headers())?;
    Ok(Body::Main(response))
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
