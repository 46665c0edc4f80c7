//! Links that expire, refreshed from the command line (`haul set JOB --url`),
//! and a CDN that ignores `If-Range` with an ETag: the real `haul` binary, a
//! real service process, the loopback test server.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use std::time::Duration;

/// Adds `url` as a one-connection job (no splitting) and returns its id.
fn add(world: &World, url: &str, extra: &[&str]) -> String {
    let out = world.haul().arg("add").arg(url).args(extra).arg("--dir").arg(world.downloads()).output().expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits for the job to reach `state`.
fn wait_state(world: &World, job_id: &str, state: &str, seconds: u64) {
    assert!(
        wait_until(Duration::from_secs(seconds), || job_json(world, job_id)["state"] == state),
        "never {state}: {} {}",
        job_json(world, job_id),
        world.service_log()
    );
}

/// The link stops working (403) halfway through the file: the job fails with a
/// hint, and after a retry that the transient drop asked for, it is an error.
fn fail_halfway(world: &World, server: &TestServer, body: &[u8]) -> String {
    let half = body.len() as u64 / 2;
    server.set_route("/expiring.bin", Route::new(body.to_vec()).drop_after(half, 1).fail_after_first(403));
    let job_id = add(world, &server.url("/expiring.bin"), &["--connections", "1"]);
    wait_state(world, &job_id, "transient_error", 30);
    let out = world.haul().args(["resume", &job_id]).output().expect("resume");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_state(world, &job_id, "error", 30);
    let job = job_json(world, &job_id);
    assert_eq!(job["error"]["http_status"], 403, "{job}");
    assert_eq!(job["progress"]["bytes_transferred"], half, "{job}");
    job_id
}

#[test]
fn an_expired_link_refreshed_from_the_cli_keeps_the_saved_bytes() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let body = random_bytes(2 << 20, 41);
    let size = body.len() as u64;
    let job_id = fail_halfway(&world, &server, &body);
    let info = world.haul().args(["info", &job_id]).output().expect("info");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("The link may have expired") && info.contains("--url"), "{info}");

    // The site gives a fresh link to the same file.
    server.add_file("/fresh.bin", body.clone());
    let out = world.haul().args(["set", &job_id, "--url", &server.url("/fresh.bin")]).output().expect("set");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("resuming now"), "{said}");
    wait_state(&world, &job_id, "acknowledged", 60);
    assert_eq!(sha256_file(&world.downloads().join("expiring.bin")).expect("file"), sha256_hex(&body));
    let served = server.bytes_served();
    assert!(served < size * 3 / 2, "the server sent {served} bytes for a {size}-byte file: the bytes were not kept");
    let fresh = server.requests_for("/fresh.bin");
    assert!(fresh.iter().all(|r| r.header("range").is_some()), "the fresh link was asked for the rest only");
    let files = world.haul().args(["--json", "files", &job_id]).output().expect("files");
    let files: serde_json::Value = serde_json::from_slice(&files.stdout).expect("json");
    assert!(files[0].get("restart_reason").is_none(), "{files}");
}

#[test]
fn a_link_refreshed_to_another_file_restarts_and_says_why() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let body = random_bytes(2 << 20, 42);
    let job_id = fail_halfway(&world, &server, &body);

    let other = random_bytes(3 << 20, 43);
    server.add_file("/other.bin", other.clone());
    let out = world.haul().args(["set", &job_id, "--url", &server.url("/other.bin"), "--file", "0"]).output();
    assert!(out.expect("set").status.success());
    wait_state(&world, &job_id, "acknowledged", 60);
    assert_eq!(sha256_file(&world.downloads().join("expiring.bin")).expect("file"), sha256_hex(&other));
    let files = world.haul().args(["--json", "files", &job_id]).output().expect("files");
    let files: serde_json::Value = serde_json::from_slice(&files.stdout).expect("json");
    let reason = files[0]["restart_reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.contains("not the one the saved bytes came from"), "{files}");
    let listed = world.haul().args(["files", &job_id]).output().expect("files");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("restarted from zero: the server's file is not the one"), "{listed}");
}

#[test]
fn a_bad_refresh_is_refused_with_a_clear_message() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    server.add_file("/a.bin", random_bytes(1000, 44));
    let job_id = add(&world, &server.url("/a.bin"), &["--no-complete"]);
    wait_state(&world, &job_id, "transferred", 30);
    let bad = world.haul().args(["set", &job_id, "--url", "ftp://example.invalid/x"]).output().expect("set");
    assert_eq!(bad.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ftp"), "{}", String::from_utf8_lossy(&bad.stderr));
    let out = world.haul().args(["set", &job_id, "--url", &server.url("/a.bin"), "--file", "3"]).output();
    let out = out.expect("set");
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--file 3"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_cdn_that_ignores_if_range_with_an_etag_is_resumed_not_restarted() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let body = random_bytes(16 << 20, 45);
    let size = body.len() as u64;
    // Throttled, so the whole-file answer the resume gets first sends little
    // before it is dropped.
    let route = Route::new(body.clone()).etag_if_range_ignored(true).drop_after(size / 2, 1);
    server.set_route("/cdn.bin", route.throttle_per_connection(8 << 20));
    let job_id = add(&world, &server.url("/cdn.bin"), &["--connections", "1"]);
    wait_state(&world, &job_id, "transient_error", 30);
    let out = world.haul().args(["resume", &job_id]).output().expect("resume");
    assert!(out.status.success());
    wait_state(&world, &job_id, "acknowledged", 60);
    assert_eq!(sha256_file(&world.downloads().join("cdn.bin")).expect("file"), sha256_hex(&body));
    let served = server.bytes_served_for("/cdn.bin");
    assert!(served < size * 3 / 2, "the server sent {served} bytes for a {size}-byte file: the resume restarted");
    let files = world.haul().args(["--json", "files", &job_id]).output().expect("files");
    let files: serde_json::Value = serde_json::from_slice(&files.stdout).expect("json");
    assert!(files[0].get("restart_reason").is_none(), "{files}");
    // The journal says how it was resumed.
    let events = world.haul().args(["--json", "events"]).output().expect("events");
    let events: serde_json::Value = serde_json::from_slice(&events.stdout).expect("json");
    let noted = events.as_array().into_iter().flatten().any(|e| {
        e["error"]["code"] == "resumed_without_etag"
            && e["error"]["message"].as_str().is_some_and(|m| m.contains("If-Range with Last-Modified"))
    });
    assert!(noted, "{events}");
    // Every ranged request after the first answer carried the date, not the ETag.
    let requests = server.requests_for("/cdn.bin");
    let last = requests.last().expect("requests");
    assert!(last.header("if-range").is_some_and(|v| !v.starts_with('"')), "{requests:?}");

    // A file split over several connections from the start: its extra
    // connections' ranges carry If-Range too, and are not restarted either.
    let route = Route::new(body.clone()).etag_if_range_ignored(true).throttle_per_connection(8 << 20);
    server.set_route("/split.bin", route);
    let split = add(&world, &server.url("/split.bin"), &["--connections", "4"]);
    wait_state(&world, &split, "acknowledged", 60);
    assert_eq!(sha256_file(&world.downloads().join("split.bin")).expect("file"), sha256_hex(&body));
    let served = server.bytes_served_for("/split.bin");
    assert!(served < size * 3 / 2, "the server sent {served} bytes for a {size}-byte split file");
    assert!(server.requests_for("/split.bin").len() > 2, "the file was not split");
}
