//! Loopback HTTP/1.1 test server with fault injection.
//!
//! [`TestServer`] binds `127.0.0.1:0` and runs on its own thread with its own
//! two-worker tokio runtime, so it can be used from plain `#[test]` functions
//! and from `#[tokio::test]` functions alike. Every method is synchronous and
//! non-blocking; dropping the server shuts it down.
//!
//! Requests are parsed by hand (with `httparse`) so that every fault described
//! by [`Route`] is fully under the test's control: throttling, dropped and
//! stalled connections, error statuses with `Retry-After`, lying
//! `Content-Range` headers, redirects, close-delimited bodies, broken
//! `If-Range` handling and "expired link" HTML pages.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{Instant, sleep, sleep_until, timeout};

/// Largest accepted request head (request line plus headers).
const MAX_HEAD: usize = 64 * 1024;
/// Upper bound for every await that depends on the peer.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stalled response keeps its socket open.
const STALL_FOR: Duration = Duration::from_secs(60);
/// Write chunk for unthrottled bodies.
const FAST_CHUNK: usize = 256 * 1024;
/// Write chunk for throttled bodies.
const THROTTLED_CHUNK: usize = 16 * 1024;
/// `Last-Modified` of version 0: 2024-01-01T00:00:00Z. Each version adds a minute.
const BASE_LAST_MODIFIED: u64 = 1_704_067_200;
/// How long `Drop` waits for the server thread.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);
/// Body served by [`Route::html_after`] once the link has "expired".
const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\
<body><h1>Your session has expired</h1><form action=\"/login\" method=\"post\">\
<input name=\"user\"><input name=\"password\" type=\"password\">\
<button>Sign in</button></form></body></html>\n";

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How one path is served: the body plus optional faults.
///
/// Build with [`Route::new`] and the builder methods; every fault is off by
/// default and range support is on. Counters such as "the first `times`
/// responses" count per route and are reset by [`TestServer::set_route`] but
/// kept by [`TestServer::replace_content`]. A `times` of `u32::MAX` means
/// "always" for every counted fault.
#[derive(Clone)]
pub struct Route {
    body: Arc<[u8]>,
    ranges: bool,
    ignore_if_range: bool,
    etag_if_range_ignored: bool,
    extra_headers: Vec<(&'static str, String)>,
    required_headers: Vec<(String, String)>,
    throttle: Option<u64>,
    latency: Option<Duration>,
    drop_after: Option<(u64, u32)>,
    stall_after: Option<(u64, u32)>,
    fail_with: Option<(u16, u32, Option<u32>)>,
    lie_content_range: bool,
    unknown_total: bool,
    redirect_to: Option<String>,
    no_content_length: bool,
    content_type: String,
    content_disposition: Option<String>,
    html_after: Option<u32>,
    fail_after_first: Option<u16>,
    at_most_at_once: Option<(u64, Refusal)>,
    gate: Option<crate::gate::Gate>,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("body_len", &self.body.len())
            .field("ranges", &self.ranges)
            .field("ignore_if_range", &self.ignore_if_range)
            .field("etag_if_range_ignored", &self.etag_if_range_ignored)
            .field("extra_headers", &self.extra_headers)
            .field("required_headers", &self.required_headers)
            .field("throttle", &self.throttle)
            .field("latency", &self.latency)
            .field("drop_after", &self.drop_after)
            .field("stall_after", &self.stall_after)
            .field("fail_with", &self.fail_with)
            .field("lie_content_range", &self.lie_content_range)
            .field("unknown_total", &self.unknown_total)
            .field("redirect_to", &self.redirect_to)
            .field("no_content_length", &self.no_content_length)
            .field("content_type", &self.content_type)
            .field("content_disposition", &self.content_disposition)
            .field("html_after", &self.html_after)
            .field("fail_after_first", &self.fail_after_first)
            .field("at_most_at_once", &self.at_most_at_once)
            .field("gate", &self.gate)
            .finish()
    }
}

impl Route {
    /// A plain route serving `body` with range support and no faults.
    pub fn new(body: Vec<u8>) -> Route {
        Route {
            body: Arc::from(body),
            ranges: true,
            ignore_if_range: false,
            etag_if_range_ignored: false,
            extra_headers: Vec::new(),
            required_headers: Vec::new(),
            throttle: None,
            latency: None,
            drop_after: None,
            stall_after: None,
            fail_with: None,
            lie_content_range: false,
            unknown_total: false,
            redirect_to: None,
            no_content_length: false,
            content_type: "application/octet-stream".to_owned(),
            content_disposition: None,
            html_after: None,
            fail_after_first: None,
            at_most_at_once: None,
            gate: None,
        }
    }

