//! A loopback HTTP/1.1 server whose every answer is drawn at random from a
//! seed: odd status lines, contradictory headers, redirect loops, garbage
//! `Retry-After`, cut bodies (the drawing is in `random_answer.rs`).
//!
//! It lies only in ways a careful client can catch: every body byte it sends
//! for a range it declares is the real file's byte at that offset, it never
//! declares a total below the real size, and a body it cuts is one whose
//! length was declared (`Content-Length`, a `Content-Range`, chunked framing).
//! So a download ends with the real file or with an error, never with another
//! file. Each file's answers come from `(seed, file, request number)`.

use crate::random_answer::{Answer, Ending, draw};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::timeout;

/// Largest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// Upper bound of every await on the peer.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// One file the server knows.
struct File {
    body: Arc<[u8]>,
    requests: u64,
}

struct Shared {
    seed: u64,
    /// Every answer written in 64 KiB pieces a millisecond apart (so big files get split).
    paced: bool,
    files: Mutex<HashMap<String, File>>,
    answered: AtomicU64,
}

/// The server; dropping it stops it.
pub struct RandomServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

/// What a request asked for, as the answer is drawn from it.
#[derive(Debug)]
pub struct Asked {
    /// The request target, e.g. `/a.bin/r3`.
    pub target: String,
    /// The file's name: the target's first segment.
    pub file: String,
    /// `Range: bytes=A-` or `bytes=A-B` (inclusive), if the request had one that parses.
    pub range: Option<(u64, Option<u64>)>,
    /// `If-Range`, if sent.
    pub if_range: Option<String>,
    /// Whether the request was a HEAD.
    pub head: bool,
}

impl RandomServer {
    /// Binds `127.0.0.1:0` and serves on a thread of its own.
    pub fn start(seed: u64) -> RandomServer {
        Self::launch(seed, false)
    }

    /// Like [`RandomServer::start`], each answer written 64 KiB a millisecond
    /// (about 64 MB/s a connection), slow enough that a big file is split.
    pub fn start_paced(seed: u64) -> RandomServer {
        Self::launch(seed, true)
    }

    fn launch(seed: u64, paced: bool) -> RandomServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("random server: bind");
        listener.set_nonblocking(true).expect("random server: nonblocking");
        let addr = listener.local_addr().expect("random server: address");
        let shared = Arc::new(Shared { seed, paced, files: Mutex::default(), answered: AtomicU64::new(0) });
        let (shutdown, stop) = watch::channel(false);
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("haul-random-server".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
                let Ok(runtime) = runtime else { return };
                runtime.block_on(async move {
                    if let Ok(listener) = TcpListener::from_std(listener) {
                        accept_loop(listener, serving, stop).await;
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("random server: thread");
        RandomServer { addr, shared, shutdown, thread: Some(thread) }
    }

    /// Serves `body` at `/NAME` and every path under it (where redirects lead).
    pub fn add_file(&self, name: &str, body: Vec<u8>) {
        let file = File { body: Arc::from(body), requests: 0 };
        self.shared.files.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_owned(), file);
    }

    /// `http://127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// Requests answered so far.
    pub fn answered(&self) -> u64 {
        self.shared.answered.load(Ordering::SeqCst)
    }
}

impl Drop for RandomServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let deadline = std::time::Instant::now() + Duration::from_secs(3);
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve(stream, shared.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

/// Reads the next request head; None at the end of the connection or on garbage.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Asked> {
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(buf) {
            Ok(httparse::Status::Complete(used)) => {
                let asked = asked(&request);
                buf.drain(..used);
                return asked;
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            _ => return None,
        }
        let mut chunk = [0u8; 8192];
        match timeout(IO_TIMEOUT, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    }
}

fn asked(request: &httparse::Request<'_, '_>) -> Option<Asked> {
    let target = request.path?.to_owned();
    let file = target.trim_start_matches('/').split(['/', '?']).next().unwrap_or("").to_owned();
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::to_owned)
    };
    let range = header("range").and_then(|value| {
        let (first, last) = value.trim().strip_prefix("bytes=")?.split_once('-')?;
        let first = first.trim().parse().ok()?;
        let last = if last.trim().is_empty() { None } else { Some(last.trim().parse().ok()?) };
        Some((first, last))
    });
    Some(Asked { target, file, range, if_range: header("if-range"), head: request.method == Some("HEAD") })
}

/// Serves one connection: an answer drawn for each request until one ends it.
async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    while let Some(asked) = read_request(&mut stream, &mut buf).await {
        let found = {
            let mut files = shared.files.lock().unwrap_or_else(PoisonError::into_inner);
            files.get_mut(&asked.file).map(|file| {
                file.requests += 1;
                (file.body.clone(), file.requests)
            })
        };
        shared.answered.fetch_add(1, Ordering::SeqCst);
        let mut answer = match found {
            Some((body, number)) => {
                let mut rng = crate::seeds::rng(shared.seed, (&asked.file, number));
                draw(&mut rng, &asked, &body)
            }
            None => Answer::not_found(),
        };
        if shared.paced {
            answer.pieces = answer.pieces.concat().chunks(64 << 10).map(<[u8]>::to_vec).collect();
            answer.pause = Some(Duration::from_millis(1));
        }
        if !send(&mut stream, &answer).await {
            return;
        }
    }
}

/// Writes an answer; false when the connection is to end.
async fn send(stream: &mut TcpStream, answer: &Answer) -> bool {
    for piece in &answer.pieces {
        if !matches!(timeout(IO_TIMEOUT, stream.write_all(piece)).await, Ok(Ok(()))) {
            return false;
        }
        if let Some(pause) = answer.pause {
            tokio::time::sleep(pause).await;
        }
    }
    match answer.ending {
        Ending::KeepAlive => true,
        Ending::Close => {
            let _ = timeout(IO_TIMEOUT, stream.shutdown()).await;
            false
        }
        // Dropped without a shutdown: with the request's bytes unread, the peer sees a reset.
        Ending::Drop => false,
    }
}
