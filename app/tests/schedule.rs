//! Schedules (issue 15) through the real `haul service`: a window that starts
//! while a job runs changes its measured speed, a pausing window holds
//! background jobs (not foreground ones) with a reason, and the schedule
//! survives a restart. The service's clock is moved with the test-only
//! `HAUL_TEST_CLOCK_OFFSET_S` so a window boundary is seconds away.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes};
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The service's clock is this many seconds before a minute boundary at start.
const LEAD_S: u64 = 20;
const WINDOW_BPS: u64 = 256 * 1024;

/// A minute boundary two hours ahead (as HH:MM in UTC) and the clock offset
/// that puts the service `LEAD_S` seconds before it now.
fn boundary() -> (u64, String, String) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    let at = (now / 60 + 120) * 60;
    let hhmm = |secs: u64| format!("{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60);
    let offset = at - LEAD_S - now;
    (offset, hhmm(at), hhmm(at + 20 * 60))
}

fn haul_ok(world: &World, args: &[&str]) -> String {
    let out = world.haul().env("TZ", "UTC").args(args).output().expect("haul");
    assert!(out.status.success(), "haul {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn limits(world: &World) -> Value {
    serde_json::from_str(&haul_ok(world, &["--json", "limits"])).unwrap_or(Value::Null)
}

fn bytes(world: &World, job_id: &str) -> u64 {
    job_json(world, job_id)["progress"]["bytes_transferred"].as_u64().unwrap_or(0)
}

/// The job's speed over at least `span`, in bytes per second. The time runs
/// from before the first reading to after the last, so a `haul` call slowed
/// by a loaded machine makes the figure lower, never higher.
fn measure(world: &World, job_id: &str, span: Duration) -> u64 {
    let started = Instant::now();
    let before = bytes(world, job_id);
    std::thread::sleep(span);
    let moved = bytes(world, job_id).saturating_sub(before);
    let elapsed = started.elapsed().as_secs_f64();
    (moved as f64 / elapsed) as u64
}

#[test]
fn a_window_that_starts_mid_download_slows_it_and_a_pausing_one_holds_background_jobs() {
    let (offset, from, to) = boundary();
    let started = Instant::now();
    let mut world = World::new();
    let offset_text = offset.to_string();
    let env = [("TZ", "UTC"), ("HAUL_TEST_CLOCK_OFFSET_S", offset_text.as_str())];
    world.start_service_with_env(&env);
    let window = format!("daily {from}-{to} 256K");
    haul_ok(&world, &["limits", "--schedule", &window]);
    let shown = haul_ok(&world, &["limits"]);
    assert!(shown.contains(&format!("1. daily {from}-{to} 262 KB/s")), "{shown}");
    assert!(shown.contains("outside the windows"), "{shown}");

    let server = TestServer::start();
    server.set_route("/big.bin", Route::new(random_bytes(64 << 20, 7)).throttle_per_connection(1 << 20));
    let dir = world.downloads();
    let url = server.url("/big.bin");
    let job_id = haul_ok(&world, &["add", &url, "--dir", dir.to_str().unwrap_or(""), "--connections", "1"]);
    let job_id = job_id.trim().to_owned();
    assert!(wait_until(Duration::from_secs(5), || bytes(&world, &job_id) > 0), "never started");
    let before = measure(&world, &job_id, Duration::from_millis(1500));
    assert!(started.elapsed() < Duration::from_secs(LEAD_S - 1), "the window started before the measurement ended");
    assert!(before > 2 * WINDOW_BPS, "before the window: {before} bytes/s");

    let inside = wait_until(Duration::from_secs(LEAD_S + 10), || limits(&world)["schedule_now"]["window"] == 0);
    assert!(inside, "the window never started: {}\n{}", limits(&world), world.service_log());
    let now = limits(&world);
    assert_eq!(now["schedule_now"]["speed_limit_bps"], WINDOW_BPS, "{now}");
    std::thread::sleep(Duration::from_millis(500));
    let during = measure(&world, &job_id, Duration::from_secs(3));
    assert!(during > 0 && during < WINDOW_BPS * 3 / 2, "inside the window: {during} bytes/s, limit {WINDOW_BPS}/s");

    // A pausing window: the background job goes back to the queue with a
    // reason; a foreground job still runs.
    haul_ok(&world, &["limits", "--schedule", &format!("daily {from}-{to} pause")]);
    let held = wait_until(Duration::from_secs(5), || {
        let job = job_json(&world, &job_id);
        job["state"] == "queued" && job["wait_reason"] == "schedule"
    });
    assert!(held, "not held: {}", job_json(&world, &job_id));
    let info = haul_ok(&world, &["info", &job_id]);
    assert!(info.contains(&format!("Waiting for the schedule (until {to})")), "{info}");
    assert!(haul_ok(&world, &["limits"]).contains("background jobs paused until"), "paused");
    server.set_route("/small.bin", Route::new(random_bytes(200_000, 8)));
    let small = server.url("/small.bin");
    let fg = haul_ok(&world, &["add", &small, "--dir", dir.to_str().unwrap_or(""), "--priority", "foreground"]);
    let fg = fg.trim().to_owned();
    let done = wait_until(Duration::from_secs(10), || {
        let job = job_json(&world, &fg);
        job["state"] == "transferred" || job["state"] == "acknowledged"
    });
    assert!(done, "the foreground job was held: {}", job_json(&world, &fg));

    // The schedule is kept across a restart; `off` removes it and the job runs.
    world.kill_service();
    world.start_service_with_env(&env);
    assert_eq!(limits(&world)["schedule"][0]["pause_background"], true, "{}", limits(&world));
    haul_ok(&world, &["limits", "--schedule", "off"]);
    assert_eq!(limits(&world)["schedule"], Value::Array(Vec::new()));
    let runs = wait_until(Duration::from_secs(5), || job_json(&world, &job_id)["wait_reason"].is_null());
    assert!(runs, "still held: {}", job_json(&world, &job_id));
}

#[test]
fn the_default_cost_policy_applies_to_new_background_jobs_and_survives_a_restart() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    server.set_route("/c.bin", Route::new(random_bytes(10_000, 9)));
    let url = server.url("/c.bin");
    let dir = world.downloads();
    let dir = dir.to_str().unwrap_or("");
    let before = haul_ok(&world, &["add", &url, "--dir", dir, "--name", "before"]);
    assert_eq!(job_json(&world, before.trim())["cost_policy"], "unmetered");
    assert!(haul_ok(&world, &["limits", "--default-cost", "any"]).contains("networks:  any"));
    let after = haul_ok(&world, &["add", &url, "--dir", dir, "--name", "after"]);
    assert_eq!(job_json(&world, after.trim())["cost_policy"], "any");
    let chosen = haul_ok(&world, &["add", &url, "--dir", dir, "--name", "chosen", "--cost", "unmetered"]);
    assert_eq!(job_json(&world, chosen.trim())["cost_policy"], "unmetered", "--cost wins");
    world.kill_service();
    world.start_service();
    assert_eq!(limits(&world)["default_cost_policy"], "any");
    let bad = world.haul().args(["limits", "--default-cost", "cheap"]).output().expect("haul");
    assert!(!bad.status.success());
}
