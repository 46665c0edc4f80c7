//! The browser extension end to end: Debian's chromium in its new headless mode
//! with the unpacked extension (packaging/browser) and the native messaging host
//! installed by `haul browser install` into a temporary profile; a loopback page
//! sets a cookie and links to a file the server gives only with that cookie and
//! the page as referrer. tests/browser/drive.py clicks the link over the
//! DevTools protocol (websocket-client, from the aria2p venv .ci/run makes).
//!
//! Without chromium or that python, the tests fail under CI (`CI` set) and are
//! skipped with a message elsewhere.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const SIZE: usize = 3_000_000;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> String {
    std::env::var("HAUL_ARIA2P_PYTHON").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| "python3".to_owned())
}

/// Whether the browser test can run here; the reason when it cannot.
fn ready() -> Result<(), String> {
    if !Path::new(CHROMIUM).is_file() {
        return Err(format!("{CHROMIUM} is missing (Debian's chromium; .ci/run installs it)"));
    }
    let out = Command::new(python()).args(["-c", "import websocket"]).stdin(Stdio::null()).output();
    match out {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err(format!("{} cannot import websocket (websocket-client; the aria2p venv has it)", python())),
    }
}

/// Runs the test body, or says why it cannot (failing under CI).
fn skip_unless_ready(name: &str) -> bool {
    match ready() {
        Ok(()) => false,
        Err(reason) if std::env::var_os("CI").is_some() => panic!("{reason}; under CI {name} must run"),
        Err(reason) => {
            eprintln!("SKIPPED {name}: {reason}");
            true
        }
    }
}

/// The user's folders in this world: home (with Downloads, Haul's download
/// folder) and the config folder holding the chromium profile.
struct Desktop {
    home: PathBuf,
    config: PathBuf,
}

impl Desktop {
    fn new(world: &World) -> Desktop {
        let home = world.dir.path().join("home");
        let config = home.join(".config");
        std::fs::create_dir_all(home.join("Downloads")).expect("Downloads");
        std::fs::create_dir_all(config.join("chromium")).expect("profile");
        Desktop { home, config }
    }

    fn profile(&self) -> PathBuf {
        self.config.join("chromium")
    }

    fn browser_downloads(&self) -> PathBuf {
        self.home.join("browser-downloads")
    }

