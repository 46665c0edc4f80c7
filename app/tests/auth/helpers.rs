//! What the credentials and proxy tests run besides Haul: a real Secret
//! Service (GNOME Keyring on a private session bus, its login keyring
//! unlocked), and real proxies on loopback (microsocks for SOCKS5, tinyproxy
//! for an HTTP proxy with Basic authentication). Each is stopped (by its own
//! process id) when the test ends. A missing program fails the test with the
//! install step to run: nothing is skipped.

use crate::common::bus::PrivateBus;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Fails the test unless `program` is installed.
pub fn require(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "{program} is not installed: run .ci/run's step \"credentials and proxies\" \
         (apt-get install {package}) — these tests are never skipped"
    );
}

/// A process started for a test, killed (by its id) when dropped.
pub struct Daemon {
    child: Child,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private session bus with GNOME Keyring's Secret Service on it.
pub struct Keyring {
    /// `DBUS_SESSION_BUS_ADDRESS` for the service.
    pub address: String,
    /// Where the keyring keeps its files (outside the Haul data folder).
    pub dir: tempfile::TempDir,
    _keyring: Daemon,
    _bus: PrivateBus,
}

impl Keyring {
    /// Starts the bus and the keyring, and waits until the Secret Service answers.
    pub fn start() -> Keyring {
        require("dbus-daemon", "dbus");
        require("gnome-keyring-daemon", "gnome-keyring");
        require("dbus-send", "dbus");
        let dir = tempfile::tempdir().expect("tempdir");
        let bus = PrivateBus::start();
        let address = bus.address.clone();
        for sub in ["data", "run", "home"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("keyring dirs");
        }
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", dir.path().join("home"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", dir.path().join("run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        // The login keyring's password, then end of input: it is created and unlocked.
        let mut stdin = keyring.stdin.take().expect("stdin");
        stdin.write_all(b"test-keyring-password").expect("unlock password");
        drop(stdin);
        let keyring = Daemon { child: keyring };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let owned = Command::new("dbus-send")
                .args([
                    &format!("--bus={address}"),
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"));
            if owned {
                break;
            }
            assert!(Instant::now() < deadline, "gnome-keyring-daemon never took org.freedesktop.secrets");
            std::thread::sleep(Duration::from_millis(50));
        }
        Keyring { address, dir, _keyring: keyring, _bus: bus }
    }
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind").local_addr().expect("addr").port()
}

fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on 127.0.0.1:{port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A SOCKS5 proxy (microsocks) on loopback asking for `user`:`password`;
/// its log (one line per connection) goes to `log`.
pub fn socks5(user: &str, password: &str, log: &Path) -> (Daemon, u16) {
    require("microsocks", "microsocks");
    let port = free_port();
    let out = std::fs::File::create(log).expect("log");
    let child = Command::new("microsocks")
        .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-u", user, "-P", password])
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("log"))
        .stderr(out)
        .spawn()
        .expect("microsocks");
    let daemon = Daemon { child };
    wait_listening(port, "microsocks");
    (daemon, port)
}

/// An HTTP proxy (tinyproxy) on loopback asking for Basic `user`:`password`.
pub fn http_proxy(user: &str, password: &str, dir: &Path) -> (Daemon, u16) {
    require("tinyproxy", "tinyproxy");
    let port = free_port();
    let config: PathBuf = dir.join("tinyproxy.conf");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\n\
             BasicAuth {user} {password}\nLogLevel Info\n"
        ),
    )
    .expect("config");
    let out = std::fs::File::create(dir.join("tinyproxy.log")).expect("log");
    let child = Command::new("tinyproxy")
        .args(["-d", "-c"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("log"))
        .stderr(out)
        .spawn()
        .expect("tinyproxy");
    let daemon = Daemon { child };
    wait_listening(port, "tinyproxy");
    (daemon, port)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Standard base64 (what a Basic `Authorization` header carries).
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
