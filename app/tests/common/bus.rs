//! A private D-Bus session bus for one test: its own `dbus-daemon` listening
//! on a socket in a temp folder, killed (by its process id) when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running private bus.
pub struct PrivateBus {
    /// `DBUS_SESSION_BUS_ADDRESS` for whoever joins it.
    pub address: String,
    daemon: Child,
    _dir: tempfile::TempDir,
}

impl PrivateBus {
    /// Starts the bus and waits (at most 10 s) until it says its address.
    pub fn start() -> PrivateBus {
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
            let _ = daemon.wait();
            panic!("dbus-daemon printed no address");
        };
        PrivateBus { address, daemon, _dir: dir }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// The first line a child prints, within `timeout` (None: nothing, or an empty line).
pub fn first_line(stdout: ChildStdout, timeout: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(timeout).ok().map(|line| line.trim().to_owned()).filter(|line| !line.is_empty())
}