    /// Lets in only requests with HTTP Basic `user`:`password` (others: 401
    /// with a Basic challenge), before any other fault.
    pub fn require_basic(mut self, user: &str, password: &str) -> Route {
        self.gate = Some(crate::gate::Gate::Basic { user: user.into(), password: password.into() });
        self
    }

    /// Lets in only requests with HTTP Digest `user`:`password` (others: 401
    /// with a Digest challenge), before any other fault.
    pub fn require_digest(mut self, user: &str, password: &str) -> Route {
        self.gate = Some(crate::gate::Gate::Digest { user: user.into(), password: password.into() });
        self
    }

    /// Lets in only requests whose `Cookie` holds `name=value` (others: 403).
    pub fn require_cookie(mut self, pair: &str) -> Route {
        self.gate = Some(crate::gate::Gate::Cookie(pair.into()));
        self
    }

    /// Range support (default `true`): `Accept-Ranges: bytes` and single
    /// `Range: bytes=a-b | a- | -n` requests answered with 206; multi-range or
    /// unsatisfiable requests get 416. With `false` there is no
    /// `Accept-Ranges` header and `Range` is ignored (always 200).
    pub fn ranges(mut self, on: bool) -> Route {
        self.ranges = on;
        self
    }

    /// Broken server: serve the 206 even when `If-Range` does not match the
    /// current validator (the current `ETag` is still sent).
    pub fn ignore_if_range(mut self, on: bool) -> Route {
        self.ignore_if_range = on;
        self
    }

    /// A CDN that ignores an `If-Range` carrying an `ETag` (even the current
    /// one) and answers 200 with the whole file; `If-Range` with the current
    /// `Last-Modified`, or no `If-Range`, gets the range as usual.
    pub fn etag_if_range_ignored(mut self, on: bool) -> Route {
        self.etag_if_range_ignored = on;
        self
    }

    /// Sends `name: value` with every answer of this route (e.g. `Set-Cookie`).
    pub fn header(mut self, name: &'static str, value: &str) -> Route {
        self.extra_headers.push((name, value.to_owned()));
        self
    }

    /// Serves only requests whose `name` header contains `part` (a cookie,
    /// a referrer); others get 403 with a small text body.
    pub fn require_header(mut self, name: &str, part: &str) -> Route {
        self.required_headers.push((name.to_ascii_lowercase(), part.to_owned()));
        self
    }

    /// Pace every response body (16 KiB chunks) at `bytes_per_sec` per
    /// connection. `0` disables throttling.
    pub fn throttle_per_connection(mut self, bytes_per_sec: u64) -> Route {
        self.throttle = (bytes_per_sec > 0).then_some(bytes_per_sec);
        self
    }

    /// Wait `delay` before answering each request, as a far server's round
    /// trip does.
    pub fn latency(mut self, delay: Duration) -> Route {
        self.latency = Some(delay);
        self
    }

    /// For the first `times` GET responses, close the connection after
    /// writing `bytes` body bytes of the response (headers still promise the
    /// full length).
    pub fn drop_after(mut self, bytes: u64, times: u32) -> Route {
        self.drop_after = Some((bytes, times));
        self
    }

    /// For the first `times` GET responses, stop writing after `bytes` body
    /// bytes and keep the socket open (60 s or until the server is dropped).
    /// If `drop_after` also applies to a response, `drop_after` wins.
    pub fn stall_after(mut self, bytes: u64, times: u32) -> Route {
        self.stall_after = Some((bytes, times));
        self
    }

    /// The first `times` requests (GET or HEAD) answer `status` with a small
    /// text body and, if given, `Retry-After: N`.
    pub fn fail_with(mut self, status: u16, times: u32, retry_after: Option<u32>) -> Route {
        self.fail_with = Some((status, times, retry_after));
        self
    }

    /// A request that comes while `responses` responses (of any route) are
    /// being sent is answered `503 Service Unavailable`: a server that allows
    /// each client only so many connections at once.
    pub fn at_most_at_once(mut self, responses: u64) -> Route {
        self.at_most_at_once = Some((responses, Refusal::Unavailable));
        self
    }

    /// Like [`Route::at_most_at_once`], but the request gets no answer: its
    /// connection is reset (a server or firewall that cuts a client's extra
    /// connections instead of saying so).
    pub fn resets_beyond(mut self, responses: u64) -> Route {
        self.at_most_at_once = Some((responses, Refusal::Reset));
        self
    }

