//! What a hostile or unlucky network does: a port already taken, malformed
//! JSON, a body over MAX_BODY, a client that stalls half-way, and more
//! connections than MAX_CONNECTIONS. The service answers or closes, keeps
//! serving the others and the Unix socket, and never panics.

use crate::client::*;
use crate::common::*;
use haul_tests::server::{TestServer, random_bytes, sha256_file, sha256_hex};
use serde_json::json;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// haul-core's bounds (core/src/aria2/server.rs).
const MAX_BODY: usize = 8 << 20;
const MAX_CONNECTIONS: usize = 256;
/// The endpoint drops a stalled request after 10 s; this bounds the wait for it.
const STALL_BOUND: Duration = Duration::from_secs(60);

/// `haul add URL --wait` through the Unix socket, and the file it wrote.
fn socket_client_downloads(world: &World, server: &TestServer, name: &str) {
    let body = random_bytes(150_000, 51);
    server.add_file(&format!("/{name}"), body.clone());
    let dir = world.downloads();
    let added = world.haul().args(["add", &server.url(&format!("/{name}")), "--wait", "--dir"]).arg(&dir).output();
    let added = added.expect("haul add");
    assert!(added.status.success(), "haul add: {}\n{}", String::from_utf8_lossy(&added.stderr), world.service_log());
    assert_eq!(sha256_file(&dir.join(name)).ok(), Some(sha256_hex(&body)));
    let list = world.haul().args(["list", "--all"]).output().expect("haul list");
    assert!(list.status.success(), "haul list: {}", String::from_utf8_lossy(&list.stderr));
}

#[test]
fn a_port_in_use_is_reported_and_the_socket_keeps_working() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut world = World::new();
    world.start_service_with_rpc(port);
    let mut info = json!(null);
    let failed = wait_until(Duration::from_secs(20), || {
        info = rpc_info(&world);
        info["status"] == "failed"
    });
    assert!(failed, "`haul --json rpc` never reported the failure: {info}\n{}", world.service_log());
    let reason = info["error"].as_str().unwrap_or_default();
    assert!(reason.contains("in use") && reason.contains(&port.to_string()), "no reason given: {info}");
    assert!(info["url"].is_null(), "no URL while not listening: {info}");
    socket_client_downloads(&world, &TestServer::start(), "via-socket.bin");
    assert!(!world.service_log().contains("panicked"), "{}", world.service_log());
}

#[test]
fn malformed_json_and_bodies_over_the_limit_get_an_answer_not_a_hang() {
    let ep = Endpoint::start();
    for transport in TRANSPORTS {
        let mut rpc = ep.client(transport);
        let parse = rpc.send_bytes(b"{\"jsonrpc\": \"2.0\", \"method\": ");
        assert_eq!(parse["error"]["code"], -32700, "{transport:?}: {parse}");
        assert!(parse["id"].is_null(), "{parse}");
        let no_method = rpc.send(&json!({"jsonrpc": "2.0", "id": 3}));
        assert_eq!((&no_method["error"]["code"], &no_method["id"]), (&json!(-32600), &json!(3)), "{no_method}");
        let bad_params = rpc.send(&json!({"jsonrpc": "2.0", "id": 4, "method": "aria2.tellActive", "params": {}}));
        assert_eq!(bad_params["error"]["code"], -32602, "{transport:?}: params must be an array: {bad_params}");
        assert_eq!(rpc.ok("aria2.getVersion", json!([]))["version"], "1.37.0", "{transport:?}: still served");
    }

    let preflight = "OPTIONS /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://ariang.test\r\n\
        Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\nConnection: close\r\n\r\n";
    let cors = request(ep.addr, preflight.as_bytes()).expect("preflight");
    let head = cors.head.to_ascii_lowercase();
    assert_eq!(cors.status, 200, "{cors:?}");
    assert!(head.contains("access-control-allow-origin: *") && head.contains("post"), "a browser may POST: {cors:?}");

    let mut huge = b"[\"".to_vec();
    huge.resize(MAX_BODY + (1 << 20), b'a');
    huge.extend_from_slice(b"\"]");
    match post(ep.addr, &huge) {
        Ok(reply) if reply.status == 413 => {}
        Ok(reply) => {
            let answer: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
            assert!(answer["error"].is_object(), "a body over MAX_BODY was taken: {reply:?}");
        }
        // Closing the connection on the sender is an answer too; a hang (a read timeout) is not.
        Err(e) => assert!(e.contains("reset") || e.contains("Broken pipe"), "no answer: {e}"),
    }
    let mut socket = websocket(ep.addr).expect("WebSocket");
    let text = String::from_utf8(huge).expect("ascii");
    let sent = socket.send(tungstenite::Message::text(text));
    let answered = sent.is_err() || {
        socket.get_mut().set_read_timeout(Some(ANSWER_TIMEOUT)).expect("timeout");
        match socket.read() {
            Ok(tungstenite::Message::Close(_)) => true,
            Ok(other) => panic!("a WebSocket message over MAX_BODY was answered: {other:?}"),
            Err(tungstenite::Error::Io(e)) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            Err(_) => true,
        }
    };
    assert!(answered, "a WebSocket message over MAX_BODY was neither refused nor closed");
    for transport in TRANSPORTS {
        assert_eq!(ep.client(transport).ok("aria2.getVersion", json!([]))["version"], "1.37.0", "{transport:?}");
    }
    ep.assert_no_panic();
}

