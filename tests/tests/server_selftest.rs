//! Self-test of the loopback fault-injection server, using a tiny blocking
//! std-only HTTP client.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use haul_tests::server::{Route, TestServer, random_bytes, sha256_hex};

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to test server");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("set read timeout");
    stream
}

/// Send one request (extra header lines end in `\r\n`) and read its response.
/// The body is read up to Content-Length or EOF (not for HEAD).
fn exchange(stream: &mut TcpStream, method: &str, path: &str, extra: &str) -> Response {
    let req = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n");
    stream.write_all(req.as_bytes()).expect("write request");
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("read response head");
        assert_eq!(n, 1, "EOF inside response head");
        buf.push(byte[0]);
    }
    let text = String::from_utf8(buf).expect("utf-8 head");
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let status_line = lines.next().expect("status line");
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status code");
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header colon");
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let mut resp = Response { status, headers, body: Vec::new() };
    if method == "HEAD" {
        return resp;
    }
    let limit = resp.header("content-length").map(|v| v.parse::<u64>().expect("numeric content-length"));
    match limit {
        Some(len) => {
            (&mut *stream).take(len).read_to_end(&mut resp.body).expect("read body");
        }
        None => {
            stream.read_to_end(&mut resp.body).expect("read body");
        }
    }
    resp
}

fn get(server: &TestServer, path: &str, extra: &str) -> Response {
    let mut stream = connect(server.addr());
    exchange(&mut stream, "GET", path, &format!("Connection: close\r\n{extra}"))
}

#[test]
fn full_get_and_sha256() {
    let server = TestServer::start();
    let data = random_bytes(3 * 1024 * 1024 + 17, 42);
    server.add_file("/f.bin", data.clone());
    let resp = get(&server, "/f.bin", "");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("Accept-Ranges"), Some("bytes"));
    assert_eq!(resp.header("Content-Length"), Some(data.len().to_string().as_str()));
    assert_eq!(resp.header("Content-Type"), Some("application/octet-stream"));
    assert!(resp.header("ETag").is_some_and(|e| e.starts_with("\"v")));
    assert_eq!(sha256_hex(&resp.body), sha256_hex(&data));
    assert_eq!(server.bytes_served(), data.len() as u64);
    assert_eq!(server.bytes_served_for("/f.bin"), data.len() as u64);
    assert_eq!(server.connections_accepted(), 1);
    let log = server.requests_for("/f.bin");
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].method.as_str(), log[0].status), ("GET", 200));
    assert_eq!(log[0].header("HOST"), Some("test"));
}

#[test]
fn range_requests() {
    let server = TestServer::start();
    let data = random_bytes(1000, 1);
    server.add_file("/r", data.clone());
    let resp = get(&server, "/r", "Range: bytes=100-199\r\n");
    assert_eq!(resp.status, 206);
    assert_eq!(resp.header("Content-Range"), Some("bytes 100-199/1000"));
    assert_eq!(resp.body, &data[100..200]);
    let resp = get(&server, "/r", "Range: bytes=-10\r\n");
    assert_eq!((resp.status, &resp.body[..]), (206, &data[990..]));
    let resp = get(&server, "/r", "Range: bytes=990-\r\n");
    assert_eq!(resp.header("Content-Range"), Some("bytes 990-999/1000"));
    let resp = get(&server, "/r", "Range: bytes=1000-\r\n");
    assert_eq!(resp.status, 416);
    assert_eq!(resp.header("Content-Range"), Some("bytes */1000"));
    assert_eq!(get(&server, "/r", "Range: bytes=0-1,5-6\r\n").status, 416);

    server.set_route("/lie", Route::new(data.clone()).lie_content_range(true));
    let resp = get(&server, "/lie", "Range: bytes=10-19\r\n");
    assert_eq!(resp.header("Content-Range"), Some("bytes 11-19/1000"));
    assert_eq!(resp.body, &data[10..20]);

    server.set_route("/nr", Route::new(data.clone()).ranges(false));
    let resp = get(&server, "/nr", "Range: bytes=10-19\r\n");
    assert_eq!((resp.status, resp.body.len()), (200, 1000));
    assert_eq!(resp.header("Accept-Ranges"), None);
}

