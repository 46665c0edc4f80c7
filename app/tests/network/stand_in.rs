//! A private D-Bus bus (its own `dbus-daemon`) with a stand-in NetworkManager
//! (tests/network/nm.py) on it, both stopped when the test ends.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PYTHON: &str = "/usr/bin/python3";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("network").join("nm.py")
}

/// Whether this machine can run the stand-in; the reason when it cannot.
pub fn available() -> Result<(), String> {
    let daemon = Command::new("dbus-daemon").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !daemon.is_ok_and(|s| s.success()) {
        return Err("no dbus-daemon (apt-get install dbus)".into());
    }
    let python = Command::new(PYTHON).args(["-c", "import dbus, gi"]).stderr(Stdio::null()).status();
    if !python.is_ok_and(|s| s.success()) {
        return Err(format!("{PYTHON} cannot import dbus and gi (apt-get install python3-dbus python3-gi)"));
    }
    Ok(())
}

/// The first line a child prints, within `timeout`.
fn first_line(stdout: ChildStdout, timeout: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(timeout).ok().map(|line| line.trim().to_owned()).filter(|line| !line.is_empty())
}

/// A private bus and, while it runs, the stand-in NetworkManager.
pub struct Bus {
    pub address: String,
    daemon: Child,
    nm: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Bus {
    /// Starts a bus with nothing on it.
    pub fn start() -> Bus {
        let dir = tempfile::tempdir().expect("tempdir");
        let listen = format!("unix:path={}", dir.path().join("bus").display());
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1", "--address", &listen])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        let stdout = daemon.stdout.take().expect("stdout");
        let Some(address) = first_line(stdout, Duration::from_secs(10)) else {
            let _ = daemon.kill();
            panic!("dbus-daemon printed no address");
        };
        Bus { address, daemon, nm: None, _dir: dir }
    }

    /// Starts the stand-in NetworkManager with these properties (`Connectivity=4`…);
    /// returns once it owns its name.
    pub fn start_network_manager(&mut self, props: &[&str]) {
        let mut nm = Command::new(PYTHON)
            .arg(script())
            .args(["serve", &self.address])
            .args(props)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nm.py");
        let stdout = nm.stdout.take().expect("stdout");
        let ready = first_line(stdout, Duration::from_secs(20));
        self.nm = Some(nm);
        assert_eq!(ready.as_deref(), Some("ready"), "the stand-in NetworkManager did not start");
    }

    /// Stops the stand-in NetworkManager (it leaves the bus).
    pub fn stop_network_manager(&mut self) {
        if let Some(mut nm) = self.nm.take() {
            let _ = nm.kill();
            let _ = nm.wait();
        }
    }

    /// Changes properties; the stand-in emits one PropertiesChanged with them.
    pub fn set(&self, props: &[&str]) {
        let status = Command::new(PYTHON)
            .arg(script())
            .args(["set", &self.address])
            .args(props)
            .stdin(Stdio::null())
            .status()
            .expect("nm.py set");
        assert!(status.success(), "nm.py set {props:?} failed");
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        for child in self.nm.iter_mut().chain([&mut self.daemon]) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
