//! The secret: a missing or wrong one is "Unauthorized", `system.*` needs
//! none, and on a `--system` service (as root, acting as a second user with
//! `setpriv`) a user's secret reaches only that user's downloads.

use crate::client::*;
use crate::common::{free_port, haul_bin, wait_until};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const NOBODY: u32 = 65534;

fn unauthorized(error: &RpcError) -> bool {
    error.code == 1 && error.message == "Unauthorized"
}

#[test]
fn a_missing_or_wrong_secret_is_unauthorized_and_system_methods_need_none() {
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let near_miss = format!("token:{}x", ep.secret);
        // Each refusal takes the endpoint a second (it slows guessing): one call per wrong secret.
        let wrong =
            [("token:wrong", "aria2.getVersion"), ("", "aria2.tellActive"), (&near_miss, "aria2.getGlobalStat")];
        for (token, method) in wrong.into_iter().chain([(ep.secret.as_str(), "aria2.getVersion")]) {
            let mut rpc = Rpc::connect(ep.addr, transport, token).expect("connect");
            let refused = rpc.fails(method, json!([]));
            assert!(unauthorized(&refused), "{transport:?} {method} with {token:?}: {refused:?}");
            assert!(rpc.ok("system.listMethods", json!([])).is_array(), "{transport:?}: no token needed");
            assert!(rpc.ok("system.listNotifications", json!([])).is_array());
        }
        let mut rpc = ep.client(transport);
        let none = rpc.send(&json!({"jsonrpc": "2.0", "id": 7, "method": "aria2.tellActive"}));
        assert_eq!(none["error"], json!({"code": 1, "message": "Unauthorized"}), "{transport:?}: no params: {none}");
        let number = rpc.send(&json!({"jsonrpc": "2.0", "id": 8, "method": "aria2.tellActive", "params": [0]}));
        assert_eq!(number["error"]["message"], "Unauthorized", "{number}");
        assert_eq!(rpc.ok("aria2.tellActive", json!([])), json!([]), "the right secret works");
        ep.assert_no_panic();
    }
}

/// `haul service --system` with its endpoint on a free port.
struct SystemService {
    dir: tempfile::TempDir,
    child: Child,
    addr: SocketAddr,
}

impl SystemService {
    fn start() -> SystemService {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let log = std::fs::File::create(dir.path().join("service.log")).expect("log");
        let port = free_port();
        let child = Command::new(haul_bin())
            .args(["service", "--system"])
            .env("HAUL_SOCKET", dir.path().join("run/haul.sock"))
            .env("HAUL_DATA_DIR", dir.path().join("data"))
            .env("HAUL_RPC_LISTEN", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn");
        let socket = dir.path().join("run/haul.sock");
        assert!(wait_until(Duration::from_secs(20), || std::os::unix::net::UnixStream::connect(&socket).is_ok()));
        SystemService { dir, child, addr: SocketAddr::from(([127, 0, 0, 1], port)) }
    }

    /// `haul ARGS` as `uid` (0: as root).
    fn haul(&self, uid: u32, args: &[&str]) -> std::process::Output {
        let mut cmd = if uid == 0 {
            Command::new(haul_bin())
        } else {
            let mut cmd = Command::new("setpriv");
            cmd.args(["--reuid", &uid.to_string(), "--regid", &uid.to_string(), "--clear-groups", "--", &haul_bin()]);
            cmd
        };
        cmd.args(args)
            .env("HAUL_SOCKET", self.dir.path().join("run/haul.sock"))
            .env("HOME", "/tmp")
            .env_remove("XDG_RUNTIME_DIR")
            .output()
            .expect("run haul")
    }

    /// The secret `haul rpc` gives `uid`, once the endpoint listens.
    fn token_of(&self, uid: u32) -> String {
        let mut last = Value::Null;
        let listening = wait_until(Duration::from_secs(20), || {
            let out = self.haul(uid, &["--json", "rpc"]);
            last = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
            last["status"] == "listening" && last["secret"].is_string()
        });
        assert!(listening, "uid {uid}: `haul rpc` gave {last}\n{}", self.log());
        format!("token:{}", last["secret"].as_str().unwrap_or_default())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("service.log")).unwrap_or_default()
    }

