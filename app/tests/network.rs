//! Network gone, network back (issue 15): the real `haul service` follows a
//! stand-in NetworkManager (tests/network/nm.py) on a private bus, found
//! through `HAUL_NM_BUS_ADDRESS`, while a throttled loopback server serves.
//!
//! Needs `dbus-daemon` and Debian's python3-dbus and python3-gi (.ci/run
//! installs them): without them the tests fail under CI (`CI` set) and are
//! skipped with a message elsewhere.

mod common;
#[path = "network/stand_in.rs"]
mod stand_in;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use serde_json::Value;
use stand_in::Bus;
use std::time::{Duration, Instant};

/// A private bus, or `None` (the test is skipped) where it cannot run.
fn bus() -> Option<Bus> {
    match stand_in::available() {
        Ok(()) => Some(Bus::start()),
        Err(reason) if std::env::var_os("CI").is_some() => panic!("the network tests need {reason}"),
        Err(reason) => {
            eprintln!("SKIPPED: {reason}");
            None
        }
    }
}

fn start_service(world: &mut World, bus: &Bus) {
    world.start_service_with_env(&[("HAUL_NM_BUS_ADDRESS", bus.address.as_str())]);
}

/// `haul --json network`.
fn network(world: &World) -> Value {
    let out = world.haul().args(["--json", "network"]).output().expect("haul network");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn add(world: &World, url: &str, extra: &[&str]) -> String {
    let out = world.haul().args(["add", url, "--dir"]).arg(world.downloads()).args(extra).output().expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn set(world: &World, job_id: &str, args: &[&str]) {
    let out = world.haul().args(["set", job_id]).args(args).output().expect("set");
    assert!(out.status.success(), "haul set {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn info_text(world: &World, job_id: &str) -> String {
    let out = world.haul().args(["info", job_id]).output().expect("info");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_state(world: &World, job_id: &str, states: &[&str], timeout: Duration) -> Value {
    let mut last = Value::Null;
    let reached = wait_until(timeout, || {
        last = job_json(world, job_id);
        states.iter().any(|s| last["state"] == *s)
    });
    assert!(reached, "never {states:?}: {last}\n{}", world.service_log());
    last
}

#[test]
fn a_lost_network_stops_transfers_without_using_retries_and_they_resume_at_once_when_it_is_back() {
    let Some(mut bus) = bus() else { return };
    bus.start_network_manager(&["Connectivity=4", "State=70", "Metered=2"]);
    let mut world = World::new();
    start_service(&mut world, &bus);
    let status = network(&world);
    assert_eq!((status["online"].clone(), status["source"].clone()), (true.into(), "network_manager".into()));

    let server = TestServer::start();
    let body = random_bytes(6 << 20, 31);
    server.set_route("/file.bin", Route::new(body.clone()).throttle_per_connection(1 << 20));
    let job_id = add(&world, &server.url("/file.bin"), &["--connections", "1"]);
    // A short no-progress timeout the offline wait must not run into, and a
    // retry delay far longer than the test: only "back online" retries it.
    set(&world, &job_id, &["--no-progress-timeout", "2", "--min-retry-delay", "600"]);
    assert!(
        wait_until(Duration::from_secs(30), || {
            job_json(&world, &job_id)["progress"]["bytes_transferred"].as_u64().unwrap_or(0) > 512 << 10
        }),
        "no progress: {}",
        world.service_log()
    );

    bus.set(&["Connectivity=1", "State=20"]);
    let job = wait_state(&world, &job_id, &["transient_error"], Duration::from_secs(10));
    assert_eq!(job["error"]["code"], "no_network", "{job}");
    assert_eq!(job["error_count"], 0, "a lost network is not a failure: {job}");
    assert_eq!(network(&world)["online"], false);
    assert!(info_text(&world, &job_id).contains("no network"), "{}", info_text(&world, &job_id));
    let requests = server.requests_for("/file.bin").len();
    // Longer than the no-progress timeout: the job still waits, and nothing is retried.
    std::thread::sleep(Duration::from_secs(4));
    let job = job_json(&world, &job_id);
    assert_eq!((job["state"].as_str(), job["error_count"].as_u64()), (Some("transient_error"), Some(0)), "{job}");
    assert_eq!(server.requests_for("/file.bin").len(), requests, "a request went out while offline");

    bus.set(&["Connectivity=4", "State=70"]);
    let back = Instant::now();
    wait_state(&world, &job_id, &["transferring", "transferred", "acknowledged"], Duration::from_secs(10));
    eprintln!("transferring again {:?} after the network came back", back.elapsed());
    let job = wait_state(&world, &job_id, &["acknowledged"], Duration::from_secs(60));
    assert_eq!(job["error_count"], 0, "{job}");
    assert_eq!(sha256_file(&world.downloads().join("file.bin")).expect("file"), sha256_hex(&body));
}

#[test]
fn without_network_manager_the_service_follows_the_routes_and_follows_it_once_it_appears() {
    let Some(mut bus) = bus() else { return };
    let mut world = World::new();
    start_service(&mut world, &bus);
    let status = network(&world);
    // Whether this computer has a default route, as the route tables say.
    let routed = haul_core::network::status_from_route_tables().online;
    assert_eq!((status["online"].clone(), status["source"].clone()), (routed.into(), "netlink".into()), "{status}");
    assert!(world.service_log().contains("NetworkManager is not running"), "{}", world.service_log());

    // It appears, offline: a new job waits in the queue, and nothing is asked of the server.
    bus.start_network_manager(&["Connectivity=1", "State=20", "Metered=2"]);
    assert!(wait_until(Duration::from_secs(10), || network(&world)["online"] == false), "{}", world.service_log());
    let server = TestServer::start();
    let body = random_bytes(256 << 10, 32);
    server.add_file("/small.bin", body.clone());
    let job_id = add(&world, &server.url("/small.bin"), &[]);
    let job = wait_state(&world, &job_id, &["queued"], Duration::from_secs(5));
    assert_eq!(job["wait_reason"], "network", "{job}");
    assert!(info_text(&world, &job_id).contains("Waiting for the network"), "{}", info_text(&world, &job_id));
    std::thread::sleep(Duration::from_millis(500));
    assert!(server.requests_for("/small.bin").is_empty(), "a job started while offline");

    // A misbehaving peer: a string where a u32 belongs is ignored (the state decides).
    bus.set(&["Connectivity=full", "State=70"]);
    wait_state(&world, &job_id, &["acknowledged"], Duration::from_secs(30));
    assert_eq!(sha256_file(&world.downloads().join("small.bin")).expect("file"), sha256_hex(&body));
    let status = network(&world);
    assert_eq!((status["online"].clone(), status["connectivity"].clone()), (true.into(), "unknown".into()));

    // It leaves the bus: the route tables decide again.
    bus.set(&["Connectivity=1"]);
    assert!(wait_until(Duration::from_secs(10), || network(&world)["online"] == false));
    bus.stop_network_manager();
    assert!(wait_until(Duration::from_secs(10), || network(&world)["source"] == "netlink"), "{}", world.service_log());
    assert_eq!(network(&world)["online"], routed);
}

#[test]
fn a_metered_network_holds_background_jobs_until_allowed_or_unmetered_again() {
    let Some(mut bus) = bus() else { return };
    bus.start_network_manager(&["Connectivity=4", "State=70", "Metered=2"]);
    let mut world = World::new();
    start_service(&mut world, &bus);
    let server = TestServer::start();
    let running_body = random_bytes(4 << 20, 41);
    server.set_route("/running.bin", Route::new(running_body.clone()).throttle_per_connection(1 << 20));
    let (held_body, urgent_body) = (random_bytes(200 << 10, 42), random_bytes(200 << 10, 43));
    server.add_file("/held.bin", held_body.clone());
    server.add_file("/urgent.bin", urgent_body.clone());

    // A background job runs while the network is free…
    let running = add(&world, &server.url("/running.bin"), &["--connections", "1"]);
    assert_eq!(job_json(&world, &running)["cost_policy"], "unmetered");
    assert!(
        wait_until(Duration::from_secs(30), || {
            job_json(&world, &running)["progress"]["bytes_transferred"].as_u64().unwrap_or(0) > 256 << 10
        }),
        "no progress: {}",
        world.service_log()
    );
    // …and goes back to the queue, with its reason, when it becomes metered (guess-yes).
    bus.set(&["Metered=3"]);
    let job = wait_state(&world, &running, &["queued"], Duration::from_secs(10));
    assert_eq!(job["wait_reason"], "unmetered_network", "{job}");
    assert_eq!(network(&world)["metered"], true);

    // A new background job waits; a foreground one (cost policy any) runs.
    let held = add(&world, &server.url("/held.bin"), &[]);
    let job = wait_state(&world, &held, &["queued"], Duration::from_secs(5));
    assert_eq!(job["wait_reason"], "unmetered_network", "{job}");
    assert!(info_text(&world, &held).contains("Waiting for an unmetered network"), "{}", info_text(&world, &held));
    let urgent = add(&world, &server.url("/urgent.bin"), &["--priority", "foreground"]);
    let job = wait_state(&world, &urgent, &["acknowledged"], Duration::from_secs(30));
    assert_eq!(job["cost_policy"], "any", "{job}");
    assert_eq!(sha256_file(&world.downloads().join("urgent.bin")).expect("file"), sha256_hex(&urgent_body));
    assert!(server.requests_for("/held.bin").is_empty(), "a held job asked the server");
    assert_eq!(job_json(&world, &held)["state"], "queued");
    // A background job added with --cost any runs on the metered network.
    let anyway = add(&world, &server.url("/urgent.bin"), &["--cost", "any", "--name", "anyway"]);
    let job = wait_state(&world, &anyway, &["acknowledged"], Duration::from_secs(30));
    assert_eq!((job["cost_policy"].as_str(), job["priority"].as_str()), (Some("any"), Some("normal")), "{job}");

    // "Download now anyway".
    set(&world, &held, &["--cost", "any"]);
    wait_state(&world, &held, &["acknowledged"], Duration::from_secs(30));
    assert_eq!(sha256_file(&world.downloads().join("held.bin")).expect("file"), sha256_hex(&held_body));
    let job = job_json(&world, &running);
    assert_eq!((job["state"].as_str(), job["wait_reason"].as_str()), (Some("queued"), Some("unmetered_network")));

    // Unmetered again (guess-no): the held job starts and finishes intact.
    bus.set(&["Metered=4"]);
    let job = wait_state(&world, &running, &["acknowledged"], Duration::from_secs(60));
    assert_eq!(job["wait_reason"], Value::Null, "{job}");
    assert_eq!(sha256_file(&world.downloads().join("running.bin")).expect("file"), sha256_hex(&running_body));
}