/// Reads until the server ends the connection; what it sent. Fails on our
/// own timeout: the server must drop a stalled client by itself.
fn until_dropped(stream: &mut TcpStream, what: &str) -> String {
    stream.set_read_timeout(Some(STALL_BOUND)).expect("timeout");
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{what}: not dropped within {} s: {e}", STALL_BOUND.as_secs()),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_stalled_client_does_not_hold_up_others_and_is_dropped() {
    let ep = Endpoint::start();
    let mut half_head = TcpStream::connect(ep.addr).expect("connect");
    half_head.write_all(b"POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le").expect("send");
    let mut half_body = TcpStream::connect(ep.addr).expect("connect");
    let head =
        "POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    half_body.write_all(format!("{head}{{\"jsonrpc\": \"2.0\",").as_bytes()).expect("send");
    let mut half_ws = TcpStream::connect(ep.addr).expect("connect");
    half_ws.write_all(b"GET /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n").expect("send");

    for transport in TRANSPORTS {
        let mut rpc = ep.client(transport);
        assert_eq!(rpc.ok("aria2.getVersion", json!([]))["version"], "1.37.0", "{transport:?} while others stall");
    }
    let answer = until_dropped(&mut half_body, "a half-sent body");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    until_dropped(&mut half_head, "half-sent headers");
    until_dropped(&mut half_ws, "a half-sent upgrade");
    assert_eq!(ep.client(Transport::Http).ok("aria2.getVersion", json!([]))["version"], "1.37.0");
    ep.assert_no_panic();
}

#[test]
fn connections_beyond_the_limit_are_refused_and_service_resumes_when_they_close() {
    let ep = Endpoint::start();
    let server = TestServer::start();
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..1000 {
        match websocket(ep.addr) {
            Ok(socket) => open.push(socket),
            Err(_) => refused += 1,
        }
    }
    assert!(open.len() <= MAX_CONNECTIONS, "{} WebSockets open at once, over {MAX_CONNECTIONS}", open.len());
    assert!(open.len() >= MAX_CONNECTIONS / 2, "only {} of 1000 WebSockets opened", open.len());
    assert_eq!(open.len() + refused, 1000);
    assert!(post(ep.addr, b"{}").is_err(), "a new connection is served while {} are open", open.len());

    socket_client_downloads(&ep.world, &server, "while-full.bin");
    let token = ep.token();
    let first = open.first_mut().expect("one open");
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "aria2.getVersion", "params": [token]});
    first.send(tungstenite::Message::text(call.to_string())).expect("send");
    first.get_mut().set_read_timeout(Some(ANSWER_TIMEOUT)).expect("timeout");
    let reply = first.read().expect("an open WebSocket is still served");
    assert!(reply.to_text().unwrap_or_default().contains("1.37.0"), "{reply:?}");

    for mut socket in open.drain(..) {
        let _ = socket.close(None);
        let _ = socket.flush();
    }
    let mut last = String::new();
    let served = wait_until(Duration::from_secs(30), || match Rpc::connect(ep.addr, Transport::WebSocket, &token) {
        Ok(mut rpc) => rpc.call("aria2.getVersion", json!([])).is_ok(),
        Err(e) => {
            last = e;
            false
        }
    });
    assert!(served, "no new RPC client is served after the others closed: {last}");
    assert!(ep.client(Transport::Http).call("aria2.tellActive", json!([])).is_ok());
    ep.assert_no_panic();
}
