//! The real service process spoken to over its socket with raw JSON lines:
//! bad input never hurts it, and callbacks go to the last registered sink.

mod common;

use common::*;
use haul_tests::server::{Route, TestServer, random_bytes};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// A raw protocol connection with a read timeout.
struct Raw {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    next_id: i64,
}

impl Raw {
    fn connect(world: &World) -> Raw {
        let stream = UnixStream::connect(world.socket()).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
        Raw { writer: stream.try_clone().expect("clone"), reader: BufReader::new(stream), next_id: 1 }
    }

    fn send_line(&mut self, line: &[u8]) {
        self.writer.write_all(line).expect("write");
        self.writer.write_all(b"\n").expect("write");
    }

    /// The next message, or None on timeout/close.
    fn read(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => serde_json::from_str(&line).ok(),
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_line(request.to_string().as_bytes());
        loop {
            let message = self.read().expect("a reply");
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn hello(&mut self) {
        let reply = self.call("hello", json!({"protocol": 1, "client": "test/1"}));
        assert_eq!(reply["result"]["protocol"], 1, "{reply}");
    }
}

#[test]
fn garbage_an_oversized_line_and_unknown_methods_leave_the_service_serving() {
    let mut world = World::new();
    world.start_service();
    let mut raw = Raw::connect(&world);
    raw.send_line(b"{this is not json");
    assert_eq!(raw.read().expect("reply")["error"]["code"], -32700);
    raw.send_line(&[0xff, 0xfe, b'{', b'}']);
    assert_eq!(raw.read().expect("reply")["error"]["code"], -32700);
    raw.send_line(b"[1,2]");
    assert_eq!(raw.read().expect("reply")["error"]["code"], -32600);
    assert_eq!(raw.call("get_stats", json!({}))["error"]["code"], 7, "hello first");
    raw.hello();
    assert_eq!(raw.call("no_such_method", json!({}))["error"]["code"], -32601);
    let wrong = raw.call("get_job", json!({"job_id": 42}));
    assert_eq!(wrong["error"]["code"], -32602);
    assert!(wrong["error"]["message"].as_str().unwrap_or_default().contains("job_id"), "{wrong}");
    raw.hello();

    let mut big = Raw::connect(&world);
    // The service may answer and close before it has read the whole line: a
    // broken pipe here is the service doing its job.
    let sent = big.writer.write_all(&vec![b'x'; (1 << 20) + 10]).and_then(|()| big.writer.write_all(b"\n"));
    if let Err(e) = &sent {
        assert!(matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset), "{e}");
    }
    let reply = big.read().expect("a reply before the close");
    assert_eq!(reply["error"]["code"], -32600);
    assert!(big.read().is_none(), "the connection is closed");

    // A client that connects and says nothing, and one that leaves mid-request.
    let _silent = UnixStream::connect(world.socket()).expect("connect");
    let mut rude = UnixStream::connect(world.socket()).expect("connect");
    rude.write_all(br#"{"jsonrpc":"2.0","id":1,"method":"hel"#).expect("write");
    drop(rude);

    let mut fresh = Raw::connect(&world);
    fresh.hello();
    assert!(fresh.call("get_stats", json!({}))["result"].is_object());
    raw.hello();
}

#[test]
fn only_the_last_registered_client_gets_the_callbacks_and_a_gone_one_falls_back() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    server.set_route("/f.bin", Route::new(random_bytes(3 << 20, 61)).throttle_per_connection(2 << 20));
    let marker = world.dir.path().join("marker");
    let (mut first, mut second) = (Raw::connect(&world), Raw::connect(&world));
    first.hello();
    second.hello();
    let job = second.call("create_job", json!({"display_name": "shared"}))["result"]["job_id"].clone();
    let local = world.downloads().join("f.bin");
    let added =
        second.call("add_file", json!({"job_id": job, "remote_url": server.url("/f.bin"), "local_name": local}));
    assert!(added["result"].is_object(), "{added}");
    for raw in [&mut first, &mut second] {
        assert_eq!(raw.call("set_notify_interface", json!({"job_id": job, "register": true}))["result"], json!({}));
    }
    let mine = |raw: &mut Raw| raw.call("get_notify_interface", json!({"job_id": job}))["result"]["mine"].clone();
    assert_eq!(mine(&mut first), false);
    assert_eq!(mine(&mut second), true);
    second.call("resume", json!({"job_id": job}));
    let callback = loop {
        let message = second.read().expect("job_transferred reaches the second client");
        if message.get("method").is_some() && message.get("id").is_some() {
            break message;
        }
    };
    assert_eq!(callback["method"], "job_transferred");
    assert_eq!(callback["params"]["job"]["id"], job);
    second.send_line(json!({"jsonrpc": "2.0", "id": callback["id"], "result": {}}).to_string().as_bytes());
    first.writer.set_read_timeout(Some(Duration::from_millis(300))).expect("timeout");
    assert!(first.read().is_none(), "the replaced sink hears nothing");

    // A second job whose sink disconnects: the notify command line runs instead.
    let job2 = second.call("create_job", json!({"display_name": "fallback"}))["result"]["job_id"].clone();
    let local2 = world.downloads().join("g.bin");
    second.call("add_file", json!({"job_id": job2, "remote_url": server.url("/f.bin"), "local_name": local2}));
    let cmd = json!({"program": "/usr/bin/touch", "args": [marker]});
    assert!(second.call("set_job", json!({"job_id": job2, "notify_cmd_line": cmd}))["result"].is_object());
    second.call("set_notify_interface", json!({"job_id": job2, "register": true}));
    drop(second);
    let mut third = Raw::connect(&world);
    third.hello();
    assert!(wait_until(Duration::from_secs(5), || {
        third.call("get_notify_interface", json!({"job_id": job2}))["result"]["registered"] == false
    }));
    third.call("resume", json!({"job_id": job2}));
    assert!(wait_until(Duration::from_secs(30), || marker.exists()), "{}", world.service_log());
}
