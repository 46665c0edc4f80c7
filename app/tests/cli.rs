//! The real `haul` binary end to end: a real service process on a temp socket,
//! a real HTTP server on 127.0.0.1, real files.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use std::time::Duration;

#[test]
fn add_wait_downloads_64_mib_and_completes() {
    let world = World::new();
    let server = TestServer::start();
    let body = random_bytes(64 << 20, 11);
    server.add_file("/files/big.iso", body.clone());
    // No service is running: the client starts one by itself.
    let out = world
        .haul()
        .args(["add", &server.url("/files/big.iso"), "--wait", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "haul add --wait failed: {stderr}");
    let target = world.downloads().join("big.iso");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), target.display().to_string());
    assert_eq!(sha256_file(&target).expect("file"), sha256_hex(&body));
    assert!(temp_files(&world.downloads()).is_empty());
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(jobs[0]["state"], "acknowledged", "{jobs}");
    assert_eq!(jobs[0]["display_name"], "big.iso");
}

#[test]
fn a_killed_service_resumes_from_its_checkpoint() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let body = random_bytes(24 << 20, 12);
    let size = body.len() as u64;
    // Two connections at 3 MiB/s: what a kill loses (the bytes since the last
    // checkpoint, at most a second's) stays well under what a restart costs,
    // however late a loaded machine gets to the kill.
    server.set_route("/slow.bin", Route::new(body.clone()).throttle_per_connection(3 << 20));
    let out = world
        .haul()
        .args(["add", &server.url("/slow.bin"), "--connections", "2", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        wait_until(Duration::from_secs(30), || {
            job_json(&world, &job_id)["progress"]["bytes_transferred"].as_u64().unwrap_or(0) > 12 << 20
        }),
        "no progress: {}",
        world.service_log()
    );
    world.kill_service();
    world.start_service();
    assert!(
        wait_until(Duration::from_secs(60), || job_json(&world, &job_id)["state"] == "acknowledged"),
        "never completed: {} {}",
        job_json(&world, &job_id),
        world.service_log()
    );
    assert_eq!(sha256_file(&world.downloads().join("slow.bin")).expect("file"), sha256_hex(&body));
    let served = server.bytes_served_for("/slow.bin");
    // A restart from zero would have cost at least 12 MiB + the whole file.
    assert!(served < size * 3 / 2, "the server sent {served} bytes for a {size}-byte file");
}

#[test]
fn every_added_file_survives_a_killed_service_in_order() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let urls: Vec<String> = (0..200)
        .map(|i| {
            let path = format!("/many/part-{i:03}.bin");
            server.set_route(&path, Route::new(random_bytes(64 << 10, i)).throttle_per_connection(16 << 10));
            server.url(&path)
        })
        .collect();
    let out = world.haul().arg("add").args(&urls).arg("--dir").arg(world.downloads()).output().expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // No time to checkpoint anything else: what `haul add` was told is saved must be.
    world.kill_service();
    world.start_service();
    let files = world.haul().args(["--json", "files", &job_id]).output().expect("files");
    assert!(files.status.success(), "{}", String::from_utf8_lossy(&files.stderr));
    let files: serde_json::Value = serde_json::from_slice(&files.stdout).expect("json");
    let remote: Vec<&str> = files.as_array().expect("array").iter().filter_map(|f| f["remote_url"].as_str()).collect();
    assert_eq!(remote, urls.iter().map(String::as_str).collect::<Vec<_>>());
    let _ = world.haul().args(["cancel", &job_id]).output();
}