    /// `haul ARGS…` as this desktop's user, reaching the world's service.
    fn haul(&self, world: &World, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(haul_bin());
        let out = self.env(world, &mut cmd).args(args).stdin(Stdio::null()).output().expect("haul");
        assert!(out.status.success(), "haul {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    fn env<'a>(&self, world: &World, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("HAUL_DATA_DIR", world.data_dir())
            .env("HAUL_SOCKET", world.socket())
            .env("HAUL_RPC_LISTEN", "off")
            .env("HAUL_SECRETS_FILE", secrets_file(world))
            .env("RUST_LOG", "info")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("APPIMAGE")
    }

    /// Clicks the page's link in chromium; `expect`: who should end up with the download.
    fn click(&self, world: &World, page: &str, expect: &str) {
        let script = repo().join("tests/browser/drive.py");
        // Chromium's own temp folders (org.chromium.Chromium.*) go with the world's.
        let tmp = world.dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        let mut cmd = Command::new(python());
        self.env(world, &mut cmd)
            .env("TMPDIR", &tmp)
            .arg(script)
            .args(["--chromium", CHROMIUM, "--page", page, "--expect", expect, "--size", &SIZE.to_string()])
            .arg("--extension")
            .arg(repo().join("packaging/browser"))
            .arg("--profile")
            .arg(self.profile())
            .arg("--downloads")
            .arg(self.browser_downloads())
            .arg("--haul")
            .arg(haul_bin())
            .stdin(Stdio::null());
        let out = cmd.output().expect("drive.py");
        assert!(
            out.status.success(),
            "drive.py ({expect}) failed: {}\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout),
            world.service_log()
        );
    }
}

/// Where the service keeps the site's cookies (a secret): a 0600 file outside
/// its data folder, as `haul service --secrets-file` opts in to (no keyring here).
fn secrets_file(world: &World) -> PathBuf {
    let dir = world.dir.path().join("secrets");
    std::fs::create_dir_all(&dir).expect("secrets dir");
    dir.join("haul-secrets.json")
}

/// Starts the world's service with the secrets file.
fn start_service(world: &mut World) {
    let secrets = secrets_file(world).to_string_lossy().into_owned();
    world.start_service_with_env(&[("HAUL_SECRETS_FILE", secrets.as_str())]);
}

/// A page that sets a session cookie and links to a file served only with it
/// and with the page as referrer.
fn site(server: &TestServer) -> (String, Vec<u8>) {
    let body = random_bytes(SIZE, 61);
    let page = r#"<!doctype html><html><body><a id="get" href="/protected/video.bin">the video</a></body></html>"#;
    let page_route = Route::new(page.as_bytes().to_vec())
        .content_type("text/html; charset=utf-8")
        .header("Set-Cookie", "session=s3cret-cookie; Path=/");
    server.set_route("/index.html", page_route);
    let file = Route::new(body.clone())
        .require_header("cookie", "session=s3cret-cookie")
        .require_header("referer", &server.url("/index.html"));
    server.set_route("/protected/video.bin", file);
    (server.url("/index.html"), body)
}

/// Waits for the one job in this world to be completed; returns its file.
fn completed_file(world: &World, desktop: &Desktop) -> PathBuf {
    let done = wait_until(Duration::from_secs(60), || {
        let out = desktop.haul(world, &["--json", "list", "--all"]);
        let jobs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        jobs[0]["state"] == "acknowledged"
    });
    let out = desktop.haul(world, &["--json", "list", "--all"]);
    assert!(done, "the job never completed: {}\n{}", String::from_utf8_lossy(&out.stdout), world.service_log());
    desktop.home.join("Downloads").join("video.bin")
}

#[test]
fn a_click_in_chromium_is_downloaded_by_haul_with_the_sites_cookie() {
    if skip_unless_ready("a_click_in_chromium_is_downloaded_by_haul_with_the_sites_cookie") {
        return;
    }
    let mut world = World::new();
    start_service(&mut world);
    let desktop = Desktop::new(&world);
    let server = TestServer::start();
    let (page, body) = site(&server);
    let installed = desktop.haul(&world, &["browser", "install"]);
    assert!(String::from_utf8_lossy(&installed.stdout).contains("chromium"), "{installed:?}");

    desktop.click(&world, &page, "haul");
    let file = completed_file(&world, &desktop);
    assert_eq!(sha256_file(&file).expect("the file"), sha256_hex(&body));
    assert!(std::fs::read_dir(desktop.browser_downloads()).expect("dir").next().is_none(), "the browser kept a copy");
    // Haul's own requests carried the cookie and the referrer (the server gives nothing without).
    let served = server.requests_for("/protected/video.bin");
    assert!(served.iter().any(|r| r.header("cookie").is_some_and(|c| c.contains("s3cret"))
        && r.header("user-agent").is_some_and(|a| a.contains("Chrome"))));
    // The cookie is a secret: not in the service's log, nor in any file of its data folder.
    assert!(!world.service_log().contains("s3cret-cookie"), "the cookie was logged");
    let info = desktop.haul(&world, &["--json", "list", "--all"]);
    assert!(!String::from_utf8_lossy(&info.stdout).contains("s3cret-cookie"), "the cookie is in --json");
    for entry in walk(&world.data_dir()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(!bytes.windows(13).any(|w| w == b"s3cret-cookie"), "the cookie is in {}", entry.display());
    }
}

#[test]
fn a_click_while_haul_is_stopped_starts_it_and_the_download_arrives() {
    if skip_unless_ready("a_click_while_haul_is_stopped_starts_it_and_the_download_arrives") {
        return;
    }
    let world = World::new();
    let desktop = Desktop::new(&world);
    let server = TestServer::start();
    let (page, body) = site(&server);
    desktop.haul(&world, &["browser", "install", "--browser", "chromium"]);
    // `haul browser install` needs no service; none runs.
    assert!(!world.socket().exists(), "a service is running");

    desktop.click(&world, &page, "haul");
    let file = completed_file(&world, &desktop);
    assert_eq!(sha256_file(&file).expect("the file"), sha256_hex(&body));
    desktop.haul(&world, &["service", "stop"]);
}

#[test]
fn without_the_host_the_browser_keeps_its_own_download() {
    if skip_unless_ready("without_the_host_the_browser_keeps_its_own_download") {
        return;
    }
    let mut world = World::new();
    start_service(&mut world);
    let desktop = Desktop::new(&world);
    let server = TestServer::start();
    let (page, body) = site(&server);
    desktop.haul(&world, &["browser", "install"]);
    let removed = desktop.haul(&world, &["browser", "uninstall"]);
    assert!(String::from_utf8_lossy(&removed.stdout).contains("chromium"), "{removed:?}");

    desktop.click(&world, &page, "browser");
    let kept: Vec<PathBuf> =
        std::fs::read_dir(desktop.browser_downloads()).expect("dir").flatten().map(|e| e.path()).collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(sha256_file(&kept[0]).expect("the browser's file"), sha256_hex(&body), "{kept:?}");
    let out = desktop.haul(&world, &["--json", "list", "--all"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]", "Haul got a job anyway");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}
