//! A small aria2 client with two transports, HTTP POST and WebSocket, so each
//! check runs on both; the service it talks to (a World with the endpoint on
//! a port of its own); and a raw HTTP/1.1 request for what no client sends.

use crate::common::*;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tungstenite::{Message, WebSocket};

/// How long any one answer may take; the endpoint answers calls at once
/// (a wrong secret after 1 s).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a download of the tests' small files may take.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// The two ways aria2 clients reach the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Http,
    WebSocket,
}

/// Both transports, for `for transport in TRANSPORTS`.
pub const TRANSPORTS: [Transport; 2] = [Transport::Http, Transport::WebSocket];

/// A `haul service` with its aria2 endpoint on a free loopback port.
pub struct Endpoint {
    pub world: World,
    pub addr: SocketAddr,
    pub secret: String,
}

impl Endpoint {
    pub fn start() -> Endpoint {
        let mut world = World::new();
        let port = free_port();
        world.start_service_with_rpc(port);
        let (url, secret) = rpc_endpoint(&world);
        assert_eq!(url, format!("http://127.0.0.1:{port}/jsonrpc"), "`haul rpc` names another endpoint");
        Endpoint { world, addr: SocketAddr::from(([127, 0, 0, 1], port)), secret }
    }

    /// `token:SECRET`, the first param of every `aria2.*` call.
    pub fn token(&self) -> String {
        format!("token:{}", self.secret)
    }

    /// A client over `transport` with this service's secret.
    pub fn client(&self, transport: Transport) -> Rpc {
        Rpc::connect(self.addr, transport, &self.token()).unwrap_or_else(|e| panic!("{transport:?}: {e}"))
    }

    /// The downloads folder as the `dir` option.
    pub fn dir(&self) -> String {
        self.world.downloads().display().to_string()
    }

    /// Fails the test if the service panicked at any point.
    pub fn assert_no_panic(&self) {
        let log = self.world.service_log();
        assert!(!log.contains("panicked"), "the service panicked:\n{log}");
    }
}

/// An aria2 error answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

enum Conn {
    Http(SocketAddr),
    Ws(Box<WebSocket<TcpStream>>),
}

/// One client: calls carry its token; a WebSocket keeps the notifications
/// that arrive between answers.
pub struct Rpc {
    conn: Conn,
    pub token: String,
    next_id: u64,
    notices: VecDeque<Value>,
}

impl Rpc {
    pub fn connect(addr: SocketAddr, transport: Transport, token: &str) -> Result<Rpc, String> {
        let conn = match transport {
            Transport::Http => Conn::Http(addr),
            Transport::WebSocket => Conn::Ws(Box::new(websocket(addr)?)),
        };
        Ok(Rpc { conn, token: token.to_owned(), next_id: 0, notices: VecDeque::new() })
    }

    /// `method(token, params…)` for `aria2.*`, `method(params…)` otherwise.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        let mut params = match params {
            Value::Array(items) => items,
            other => panic!("params must be an array, not {other}"),
        };
        if method.starts_with("aria2.") {
            params.insert(0, json!(self.token));
        }
        self.next_id += 1;
        let id = format!("t{}", self.next_id);
        let reply = self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        assert_eq!(reply["id"], json!(id), "{method}: the answer is to another call: {reply}");
        assert_eq!(reply["jsonrpc"], "2.0", "{method}: {reply}");
        match (reply.get("result"), reply.get("error")) {
            (Some(result), None) => Ok(result.clone()),
            (None, Some(error)) => Err(RpcError {
                code: error["code"].as_i64().unwrap_or_else(|| panic!("{method}: an error without a code: {reply}")),
                message: error["message"].as_str().unwrap_or_default().to_owned(),
            }),
            _ => panic!("{method}: neither a result nor an error: {reply}"),
        }
    }

    /// A call that must succeed.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let shown = params.to_string();
        self.call(method, params).unwrap_or_else(|e| panic!("{method}({shown}) failed: {e:?}"))
    }

    /// A call that must fail.
    pub fn fails(&mut self, method: &str, params: Value) -> RpcError {
        let shown = params.to_string();
        match self.call(method, params) {
            Ok(result) => panic!("{method}({shown}) should fail but gave {result}"),
            Err(e) => e,
        }
    }

    /// Sends one message as it is and returns the answer (an array for a batch).
    pub fn send(&mut self, message: &Value) -> Value {
        self.send_bytes(message.to_string().as_bytes())
    }

    /// Sends raw bytes as one request or WebSocket message; the answer.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Value {
        match &mut self.conn {
            Conn::Http(addr) => {
                let reply = post(*addr, bytes).unwrap_or_else(|e| panic!("POST /jsonrpc: {e}"));
                assert_eq!(reply.status, 200, "POST /jsonrpc: {reply:?}");
                let head = reply.head.to_ascii_lowercase();
                assert!(head.contains("\r\naccess-control-allow-origin: *"), "no CORS header: {}", reply.head);
                serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("not JSON ({e}): {reply:?}"))
            }
            Conn::Ws(socket) => {
                let text = String::from_utf8(bytes.to_vec()).expect("a text message");
                socket.send(Message::text(text)).unwrap_or_else(|e| panic!("WebSocket send: {e}"));
                let deadline = Instant::now() + ANSWER_TIMEOUT;
                loop {
                    let message = read_ws(socket, deadline)
                        .unwrap_or_else(|e| panic!("WebSocket: no answer to {}: {e}", String::from_utf8_lossy(bytes)));
                    if message.get("method").is_some() && message.get("id").is_none() {
                        self.notices.push_back(message);
                        continue;
                    }
                    return message;
                }
            }
        }
    }

    /// The next notification (WebSocket only), waiting up to `timeout`.
    pub fn next_notice(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(notice) = self.notices.pop_front() {
            return Some(notice);
        }
        let Conn::Ws(socket) = &mut self.conn else { panic!("notifications come only over a WebSocket") };
        let message = read_ws(socket, Instant::now() + timeout).ok()?;
        assert!(message.get("id").is_none(), "an answer nobody asked for: {message}");
        Some(message)
    }

    /// Waits for the status of `gid` to be `word`; the last status seen.
    pub fn wait_status(&mut self, gid: &str, word: &str, timeout: Duration) -> Value {
        let mut last = Value::Null;
        let reached = wait_until(timeout, || {
            last = self.ok("aria2.tellStatus", json!([gid]));
            last["status"] == word
        });
        assert!(reached, "{gid} never became {word}; last status: {last}");
        last
    }
}

