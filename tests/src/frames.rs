//! Random JSON-RPC frames for the socket fuzzer: requests with odd params,
//! broken JSON and bytes, cut, glued and oversized lines, stray responses.
//! Every URL stays on loopback, every path in the given folder, and nothing
//! stops the service or changes its settings (`shutdown`, `set_limits`,
//! `set_rpc_listen` and `set_proxy` are never sent; a notify command is `/bin/true`).

use proptest::prelude::RngExt;
use proptest::test_runner::TestRng;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The methods the fuzzer calls (everything a client may call that leaves the service as it was).
const METHODS: [&str; 28] = [
    "hello",
    "create_job",
    "add_file",
    "get_job",
    "enum_jobs",
    "enum_files",
    "resume",
    "suspend",
    "cancel",
    "complete",
    "set_job",
    "set_priority",
    "set_notify_flags",
    "set_remote_name",
    "take_ownership",
    "set_notify_interface",
    "get_notify_interface",
    "events_since",
    "subscribe",
    "get_stats",
    "get_limits",
    "forget_job",
    "move_job",
    "get_rpc_info",
    "get_network",
    "probe_url",
    "set_credentials",
    "set_cookies",
];

/// Writes a frame is sent in.
#[derive(Debug)]
pub enum Frame {
    /// Bytes written at once (one or more lines, or a piece of one).
    Bytes(Vec<u8>),
    /// Bytes written in several pieces with a pause between them.
    Pieces(Vec<Vec<u8>>),
}

/// A seeded source of frames for one connection.
pub struct FrameGen {
    rng: TestRng,
    urls: Vec<String>,
    dir: PathBuf,
    /// Job ids this connection's replies named (from `create_job`).
    job_ids: Vec<String>,
    /// Ids of callbacks the service sent this connection.
    callback_ids: Vec<Value>,
    next_id: i64,
}

impl FrameGen {
    /// Frames for URLs among `urls` (loopback) and files in `dir`.
    pub fn new(rng: TestRng, urls: Vec<String>, dir: PathBuf) -> FrameGen {
        FrameGen { rng, urls, dir, job_ids: Vec::new(), callback_ids: Vec::new(), next_id: 0 }
    }

    /// Reads what the service sent, to aim later frames at real jobs and callbacks.
    pub fn learn(&mut self, message: &Value) {
        if let Some(job_id) = message["result"]["job_id"].as_str() {
            self.job_ids.push(job_id.to_owned());
        }
        if message.get("method").is_some()
            && let Some(id) = message.get("id")
        {
            self.callback_ids.push(id.clone());
        }
    }

    /// A well-formed `hello`.
    pub fn hello(&mut self) -> Vec<u8> {
        line(&json!({"jsonrpc": "2.0", "id": 0, "method": "hello", "params": {"protocol": 1, "client": "fuzz"}}))
    }

    /// A line over the service's limit.
    pub fn oversized(&mut self) -> Vec<u8> {
        let mut bytes = br#"{"jsonrpc":"2.0","id":1,"method":"create_job","params":{"display_name":""#.to_vec();
        bytes.resize(haul_core::protocol::MAX_LINE + self.rng.random_range(1..4096), b'a');
        bytes.push(b'\n');
        bytes
    }

    /// A cut frame: the start of a request without its end.
    pub fn cut(&mut self) -> Vec<u8> {
        let mut bytes = self.request_bytes();
        let keep = self.rng.random_range(1..bytes.len().max(2));
        bytes.truncate(keep);
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        bytes
    }

    /// The next frame.
    pub fn next_frame(&mut self) -> Frame {
        let bytes = match self.rng.random_range(0..100) {
            0..55 => self.request_bytes(),
            55..65 => self.mangled(),
            65..72 => self.stray_response(),
            72..78 => {
                // Several frames in one write: the service reads them as a burst.
                let count = self.rng.random_range(2..40);
                (0..count).flat_map(|_| self.request_bytes()).collect()
            }
            78..84 => self.cut(),
            84..88 => self.odd_bytes(),
            88..92 => self.nested(),
            _ => {
                let bytes = self.request_bytes();
                return Frame::Pieces(self.pieces(bytes));
            }
        };
        Frame::Bytes(bytes)
    }