    /// 206 responses report a `Content-Range` start one byte after the
    /// requested start (end and total are correct; the body is the requested
    /// bytes).
    pub fn lie_content_range(mut self, on: bool) -> Route {
        self.lie_content_range = on;
        self
    }

    /// 206 responses give the total as unknown (`Content-Range: bytes A-B/*`)
    /// and no `Content-Length`: the body ends when the connection closes, as
    /// from a server streaming a file whose size it does not know.
    pub fn unknown_total(mut self, on: bool) -> Route {
        self.unknown_total = on;
        self
    }

    /// Answer 302 with `Location: location` (a path or a full URL).
    pub fn redirect_to(mut self, location: &str) -> Route {
        self.redirect_to = Some(location.to_owned());
        self
    }

    /// Close-delimited bodies: no `Content-Length`, no chunked encoding,
    /// `Connection: close`. Implies `ranges(false)`.
    pub fn no_content_length(mut self, on: bool) -> Route {
        self.no_content_length = on;
        self
    }

    /// `Content-Type` of the body (default `application/octet-stream`).
    pub fn content_type(mut self, value: &str) -> Route {
        self.content_type = value.to_owned();
        self
    }

    /// Add `Content-Disposition` with `value` verbatim.
    pub fn content_disposition(mut self, value: &str) -> Route {
        self.content_disposition = Some(value.to_owned());
        self
    }

    /// After `times` successful (200/206) GET responses, every request (HEAD
    /// too) gets a 200 `text/html` login page instead of the content.
    pub fn html_after(mut self, times: u32) -> Route {
        self.html_after = Some(times);
        self
    }

    /// The first GET is served normally; every request after it answers
    /// `status`.
    pub fn fail_after_first(mut self, status: u16) -> Route {
        self.fail_after_first = Some(status);
        self
    }
}

/// One request as seen by the server.
#[derive(Clone, Debug)]
pub struct RequestLog {
    /// Request method, e.g. `GET`.
    pub method: String,
    /// Request target (path plus any query string); for a request sent to
    /// the server as to a proxy (`GET http://host/path`), the path part.
    pub path: String,
    /// The host a proxy request asked for (`host[:port]`), if it was one.
    pub proxied_for: Option<String>,
    /// Request headers in order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Status code of the response; 0 for a connection reset instead.
    pub status: u16,
}

impl RequestLog {
    /// Value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn matches_path(&self, path: &str) -> bool {
        self.path == path || strip_query(&self.path) == path
    }
}

struct RouteState {
    route: Route,
    version: u64,
    fails_left: u32,
    drops_left: u32,
    stalls_left: u32,
    gets_ok: u64,
    served: Arc<AtomicU64>,
}

impl RouteState {
    fn new(route: Route, version: u64, served: Arc<AtomicU64>) -> RouteState {
        let mut state = RouteState { route, version, fails_left: 0, drops_left: 0, stalls_left: 0, gets_ok: 0, served };
        state.reset_counters();
        state
    }

    fn reset_counters(&mut self) {
        self.fails_left = self.route.fail_with.map_or(0, |f| f.1);
        self.drops_left = self.route.drop_after.map_or(0, |f| f.1);
        self.stalls_left = self.route.stall_after.map_or(0, |f| f.1);
        self.gets_ok = 0;
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, RouteState>>,
    log: Mutex<Vec<RequestLog>>,
    served_total: AtomicU64,
    connections: AtomicU64,
    /// Responses being sent now, and the most at once so far.
    sending: AtomicU64,
    most_sending: AtomicU64,
}

/// A loopback HTTP/1.1 server for tests; see the module documentation.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer").field("addr", &self.addr).finish()
    }
}

