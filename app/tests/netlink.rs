//! Linux without NetworkManager (issue 15): the real `haul service` in a
//! network namespace of its own, with only `lo` up, follows the route
//! tables over netlink — offline without a default route, online as soon as
//! one is added, offline again when it goes.
//!
//! Needs root (`unshare -n`, `nsenter`, `ip`); skipped with a message where
//! a new network namespace cannot be made.

mod common;

use common::*;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long the service may take to see a route change.
const SEEN_WITHIN: Duration = Duration::from_secs(10);

/// Why a network namespace cannot be made here, if it cannot.
fn namespaces_unavailable() -> Option<String> {
    let tried = Command::new("unshare").args(["-n", "ip", "link", "set", "lo", "up"]).output();
    match tried {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!("unshare -n: {}", String::from_utf8_lossy(&out.stderr).trim())),
        Err(e) => Some(format!("unshare: {e}")),
    }
}

/// `haul --json network`.
fn network(world: &World) -> Value {
    let out = world.haul().args(["--json", "network"]).output().expect("haul network");
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// `ip ARGS…` in the service's network namespace.
fn ip_in(pid: u32, args: &[&str]) {
    let out = Command::new("nsenter").args(["-t", &pid.to_string(), "-n", "ip"]).args(args).output().expect("nsenter");
    assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn in_a_namespace_without_network_manager_a_default_route_decides_online() {
    if let Some(reason) = namespaces_unavailable() {
        eprintln!("SKIPPED: no network namespace for the service ({reason})");
        return;
    }
    let mut world = World::new();
    // `exec` all the way, so the child's pid is the service's (for nsenter).
    let script = r#"ip link set lo up && exec "$0" service"#;
    let log = std::fs::File::create(world.dir.path().join("service.stderr")).expect("log");
    let child = Command::new("unshare")
        .args(["-n", "sh", "-c", script, &haul_bin()])
        .env("HAUL_DATA_DIR", world.data_dir())
        .env("HAUL_SOCKET", world.socket())
        .env("HAUL_RPC_LISTEN", "off")
        .env("RUST_LOG", "info")
        // No NetworkManager to be found: a bus address where there is none.
        .env("HAUL_NM_BUS_ADDRESS", format!("unix:path={}", world.dir.path().join("no-bus").display()))
        .env_remove("XDG_RUNTIME_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn");
    let pid = child.id();
    world.service = Some(child);
    assert!(
        wait_until(Duration::from_secs(20), || std::os::unix::net::UnixStream::connect(world.socket()).is_ok()),
        "the service does not accept connections: {}",
        world.service_log()
    );

    let status = network(&world);
    assert_eq!((&status["source"], &status["online"]), (&"netlink".into(), &false.into()), "only lo: {status}");
    assert_eq!((&status["connectivity"], &status["metered"]), (&"none".into(), &false.into()), "{status}");

    ip_in(pid, &["route", "add", "default", "dev", "lo"]);
    let online = wait_until(SEEN_WITHIN, || network(&world)["online"] == true);
    assert!(online, "a default route came: {}\n{}", network(&world), world.service_log());
    assert_eq!(network(&world)["connectivity"], "unknown");

    ip_in(pid, &["route", "del", "default", "dev", "lo"]);
    let offline = wait_until(SEEN_WITHIN, || network(&world)["online"] == false);
    assert!(offline, "the default route went: {}\n{}", network(&world), world.service_log());
    assert!(world.service_log().contains("following the route tables over netlink"), "{}", world.service_log());
}