    fn pieces(&mut self, bytes: Vec<u8>) -> Vec<Vec<u8>> {
        let mut pieces = Vec::new();
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let take = self.rng.random_range(1..=rest.len().min(64));
            pieces.push(rest[..take].to_vec());
            rest = &rest[take..];
        }
        pieces
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// A request (or notification) line with a mostly valid envelope.
    fn request_bytes(&mut self) -> Vec<u8> {
        // A connection that has no job yet mostly makes one, so later frames reach jobs.
        // Draws do not depend on what was learned, so a seed's frames stay the same.
        let (make_job, known_method) = (self.rng.random_bool(0.4), self.rng.random_bool(0.95));
        let method = if self.job_ids.len() < 3 && make_job {
            json!("create_job")
        } else if known_method {
            Value::from(*self.pick(&METHODS))
        } else {
            self.pick(&[json!("no_such_method"), json!(""), json!(7), json!(null), json!("HELLO")]).clone()
        };
        let params = self.params(method.as_str().unwrap_or(""));
        let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.next_id += 1;
        let id = match self.rng.random_range(0..40) {
            0 => None,
            1 => Some(json!(null)),
            2 => Some(json!(format!("s{}", self.next_id))),
            3 => Some(self.pick(&[json!(1.5), json!({"a": 1}), json!([1]), json!(true), json!(-1)]).clone()),
            4 => Some(json!(u64::MAX)),
            _ => Some(json!(self.next_id)),
        };
        if let Some(id) = id {
            message["id"] = id;
        }
        if self.rng.random_bool(0.05) {
            message["jsonrpc"] = self.pick(&[json!("1.0"), json!(2.0), json!(null)]).clone();
        }
        if self.rng.random_bool(0.03)
            && let Some(map) = message.as_object_mut()
        {
            map.remove(if self.rng.random_bool(0.5) { "jsonrpc" } else { "method" });
        }
        line(&message)
    }

    fn job_id(&mut self) -> Value {
        let (known, at) = (self.rng.random_bool(0.8), self.rng.random::<u32>() as usize);
        let fresh = uuid_like(&mut self.rng);
        let other = self.pick(&[json!(fresh), json!("not-a-uuid"), json!(5), json!(null), json!("")]).clone();
        match self.job_ids.len() {
            0 => other,
            len if known => json!(self.job_ids[at % len]),
            _ => other,
        }
    }

    fn url(&mut self) -> Value {
        if self.rng.random_bool(0.8) {
            let at = self.rng.random_range(0..self.urls.len());
            return json!(self.urls[at]);
        }
        let long = format!("http://127.0.0.1:1/{}", "x".repeat(self.rng.random_range(0..10_000)));
        self.pick(&[
            json!("ftp://127.0.0.1/x"),
            json!("http://"),
            json!(""),
            json!(3),
            json!("  http://127.0.0.1:1/closed  "),
            json!("http://127.0.0.1:1/a b"),
            json!("javascript:alert(1)"),
            json!(long),
        ])
        .clone()
    }

    fn local_name(&mut self) -> Value {
        let name = format!("f{}.bin", self.rng.random_range(0..50));
        let valid = self.dir.join(&name).to_string_lossy().into_owned();
        if self.rng.random_bool(0.7) {
            return json!(valid);
        }
        let dir = self.dir.to_string_lossy().into_owned();
        self.pick(&[
            json!(format!("{dir}/sub/../{name}")),
            json!(format!("{dir}//./{name}")),
            json!(format!("{dir}/missing/{name}")),
            json!(dir),
            json!(name),
            json!(""),
            json!(42),
            json!(format!("{dir}/{}", "n".repeat(300))),
            json!(format!("{dir}/nul\u{0}name")),
        ])
        .clone()
    }