impl TestServer {
    /// Bind `127.0.0.1:0` and start serving on a dedicated thread.
    ///
    /// Panics if the socket, runtime or thread cannot be created.
    pub fn start() -> TestServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("test server: bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("test server: set_nonblocking");
        let addr = listener.local_addr().expect("test server: local_addr");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("haul-test-server-worker")
            .enable_all()
            .build()
            .expect("test server: build tokio runtime");
        let shared = Arc::new(Shared::default());
        let (shutdown, shutdown_rx) = watch::channel(false);
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("haul-test-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        accept_loop(listener, thread_shared, shutdown_rx).await;
                    }
                });
                // Cancels every connection task (stalled ones included).
                runtime.shutdown_timeout(Duration::from_secs(2));
            })
            .expect("test server: spawn thread");
        TestServer { addr, shared, shutdown, thread: Some(thread) }
    }

    /// The bound loopback address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`; `path` should start with `/` (one is
    /// added if missing).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("http://{}{}", self.addr, path)
        } else {
            format!("http://{}/{}", self.addr, path)
        }
    }

    /// Serve `body` at `path` (GET and HEAD) with a plain [`Route`]. An
    /// existing route at `path` is replaced (faults and counters included)
    /// and gets a new `ETag` and `Last-Modified`.
    pub fn add_file(&self, path: &str, body: Vec<u8>) {
        self.set_route(path, Route::new(body));
    }

    /// Install `route` at `path`, replacing any existing route and resetting
    /// its fault counters. The version (and so `ETag`/`Last-Modified`) is
    /// bumped if the path existed before.
    pub fn set_route(&self, path: &str, route: Route) {
        let mut routes = lock(&self.shared.routes);
        let (version, served) = match routes.get(path) {
            Some(old) => (old.version + 1, Arc::clone(&old.served)),
            None => (1, Arc::new(AtomicU64::new(0))),
        };
        routes.insert(path.to_owned(), RouteState::new(route, version, served));
    }

    /// Change the body at `path`, keeping the route's faults and counters;
    /// bumps the version, so `ETag` and `Last-Modified` change. Acts like
    /// [`TestServer::add_file`] if there is no route at `path`.
    pub fn replace_content(&self, path: &str, body: Vec<u8>) {
        let mut routes = lock(&self.shared.routes);
        match routes.get_mut(path) {
            Some(state) => {
                state.route.body = Arc::from(body);
                state.version += 1;
            }
            None => {
                let state = RouteState::new(Route::new(body), 1, Arc::new(AtomicU64::new(0)));
                routes.insert(path.to_owned(), state);
            }
        }
    }

    /// Total route-content body bytes written to sockets (all routes). Bodies
    /// of error, redirect and login-page responses are not counted.
    pub fn bytes_served(&self) -> u64 {
        self.shared.served_total.load(Ordering::SeqCst)
    }

    /// Route-content body bytes written to sockets for the route at `path`.
    pub fn bytes_served_for(&self, path: &str) -> u64 {
        lock(&self.shared.routes).get(path).map_or(0, |s| s.served.load(Ordering::SeqCst))
    }

    /// Every well-formed request, in the order the server answered them.
    pub fn requests(&self) -> Vec<RequestLog> {
        lock(&self.shared.log).clone()
    }

    /// Requests whose target is `path` (the query string is ignored).
    pub fn requests_for(&self, path: &str) -> Vec<RequestLog> {
        lock(&self.shared.log).iter().filter(|r| r.matches_path(path)).cloned().collect()
    }

    /// Number of TCP connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The most responses that were being sent at the same time.
    pub fn most_responses_at_once(&self) -> u64 {
        self.shared.most_sending.load(Ordering::SeqCst)
    }
}

/// Counts a response while it is being sent.
struct Sending<'a>(&'a Shared);

impl<'a> Sending<'a> {
    fn start(shared: &'a Shared) -> Sending<'a> {
        let now = shared.sending.fetch_add(1, Ordering::SeqCst) + 1;
        shared.most_sending.fetch_max(now, Ordering::SeqCst);
        Sending(shared)
    }
}

impl Drop for Sending<'_> {
    fn drop(&mut self) {
        self.0.sending.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let deadline = std::time::Instant::now() + SHUTDOWN_WAIT;
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

/// Deterministic pseudo-random bytes (splitmix64 stream seeded by `seed`).
pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = vec![0u8; len];
    let mut chunks = out.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&next().to_le_bytes());
    }
    let rest = chunks.into_remainder();
    let last = next().to_le_bytes();
    let n = rest.len();
    rest.copy_from_slice(&last[..n]);
    out
}

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Lowercase hex SHA-256 of the file at `path`, read in a streaming way.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

// ---------------------------------------------------------------------------
// Server internals
// ---------------------------------------------------------------------------

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.set_nodelay(true);
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let _ = serve_connection(stream, shared).await;
                    });
                }
                Err(_) => sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

struct Request {
    method: String,
    target: String,
    proxied_for: Option<String>,
    http10: bool,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }
}

enum Head {
    Eof,
    TooLarge,
    Bad,
    Request(Request),
}

