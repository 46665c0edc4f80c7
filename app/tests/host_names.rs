//! A host name that does not exist ends the job at once as `host_not_found`
//! (before: a transient `connection_refused`, retried for 14 days), while a
//! name server that does not answer stays a transient error. The service runs
//! in a user and mount namespace (`unshare -rm`) with the test's own
//! `nsswitch.conf` and `resolv.conf`, so no query leaves the machine; where
//! user namespaces are not allowed the tests say so and skip.

mod common;

use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Starts the world's service with `nsswitch` (and `resolv`, if given) as the
/// system's name lookup files; `false` when this machine cannot.
fn start_service_with_lookup(world: &mut World, nsswitch: &str, resolv: Option<&str>) -> bool {
    let allowed = std::process::Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !allowed {
        eprintln!("SKIPPED: no user namespaces here (unshare -rm)");
        return false;
    }
    let write = |name: &str, text: &str| {
        let path = world.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("utf-8 path").to_owned()
    };
    let nsswitch = write("nsswitch.conf", nsswitch);
    let resolv = write("resolv.conf", resolv.unwrap_or(""));
    let script = r#"mount --bind "$HAUL_TEST_NSSWITCH" /etc/nsswitch.conf && mount --bind "$HAUL_TEST_RESOLV" /etc/resolv.conf && exec "$0" "$@""#;
    world.start_service_wrapped_with_env(
        &["unshare", "-rm", "sh", "-c", script],
        &[("HAUL_TEST_NSSWITCH", nsswitch.as_str()), ("HAUL_TEST_RESOLV", resolv.as_str())],
    );
    true
}

fn job_of(world: &World) -> serde_json::Value {
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    let job_id = jobs[0]["id"].as_str().expect("a job").to_owned();
    job_json(world, &job_id)
}

fn no_part_file(dir: &Path) {
    assert!(temp_files(dir).is_empty(), "a part file was left");
}

#[test]
fn a_host_name_that_does_not_exist_fails_at_once() {
    let mut world = World::new();
    // Only /etc/hosts is asked: the name is unknown, and nothing is sent.
    if !start_service_with_lookup(&mut world, "hosts: files\n", None) {
        return;
    }
    let started = Instant::now();
    let out = world
        .haul()
        .args(["add", "http://no-such-host.invalid/file.bin", "--wait", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("haul add");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{}", world.service_log());
    assert!(started.elapsed() < Duration::from_secs(30), "retried as if transient");
    assert!(stderr.contains("the host name no-such-host.invalid does not exist"), "{stderr}");
    let job = job_of(&world);
    assert_eq!(
        (job["state"].as_str(), job["error"]["code"].as_str(), job["error"]["context"].as_str()),
        (Some("error"), Some("host_not_found"), Some("transport")),
        "{job}"
    );
    no_part_file(&world.downloads());
}

#[test]
fn a_name_server_that_does_not_answer_is_retried() {
    let mut world = World::new();
    // A name server on loopback where none listens: "temporary failure".
    let resolv = "nameserver 127.0.0.1\noptions attempts:1 timeout:1\n";
    if !start_service_with_lookup(&mut world, "hosts: files dns\n", Some(resolv)) {
        return;
    }
    let out = world
        .haul()
        .args(["add", "http://no-such-host.invalid/file.bin", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("haul add");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut job = serde_json::Value::Null;
    let settled = wait_until(Duration::from_secs(30), || {
        job = job_of(&world);
        job["state"] == "transient_error" || job["state"] == "error"
    });
    assert!(settled, "{job}\n{}", world.service_log());
    assert_eq!(job["state"], "transient_error", "{job}");
    assert_eq!(job["error"]["code"], "connection_refused", "{job}");
    assert!(job["error"]["message"].as_str().is_some_and(|m| m.contains("Temporary failure")), "{job}");
}
