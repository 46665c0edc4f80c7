//! The real service fed seeded random frames on several connections at once
//! (some never read, some leave mid-frame): afterwards it still serves, a
//! normal client's download ends with the right bytes, and its log has no panic.
//! A fixed seed and two fresh ones per run; `HAUL_FUZZ_SEED=N` replays one.

mod common;

use common::*;
use haul_core::client::Client;
use haul_core::model::{JobState, Priority};
use haul_core::protocol::CreateJobParams;
use haul_tests::frames::{Frame, FrameGen};
use haul_tests::seeds::{SeedGuard, rng, seeds};
use haul_tests::server::{TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::new_file;
use proptest::prelude::RngExt;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;

/// Fuzzing connections open at once.
const CONNECTIONS: usize = 10;
/// Most frames one connection sends.
const FRAMES: usize = 300;
/// A write the service does not take within this long ends the connection.
const WRITE_WAIT: Duration = Duration::from_secs(2);
/// Every connection has ended within this long.
const FUZZ_WAIT: Duration = Duration::from_secs(20);
/// The normal client's download ends within this long.
const JOB_WAIT: Duration = Duration::from_secs(30);

/// What went wrong, across connections.
type Problems = Arc<Mutex<Vec<String>>>;

/// Lines the fuzzing connections received (shown, so a fuzzer that reaches nothing is noticed).
static RECEIVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Requests the service carried out (a `result` came back).
static SUCCEEDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn note(problems: &Problems, problem: String) {
    problems.lock().unwrap_or_else(PoisonError::into_inner).push(problem);
}

#[test]
fn random_frames_on_many_connections_leave_the_service_serving() {
    let server = TestServer::start();
    server.add_file("/small.bin", random_bytes(20_000, 1));
    let body = random_bytes(3 << 20, 2);
    server.add_file("/normal.bin", body.clone());
    let urls = vec![server.url("/small.bin"), server.url("/missing"), "http://127.0.0.1:1/closed".to_owned()];
    for seed in seeds(19, 2) {
        let _guard = SeedGuard::new("socket_fuzz", seed);
        let mut world = World::new();
        world.start_service_with_args(&[], &[]);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        let runtime = runtime.expect("a runtime");
        let problems = runtime.block_on(fuzz(&world.socket(), seed, &urls, &world.downloads()));
        assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
        let (received, succeeded) = (RECEIVED.swap(0, Relaxed), SUCCEEDED.swap(0, Relaxed));
        eprintln!("socket_fuzz: seed {seed}: {received} lines back, {succeeded} results");
        assert!(succeeded > 50, "seed {seed}: the fuzzers reached too little ({succeeded} results)");
        let alive = world.service.as_mut().map(|child| child.try_wait());
        assert!(matches!(alive, Some(Ok(None))), "seed {seed}: the service exited: {alive:?}\n{}", world.service_log());
        let local = world.downloads().join("normal.bin");
        let (socket, url) = (world.socket(), server.url("/normal.bin"));
        let download = normal_download(&socket, &url, &local);
        let done = runtime.block_on(async { tokio::time::timeout(JOB_WAIT * 2, download).await });
        assert!(done.is_ok(), "seed {seed}: the service does not answer a normal client\n{}", world.service_log());
        assert_eq!(sha256_file(&local).expect("the downloaded file"), sha256_hex(&body), "seed {seed}");
        let log = world.service_log();
        assert!(!log.contains("panicked"), "seed {seed}: the service panicked:\n{log}");
    }
}

/// Runs every fuzzing connection to its end; returns the problems seen.
async fn fuzz(socket: &Path, seed: u64, urls: &[String], dir: &Path) -> Vec<String> {
    let problems: Problems = Arc::default();
    let mut connections = tokio::task::JoinSet::new();
    for index in 0..CONNECTIONS {
        let (socket, urls, dir, problems) = (socket.to_path_buf(), urls.to_vec(), dir.to_path_buf(), problems.clone());
        connections.spawn(connection(socket, seed, index, urls, dir, problems));
    }
    let all = async {
        while let Some(ended) = connections.join_next().await {
            if let Err(e) = ended {
                note(&problems, format!("a fuzzing connection failed: {e}"));
            }
        }
    };
    if tokio::time::timeout(FUZZ_WAIT, all).await.is_err() {
        note(&problems, format!("the fuzzing connections did not end within {FUZZ_WAIT:?}"));
    }
    problems.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Writes `bytes`; false when the service hung up or stopped reading.
async fn send(write: &mut OwnedWriteHalf, bytes: &[u8]) -> bool {
    matches!(tokio::time::timeout(WRITE_WAIT, write.write_all(bytes)).await, Ok(Ok(())))
}

/// One fuzzing connection: frames as its seed says, then one of several ends.
async fn connection(socket: PathBuf, seed: u64, index: usize, urls: Vec<String>, dir: PathBuf, problems: Problems) {
    let mut rng = rng(seed, ("connection", index));
    let Ok(stream) = UnixStream::connect(&socket).await else {
        note(&problems, format!("connection {index}: cannot connect"));
        return;
    };
    let (read, mut write) = stream.into_split();
    let (learned, mut heard) = mpsc::unbounded_channel();
    // Some clients never read: the service must not wait for them.
    let reads = rng.random_bool(0.85);
    let reader = tokio::spawn(read_all(read, reads, learned, problems.clone(), index));
    let mut frames = FrameGen::new(self::rng(seed, ("frames", index)), urls, dir);
    // Most connections say hello first; the others meet the handshake gate.
    let greets = rng.random_bool(0.85);
    let mut open = !greets || send(&mut write, &frames.hello()).await;
    for _ in 0..rng.random_range(20..FRAMES) {
        if !open {
            break;
        }
        while let Ok(message) = heard.try_recv() {
            frames.learn(&message);
        }
        open = match frames.next_frame() {
            Frame::Bytes(bytes) => send(&mut write, &bytes).await,
            Frame::Pieces(pieces) => {
                let mut sent = true;
                for piece in pieces {
                    sent = sent && send(&mut write, &piece).await;
                    tokio::time::sleep(Duration::from_millis(rng.random_range(0..3))).await;
                }
                sent
            }
        };
        if rng.random_bool(0.1) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..20))).await;
        }
    }
    match rng.random_range(0..4) {
        // Gone in the middle of a frame.
        0 => {
            let _ = send(&mut write, &frames.cut()).await;
        }
        // A line over the limit: an error reply, then the service hangs up.
        1 if reads && open => {
            let _ = send(&mut write, &frames.oversized()).await;
            match tokio::time::timeout(Duration::from_secs(10), reader).await {
                Ok(Ok(saw_eof)) if saw_eof => {}
                ended => note(&problems, format!("connection {index}: not closed after an oversized line: {ended:?}")),
            }
            return;
        }
        // Half-closed: the service still answers what it read, then ends.
        2 => {
            let _ = write.shutdown().await;
            let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
            return;
        }
        _ => {}
    }
    drop(write);
    reader.abort();
}

