//! A crash storm: 20 downloads from a throttled loopback server while the
//! real service is SIGKILLed 50 times at random moments and started again.
//! Nothing may be lost or wrong, and a kill may cost only the bytes since the
//! last checkpoint (~250 ms of each file's). And a file that was split goes
//! back to its connections at once after a restart.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FILES: usize = 20;
const FILE_SIZE: usize = 8 << 20;
const KILLS: usize = 50;
/// Per connection: an 8 MiB file splits into ~8 ranges (none under 1 MiB),
/// so ~1 MiB/s a file, 4 jobs at once: the 160 MiB take ~40 s, about as long
/// as the storm, and the kills land while files are half done.
const THROTTLE: u64 = 128 << 10;

#[test]
fn fifty_kills_lose_no_job_and_corrupt_no_file() {
    // A seed of its own each run (HAUL_STORM_SEED replays one).
    let seed = std::env::var("HAUL_STORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64));
    eprintln!("crash storm seed {seed} (HAUL_STORM_SEED={seed} replays it)");
    let mut world = World::new();
    let server = TestServer::start();
    let bodies: Vec<Vec<u8>> = (0..FILES).map(|i| random_bytes(FILE_SIZE, 1000 + i as u64)).collect();
    for (i, body) in bodies.iter().enumerate() {
        server
            .set_route(&format!("/storm/file-{i:02}.bin"), Route::new(body.clone()).throttle_per_connection(THROTTLE));
    }
    world.start_service();
    let mut jobs = Vec::new();
    for i in 0..FILES {
        let url = server.url(&format!("/storm/file-{i:02}.bin"));
        let out = world.haul().args(["add", &url, "--dir"]).arg(world.downloads()).output().expect("add");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        jobs.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }

    // Run times between kills: 0–1 s after the socket answers, so some kills
    // land while the service still loads its jobs, most while bytes flow.
    let delays = random_bytes(KILLS * 2, seed);
    let mut logs = String::new();
    for k in 0..KILLS {
        let ms = u64::from(u16::from_le_bytes([delays[2 * k], delays[2 * k + 1]])) % 1000;
        std::thread::sleep(Duration::from_millis(ms));
        world.kill_service();
        logs.push_str(&world.service_log());
        world.start_service();
    }
    let finished = wait_until(Duration::from_secs(180), || {
        jobs.iter().all(|job| job_json(&world, job)["state"] == "acknowledged")
    });
    logs.push_str(&world.service_log());
    let states: Vec<String> = jobs.iter().map(|job| job_json(&world, job)["state"].to_string()).collect();
    assert!(finished, "not every job completed (seed {seed}): {states:?}\n{}", world.service_log());
    assert!(!logs.contains("panicked"), "the service panicked (seed {seed}):\n{logs}");

    // 0 jobs lost, 0 corrupt files, nothing else left in the folder.
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let listed: Vec<&str> = listed.as_array().expect("array").iter().filter_map(|j| j["id"].as_str()).collect();
    for job in &jobs {
        assert!(listed.contains(&job.as_str()), "job {job} was lost (seed {seed})");
    }
    for (i, body) in bodies.iter().enumerate() {
        let path = world.downloads().join(format!("file-{i:02}.bin"));
        assert_eq!(sha256_file(&path).expect("file"), sha256_hex(body), "{} is corrupt (seed {seed})", path.display());
    }
    let mut names: Vec<String> = std::fs::read_dir(world.downloads())
        .expect("downloads")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let expected: Vec<String> = (0..FILES).map(|i| format!("file-{i:02}.bin")).collect();
    assert_eq!(names, expected, "the folder holds something else (seed {seed})");

    // What the kills cost: the bytes sent again after each.
    let total = (FILES * FILE_SIZE) as f64;
    let served: u64 = (0..FILES).map(|i| server.bytes_served_for(&format!("/storm/file-{i:02}.bin"))).sum();
    let ratio = served as f64 / total;
    eprintln!("crash storm: {KILLS} kills, the server sent {served} bytes for {total} ({ratio:.3}x)");
    // The target is < 1.3x (the note records the figure); a kill that lost a
    // whole file's checkpoint would cost far more than this allows.
    assert!(ratio < 1.5, "{ratio:.3}x the bytes were sent (seed {seed})");
}

/// Each answer's first byte from the far server of the restart test.
const FAR: Duration = Duration::from_millis(800);

/// After a restart a split file goes straight back to the connections it had
/// (one for each range still missing): within half a far server's answer
/// time of its first answer, not a round trip per step. (A ramp that stepped
/// through 16 first failed this. A fresh ramp on a capped server now also
/// goes to the maximum, one 50 ms window after its first answer: the ramp's
/// unit tests tell the two apart.)
#[test]
fn a_split_file_goes_straight_back_to_its_connections_after_a_restart() {
    let mut world = World::new();
    let server = TestServer::start();
    let body = random_bytes(64 << 20, 77);
    let path = "/far/big.bin";
    server.set_route(path, Route::new(body.clone()).latency(FAR).throttle_per_connection(256 << 10));
    world.start_service();
    let url = server.url(path);
    let out = world.haul().args(["add", &url, "--dir"]).arg(world.downloads()).output().expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let ramped = wait_until(Duration::from_secs(30), || server.most_responses_at_once() >= 32);
    assert!(ramped, "never 32 connections: {}", server.most_responses_at_once());
    // Past a checkpoint of the 32 ranges, then killed.
    std::thread::sleep(Duration::from_millis(1000));
    world.kill_service();
    let before = server.requests_for(path).len();
    world.start_service();
    // The first request is answered after FAR; the others follow that answer.
    let split = wait_until(Duration::from_secs(15), || server.requests_for(path).len() > before + 1);
    assert!(split, "the file did not go on after the restart:\n{}", world.service_log());
    // Less than FAR later, a ramp stepping through 16 would still wait for their answers.
    std::thread::sleep(FAR / 2);
    let opened = server.requests_for(path).len() - before;
    assert!(opened >= 24, "{opened} requests in the first {:?} after the restart's first answer", FAR / 2);
    let done = wait_until(Duration::from_secs(60), || job_json(&world, &job)["state"] == "acknowledged");
    assert!(done, "{}", job_json(&world, &job));
    let saved = world.downloads().join("big.bin");
    assert_eq!(sha256_file(&saved).expect("file"), sha256_hex(&body));
}
