//! aria2p, aria2's Python client from PyPI, drives a real Haul service through its
//! aria2-compatible JSON-RPC endpoint: tests/aria2/drive_aria2p.py, the script that
//! passes against the real aria2c, run unchanged against `haul service`.
//!
//! The Python comes from `HAUL_ARIA2P_PYTHON` (default `python3`); .ci/run makes a
//! venv with aria2p and sets it. Without aria2p the test fails under CI (`CI` set)
//! and is skipped with a message elsewhere.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_hex};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The script's own waits add up to less than this.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("aria2").join("drive_aria2p.py")
}

fn python() -> String {
    std::env::var("HAUL_ARIA2P_PYTHON").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "python3".to_owned())
}

/// Whether `python` imports aria2p; the reason when it does not.
fn aria2p_importable(python: &str) -> Result<(), String> {
    let out = Command::new(python)
        .args(["-c", "import aria2p"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{python} cannot import aria2p: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

#[test]
fn aria2p_drives_haul_like_aria2c() {
    let python = python();
    if let Err(reason) = aria2p_importable(&python) {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{reason}; under CI this test must run: set HAUL_ARIA2P_PYTHON to a python with aria2p (.ci/run does)"
            );
        }
        eprintln!("SKIPPED aria2p_drives_haul_like_aria2c: {reason} (set HAUL_ARIA2P_PYTHON to a python with aria2p)");
        return;
    }

    let mut world = World::new();
    let port = free_port();
    world.start_service_with_rpc(port);
    let (url, secret) = rpc_endpoint(&world);
    assert_eq!(url, format!("http://127.0.0.1:{port}/jsonrpc"), "`haul rpc` names another endpoint");
    assert!(!secret.is_empty(), "`haul rpc` gave an empty secret");

    let server = TestServer::start();
    let body = random_bytes(3_000_000, 21);
    server.add_file("/files/got.bin", body.clone());
    // Mid-transfer for minutes: the script also asks for max-download-limit=50K.
    server.set_route("/files/slow.bin", Route::new(random_bytes(8 << 20, 22)).throttle_per_connection(64 << 10));

    let stdout_path = world.dir.path().join("aria2p.stdout");
    let stdout = std::fs::File::create(&stdout_path).expect("stdout file");
    let stderr = stdout.try_clone().expect("stderr file");
    let mut child = Command::new(&python)
        .arg(script())
        .args(["--rpc-url", &url, "--secret", &secret])
        .args(["--file-url", &server.url("/files/got.bin"), "--sha256", &sha256_hex(&body)])
        .arg("--dir")
        .arg(world.downloads())
        .args(["--slow-url", &server.url("/files/slow.bin")])
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    match status {
        Some(status) if status.success() => {}
        Some(status) => panic!("drive_aria2p.py failed ({status}):\n{output}\nservice log:\n{}", world.service_log()),
        None => panic!(
            "drive_aria2p.py ran past {} s and was killed:\n{output}\nservice log:\n{}",
            SCRIPT_TIMEOUT.as_secs(),
            world.service_log()
        ),
    }
    assert!(output.contains("passed: "), "the script exited 0 without its closing line:\n{output}");
}