/// Reads every line the service sends and checks it is a JSON-RPC message;
/// true when the service closed the connection.
async fn read_all(
    read: OwnedReadHalf,
    reads: bool,
    learned: mpsc::UnboundedSender<Value>,
    problems: Problems,
    index: usize,
) -> bool {
    if !reads {
        std::future::pending::<()>().await;
    }
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) => return true,
            Ok(_) => {}
            Err(_) => return true,
        }
        match serde_json::from_slice::<Value>(&line) {
            Ok(message) => {
                if let Some(problem) = malformed(&message) {
                    note(&problems, format!("connection {index}: {problem}: {message}"));
                }
                RECEIVED.fetch_add(1, Relaxed);
                if message.get("result").is_some() {
                    SUCCEEDED.fetch_add(1, Relaxed);
                }
                let _ = learned.send(message);
            }
            Err(e) => note(&problems, format!("connection {index}: the service sent a line that is not JSON ({e})")),
        }
    }
}

/// Why `message` is not a JSON-RPC 2.0 message the service may send, if it is not.
fn malformed(message: &Value) -> Option<&'static str> {
    if message["jsonrpc"] != "2.0" {
        return Some("no \"jsonrpc\": \"2.0\"");
    }
    if message.get("method").is_some() {
        return (!message["method"].is_string()).then_some("a method that is not a string");
    }
    let Some(id) = message.get("id") else { return Some("a response without an id") };
    if !(id.is_null() || id.is_string() || id.is_i64() || id.is_u64()) {
        return Some("a response id that is not a string, an integer or null");
    }
    match (message.get("result"), message.get("error")) {
        (Some(_), None) => None,
        (None, Some(error)) if error["code"].is_i64() && error["message"].is_string() => None,
        _ => Some("a response without exactly one of result and a well-formed error"),
    }
}

/// A normal client downloads `url` to `local` (foreground: the fuzzers' jobs may
/// hold every background slot) and completes the job.
async fn normal_download(socket: &Path, url: &str, local: &Path) {
    let client = Client::connect(socket).await.expect("a normal client connects");
    let params =
        CreateJobParams { display_name: "normal".into(), priority: Some(Priority::Foreground), ..Default::default() };
    let job_id = client.create_job(params).await.expect("create_job");
    client.add_file(new_file(job_id, url, local, None)).await.expect("add_file");
    client.resume(job_id).await.expect("resume");
    let deadline = tokio::time::Instant::now() + JOB_WAIT;
    loop {
        let job = client.get_job(job_id).await.expect("get_job");
        if job.state == JobState::Transferred {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the normal job never transferred: {job:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.complete(job_id).await.expect("complete");
}