/// A WebSocket on `/jsonrpc`, its handshake bounded.
pub fn websocket(addr: SocketAddr) -> Result<WebSocket<TcpStream>, String> {
    let stream = TcpStream::connect_timeout(&addr, ANSWER_TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(|e| e.to_string())?;
    let (socket, _) =
        tungstenite::client(format!("ws://{addr}/jsonrpc"), stream).map_err(|e| format!("WebSocket handshake: {e}"))?;
    Ok(socket)
}

/// The next JSON text message before `deadline`.
fn read_ws(socket: &mut WebSocket<TcpStream>, deadline: Instant) -> Result<Value, String> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("timed out".into());
        }
        socket.get_mut().set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
        match socket.read() {
            Ok(Message::Text(text)) => {
                return serde_json::from_str(text.as_str()).map_err(|e| format!("not JSON ({e}): {text}"));
            }
            Ok(Message::Close(frame)) => return Err(format!("closed: {frame:?}")),
            Ok(_) => continue,
            // A read timeout leaves the socket usable: tungstenite keeps what it read.
            Err(tungstenite::Error::Io(e)) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                continue;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// `POST /jsonrpc` with `body` on a connection of its own.
pub fn post(addr: SocketAddr, body: &[u8]) -> Result<HttpReply, String> {
    let head = format!(
        "POST /jsonrpc HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    request(addr, &bytes)
}

/// Sends `bytes` (a whole request) on a connection of its own; the answer.
pub fn request(addr: SocketAddr, bytes: &[u8]) -> Result<HttpReply, String> {
    let mut stream = TcpStream::connect_timeout(&addr, ANSWER_TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(|e| e.to_string())?;
    // A refused body may be answered (and the connection closed) before it is all sent.
    let sent = stream.write_all(bytes);
    let reply = read_reply(&mut stream);
    match (reply, sent) {
        (Ok(reply), _) => Ok(reply),
        (Err(e), Err(sent)) => Err(format!("{e} (sending the body: {sent})")),
        (Err(e), Ok(())) => Err(e),
    }
}

/// Reads one whole answer; the server closes the connection after it.
pub fn read_reply(stream: &mut TcpStream) -> Result<HttpReply, String> {
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => {}
        // A reset after the answer (the server closed with our body unread) still leaves the answer.
        Err(e) if e.kind() == ErrorKind::ConnectionReset && !bytes.is_empty() => {}
        Err(e) => return Err(format!("read: {e} after {} bytes", bytes.len())),
    }
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| {
        format!("no complete HTTP answer: {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(300)]))
    })?;
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status =
        head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("no status line: {head}"))?;
    Ok(HttpReply { status, head, body: bytes[split + 4..].to_vec() })
}

/// Whether `gid` is aria2's form: 16 lowercase hex digits.
pub fn is_gid(gid: &Value) -> bool {
    gid.as_str().is_some_and(|g| g.len() == 16 && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// Whether `value` is a number sent as a string, as aria2 sends numbers.
pub fn is_number_string(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// The GIDs of a list of statuses, in order.
pub fn gids(statuses: &Value) -> Vec<String> {
    statuses
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {statuses}"))
        .iter()
        .map(|s| s["gid"].as_str().unwrap_or_else(|| panic!("no gid in {s}")).to_owned())
        .collect()
}
