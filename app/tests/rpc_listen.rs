//! `haul rpc --listen`: moving a running service's aria2 endpoint to another
//! port, keeping that choice across a restart, a port in use, and bad text —
//! all against the real binary, with aria2.getVersion over HTTP as the proof.

mod common;

use common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

/// `haul --json rpc ARGS…`: its exit code and its JSON (Null when it printed none).
fn rpc_json(world: &World, args: &[&str]) -> (Option<i32>, Value, String) {
    let out = world.haul().args(["--json", "rpc"]).args(args).output().expect("haul rpc");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), json, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Waits until `haul --json rpc` says the endpoint listens; its secret.
fn wait_listening(world: &World, port: u16) -> String {
    let mut last = Value::Null;
    let url = format!("http://127.0.0.1:{port}/jsonrpc");
    let listening = wait_until(Duration::from_secs(20), || {
        last = rpc_json(world, &[]).1;
        last["status"] == "listening" && last["url"] == url.as_str()
    });
    assert!(listening, "the endpoint never listened at {url}; last: {last}\nservice log:\n{}", world.service_log());
    last["secret"].as_str().expect("a secret").to_owned()
}

/// `aria2.getVersion` by HTTP POST to 127.0.0.1:`port`: the raw response.
fn get_version(port: u16, secret: &str) -> std::io::Result<String> {
    let body = format!(r#"{{"jsonrpc":"2.0","id":"v","method":"aria2.getVersion","params":["token:{secret}"]}}"#);
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

fn assert_answers(port: u16, secret: &str) {
    let response = get_version(port, secret).unwrap_or_else(|e| panic!("no answer on port {port}: {e}"));
    assert!(response.starts_with("HTTP/1.1 200") && response.contains("\"version\""), "on {port}: {response}");
}

fn assert_refused(port: u16) {
    let connected = TcpStream::connect(("127.0.0.1", port));
    let error = connected.map(drop).expect_err("the old port still takes connections");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused, "port {port}: {error}");
}

/// Stops the service child through the protocol and waits for it to exit.
fn stop_service(world: &mut World) {
    world.haul().args(["service", "stop"]).assert().success();
    let mut child = world.service.take().expect("a service child");
    assert!(
        wait_until(Duration::from_secs(20), || matches!(child.try_wait(), Ok(Some(_)))),
        "the service never exited"
    );
}

#[test]
fn haul_rpc_listen_moves_the_endpoint_and_the_move_survives_a_restart() {
    let mut world = World::new();
    let first = free_port();
    world.start_service_with_rpc(first);
    let secret = wait_listening(&world, first);
    assert_answers(first, &secret);

    let second = free_port();
    let moved = world.haul().args(["rpc", "--listen", &format!("127.0.0.1:{second}")]).assert().success();
    let text = String::from_utf8_lossy(&moved.get_output().stdout).into_owned();
    assert!(text.contains(&format!("URL     http://127.0.0.1:{second}/jsonrpc")), "{text}");
    assert!(text.contains(&format!("Secret  {secret}")), "the secret stays: {text}");
    assert_answers(second, &secret);
    assert_refused(first);

    // No HAUL_RPC_LISTEN now: the saved address wins over the default.
    stop_service(&mut world);
    world.rpc_listen_given = false;
    world.start_service();
    assert_eq!(wait_listening(&world, second), secret);
    assert_answers(second, &secret);
    assert_refused(first);

    // An explicit address still wins over the saved one.
    stop_service(&mut world);
    let third = free_port();
    world.start_service_with_rpc(third);
    wait_listening(&world, third);
    assert_refused(second);
}

#[test]
fn a_port_in_use_fails_the_endpoint_not_the_service() {
    let mut world = World::new();
    let first = free_port();
    world.start_service_with_rpc(first);
    let secret = wait_listening(&world, first);

    let taken = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let (code, info, stderr) = rpc_json(&world, &["--listen", &format!("127.0.0.1:{port}")]);
    assert_eq!(code, Some(1), "a move without a listener fails: {info} {stderr}");
    assert_eq!(info["status"], "failed", "{info}");
    assert!(info["error"].as_str().is_some_and(|e| e.contains("in use")), "{info}");
    assert!(stderr.contains(&port.to_string()), "{stderr}");
    assert_eq!(info["listen"], format!("127.0.0.1:{port}"));
    assert_eq!(info["secret"], secret.as_str(), "the secret is still given");
    assert_refused(first);
    world.haul().arg("list").assert().success();

    // Freed, the next move listens again; `off` turns it off.
    drop(taken);
    let (code, info, _) = rpc_json(&world, &["--listen", &format!("127.0.0.1:{port}")]);
    assert_eq!((code, info["status"].as_str()), (Some(0), Some("listening")), "{info}");
    assert_answers(port, &secret);
    let (code, info, _) = rpc_json(&world, &["--listen", "off"]);
    assert_eq!((code, info["status"].as_str(), info["url"].is_null()), (Some(0), Some("off"), true), "{info}");
    assert_refused(port);
}

#[test]
fn a_bad_address_is_an_error_that_names_it_and_changes_nothing() {
    let mut world = World::new();
    let first = free_port();
    world.start_service_with_rpc(first);
    let secret = wait_listening(&world, first);

    let out = world.haul().args(["rpc", "--listen", "nowhere:99"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("'nowhere:99'") && stderr.contains("ADDR:PORT"), "{stderr}");

    // The same text sent raw: the service names it (error 5, exit 4).
    let out = world.haul().args(["call", "set_rpc_listen", r#"{"listen": "127.0.0.1"}"#]).assert().code(4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("listen: '127.0.0.1'") && stderr.contains("invalid_argument"), "{stderr}");

    // Beyond loopback without TLS: refused as at startup.
    let out = world.haul().args(["rpc", "--listen", "0.0.0.0:6899"]).assert().code(4);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("0.0.0.0:6899") && stderr.contains("--rpc-insecure"), "{stderr}");

    assert_answers(first, &secret);
    assert!(!world.data_dir().join("rpc-listen").exists(), "nothing was saved");
}