    /// A folder `uid` owns.
    fn dir_of(&self, name: &str, uid: u32) -> String {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(&path).expect("dir");
        std::os::unix::fs::chown(&path, Some(uid), Some(uid)).expect("chown");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path.display().to_string()
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

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid()).ok() == Some(0)
}

/// Everything a secret could do to a download of someone else's; each must fail.
fn foreign_calls(gid: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("aria2.tellStatus", json!([gid])),
        ("aria2.getFiles", json!([gid])),
        ("aria2.getUris", json!([gid])),
        ("aria2.getOption", json!([gid])),
        ("aria2.pause", json!([gid])),
        ("aria2.forcePause", json!([gid])),
        ("aria2.unpause", json!([gid])),
        ("aria2.changeOption", json!([gid, {"max-download-limit": "1K"}])),
        ("aria2.changePosition", json!([gid, 0, "POS_SET"])),
        ("aria2.remove", json!([gid])),
        ("aria2.forceRemove", json!([gid])),
        ("aria2.removeDownloadResult", json!([gid])),
    ]
}

#[test]
fn on_a_system_service_a_secret_reaches_only_its_users_downloads() {
    if !running_as_root() {
        eprintln!("skipped: needs root to act as a second user (CI runs as root)");
        return;
    }
    let service = SystemService::start();
    let (root, nobody) = (service.token_of(0), service.token_of(NOBODY));
    assert_ne!(root, nobody, "each user has a secret of their own");
    let nobodys_dir = service.dir_of("nobody-downloads", NOBODY);
    let roots_dir = service.dir_of("root-downloads", 0);
    for transport in TRANSPORTS {
        let mut theirs = Rpc::connect(service.addr, transport, &nobody).expect("connect");
        let mut mine = Rpc::connect(service.addr, transport, &root).expect("connect");
        let options = json!({"dir": nobodys_dir, "pause": "true", "out": format!("n-{transport:?}.bin")});
        let gid = theirs.ok("aria2.addUri", json!([["http://127.0.0.1:9/n.bin"], options]));
        let gid = gid.as_str().unwrap_or_default().to_owned();
        let refused = theirs.fails("aria2.addUri", json!([["http://127.0.0.1:9/r.bin"], {"dir": roots_dir}]));
        assert!(refused.message.contains("not writable"), "{transport:?}: {refused:?}");

        for (method, params) in foreign_calls(&gid) {
            let refused = mine.fails(method, params);
            assert_eq!(refused.code, 1, "{transport:?}: root's secret {method} on nobody's download: {refused:?}");
        }
        for list in ["aria2.tellWaiting", "aria2.tellStopped"] {
            let listed = gids(&mine.ok(list, json!([0, 100])));
            assert!(!listed.contains(&gid), "{transport:?}: root's {list} shows nobody's download");
        }
        assert_eq!(mine.ok("aria2.tellActive", json!([])), json!([]), "{transport:?}");
        assert_eq!(mine.ok("aria2.getGlobalStat", json!([]))["numWaiting"], "0", "{transport:?}");
        mine.ok("aria2.pauseAll", json!([]));
        mine.ok("aria2.purgeDownloadResult", json!([]));
        let status = theirs.ok("aria2.tellStatus", json!([gid]));
        assert_eq!(status["status"], "paused", "{transport:?}: nobody's download is untouched: {status}");

        let root_gid =
            mine.ok("aria2.addUri", json!([["http://127.0.0.1:9/r.bin"], {"dir": roots_dir, "pause": "true"}]));
        assert_eq!(theirs.fails("aria2.tellStatus", json!([root_gid])).code, 1, "{transport:?}");
        assert_eq!(gids(&theirs.ok("aria2.tellWaiting", json!([0, 100]))), [gid.as_str()], "{transport:?}");
        for who in [&mut mine, &mut theirs] {
            let refused = who.fails("aria2.shutdown", json!([]));
            assert!(refused.message.contains("may not stop"), "{transport:?}: {refused:?}");
        }
        assert_eq!(theirs.ok("aria2.remove", json!([gid])), json!(gid), "the owner may remove it");
        mine.ok("aria2.remove", json!([root_gid]));
    }
    assert!(service.haul(0, &["list"]).status.success(), "the service still runs after both shutdowns");
    assert!(!service.log().contains("panicked"), "{}", service.log());
}
