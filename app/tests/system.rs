//! `haul service --system`: one service for every user, with the per-job
//! access rules as the only fence. Runs as root (CI does) and acts as a
//! second user with `setpriv`.

mod common;

use common::*;
use haul_tests::server::{TestServer, random_bytes, sha256_file, sha256_hex};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const NOBODY: u32 = 65534;

struct SystemService {
    dir: tempfile::TempDir,
    child: Child,
}

impl SystemService {
    fn start() -> SystemService {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let log = std::fs::File::create(dir.path().join("service.log")).expect("log");
        let child = Command::new(HAUL)
            .args(["service", "--system"])
            .env("HAUL_SOCKET", dir.path().join("run/haul.sock"))
            .env("HAUL_DATA_DIR", dir.path().join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn");
        let socket = dir.path().join("run/haul.sock");
        assert!(wait_until(Duration::from_secs(20), || std::os::unix::net::UnixStream::connect(&socket).is_ok()));
        SystemService { dir, child }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `haul ARGS` as `uid` (0: as root).
    fn haul(&self, uid: u32, args: &[&str]) -> Output {
        let mut cmd = if uid == 0 {
            Command::new(HAUL)
        } else {
            let mut cmd = Command::new("setpriv");
            cmd.args(["--reuid", &uid.to_string(), "--regid", &uid.to_string(), "--clear-groups", "--", HAUL]);
            cmd
        };
        cmd.args(args)
            .env("HAUL_SOCKET", self.path("run/haul.sock"))
            .env("HOME", "/tmp")
            .env_remove("XDG_RUNTIME_DIR")
            .output()
            .expect("run haul")
    }
}

impl Drop for SystemService {
    fn drop(&mut self) {
        let _ = self.haul(0, &["service", "stop"]);
        let _ = wait_until(Duration::from_secs(5), || matches!(self.child.try_wait(), Ok(Some(_))));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn owned_dir(path: &Path, uid: u32) {
    std::fs::create_dir_all(path).expect("dir");
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).expect("chown");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn a_second_user_cannot_see_change_cancel_or_register_on_roots_jobs() {
    if rustix_uid() != 0 {
        eprintln!("skipped: needs root to act as a second user (CI runs as root)");
        return;
    }
    let service = SystemService::start();
    let created = service.haul(0, &["call", "create_job", r#"{"display_name":"root's job"}"#]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let job_id = serde_json::from_slice::<serde_json::Value>(&created.stdout).expect("json")["job_id"]
        .as_str()
        .expect("id")
        .to_string();

    let list = service.haul(NOBODY, &["--json", "list", "--all"]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&list.stdout).expect("json"), serde_json::json!([]));
    let register = format!(r#"{{"job_id":"{job_id}","register":true}}"#);
    let attempts: [&[&str]; 5] = [
        &["info", &job_id],
        &["cancel", &job_id],
        &["set", &job_id, "--priority", "high"],
        &["call", "set_notify_interface", &register],
        &["list", "--all-users"],
    ];
    for args in attempts {
        let out = service.haul(NOBODY, args);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("another user") || stderr.contains("administrator"), "{args:?}: {stderr}");
    }
    let events = service.haul(NOBODY, &["--json", "events"]);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&events.stdout).expect("json"), serde_json::json!([]));
    let info = service.haul(0, &["--json", "info", &job_id]);
    let job: serde_json::Value = serde_json::from_slice(&info.stdout).expect("json");
    assert_eq!(job["state"], "suspended");
    assert_eq!(job["priority"], "normal");
    assert_eq!(job["owner"], 0);
}

#[test]
fn a_system_service_writes_a_users_files_as_that_user() {
    if rustix_uid() != 0 {
        eprintln!("skipped: needs root to act as a second user (CI runs as root)");
        return;
    }
    let service = SystemService::start();
    let server = TestServer::start();
    let body = random_bytes(300_000, 41);
    server.add_file("/mine.bin", body.clone());
    let theirs = service.path("nobody-downloads");
    owned_dir(&theirs, NOBODY);
    let added =
        service.haul(NOBODY, &["add", &server.url("/mine.bin"), "--wait", "--dir", theirs.to_str().expect("utf8")]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let file = theirs.join("mine.bin");
    assert_eq!(sha256_file(&file).expect("file"), sha256_hex(&body));
    assert_eq!(std::fs::metadata(&file).expect("meta").uid(), NOBODY, "never written as root");

    let roots = service.path("root-downloads");
    owned_dir(&roots, 0);
    let refused = service.haul(NOBODY, &["add", &server.url("/mine.bin"), "--dir", roots.to_str().expect("utf8")]);
    assert_eq!(refused.status.code(), Some(4));
    assert!(text(&refused.stderr).contains("not writable by uid 65534"), "{}", text(&refused.stderr));
}

fn rustix_uid() -> u32 {
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}