/// `haul add --wait` hears of its job's cancellation by another client and says so (exit 5),
/// while its many files' other events are never sent to it (it subscribes to cancellations only).
#[test]
fn add_wait_ends_when_another_client_cancels_the_job() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    // 40 files done at once, then 2 that take minutes: the job is running when cancelled.
    let mut urls: Vec<String> = (0..40)
        .map(|i| {
            let path = format!("/quick/{i:02}.bin");
            server.add_file(&path, random_bytes(4 << 10, i));
            server.url(&path)
        })
        .collect();
    for i in 0..2 {
        let path = format!("/slow/{i}.bin");
        server.set_route(&path, Route::new(random_bytes(8 << 20, 100 + i)).throttle_per_connection(16 << 10));
        urls.push(server.url(&path));
    }
    let mut waiting = std::process::Command::new(HAUL)
        .arg("add")
        .args(&urls)
        .args(["--wait", "--dir"])
        .arg(world.downloads())
        .env("HAUL_DATA_DIR", world.data_dir())
        .env("HAUL_SOCKET", world.socket())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("haul add --wait");
    let job_id = || {
        let list = world.haul().args(["--json", "list"]).output().ok()?;
        let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).ok()?;
        let job = jobs.as_array()?.first()?.clone();
        let transferred = job["progress"]["files_transferred"].as_u64()?;
        (transferred >= 40).then(|| job["id"].as_str().map(str::to_string)).flatten()
    };
    let mut found = None;
    assert!(
        wait_until(Duration::from_secs(30), || {
            found = job_id();
            found.is_some()
        }),
        "the quick files never finished: {}",
        world.service_log()
    );
    let job_id = found.expect("job id");
    world.haul().args(["cancel", &job_id]).assert().success();
    let ended = wait_until(Duration::from_secs(30), || matches!(waiting.try_wait(), Ok(Some(_))));
    if !ended {
        let _ = waiting.kill();
    }
    let out = waiting.wait_with_output().expect("wait");
    assert!(ended, "haul add --wait still waits after its job was cancelled: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains(&format!("job {job_id} was cancelled")), "{stderr}");
    assert!(temp_files(&world.downloads()).is_empty());
}

#[test]
fn a_missing_file_fails_with_a_clear_message_and_exit_code() {
    let world = World::new();
    let server = TestServer::start();
    let out = world
        .haul()
        .args(["add", &server.url("/gone.zip"), "--wait", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("404") && stderr.contains("/gone.zip"), "{stderr}");
    let bad =
        world.haul().args(["add", "ftp://example.invalid/x", "--dir"]).arg(world.downloads()).output().expect("run");
    assert_eq!(bad.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("only http and https"));
}

#[test]
fn jobs_are_named_listed_changed_and_cancelled_by_name_or_prefix() {
    let world = World::new();
    let server = TestServer::start();
    server.set_route("/slow.bin", Route::new(random_bytes(8 << 20, 13)).throttle_per_connection(256 << 10));
    server.set_route(
        "/dl?id=7",
        Route::new(random_bytes(1000, 14)).content_disposition("attachment; filename=\"../../report final.pdf\""),
    );
    let add = |args: &[&str]| {
        let out = world.haul().arg("add").args(args).arg("--dir").arg(world.downloads()).output().expect("add");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let slow = add(&[&server.url("/slow.bin"), "--name", "slow one", "--priority", "low"]);
    let named = add(&[&server.url("/dl?id=7"), "--wait"]);
    assert_eq!(named, world.downloads().join("_.._report final.pdf").display().to_string());
    let list = world.haul().arg("list").output().expect("list");
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("slow one") && text.contains(&slow[..8]), "{text}");
    world.haul().args(["set", "slow one", "--priority", "high", "--min-retry-delay", "1"]).assert().success();
    let job = job_json(&world, &slow[..8]);
    assert_eq!(job["priority"], "high");
    assert_eq!(job["minimum_retry_delay_s"], 5, "clamped");
    world.haul().args(["cancel", &slow[..8]]).assert().success();
    assert_eq!(job_json(&world, &slow)["state"], "cancelled");
    assert!(wait_until(Duration::from_secs(5), || temp_files(&world.downloads()).is_empty()));
    let again = world.haul().args(["resume", &slow]).output().expect("resume");
    assert_eq!(again.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&again.stderr).contains("cancelled"));
    let events = world.haul().args(["--json", "events"]).output().expect("events");
    let events: serde_json::Value = serde_json::from_slice(&events.stdout).expect("json");
    let kinds: Vec<&str> = events.as_array().expect("array").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(kinds.contains(&"created") && kinds.contains(&"cancelled") && kinds.contains(&"acknowledged"), "{kinds:?}");
}