#[test]
fn if_range_after_replace_content() {
    let server = TestServer::start();
    server.add_file("/v", random_bytes(500, 1));
    let first = get(&server, "/v", "");
    let old_etag = first.header("ETag").expect("etag").to_owned();
    let old_lm = first.header("Last-Modified").expect("last-modified").to_owned();
    let new_body = random_bytes(600, 2);
    server.replace_content("/v", new_body.clone());
    let resp = get(&server, "/v", &format!("Range: bytes=10-\r\nIf-Range: {old_etag}\r\n"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, new_body);
    let new_etag = resp.header("ETag").expect("etag").to_owned();
    assert_ne!(new_etag, old_etag);
    let new_lm = resp.header("Last-Modified").expect("last-modified").to_owned();
    assert_ne!(new_lm, old_lm);
    let resp = get(&server, "/v", &format!("Range: bytes=10-\r\nIf-Range: {new_etag}\r\n"));
    assert_eq!((resp.status, &resp.body[..]), (206, &new_body[10..]));
    let resp = get(&server, "/v", &format!("Range: bytes=10-\r\nIf-Range: {new_lm}\r\n"));
    assert_eq!(resp.status, 206);

    server.set_route("/broken", Route::new(new_body.clone()).ignore_if_range(true));
    let resp = get(&server, "/broken", "Range: bytes=10-\r\nIf-Range: \"nope\"\r\n");
    assert_eq!(resp.status, 206);
}

#[test]
fn fail_with_then_success() {
    let server = TestServer::start();
    server.set_route("/f", Route::new(b"hello".to_vec()).fail_with(503, 2, Some(7)));
    for _ in 0..2 {
        let resp = get(&server, "/f", "");
        assert_eq!(resp.status, 503);
        assert_eq!(resp.header("Retry-After"), Some("7"));
    }
    let resp = get(&server, "/f", "");
    assert_eq!((resp.status, &resp.body[..]), (200, &b"hello"[..]));
    assert_eq!(server.bytes_served(), 5);
}

#[test]
fn drop_after_closes_early() {
    let server = TestServer::start();
    let data = random_bytes(100_000, 5);
    server.set_route("/d", Route::new(data.clone()).drop_after(1000, 1));
    let resp = get(&server, "/d", "");
    assert_eq!(resp.header("Content-Length"), Some("100000"));
    assert_eq!(resp.body, &data[..1000]);
    let resp = get(&server, "/d", "");
    assert_eq!(resp.body, data);
    assert_eq!(server.bytes_served_for("/d"), 101_000);
}

#[test]
fn stall_after_stops_writing() {
    let server = TestServer::start();
    server.set_route("/s", Route::new(random_bytes(50_000, 6)).stall_after(2000, 1));
    let mut stream = connect(server.addr());
    stream.set_read_timeout(Some(Duration::from_millis(1500))).expect("set read timeout");
    let req = "GET /s HTTP/1.1\r\nHost: test\r\n\r\n";
    stream.write_all(req.as_bytes()).expect("write request");
    let mut got = Vec::new();
    let err = stream.read_to_end(&mut got).expect_err("stalled read must time out");
    assert!(matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut));
    let head_end = got.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    assert_eq!(got.len() - head_end, 2000);
}

#[test]
fn redirect_head_404_405_keepalive() {
    let server = TestServer::start();
    server.set_route("/loop", Route::new(Vec::new()).redirect_to("/other"));
    server.add_file("/h", vec![7u8; 4321]);
    let mut stream = connect(server.addr());
    let resp = exchange(&mut stream, "GET", "/loop", "");
    assert_eq!(resp.status, 302);
    assert_eq!(resp.header("Location"), Some("/other"));
    let resp = exchange(&mut stream, "HEAD", "/h", "");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("Content-Length"), Some("4321"));
    assert_eq!(exchange(&mut stream, "GET", "/missing", "").status, 404);
    assert_eq!(exchange(&mut stream, "POST", "/h", "Content-Length: 0\r\n").status, 405);
    let resp = exchange(&mut stream, "GET", "/h?x=1", "");
    assert_eq!(resp.body, vec![7u8; 4321]);
    assert_eq!(server.connections_accepted(), 1);
    assert_eq!(server.bytes_served(), 4321);
    let log = server.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(log[1].method, "HEAD");
    assert_eq!(server.requests_for("/h").len(), 3);
}

#[test]
fn throttle_no_content_length_and_html_after() {
    let server = TestServer::start();
    let data = random_bytes(64 * 1024, 8);
    server.set_route("/t", Route::new(data.clone()).throttle_per_connection(256 * 1024));
    let started = Instant::now();
    assert_eq!(get(&server, "/t", "").body, data);
    assert!(started.elapsed() >= Duration::from_millis(150));

    server.set_route("/ncl", Route::new(data.clone()).no_content_length(true));
    let resp = get(&server, "/ncl", "Range: bytes=0-9\r\n");
    assert_eq!((resp.status, resp.header("Content-Length")), (200, None));
    assert_eq!(resp.body, data);

    server.set_route("/x", Route::new(b"payload".to_vec()).html_after(1));
    assert_eq!(get(&server, "/x", "").body, b"payload");
    let resp = get(&server, "/x", "");
    assert_eq!(resp.status, 200);
    assert!(resp.header("Content-Type").is_some_and(|c| c.starts_with("text/html")));
}
