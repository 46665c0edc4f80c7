//! A private D-Bus bus (its own `dbus-daemon`) with a stand-in NetworkManager
//! (tests/network/nm.py) on it, both stopped when the test ends.

use crate::common::bus::{PrivateBus, first_line};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
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

/// A private bus and, while it runs, the stand-in NetworkManager.
pub struct Bus {
    pub address: String,
    nm: Option<Child>,
    // Dropped after `nm` is stopped (fields drop in order, after `drop`).
    _bus: PrivateBus,
}

impl Bus {
    /// Starts a bus with nothing on it.
    pub fn start() -> Bus {
        let bus = PrivateBus::start();
        Bus { address: bus.address.clone(), nm: None, _bus: bus }
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
        self.stop_network_manager();
    }
}