#[test]
fn the_notify_command_line_runs_when_no_client_listens() {
    let world = World::new();
    let server = TestServer::start();
    server.add_file("/f.bin", random_bytes(5000, 15));
    let out = world
        .haul()
        .args(["add", &server.url("/f.bin"), "--no-complete", "--priority", "low", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("add");
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(wait_until(Duration::from_secs(30), || job_json(&world, &job_id)["state"] == "transferred"));
    let marker = world.dir.path().join("marker");
    // Set after the event: the command line still runs (as BITS does).
    world
        .haul()
        .args(["set", &job_id, "--notify-cmd"])
        .arg(format!("/usr/bin/touch {}", marker.display()))
        .assert()
        .success();
    assert!(wait_until(Duration::from_secs(10), || marker.exists()), "the notify command did not run");
}

#[test]
fn sigterm_stops_the_service_cleanly_with_its_checkpoint() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    let body = random_bytes(16 << 20, 16);
    server.set_route("/slow.bin", Route::new(body.clone()).throttle_per_connection(1 << 20));
    let out =
        world.haul().args(["add", &server.url("/slow.bin"), "--dir"]).arg(world.downloads()).output().expect("add");
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let progressed = || job_json(&world, &job_id)["progress"]["bytes_transferred"].as_u64().unwrap_or(0);
    assert!(wait_until(Duration::from_secs(30), || progressed() > 2 << 20));
    let mut child = world.service.take().expect("service");
    let kill = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "the service did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status}: {}", world.service_log());
    assert!(!world.socket().exists(), "the socket is removed");
    // Started again (by the CLI itself), the job continues from where it stopped.
    let before = server.bytes_served_for("/slow.bin");
    assert!(wait_until(Duration::from_secs(60), || job_json(&world, &job_id)["state"] == "acknowledged"));
    assert_eq!(sha256_file(&world.downloads().join("slow.bin")).expect("file"), sha256_hex(&body));
    let after = server.bytes_served_for("/slow.bin").saturating_sub(before);
    assert!(after < body.len() as u64, "resumed, not restarted: {after} bytes after the restart");
}

#[test]
fn a_closed_stdout_pipe_is_not_a_crash() {
    let world = World::new();
    let server = TestServer::start();
    server.add_file("/x.bin", random_bytes(1000, 17));
    world.haul().args(["add", &server.url("/x.bin"), "--wait", "--dir"]).arg(world.downloads()).assert().success();
    let mut cmd = std::process::Command::new(HAUL);
    cmd.args(["--json", "list", "--all"])
        .env("HAUL_DATA_DIR", world.data_dir())
        .env("HAUL_SOCKET", world.socket())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    drop(child.stdout.take()); // the reader goes away, like `| head -0`
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
}

#[test]
fn links_given_to_haul_itself_are_added_as_a_job() {
    let world = World::new();
    let server = TestServer::start();
    server.add_file("/linked.bin", random_bytes(2000, 18));
    let out = world.haul().arg(server.url("/linked.bin")).arg("--dir").arg(world.downloads()).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(wait_until(Duration::from_secs(30), || job_json(&world, &job_id)["state"] == "acknowledged"));
    assert!(world.downloads().join("linked.bin").exists());
}