fn parse_head(buf: &[u8]) -> Result<Option<(usize, Request)>, httparse::Error> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(buf)? {
        httparse::Status::Partial => Ok(None),
        httparse::Status::Complete(n) => {
            // As a forward proxy, the server serves every host from its own routes.
            let (proxied_for, target) = split_absolute_form(req.path.unwrap_or(""));
            let request = Request {
                method: req.method.unwrap_or("").to_owned(),
                target,
                proxied_for,
                http10: req.version == Some(0),
                headers: req
                    .headers
                    .iter()
                    .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect(),
            };
            Ok(Some((n, request)))
        }
    }
}

async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Head> {
    loop {
        if !buf.is_empty() {
            match parse_head(buf) {
                Ok(Some((n, request))) => {
                    if n > MAX_HEAD {
                        return Ok(Head::TooLarge);
                    }
                    buf.drain(..n);
                    return Ok(Head::Request(request));
                }
                Ok(None) if buf.len() >= MAX_HEAD => return Ok(Head::TooLarge),
                Ok(None) => {}
                Err(httparse::Error::TooManyHeaders) => return Ok(Head::TooLarge),
                Err(_) => return Ok(Head::Bad),
            }
        }
        buf.reserve(8192);
        if stream.read_buf(buf).await? == 0 {
            return Ok(Head::Eof);
        }
    }
}

/// Read and discard `len` request-body bytes (first from `buf`).
async fn discard_body(stream: &mut TcpStream, buf: &mut Vec<u8>, len: u64) -> io::Result<()> {
    let from_buf = usize::try_from(len).unwrap_or(usize::MAX).min(buf.len());
    buf.drain(..from_buf);
    let mut left = len - from_buf as u64;
    let mut scratch = vec![0u8; 16 * 1024];
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(scratch.len());
        let n = stream.read(&mut scratch[..want]).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        left -= n as u64;
    }
    Ok(())
}

async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    loop {
        let head = match timeout(IO_TIMEOUT, read_head(&mut stream, &mut buf)).await {
            Ok(head) => head?,
            Err(_) => return Ok(()),
        };
        let request = match head {
            Head::Eof => return Ok(()),
            Head::TooLarge => {
                let plan = Plan::text(431, "request header fields too large\n");
                let _ = send(&mut stream, &plan, true, false, &shared).await;
                close_gracefully(&mut stream).await;
                return Ok(());
            }
            Head::Bad => {
                let plan = Plan::text(400, "bad request\n");
                let _ = send(&mut stream, &plan, true, false, &shared).await;
                close_gracefully(&mut stream).await;
                return Ok(());
            }
            Head::Request(request) => request,
        };

        let mut client_close = if request.http10 {
            !request.has_token("connection", "keep-alive")
        } else {
            request.has_token("connection", "close")
        };
        if request.header("transfer-encoding").is_some() {
            // Request bodies with chunked encoding are not supported: answer, then close.
            client_close = true;
        } else if let Some(len) = request.header("content-length") {
            match len.trim().parse::<u64>() {
                Ok(len) => match timeout(IO_TIMEOUT, discard_body(&mut stream, &mut buf, len)).await {
                    Ok(Ok(())) => {}
                    _ => return Ok(()),
                },
                Err(_) => client_close = true,
            }
        }

        let plan = decide(&shared, &request);
        lock(&shared.log).push(RequestLog {
            method: request.method,
            path: request.target,
            proxied_for: request.proxied_for,
            headers: request.headers,
            status: plan.status,
        });

        if matches!(plan.fault, Fault::Reset) {
            // SO_LINGER 0: closing sends RST, not FIN.
            stream.set_zero_linger()?;
            return Ok(());
        }
        let keep_alive_header = request.http10 && !client_close;
        let sending = Sending::start(&shared);
        let outcome = send(&mut stream, &plan, client_close, keep_alive_header, &shared).await;
        drop(sending);
        match outcome? {
            Outcome::Done if plan.close || client_close => {
                close_gracefully(&mut stream).await;
                return Ok(());
            }
            Outcome::Done => {}
            Outcome::Dropped => return Ok(()),
            Outcome::Stalled => {
                sleep(STALL_FOR).await;
                return Ok(());
            }
        }
    }
}

