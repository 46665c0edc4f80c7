//! Drawing one answer of the random server (`random_server.rs`): an honest
//! answer (with lies told on top by `random_lies.rs`), an error status, a
//! redirect, or a status line no parser should take.

use crate::random_server::Asked;
use proptest::prelude::RngExt;
use proptest::test_runner::TestRng;
use std::time::Duration;

pub(crate) const ETAG: &str = "\"v1\"";
pub(crate) const LAST_MODIFIED: &str = "Mon, 01 Jan 2024 00:00:00 GMT";

/// How a connection goes on after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The next request may come on it.
    KeepAlive,
    /// Closed after the answer (FIN).
    Close,
    /// Dropped at once.
    Drop,
}

/// An answer as bytes to write.
#[derive(Debug)]
pub struct Answer {
    /// Written one after the other.
    pub pieces: Vec<Vec<u8>>,
    /// A pause after each piece.
    pub pause: Option<Duration>,
    /// What happens to the connection afterwards.
    pub ending: Ending,
}

impl Answer {
    /// A plain 404 for a path the server does not know.
    pub fn not_found() -> Answer {
        let text = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
        Answer { pieces: vec![text], pause: None, ending: Ending::KeepAlive }
    }
}

/// How the body's length is told.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Framing {
    /// `Content-Length` with this text (the true length, unless a lie).
    Length(String),
    /// No length: the body ends when the connection closes.
    UntilClose,
    /// Chunked; `false` when the last chunk never comes.
    Chunked(bool),
}

/// An answer before it is written.
pub(crate) struct Reply {
    pub(crate) status_line: Vec<u8>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
    pub(crate) framing: Framing,
    /// How many bytes of the framed body are sent (a cut body when fewer).
    pub(crate) send_body: Option<usize>,
    /// Bytes before the status line (interim answers) and after the body.
    pub(crate) before: Vec<u8>,
    pub(crate) after: Vec<u8>,
    pub(crate) ending: Ending,
}

impl Reply {
    fn new(status: &str, body: Vec<u8>) -> Reply {
        Reply {
            status_line: format!("HTTP/1.1 {status}").into_bytes(),
            headers: Vec::new(),
            framing: Framing::Length(body.len().to_string()),
            body,
            send_body: None,
            before: Vec::new(),
            after: Vec::new(),
            ending: Ending::KeepAlive,
        }
    }

    pub(crate) fn header(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    pub(crate) fn set(&mut self, name: &str, value: Option<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            self.header(name, value);
        }
    }

