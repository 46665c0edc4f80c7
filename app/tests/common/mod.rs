//! A private Haul world for one test: its own data dir, socket and service
//! process (the real `haul` binary), stopped when the test ends.

#![allow(dead_code)]

pub mod bus;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub const HAUL: &str = env!("CARGO_BIN_EXE_haul");

/// The `haul` to run: `HAUL_BIN` when set (e.g. a copy that a build of another
/// checkout sharing the target folder cannot replace mid-run), else cargo's.
pub fn haul_bin() -> String {
    std::env::var("HAUL_BIN").ok().filter(|b| !b.is_empty()).unwrap_or_else(|| HAUL.to_owned())
}

/// One test's Haul: temp data dir, socket, download dir.
pub struct World {
    pub dir: tempfile::TempDir,
    pub service: Option<Child>,
    /// `HAUL_RPC_LISTEN` for everything this world runs: `off` (so parallel tests do not
    /// fight over port 6800) unless [`World::start_service_with_rpc`] asked for a port.
    pub rpc_listen: String,
    /// Whether `HAUL_RPC_LISTEN` is set (to `rpc_listen`) at all; `false` leaves it
    /// unset, so a service listens where `haul rpc --listen` last put it (else 6800).
    pub rpc_listen_given: bool,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("downloads")).expect("downloads dir");
        World { dir, service: None, rpc_listen: "off".to_owned(), rpc_listen_given: true }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run").join("haul.sock")
    }

    pub fn downloads(&self) -> PathBuf {
        self.dir.path().join("downloads")
    }

    fn env(&self, cmd: &mut std::process::Command) {
        cmd.env("HAUL_DATA_DIR", self.data_dir())
            .env("HAUL_SOCKET", self.socket())
            .env("RUST_LOG", "info")
            .env_remove("HAUL_RPC_LISTEN")
            .env_remove("XDG_RUNTIME_DIR")
            // Which certificates are trusted is each test's to say (app/tests/tls.rs).
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR");
        if self.rpc_listen_given {
            cmd.env("HAUL_RPC_LISTEN", &self.rpc_listen);
        }
    }

    /// `haul ARGS…` in this world.
    pub fn haul(&self) -> Command {
        let mut std_cmd = std::process::Command::new(haul_bin());
        self.env(&mut std_cmd);
        let mut cmd = Command::from_std(std_cmd);
        cmd.timeout(Duration::from_secs(120));
        cmd
    }

    /// Starts `haul service` as a child this test controls, and waits for its socket.
    pub fn start_service(&mut self) {
        self.start_service_with_env(&[]);
    }

    /// Starts `haul service` with extra environment variables.
    pub fn start_service_with_env(&mut self, vars: &[(&str, &str)]) {
        let mut cmd = std::process::Command::new(haul_bin());
        self.env(&mut cmd);
        cmd.envs(vars.iter().copied()).arg("service");
        self.spawn_service(cmd);
    }

    /// Starts `WRAPPER… haul service` (e.g. `unshare -rm sh -c '…; exec "$0" "$@"'`)
    /// with extra environment variables.
    pub fn start_service_wrapped_with_env(&mut self, wrapper: &[&str], vars: &[(&str, &str)]) {
        let mut cmd = std::process::Command::new(wrapper[0]);
        self.env(&mut cmd);
        cmd.envs(vars.iter().copied()).args(&wrapper[1..]).arg(haul_bin()).arg("service");
        self.spawn_service(cmd);
    }

    /// Runs `cmd` (a service) and waits for its socket.
    fn spawn_service(&mut self, mut cmd: std::process::Command) {
        let log = std::fs::File::create(self.dir.path().join("service.stderr")).expect("log");
        let child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log).spawn().expect("spawn");
        self.service = Some(child);
        assert!(wait_until(Duration::from_secs(20), || self.socket().exists()), "the service never bound its socket");
        assert!(
            wait_until(Duration::from_secs(20), || std::os::unix::net::UnixStream::connect(self.socket()).is_ok()),
            "the service does not accept connections"
        );
    }

    /// Starts `haul service ARGS…` with extra environment variables, its
    /// secrets in a file of this world and its working folder this world's
    /// (so nothing it is sent can reach the keyring or the checkout).
    pub fn start_service_with_args(&mut self, args: &[&str], vars: &[(&str, &str)]) {
        let mut cmd = std::process::Command::new(haul_bin());
        self.env(&mut cmd);
        cmd.env("HAUL_SECRETS_FILE", self.dir.path().join("secrets.json")).envs(vars.iter().copied());
        let log = std::fs::File::create(self.dir.path().join("service.stderr")).expect("log");
        cmd.current_dir(self.dir.path()).arg("service").args(args);
        let child = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log).spawn().expect("spawn");
        self.service = Some(child);
        let socket = self.socket();
        assert!(
            wait_until(Duration::from_secs(20), || std::os::unix::net::UnixStream::connect(&socket).is_ok()),
            "the service does not accept connections:\n{}",
            self.service_log()
        );
    }

    /// Starts `haul service` with its aria2 JSON-RPC endpoint on `127.0.0.1:PORT`
    /// (`HAUL_RPC_LISTEN`, also seen by every later `haul` of this world).
    pub fn start_service_with_rpc(&mut self, port: u16) {
        self.rpc_listen = format!("127.0.0.1:{port}");
        self.rpc_listen_given = true;
        self.start_service_with_env(&[]);
    }

    /// SIGKILL the service child.
    pub fn kill_service(&mut self) {
        if let Some(mut child) = self.service.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The service's stderr so far, for failure messages.
    pub fn service_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("service.stderr")).unwrap_or_default()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // A service started by a client (detached) is stopped through the protocol;
        // one that no longer answers (a failed test's) is not waited for past 10 s.
        let stop = std::process::Command::new(haul_bin())
            .args(["service", "stop"])
            .env("HAUL_DATA_DIR", self.data_dir())
            .env("HAUL_SOCKET", self.socket())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(mut stop) = stop
            && !wait_until(Duration::from_secs(10), || matches!(stop.try_wait(), Ok(Some(_))))
        {
            let _ = stop.kill();
            let _ = stop.wait();
        }
        if let Some(mut child) = self.service.take() {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    condition()
}

/// Names in `dir` that look like Haul temp files.
pub fn temp_files(dir: &Path) -> Vec<String> {
    haul_tests::support::temp_files(dir)
}

/// `haul --json info JOB` as JSON.
pub fn job_json(world: &World, job: &str) -> serde_json::Value {
    let out = world.haul().args(["--json", "info", job]).output().expect("info");
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// `haul --json rpc` as JSON, or a string saying why it gave none.
pub fn rpc_info(world: &World) -> serde_json::Value {
    let Ok(out) = world.haul().args(["--json", "rpc"]).output() else {
        return serde_json::Value::String("cannot run `haul rpc`".to_owned());
    };
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        serde_json::Value::String(format!(
            "exit {:?}: {}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    })
}

/// `haul --json rpc` until the endpoint listens: (url, secret).
pub fn rpc_endpoint(world: &World) -> (String, String) {
    let mut last = serde_json::Value::Null;
    let listening = wait_until(Duration::from_secs(20), || {
        last = rpc_info(world);
        last["url"].is_string() && last["secret"].is_string()
    });
    assert!(
        listening,
        "`haul --json rpc` never gave a url and a secret; last: {last}\nservice log:\n{}",
        world.service_log()
    );
    (last["url"].as_str().unwrap_or_default().to_owned(), last["secret"].as_str().unwrap_or_default().to_owned())
}
