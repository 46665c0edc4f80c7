//! The native messaging host as browsers run it: the real `haul` started with
//! an extension's origin, framed JSON on its stdin and stdout. Bad messages get
//! an error answer and the channel goes on; a cut channel ends the host; the
//! service is unaffected either way.

mod common;

use common::*;
use haul_tests::server::{TestServer, random_bytes, sha256_file, sha256_hex};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

struct Host {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
}

impl Host {
    /// `haul chrome-extension://…/` as Chromium starts it, in this world.
    fn start(world: &World, home: &std::path::Path) -> Host {
        let mut child = Command::new(haul_bin())
            .arg(format!("chrome-extension://{}/", "phbdjombigmedokaidohbfmeplphnhej"))
            .env("HAUL_DATA_DIR", world.data_dir())
            .env("HAUL_SOCKET", world.socket())
            .env("HAUL_RPC_LISTEN", "off")
            .env("HAUL_SECRETS_FILE", home.join("secrets.json"))
            .env("HOME", home)
            .env_remove("XDG_RUNTIME_DIR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("haul as a native host");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        Host { child, stdin, stdout }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, message: &[u8]) {
        let mut framed = (message.len() as u32).to_ne_bytes().to_vec();
        framed.extend_from_slice(message);
        self.send_raw(&framed);
    }

    fn receive(&mut self) -> Value {
        let mut len = [0u8; 4];
        self.stdout.read_exact(&mut len).expect("an answer's length");
        let mut body = vec![0u8; u32::from_ne_bytes(len) as usize];
        self.stdout.read_exact(&mut body).expect("an answer");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn ask(&mut self, message: Value) -> Value {
        self.send(message.to_string().as_bytes());
        self.receive()
    }

    /// Closes stdin (the browser goes) and returns the exit status and stderr.
    fn finish(mut self) -> (std::process::ExitStatus, String) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                return (status, stderr);
            }
            assert!(std::time::Instant::now() < deadline, "the host did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts the world's service keeping secrets (the site's cookies) in a file
/// outside its data folder.
fn start_service(world: &mut World) {
    let secrets = home(world).join("secrets.json").to_string_lossy().into_owned();
    world.start_service_with_env(&[("HAUL_SECRETS_FILE", secrets.as_str())]);
}

fn home(world: &World) -> std::path::PathBuf {
    let home = world.dir.path().join("home");
    std::fs::create_dir_all(home.join("Downloads")).expect("Downloads");
    home
}

#[test]
fn bad_messages_get_errors_and_the_channel_goes_on() {
    let mut world = World::new();
    start_service(&mut world);
    let home = home(&world);
    let mut host = Host::start(&world, &home);

    let hello = host.ask(json!({"id": 1, "command": "hello"}));
    assert_eq!((hello["id"].clone(), hello["ok"].clone()), (json!(1), json!(true)), "{hello}");
    assert_eq!(hello["result"]["way"], "native");

    host.send(b"{this is not json");
    let garbage = host.receive();
    assert_eq!(garbage["ok"], false);
    assert!(garbage["error"].as_str().is_some_and(|e| e.contains("not JSON")), "{garbage}");

    let unknown = host.ask(json!({"id": "u", "command": "format_disk"}));
    assert_eq!(unknown["id"], "u");
    assert!(unknown["error"].as_str().is_some_and(|e| e.contains("unknown command \"format_disk\"")), "{unknown}");

    // Over the size a request may have (browsers allow up to 64 MiB): read past, refused.
    let huge = format!(r#"{{"command":"hello","pad":"{}"}}"#, "x".repeat(2 << 20));
    host.send(huge.as_bytes());
    let refused = host.receive();
    assert!(refused["error"].as_str().is_some_and(|e| e.contains("over the")), "{refused}");

    let blob = host.ask(json!({"id": 2, "command": "add", "download": {"url": "blob:https://e.example/1"}}));
    assert_eq!(blob["ok"], false, "{blob}");

    // Still in step: a normal request after all that.
    let again = host.ask(json!({"id": 3, "command": "status"}));
    assert_eq!(again["ok"], true, "{again}");
    assert_eq!(again["result"]["downloads"], json!([]));
    let (status, stderr) = host.finish();
    assert!(status.success(), "the host did not end cleanly when the browser left: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_cut_channel_ends_the_host_and_the_service_goes_on() {
    let mut world = World::new();
    start_service(&mut world);
    let home = home(&world);
    let mut host = Host::start(&world, &home);
    assert_eq!(host.ask(json!({"command": "hello"}))["ok"], true);
    // Half a length prefix, then the browser is gone.
    host.send_raw(&[9, 0]);
    let (status, stderr) = host.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cut short") && !stderr.contains("panicked"), "{stderr}");
    // A message promising more than it has.
    let mut host = Host::start(&world, &home);
    host.send_raw(&100u32.to_ne_bytes());
    host.send_raw(b"{\"command\":");
    let (status, stderr) = host.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let list = world.haul().args(["--json", "list"]).output().expect("list");
    assert!(list.status.success(), "the service is hurt: {}", world.service_log());
}

#[test]
fn an_added_download_is_queued_at_once_with_the_browsers_name() {
    let mut world = World::new();
    start_service(&mut world);
    let home = home(&world);
    let server = TestServer::start();
    let body = random_bytes(200_000, 62);
    server.add_file("/get", body.clone());
    let mut host = Host::start(&world, &home);
    let download = json!({"url": server.url("/get"), "filename": "/somewhere/Report 2026.pdf", "size": 200000,
        "cookies": "a=1", "referrer": server.url("/page"), "user_agent": "Mozilla/5.0 Test"});
    let added = host.ask(json!({"id": 9, "command": "add", "download": download}));
    assert_eq!(added["ok"], true, "{added}");
    let job_id = added["result"]["job_id"].as_str().expect("job id").to_string();
    assert!(
        wait_until(Duration::from_secs(30), || job_json(&world, &job_id)["state"] == "acknowledged"),
        "{}",
        job_json(&world, &job_id)
    );
    let file = home.join("Downloads").join("Report 2026.pdf");
    assert_eq!(sha256_file(&file).expect("file"), sha256_hex(&body));
    assert_eq!(job_json(&world, &job_id)["priority"], "foreground", "the user waits for it");
    let request = server.requests_for("/get").pop().expect("a request");
    assert_eq!(request.header("cookie"), Some("a=1"));
    assert_eq!(request.header("user-agent"), Some("Mozilla/5.0 Test"));
    drop(host.finish());
}

#[test]
fn ask_where_to_save_opens_the_windows_add_dialog_instead_of_a_job() {
    let mut world = World::new();
    start_service(&mut world);
    let home = home(&world);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    // A window stand-in: a client that receives add dialogs.
    let (window, mut incoming) = runtime.block_on(async {
        let window = haul_core::client::Client::connect(world.socket()).await.expect("connect");
        let incoming = window.take_incoming().expect("incoming");
        window.receive_add_dialogs().await.expect("receive_add_dialogs");
        (window, incoming)
    });
    let mut host = Host::start(&world, &home);
    let download = json!({"url": "https://files.example/big.iso", "cookies": "a=1", "filename": "big.iso"});
    let asked = host.ask(json!({"id": 1, "command": "add", "download": download, "ask": true}));
    assert_eq!(asked["ok"], true, "{asked}");
    assert_eq!(asked["result"]["asked"], true);
    let got = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(10), incoming.recv()).await });
    match got {
        Ok(Some(haul_core::client::Incoming::AddDialog(dialog))) => {
            assert_eq!(dialog.links[0].as_str(), "https://files.example/big.iso");
            assert!(dialog.headers.contains(&"Cookie: a=1".to_string()), "{:?}", dialog.headers);
        }
        other => panic!("no add dialog: {other:?}"),
    }
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]", "a job was made anyway");
    drop(host.finish());
    drop(window);
}
