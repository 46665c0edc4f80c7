//! The action when the queue empties (issue 15) through the real `haul
//! service`: a command fires once after the last job, not when everything is
//! merely suspended; power off and suspend go to a stand-in logind
//! (tests/logind/logind.py) on a private bus (`HAUL_LOGIND_BUS_ADDRESS`) after
//! the countdown (shortened by the test-only `HAUL_TEST_POWER_DELAY_S`), and a
//! cancelled countdown calls nothing.

mod common;
#[allow(dead_code)]
#[path = "network/stand_in.rs"]
mod stand_in;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes};
use serde_json::Value;
use stand_in::Bus;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn haul_ok(world: &World, args: &[&str]) -> String {
    let out = world.haul().args(args).output().expect("haul");
    assert!(out.status.success(), "haul {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn limits(world: &World) -> Value {
    serde_json::from_str(&haul_ok(world, &["--json", "limits"])).unwrap_or(Value::Null)
}

fn add(world: &World, url: &str) -> String {
    let dir = world.downloads();
    haul_ok(world, &["add", url, "--dir", dir.to_str().unwrap_or("")]).trim().to_owned()
}

fn wait_transferred(world: &World, job_id: &str) {
    let done = wait_until(Duration::from_secs(20), || {
        let state = job_json(world, job_id)["state"].clone();
        state == "transferred" || state == "acknowledged"
    });
    assert!(done, "never transferred: {}\n{}", job_json(world, job_id), world.service_log());
}

#[test]
fn a_command_runs_once_after_the_last_job_and_not_when_everything_is_suspended() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    server.set_route("/a.bin", Route::new(random_bytes(100_000, 1)));
    server.set_route("/slow.bin", Route::new(random_bytes(4 << 20, 2)).throttle_per_connection(256 << 10));
    let marker = world.downloads().join("queue-empty");
    let marker_text = marker.display().to_string();
    haul_ok(&world, &["limits", "--when-done", &format!("command:touch '{marker_text}'")]);
    assert_eq!(limits(&world)["when_done"]["action"], "command", "{}", limits(&world));

    // Everything suspended: the queue is empty, but not because it is done.
    let slow = add(&world, &server.url("/slow.bin"));
    assert!(wait_until(Duration::from_secs(10), || job_json(&world, &slow)["state"] == "transferring"));
    haul_ok(&world, &["suspend", &slow]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!marker.exists(), "the command ran for a suspended queue");
    assert_eq!(limits(&world)["when_done"]["action"], "command", "still armed");
    haul_ok(&world, &["cancel", &slow]);

    // The last job finishes: the command runs, and the action is off again.
    let job = add(&world, &server.url("/a.bin"));
    wait_transferred(&world, &job);
    assert!(wait_until(Duration::from_secs(10), || marker.exists()), "never ran\n{}", world.service_log());
    assert_eq!(limits(&world)["when_done"]["action"], "nothing", "{}", limits(&world));
    std::fs::remove_file(&marker).expect("remove the marker");
    let again = add(&world, &server.url("/a.bin"));
    wait_transferred(&world, &again);
    std::thread::sleep(Duration::from_millis(1000));
    assert!(!marker.exists(), "the action fired twice");

    // --permanent keeps it, and across a restart.
    haul_ok(&world, &["limits", "--when-done", &format!("command:touch '{marker_text}'"), "--permanent"]);
    let third = add(&world, &server.url("/a.bin"));
    wait_transferred(&world, &third);
    assert!(wait_until(Duration::from_secs(10), || marker.exists()), "a permanent action did not run");
    world.kill_service();
    world.start_service();
    assert_eq!(limits(&world)["when_done"]["permanent"], true, "{}", limits(&world));
}

/// A stand-in logind on a bus, killed when dropped.
struct Logind {
    child: Child,
    record: PathBuf,
}

impl Logind {
    fn start(bus: &Bus, dir: &Path) -> Logind {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/logind/logind.py");
        let record = dir.join("logind-calls");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .args([&bus.address, &record.display().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("logind.py");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let ready = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        assert_eq!(ready.trim(), "ready", "the stand-in logind did not start");
        Logind { child, record }
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(&self.record).unwrap_or_default()
    }
}

impl Drop for Logind {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn power_off_asks_logind_after_the_countdown_and_a_cancelled_suspend_asks_nothing() {
    let bus = match stand_in::available() {
        Ok(()) => Bus::start(),
        Err(reason) if std::env::var_os("CI").is_some() => panic!("the logind test needs {reason}"),
        Err(reason) => return eprintln!("SKIPPED: {reason}"),
    };
    let mut world = World::new();
    let logind = Logind::start(&bus, &world.downloads());
    world
        .start_service_with_env(&[("HAUL_LOGIND_BUS_ADDRESS", bus.address.as_str()), ("HAUL_TEST_POWER_DELAY_S", "3")]);
    let server = TestServer::start();
    server.set_route("/a.bin", Route::new(random_bytes(100_000, 3)));

    // A suspend counting down, cancelled: logind hears nothing.
    haul_ok(&world, &["limits", "--when-done", "suspend"]);
    let job = add(&world, &server.url("/a.bin"));
    wait_transferred(&world, &job);
    let pending = wait_until(Duration::from_secs(5), || limits(&world)["when_done_pending"]["action"] == "suspend");
    assert!(pending, "no countdown: {}", limits(&world));
    assert!(haul_ok(&world, &["limits"]).contains("Counting down:"), "the countdown is shown");
    haul_ok(&world, &["limits", "--when-done", "cancel"]);
    assert!(limits(&world)["when_done_pending"].is_null());
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(logind.calls(), "", "a cancelled suspend reached logind");

    // Power off: after the countdown, PowerOff(false), once.
    haul_ok(&world, &["limits", "--when-done", "poweroff"]);
    let job = add(&world, &server.url("/a.bin"));
    wait_transferred(&world, &job);
    let called = wait_until(Duration::from_secs(15), || !logind.calls().is_empty());
    assert!(called, "logind never called\n{}", world.service_log());
    assert_eq!(logind.calls(), "PowerOff interactive=False\n");
    assert_eq!(limits(&world)["when_done"]["action"], "nothing", "off again after firing once");
}
