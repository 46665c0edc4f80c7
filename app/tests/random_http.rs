//! Downloads through the real service from a server whose every answer is
//! drawn at random (`haul_tests::random_server`; seeded, `HAUL_FUZZ_SEED=N`
//! replays one): each ends with the real file or a named error, never a panic,
//! a hang, or another file marked transferred or put in place.

mod common;

use common::*;
use haul_core::client::Client;
use haul_core::model::{Job, JobId, JobState, RemoteUrl};
use haul_core::protocol::{CreateJobParams, code};
use haul_tests::random_server::RandomServer;
use haul_tests::seeds::{SeedGuard, rng, seeds};
use haul_tests::server::{random_bytes, sha256_file, sha256_hex};
use haul_tests::support::new_file;
use proptest::prelude::RngExt;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Tries per job: a transient error is resumed at once this many times less one.
const ATTEMPTS: usize = 5;
/// One try ends (transferred, error or transient error) within this long.
const SETTLE: Duration = Duration::from_secs(20);

/// What a run downloads: this many jobs at once, their files' sizes drawn from `sizes`.
struct Mix {
    jobs: usize,
    sizes: &'static [usize],
    /// How often a job has two files.
    two_files: f64,
    /// Whether the server writes slowly (see [`RandomServer::start_paced`]).
    paced: bool,
}

/// Mostly small files, each on one connection (a few big enough to split; the
/// small sizes are listed twice, so drawn twice as often).
const SMALL: Mix = Mix {
    jobs: 96,
    sizes: &[0, 1, 100, 4096, 65_536, 300_000, 1_000_000, 2_500_000, 5 << 20, 0, 1, 100, 4096, 65_536, 300_000],
    two_files: 0.3,
    paced: false,
};

/// Files big enough to be split over several connections, each with an answer of its own.
const SPLIT: Mix = Mix { jobs: 8, sizes: &[6 << 20, 9 << 20], two_files: 0.0, paced: true };

/// How one job ended.
#[derive(Debug)]
enum Outcome {
    /// Every file in place with the right bytes.
    Right,
    /// An error with this code.
    Named(String),
}

/// One file of a job: where it goes and what it must hold.
struct Expected {
    local: PathBuf,
    body: Vec<u8>,
}

#[test]
fn random_answers_end_in_the_right_file_or_a_named_error() {
    run_seeds("random_http", 1919, &SMALL);
}

#[test]
fn split_files_under_random_answers_end_in_the_right_file_or_a_named_error() {
    run_seeds("random_http split", 2019, &SPLIT);
}

/// Runs `mix` for a fixed seed and two fresh ones (or `HAUL_FUZZ_SEED`), each with a service of its own.
fn run_seeds(test: &'static str, fixed: u64, mix: &Mix) {
    for seed in seeds(fixed, 2) {
        let _guard = SeedGuard::new(test, seed);
        let server = if mix.paced { RandomServer::start_paced(seed) } else { RandomServer::start(seed) };
        let mut world = World::new();
        world.start_service_with_args(&["--max-active", "12"], &[]);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        let runtime = runtime.expect("a runtime");
        let outcomes = runtime.block_on(run_jobs(&world.socket(), &server, &world.downloads(), seed, mix));
        let log = world.service_log();
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        for (index, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Ok(Outcome::Named(code)) => *codes.entry(code.clone()).or_default() += 1,
                Ok(Outcome::Right) => *codes.entry("right file".into()).or_default() += 1,
                Err(problem) => panic!("seed {seed}, job {index}: {problem}\nservice log:\n{log}"),
            }
        }
        eprintln!("{test}: seed {seed}: {} requests answered; {codes:?}", server.answered());
        let alive = world.service.as_mut().map(|child| child.try_wait());
        assert!(matches!(alive, Some(Ok(None))), "seed {seed}: the service exited: {alive:?}\n{log}");
        assert!(!log.contains("panicked"), "seed {seed}: the service panicked:\n{log}");
        assert!(codes.contains_key("right file"), "seed {seed}: no download succeeded: {codes:?}");
        assert!(codes.len() > 1 || mix.jobs < 20, "seed {seed}: no download failed: {codes:?}");
    }
}

async fn run_jobs(
    socket: &Path,
    server: &RandomServer,
    dir: &Path,
    seed: u64,
    mix: &Mix,
) -> Vec<Result<Outcome, String>> {
    let mut jobs = Vec::new();
    for index in 0..mix.jobs {
        let mut rng = rng(seed, ("job", index));
        let files = if rng.random_bool(mix.two_files) { 2 } else { 1 };
        let expected: Vec<Expected> = (0..files)
            .map(|file| {
                let name = format!("j{index}-f{file}.bin");
                let size = mix.sizes[rng.random_range(0..mix.sizes.len())];
                let body = random_bytes(size, seed ^ (index as u64) << 8 ^ file as u64);
                server.add_file(&name, body.clone());
                Expected { local: dir.join(&name), body }
            })
            .collect();
        let urls: Vec<String> = (0..files).map(|file| server.url(&format!("j{index}-f{file}.bin"))).collect();
        // Every call waits on the service: a service that stops answering fails the job, not the run.
        let job = tokio::time::timeout(SETTLE * (ATTEMPTS as u32 + 2), run_job(socket.to_path_buf(), urls, expected));
        jobs.push(tokio::spawn(async move {
            job.await.unwrap_or_else(|_| Err("the service stopped answering this job's client".into()))
        }));
    }
    let mut outcomes = Vec::new();
    for job in jobs {
        outcomes.push(job.await.unwrap_or_else(|e| Err(format!("the job's task failed: {e}"))));
    }
    outcomes
}