/// With a proxy in the environment, every connection goes through it, the
/// extra connections of a split file included: the server named in the URL
/// (serving other bytes) never hears from Haul.
#[test]
fn a_proxy_from_the_environment_carries_every_connection_of_a_split_file() {
    let mut world = World::new();
    let proxy_server = TestServer::start();
    let origin = TestServer::start();
    let body = random_bytes(8 << 20, 14);
    proxy_server.set_route("/big.bin", Route::new(body.clone()).throttle_per_connection(2 << 20));
    origin.add_file("/big.bin", random_bytes(8 << 20, 15));
    let proxy = proxy_server.url("");
    let proxy = proxy.trim_end_matches('/');
    let vars = [("HTTP_PROXY", proxy), ("http_proxy", proxy), ("NO_PROXY", ""), ("no_proxy", "")];
    world.start_service_with_env(&vars);
    let out = world
        .haul()
        .envs(vars)
        .args(["add", &origin.url("/big.bin"), "--wait", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("run");
    assert!(out.status.success(), "{} {}", String::from_utf8_lossy(&out.stderr), world.service_log());
    assert_eq!(sha256_file(&world.downloads().join("big.bin")).expect("file"), sha256_hex(&body));
    assert!(origin.requests().is_empty(), "requests that bypassed the proxy: {:?}", origin.requests());
    let requests = proxy_server.requests();
    let ranged = requests.iter().filter(|r| r.header("range").is_some_and(|v| v != "bytes=0-")).count();
    assert!(ranged > 0, "the file was not split: {requests:?}");
    assert!(requests.iter().all(|r| r.proxied_for.is_some()), "{requests:?}");
}

/// `haul add --wait` with many URLs starts downloading as soon as the first
/// file is in, not after the last: the journal shows a file transferred before
/// the last file was added. And the job still ends with every file, in place.
#[test]
fn a_long_list_starts_downloading_before_its_last_url_is_added() {
    let world = World::new();
    let server = TestServer::start();
    let count = 4000;
    let mut urls = Vec::new();
    let mut bodies = Vec::new();
    for i in 0..count {
        let body = random_bytes(1 << 10, 1000 + i);
        server.add_file(&format!("/f{i}.bin"), body.clone());
        urls.push(server.url(&format!("/f{i}.bin")));
        bodies.push(body);
    }
    let out =
        world.haul().arg("add").args(&urls).arg("--wait").arg("--dir").arg(world.downloads()).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (i, body) in bodies.iter().enumerate() {
        let path = world.downloads().join(format!("f{i}.bin"));
        assert_eq!(sha256_file(&path).expect("file"), sha256_hex(body), "{}", path.display());
    }
    let events = world.haul().args(["--json", "events"]).output().expect("events");
    let events: serde_json::Value = serde_json::from_slice(&events.stdout).expect("json");
    let events = events.as_array().expect("a list");
    let seq = |e: &serde_json::Value| e["seq"].as_u64().unwrap_or_default();
    let first_file = events.iter().filter(|e| e["kind"] == "file_transferred").map(seq).min().expect("file events");
    // Each burst of add_file requests journals a `modified` event; after the adds, only the
    // auto-complete setting does. (With 1,000 URLs a quick client had sometimes sent them all, in
    // bursts of up to the 256 it keeps in flight, before the first file was done; with 4,000,
    // 81 to 94 bursts came after it in 5 runs.)
    let added_later = events.iter().filter(|e| e["kind"] == "modified" && seq(e) > first_file).count();
    eprintln!("bursts of files added after the first was transferred: about {added_later}");
    assert!(added_later >= 10, "the first file waited for the last URL ({added_later} modified events after it)");
    // Bursts, not files: a client reading the journal gets tens of entries, not 1,000.
    let modified = events.iter().filter(|e| e["kind"] == "modified").count();
    assert!(modified <= count as usize / 8, "{modified} modified events for {count} files");
    assert_eq!(events.iter().filter(|e| e["kind"] == "file_transferred").count(), count as usize);
    assert!(events.last().is_some_and(|e| e["kind"] == "acknowledged"), "{:?}", events.last());
}