    fn text(&mut self) -> Value {
        match self.rng.random_range(0..8) {
            0 => json!(""),
            1 => json!("   "),
            2 => json!("x".repeat(self.rng.random_range(200..400))),
            3 => json!("ünï\u{202e}cödé \u{0} \u{fffd} 🚀"),
            4 => json!(12),
            5 => json!(null),
            _ => json!(format!("job {}", self.rng.random_range(0..1000))),
        }
    }

    fn number(&mut self) -> Value {
        self.pick(&[
            json!(0),
            json!(1),
            json!(5),
            json!(-1),
            json!(128),
            json!(129),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e300),
            json!(0.5),
            json!("7"),
            json!(null),
        ])
        .clone()
    }

    fn params(&mut self, method: &str) -> Value {
        let job_id = self.job_id();
        let mut params = match method {
            "hello" => {
                json!({"protocol": self.pick(&[json!(1), json!(2), json!(0), json!("1")]).clone(), "client": self.text()})
            }
            "create_job" => json!({
                "display_name": self.text(),
                "description": self.text(),
                "priority": self.pick(&["foreground", "high", "normal", "low", "urgent"]).to_string(),
                "auto_complete": self.rng.random_bool(0.5),
            }),
            "add_file" => {
                let sha = if self.rng.random_bool(0.2) { json!("ab".repeat(32)) } else { json!(null) };
                json!({"job_id": job_id, "remote_url": self.url(), "local_name": self.local_name(), "sha256": sha})
            }
            "set_job" => json!({
                "job_id": job_id,
                "display_name": self.text(),
                "priority": self.pick(&["high", "low", "bogus"]).to_string(),
                "notify_flags": self.pick(&[json!(["job_error"]), json!(["loud"]), json!([]), json!("disable")]).clone(),
                "notify_cmd_line": self.pick(&[json!({"program": "/bin/true"}), json!({"program": ""}), json!({"program": 5}), json!(null)]).clone(),
                "minimum_retry_delay_s": self.number(),
                "no_progress_timeout_s": self.number(),
                "custom_headers": self.pick(&[json!(["X-A: b"]), json!(["bad header"]), json!(["A: b\r\nC: d"]), json!("x")]).clone(),
                "speed_limit_bps": self.number(),
                "max_connections": self.number(),
                "cost_policy": self.pick(&["any", "unmetered", "free"]).to_string(),
            }),
            "set_priority" => {
                json!({"job_id": job_id, "priority": self.pick(&["foreground", "high", "nope"]).to_string()})
            }
            "set_notify_flags" => {
                json!({"job_id": job_id, "notify_flags": self.pick(&[json!(["job_transferred", "file_transferred", "job_modification"]), json!(["x"]), json!(3)]).clone()})
            }
            "set_remote_name" => json!({"job_id": job_id, "file_index": self.number(), "remote_url": self.url()}),
            "set_notify_interface" => {
                json!({"job_id": job_id, "register": self.pick(&[json!(true), json!(false), json!("yes")]).clone()})
            }
            "events_since" => json!({"seq": self.number(), "limit": self.number()}),
            "enum_jobs" => json!({"all_users": self.rng.random_bool(0.5), "include_final": self.rng.random_bool(0.5)}),
            "move_job" => {
                json!({"job_id": job_id, "position": self.number(), "how": self.pick(&["set", "cur", "end", "up"]).to_string()})
            }
            "probe_url" => {
                json!({"url": self.url(), "headers": self.pick(&[json!([]), json!(["X: y"]), json!(["broken"])]).clone()})
            }
            "set_credentials" => {
                json!({"job_id": job_id, "user_name": self.text(), "password": self.text(), "scheme": self.pick(&["any", "basic", "digest", "ntlm"]).to_string()})
            }
            "set_cookies" => {
                json!({"job_id": job_id, "cookies": self.pick(&["", "127.0.0.1\tFALSE\t/\tFALSE\t0\ta\tb\n", "not a cookie line", "# comment only\n"]).to_string()})
            }
            "get_job"
            | "enum_files"
            | "resume"
            | "suspend"
            | "cancel"
            | "complete"
            | "take_ownership"
            | "get_notify_interface"
            | "forget_job" => json!({"job_id": job_id}),
            _ => json!({}),
        };
        match self.rng.random_range(0..30) {
            0 => params = self.pick(&[json!([1, 2]), json!("params"), json!(7), json!(null), json!([])]).clone(),
            1 => {
                if let Some(map) = params.as_object_mut()
                    && let Some(key) = map.keys().next().cloned()
                {
                    map.remove(&key);
                }
            }
            2 => params["unknown_field"] = json!(true),
            3 => {
                if let Some(map) = params.as_object_mut() {
                    for value in map.values_mut() {
                        *value = json!(null);
                    }
                }
            }
            _ => {}
        }
        params
    }

    /// A reply from the "client" side: to a callback the service sent, or to nothing.
    fn stray_response(&mut self) -> Vec<u8> {
        let (known, at) = (self.rng.random_bool(0.7), self.rng.random::<u32>() as usize);
        let other = self.pick(&[json!(1), json!(999_999), json!("x"), json!(null), json!(-5)]).clone();
        let id = match self.callback_ids.len() {
            0 => other,
            len if known => self.callback_ids.swap_remove(at % len),
            _ => other,
        };
        let outcome = match self.rng.random_range(0..4) {
            0 => json!({"jsonrpc": "2.0", "id": id, "result": {}}),
            1 => json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32000, "message": "no"}}),
            2 => json!({"jsonrpc": "2.0", "id": id, "error": "not an object"}),
            _ => json!({"jsonrpc": "2.0", "id": id, "result": {}, "error": {"code": 1, "message": "both"}}),
        };
        line(&outcome)
    }

    /// A request with some bytes changed (bad UTF-8, control bytes, a split line).
    fn mangled(&mut self) -> Vec<u8> {
        let mut bytes = self.request_bytes();
        for _ in 0..self.rng.random_range(1..6) {
            let at = self.rng.random_range(0..bytes.len());
            bytes[at] = *self.pick(&[0xff, 0xc3, 0x00, b'"', b'{', b'}', b'\\', b'\r', b'\n', b',', 0x80]);
        }
        if bytes.last() != Some(&b'\n') {
            bytes.push(b'\n');
        }
        bytes
    }

    /// Lines that are not requests at all.
    fn odd_bytes(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..8) {
            0 => b"\n\n\r\n   \n".to_vec(),
            1 => b"\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"get_stats\"}\n".to_vec(),
            2 => b"[]\n[{}]\n42\n\"str\"\nnull\ntrue\n".to_vec(),
            3 => {
                let len = self.rng.random_range(1..2000);
                let mut bytes: Vec<u8> = (0..len).map(|_| self.rng.random::<u8>()).collect();
                bytes.push(b'\n');
                bytes
            }
            4 => b"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"get_stats\",\"method\":\"hello\"}\n".to_vec(),
            5 => format!(
                "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"get_stats\",\"params\":{{\"pad\":\"{}\"}}}}\n",
                "p".repeat(self.rng.random_range(10_000..200_000))
            )
            .into_bytes(),
            6 => b"{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"get_stats\"}\n".to_vec(),
            _ => b"{\"jsonrpc\":\"2.0\",\"id\":\"\\ud800\",\"method\":\"get_stats\"}\n".to_vec(),
        }
    }

    /// Deeply nested params (past serde_json's recursion limit, or just under).
    fn nested(&mut self) -> Vec<u8> {
        let depth = *self.pick(&[100, 127, 129, 5000]);
        let mut text = String::from("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"get_job\",\"params\":{\"job_id\":");
        text.push_str(&"[".repeat(depth));
        text.push_str(&"]".repeat(depth));
        text.push_str("}}\n");
        text.into_bytes()
    }
}

fn line(message: &Value) -> Vec<u8> {
    let mut bytes = message.to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

fn uuid_like(rng: &mut TestRng) -> String {
    let hex: String = (0..32).map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0')).collect();
    format!("{}-{}-4{}-8{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..])
}