/// Send FIN, then drain the peer for a bounded time so that our close does
/// not turn into a reset that could discard data the peer has not read yet.
async fn close_gracefully(stream: &mut TcpStream) {
    let _ = timeout(Duration::from_secs(2), stream.shutdown()).await;
    let _ = timeout(Duration::from_secs(2), async {
        let mut scratch = [0u8; 4096];
        while let Ok(n) = stream.read(&mut scratch).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// How a route that allows only so many responses at once turns the others away.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// `503 Service Unavailable`.
    Unavailable,
    /// The connection is reset, with no answer.
    Reset,
}

#[derive(Clone, Copy)]
enum Fault {
    None,
    Drop(u64),
    Stall(u64),
    /// No answer: the connection is reset.
    Reset,
}

struct Plan {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Arc<[u8]>,
    range: Range<usize>,
    send_body: bool,
    content_length: bool,
    close: bool,
    fault: Fault,
    throttle: Option<u64>,
    latency: Option<Duration>,
    /// Per-route counter for route content; `None` for generated bodies.
    counter: Option<Arc<AtomicU64>>,
}

impl Plan {
    fn text(status: u16, text: &str) -> Plan {
        Plan::generated(status, "text/plain; charset=utf-8", text)
    }

    fn generated(status: u16, content_type: &str, text: &str) -> Plan {
        let body: Arc<[u8]> = Arc::from(text.as_bytes());
        Plan {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            range: 0..body.len(),
            body,
            send_body: true,
            content_length: true,
            close: false,
            fault: Fault::None,
            throttle: None,
            latency: None,
            counter: None,
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Plan {
        self.headers.push((name, value));
        self
    }

    fn head_only(mut self, head: bool) -> Plan {
        self.send_body = !head;
        self
    }
}

enum RangeSpec {
    Ignore,
    Unsatisfiable,
    /// Half-open byte range.
    Satisfiable(usize, usize),
}

fn parse_range(value: &str, len: usize) -> RangeSpec {
    let value = value.trim();
    let Some(spec) = value.get(..6).filter(|unit| unit.eq_ignore_ascii_case("bytes=")).map(|_| &value[6..]) else {
        return RangeSpec::Ignore;
    };
    if spec.contains(',') {
        return RangeSpec::Unsatisfiable;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeSpec::Ignore;
    };
    let (first, last) = (first.trim(), last.trim());
    let len64 = len as u64;
    if first.is_empty() {
        let Ok(suffix) = last.parse::<u64>() else {
            return RangeSpec::Ignore;
        };
        if suffix == 0 || len == 0 {
            return RangeSpec::Unsatisfiable;
        }
        let suffix = suffix.min(len64) as usize;
        return RangeSpec::Satisfiable(len - suffix, len);
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeSpec::Ignore;
    };
    let end = if last.is_empty() {
        u64::MAX
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end,
            _ => return RangeSpec::Ignore,
        }
    };
    if start >= len64 {
        return RangeSpec::Unsatisfiable;
    }
    let end = end.min(len64 - 1);
    RangeSpec::Satisfiable(start as usize, end as usize + 1)
}

/// `http://host/path` → (`Some("host")`, `/path`); an origin-form target stays as it is.
fn split_absolute_form(target: &str) -> (Option<String>, String) {
    let Some(rest) = target.strip_prefix("http://") else { return (None, target.to_owned()) };
    match rest.find('/') {
        Some(at) => (Some(rest[..at].to_owned()), rest[at..].to_owned()),
        None => (Some(rest.to_owned()), "/".to_owned()),
    }
}

fn strip_query(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}

fn take(counter: &mut u32) -> bool {
    match *counter {
        0 => false,
        u32::MAX => true,
        _ => {
            *counter -= 1;
            true
        }
    }
}

/// Decide the response for `req` (updating the route's fault counters).
fn decide(shared: &Shared, req: &Request) -> Plan {
    if req.method != "GET" && req.method != "HEAD" {
        return Plan::text(405, "method not allowed\n").header("Allow", "GET, HEAD".to_owned());
    }
    let head = req.method == "HEAD";
    let mut routes = lock(&shared.routes);
    let key = if routes.contains_key(req.target.as_str()) { req.target.as_str() } else { strip_query(&req.target) };
    let Some(state) = routes.get_mut(key) else {
        return Plan::text(404, "not found\n").head_only(head);
    };
    let missing = state
        .route
        .required_headers
        .iter()
        .find(|(name, part)| !req.header(name).is_some_and(|v| v.contains(part.as_str())));
    if let Some((name, _)) = missing {
        return Plan::text(403, &format!("forbidden: no matching {name}\n")).head_only(head);
    }

    if let Some(gate) = &state.route.gate
        && let Some((status, headers)) = crate::gate::refuse(gate, &req.method, &req.headers)
    {
        let plan = Plan::text(status, &format!("{status} {}\n", reason(status)));
        return headers.into_iter().fold(plan, |plan, (name, value)| plan.header(name, value)).head_only(head);
    }
    if let Some((most, refusal)) = state.route.at_most_at_once
        && shared.sending.load(Ordering::SeqCst) >= most
    {
        let plan = Plan::text(503, "503 Service Unavailable: too many connections\n").head_only(head);
        return match refusal {
            Refusal::Unavailable => plan,
            Refusal::Reset => Plan { status: 0, fault: Fault::Reset, ..plan },
        };
    }
    if let Some((status, _, retry_after)) = state.route.fail_with
        && take(&mut state.fails_left)
    {
        let mut plan = Plan::text(status, &format!("{status} {}\n", reason(status)));
        if let Some(secs) = retry_after {
            plan = plan.header("Retry-After", secs.to_string());
        }
        return plan.head_only(head);
    }
    if let Some(location) = &state.route.redirect_to {
        return Plan::text(302, "found\n").header("Location", location.clone()).head_only(head);
    }
    if let Some(times) = state.route.html_after
        && state.gets_ok >= u64::from(times)
    {
        return Plan::generated(200, "text/html; charset=utf-8", LOGIN_PAGE).head_only(head);
    }
    if let Some(status) = state.route.fail_after_first
        && state.gets_ok >= 1
    {
        return Plan::text(status, &format!("{status} {}\n", reason(status))).head_only(head);
    }

    let route = &state.route;
    let len = route.body.len();
    let etag = format!("\"v{}-{}\"", state.version, len);
    let last_modified = http_date(BASE_LAST_MODIFIED + state.version * 60);
    let ranges = route.ranges && !route.no_content_length;

    let mut status = 200;
    let mut range = 0..len;
    let mut content_range = None;
    if ranges && let Some(range_header) = req.header("range") {
        let validator_ok = match req.header("if-range") {
            None => true,
            Some(v) => {
                route.ignore_if_range || (v.trim() == etag && !route.etag_if_range_ignored) || v.trim() == last_modified
            }
        };
        if validator_ok {
            match parse_range(range_header, len) {
                RangeSpec::Ignore => {}
                RangeSpec::Unsatisfiable => {
                    return Plan::text(416, "range not satisfiable\n")
                        .header("Content-Range", format!("bytes */{len}"))
                        .head_only(head);
                }
                RangeSpec::Satisfiable(start, end) => {
                    status = 206;
                    range = start..end;
                    let shown_start = start + usize::from(route.lie_content_range);
                    let total = if route.unknown_total { "*".to_owned() } else { len.to_string() };
                    content_range = Some(format!("bytes {shown_start}-{}/{total}", end - 1));
                }
            }
        }
    }

    let mut headers =
        vec![("Content-Type", route.content_type.clone()), ("ETag", etag), ("Last-Modified", last_modified)];
    if ranges {
        headers.push(("Accept-Ranges", "bytes".to_owned()));
    }
    if let Some(cr) = content_range {
        headers.push(("Content-Range", cr));
    }
    if let Some(cd) = &route.content_disposition {
        headers.push(("Content-Disposition", cd.clone()));
    }
    headers.extend(route.extra_headers.iter().cloned());

    let mut fault = Fault::None;
    if !head {
        state.gets_ok += 1;
        if let Some((bytes, _)) = route.drop_after
            && take(&mut state.drops_left)
        {
            fault = Fault::Drop(bytes);
        } else if let Some((bytes, _)) = route.stall_after
            && take(&mut state.stalls_left)
        {
            fault = Fault::Stall(bytes);
        }
    }

    // A range of unknown total runs to the close.
    let until_close = route.no_content_length || (route.unknown_total && status == 206);
    Plan {
        status,
        headers,
        body: Arc::clone(&route.body),
        range,
        send_body: !head,
        content_length: !until_close,
        close: until_close,
        fault,
        throttle: route.throttle,
        latency: route.latency,
        counter: Some(Arc::clone(&state.served)),
    }
}

enum Outcome {
    Done,
    Dropped,
    Stalled,
}

/// Add (or take back, when negative) `n` body bytes to the route's and the
/// server's served counters.
fn count(plan: &Plan, shared: &Shared, n: i64) {
    let Some(counter) = &plan.counter else { return };
    let abs = n.unsigned_abs();
    if n >= 0 {
        counter.fetch_add(abs, Ordering::SeqCst);
        shared.served_total.fetch_add(abs, Ordering::SeqCst);
    } else {
        counter.fetch_sub(abs, Ordering::SeqCst);
        shared.served_total.fetch_sub(abs, Ordering::SeqCst);
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "test server: write timed out")
}

async fn send(
    stream: &mut TcpStream,
    plan: &Plan,
    client_close: bool,
    keep_alive_header: bool,
    shared: &Shared,
) -> io::Result<Outcome> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", plan.status, reason(plan.status));
    for (name, value) in &plan.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if plan.content_length {
        head.push_str(&format!("Content-Length: {}\r\n", plan.range.len()));
    }
    if plan.close || client_close {
        head.push_str("Connection: close\r\n");
    } else if keep_alive_header {
        head.push_str("Connection: keep-alive\r\n");
    }
    head.push_str("\r\n");
    if let Some(delay) = plan.latency {
        tokio::time::sleep(delay).await;
    }
    timeout(IO_TIMEOUT, stream.write_all(head.as_bytes())).await.map_err(|_| timed_out())??;
    if !plan.send_body {
        return Ok(Outcome::Done);
    }

    let body = &plan.body[plan.range.clone()];
    let limit = match plan.fault {
        Fault::None => body.len(),
        Fault::Drop(n) | Fault::Stall(n) => usize::try_from(n).unwrap_or(usize::MAX).min(body.len()),
        Fault::Reset => 0,
    };
    let body = &body[..limit];
    let chunk = if plan.throttle.is_some() { THROTTLED_CHUNK } else { FAST_CHUNK };
    let started = Instant::now();
    let mut sent = 0usize;
    while sent < body.len() {
        if let Some(rate) = plan.throttle {
            let nanos = (sent as u128 * 1_000_000_000) / u128::from(rate);
            let due = started + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            sleep_until(due).await;
        }
        let end = (sent + chunk).min(body.len());
        let mut piece = &body[sent..end];
        while !piece.is_empty() {
            // Count before writing: the client may read the bytes (and the test
            // the counter) before this task runs again; what is not written is
            // taken back below.
            count(plan, shared, piece.len() as i64);
            let written = timeout(IO_TIMEOUT, stream.write(piece)).await.map_err(|_| timed_out());
            let n = match written {
                Ok(Ok(n)) => n,
                Ok(Err(e)) | Err(e) => {
                    count(plan, shared, -(piece.len() as i64));
                    return Err(e);
                }
            };
            count(plan, shared, -((piece.len() - n) as i64));
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            piece = &piece[n..];
            sent += n;
        }
    }
    Ok(match plan.fault {
        Fault::None => Outcome::Done,
        Fault::Drop(_) | Fault::Reset => Outcome::Dropped,
        Fault::Stall(_) => Outcome::Stalled,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// IMF-fixdate for `secs` since the Unix epoch, e.g. `Mon, 01 Jan 2024 00:01:00 GMT`.
fn http_date(secs: u64) -> String {
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant), valid for dates after 1970.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_date_formats() {
        assert_eq!(http_date(BASE_LAST_MODIFIED), "Mon, 01 Jan 2024 00:00:00 GMT");
        assert_eq!(http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn ranges_parse() {
        assert!(matches!(parse_range("bytes=0-9", 100), RangeSpec::Satisfiable(0, 10)));
        assert!(matches!(parse_range("bytes=90-", 100), RangeSpec::Satisfiable(90, 100)));
        assert!(matches!(parse_range("bytes=-10", 100), RangeSpec::Satisfiable(90, 100)));
        assert!(matches!(parse_range("bytes=-500", 100), RangeSpec::Satisfiable(0, 100)));
        assert!(matches!(parse_range("bytes=50-500", 100), RangeSpec::Satisfiable(50, 100)));
        assert!(matches!(parse_range("bytes=100-", 100), RangeSpec::Unsatisfiable));
        assert!(matches!(parse_range("bytes=0-1,5-6", 100), RangeSpec::Unsatisfiable));
        assert!(matches!(parse_range("bytes=9-1", 100), RangeSpec::Ignore));
        assert!(matches!(parse_range("items=0-1", 100), RangeSpec::Ignore));
    }

    #[test]
    fn random_bytes_deterministic() {
        assert_eq!(random_bytes(1001, 3), random_bytes(1001, 3));
        assert_ne!(random_bytes(64, 3), random_bytes(64, 4));
        assert_eq!(random_bytes(13, 9)[..8], random_bytes(8, 9)[..]);
    }
}