    pub(crate) fn status(&self) -> u16 {
        let line = String::from_utf8_lossy(&self.status_line);
        line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// Cuts the body somewhere before its end; the connection then closes.
    pub(crate) fn cut(&mut self, rng: &mut TestRng) {
        let framed = self.framed_body().len();
        self.send_body = Some(rng.random_range(0..framed.max(1)));
        self.ending = Ending::Close;
    }

    fn framed_body(&self) -> Vec<u8> {
        match self.framing {
            Framing::Chunked(complete) => {
                let mut out = Vec::new();
                for chunk in self.body.chunks(7919) {
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                }
                if complete {
                    out.extend_from_slice(b"0\r\n\r\n");
                }
                out
            }
            _ => self.body.clone(),
        }
    }

    fn into_answer(self, rng: &mut TestRng, head: bool) -> Answer {
        let mut bytes = self.before.clone();
        bytes.extend_from_slice(&self.status_line);
        bytes.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(value);
            bytes.extend_from_slice(b"\r\n");
        }
        match &self.framing {
            Framing::Length(text) => bytes.extend_from_slice(format!("Content-Length: {text}\r\n").as_bytes()),
            Framing::Chunked(_) => bytes.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
            Framing::UntilClose => {}
        }
        let ending = match self.framing {
            Framing::UntilClose if self.ending == Ending::KeepAlive => Ending::Close,
            _ => self.ending,
        };
        if ending != Ending::KeepAlive {
            bytes.extend_from_slice(b"Connection: close\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        if !head {
            let body = self.framed_body();
            let sent = self.send_body.unwrap_or(body.len()).min(body.len());
            bytes.extend_from_slice(&body[..sent]);
        }
        // Junk after a body whose end the framing does not mark would be read as the body.
        let framed_exactly = match &self.framing {
            Framing::Length(text) => *text == self.body.len().to_string(),
            Framing::Chunked(complete) => *complete,
            Framing::UntilClose => false,
        };
        if framed_exactly && self.send_body.is_none() && !head {
            bytes.extend_from_slice(&self.after);
        }
        let (pieces, pause) = if rng.random_bool(0.1) {
            (bytes.chunks(4096).map(<[u8]>::to_vec).collect(), Some(Duration::from_millis(1)))
        } else {
            let at = rng.random_range(0..=bytes.len());
            let (first, second) = bytes.split_at(at);
            (vec![first.to_vec(), second.to_vec()], None)
        };
        Answer { pieces, pause, ending }
    }
}

pub(crate) fn pick<'a, T>(rng: &mut TestRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// The answer to `asked` for a file whose bytes are `body`.
pub fn draw(rng: &mut TestRng, asked: &Asked, body: &[u8]) -> Answer {
    let reply = match rng.random_range(0..100) {
        0..35 => honest(asked, body),
        35..75 => {
            let mut reply = honest(asked, body);
            for _ in 0..rng.random_range(1..=3) {
                crate::random_lies::lie(rng, asked, body, &mut reply);
            }
            reply
        }
        75..85 => error_status(rng),
        85..93 => redirect(rng, asked),
        93..97 => garbage_status(rng, asked, body),
        _ => {
            let ending = if rng.random_bool(0.5) { Ending::Close } else { Ending::Drop };
            return Answer { pieces: Vec::new(), pause: None, ending };
        }
    };
    reply.into_answer(rng, asked.head)
}

/// What an honest server answers.
fn honest(asked: &Asked, body: &[u8]) -> Reply {
    let len = body.len() as u64;
    let validator_ok = asked.if_range.as_deref().is_none_or(|v| v.trim() == ETAG || v.trim() == LAST_MODIFIED);
    let mut reply = match asked.range.filter(|_| validator_ok && len > 0) {
        Some((first, _)) if first >= len => {
            let mut reply = Reply::new("416 Range Not Satisfiable", Vec::new());
            reply.header("Content-Range", format!("bytes */{len}"));
            reply
        }
        Some((first, last)) if last.is_none_or(|last| last >= first) => {
            let end = last.map_or(len - 1, |last| last.min(len - 1));
            let mut reply = Reply::new("206 Partial Content", body[first as usize..=end as usize].to_vec());
            reply.header("Content-Range", format!("bytes {first}-{end}/{len}"));
            reply
        }
        _ => Reply::new("200 OK", body.to_vec()),
    };
    reply.header("Content-Type", "application/octet-stream");
    reply.header("ETag", ETAG);
    reply.header("Last-Modified", LAST_MODIFIED);
    reply.header("Accept-Ranges", "bytes");
    reply
}

/// An error status, with a body and sometimes a `Retry-After` that makes no sense.
fn error_status(rng: &mut TestRng) -> Reply {
    let statuses = [
        "204 No Content",
        "304 Not Modified",
        "400 Bad Request",
        "401 Unauthorized",
        "403 Forbidden",
        "404 Not Found",
        "407 Proxy Authentication Required",
        "408 Request Timeout",
        "410 Gone",
        "416 Range Not Satisfiable",
        "418 I'm a teapot",
        "429 Too Many Requests",
        "500 Internal Server Error",
        "502 Bad Gateway",
        "503 Service Unavailable",
        "504 Gateway Timeout",
        "299 Odd Success",
        "599 Made Up",
        "300 Multiple Choices",
    ];
    let status = *pick(rng, &statuses);
    let no_body = status.starts_with("204") || status.starts_with("304");
    let body = if no_body { Vec::new() } else { format!("{status}\n").into_bytes() };
    let mut reply = Reply::new(status, body);
    reply.header("Content-Type", *pick(rng, &["text/plain", "text/html", "application/octet-stream"]));
    if rng.random_bool(0.5) {
        let after = ["0", "3", "-1", "abc", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "1.5", ""];
        reply.header("Retry-After", *pick(rng, &after));
    }
    if status.starts_with("401") {
        reply.header("WWW-Authenticate", *pick(rng, &["Basic realm=\"x\"", "Digest", "Nonsense ,,,"]));
    }
    if rng.random_bool(0.3) {
        reply.ending = Ending::Close;
    }
    reply
}

/// A redirect: to itself, elsewhere under the file, or nowhere sensible.
fn redirect(rng: &mut TestRng, asked: &Asked) -> Reply {
    let status = *pick(
        rng,
        &["301 Moved Permanently", "302 Found", "303 See Other", "307 Temporary Redirect", "308 Permanent Redirect"],
    );
    let mut reply = Reply::new(status, b"moved\n".to_vec());
    let file = &asked.file;
    let hop = rng.random_range(0..4);
    let locations = [
        Some(asked.target.clone()),
        Some(format!("/{file}/r{hop}")),
        Some(format!("r{hop}")),
        Some(String::new()),
        Some("http://".into()),
        Some("ftp://127.0.0.1/x".into()),
        Some("http://127.0.0.1:1/closed".into()),
        Some(format!("/{file}/{}", "a".repeat(9000))),
        Some("/%ff%fe".into()),
        None,
    ];
    let location = pick(rng, &locations).clone();
    reply.set("Location", location);
    reply
}

/// A status line no parser should take, or one that barely passes.
fn garbage_status(rng: &mut TestRng, asked: &Asked, body: &[u8]) -> Reply {
    let mut reply = honest(asked, body);
    let lines: [&[u8]; 8] = [
        b"HTTP/1.1 2000 OK",
        b"HTTP/1.1 OK",
        b"HTTP/9.9 200 OK",
        b"ICY 200 OK",
        b"HTTP/1.1 099 Low",
        b"",
        b"\x00\xff\xfe garbage",
        b"HTTP/1.1 200",
    ];
    let line = lines[rng.random_range(0..lines.len())];
    match line {
        // Valid without its reason phrase, where the answer is a 200.
        b"HTTP/1.1 200" if reply.status() == 200 => reply.status_line = line.to_vec(),
        b"HTTP/1.1 200" => {}
        _ => {
            reply.status_line = line.to_vec();
            reply.ending = Ending::Close;
        }
    }
    reply
}