/// Runs one job to its end, resuming it after transient errors.
async fn run_job(socket: PathBuf, urls: Vec<String>, expected: Vec<Expected>) -> Result<Outcome, String> {
    let client = Client::connect(&socket).await.map_err(|e| format!("connect: {e}"))?;
    probe(&client, &urls[0]).await?;
    let job_id = client
        .create_job(CreateJobParams { display_name: "random".into(), ..Default::default() })
        .await
        .map_err(|e| format!("create_job: {e}"))?;
    for (url, file) in urls.iter().zip(&expected) {
        client.add_file(new_file(job_id, url, &file.local, None)).await.map_err(|e| format!("add_file: {e}"))?;
    }
    client.resume(job_id).await.map_err(|e| format!("resume: {e}"))?;
    for attempt in 1..=ATTEMPTS {
        let job = settled(&client, job_id).await?;
        check_transferred_files(&client, job_id, &expected).await?;
        let code = match job.state {
            JobState::Transferred => {
                client.complete(job_id).await.map_err(|e| format!("complete: {e}"))?;
                for file in &expected {
                    let sha = sha256_file(&file.local).map_err(|e| format!("{}: {e}", file.local.display()))?;
                    if sha != sha256_hex(&file.body) {
                        return Err(format!("{} was put in place with the wrong bytes", file.local.display()));
                    }
                }
                return Ok(Outcome::Right);
            }
            _ => named(&job)?,
        };
        if let Some(file) = expected.iter().find(|file| file.local.exists()) {
            return Err(format!("{} is in place, but the job is {}", file.local.display(), job.state));
        }
        if job.state == JobState::Error || attempt == ATTEMPTS {
            return Ok(Outcome::Named(code));
        }
        client.resume(job_id).await.map_err(|e| format!("resume after {code}: {e}"))?;
    }
    Err("unreachable: every attempt returns".into())
}

/// Asks what a download of `url` would be (as `haul add` does): an answer or
/// a named refusal (remote_failed, 8) within the probe's 10 s, never a hang.
async fn probe(client: &Client, url: &str) -> Result<(), String> {
    let url = RemoteUrl::parse(url).map_err(|e| format!("{url}: {e}"))?;
    match tokio::time::timeout(SETTLE, client.probe_url(url, Vec::new())).await {
        Err(_) => Err(format!("probe_url did not answer within {SETTLE:?}")),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) if e.code() == Some(code::REMOTE_FAILED) => Ok(()),
        Ok(Err(e)) => Err(format!("probe_url failed without naming the server's fault: {e}")),
    }
}

/// Waits until the job is transferred or failed; an error if that takes past [`SETTLE`].
async fn settled(client: &Client, job_id: JobId) -> Result<Job, String> {
    let deadline = tokio::time::Instant::now() + SETTLE;
    loop {
        let job = client.get_job(job_id).await.map_err(|e| format!("get_job: {e}"))?;
        if matches!(job.state, JobState::Transferred | JobState::Error | JobState::TransientError) {
            return Ok(job);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("hung: still {} after {SETTLE:?}: {job:?}", job.state));
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// The code of a failed job's error; an error if it has none that names the failure.
fn named(job: &Job) -> Result<String, String> {
    match &job.error {
        Some(error) if !error.code.is_empty() && !error.message.is_empty() => Ok(error.code.clone()),
        other => Err(format!("the job is {} without a named error: {other:?}", job.state)),
    }
}

/// Every file marked transferred holds the right bytes in its temp file, and says its true size.
async fn check_transferred_files(client: &Client, job_id: JobId, expected: &[Expected]) -> Result<(), String> {
    let files = client.enum_files(job_id).await.map_err(|e| format!("enum_files: {e}"))?;
    for (file, want) in files.iter().zip(expected) {
        if !file.transferred {
            continue;
        }
        let len = want.body.len() as u64;
        if file.bytes_total != Some(len) || file.bytes_transferred != len {
            return Err(format!(
                "file {} is transferred with the wrong size: {file:?}, {len} bytes expected",
                file.index
            ));
        }
        let temp = file.temp_path();
        let sha = sha256_file(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
        if sha != sha256_hex(&want.body) {
            return Err(format!(
                "file {} is marked transferred with the wrong bytes ({} bytes on disk)",
                file.index,
                std::fs::metadata(&temp).map_or(0, |m| m.len())
            ));
        }
    }
    Ok(())
}
