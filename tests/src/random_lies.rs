//! The lies the random server tells on top of an honest answer: about its
//! length, range, validators, type and headers, each one a careful client can
//! catch (the body bytes of a declared range are always the file's).

use crate::random_answer::{Ending, Framing, LAST_MODIFIED, Reply, pick};
use crate::random_server::Asked;
use proptest::prelude::RngExt;
use proptest::test_runner::TestRng;

/// The requested range's first byte and the body's range, when `reply` is a 206.
fn partial(reply: &Reply, asked: &Asked, len: u64) -> Option<(u64, u64)> {
    let first = asked.range?.0;
    let sent = reply.body.len() as u64;
    (reply.status() == 206 && sent > 0).then(|| (first, first + sent - 1)).filter(|(_, end)| *end < len)
}

/// One lie told on top of an honest reply.
pub(crate) fn lie(rng: &mut TestRng, asked: &Asked, body: &[u8], reply: &mut Reply) {
    // A range with an end is a split file's extra connection: lie about the range more often.
    let bounded = asked.range.is_some_and(|(_, last)| last.is_some());
    let pick_range = rng.random_bool(0.4);
    match rng.random_range(0..14) {
        _ if bounded && pick_range => lie_about_range(rng, asked, body, reply),
        // Validators that change, are weak, or are gone.
        0 => {
            let etag =
                pick(rng, &[None, Some("W/\"v1\""), Some("\"v2\""), Some("\"\""), Some("garbage")]).map(str::to_owned);
            reply.set("ETag", etag);
            let date =
                pick(rng, &[None, Some(LAST_MODIFIED), Some("yesterday"), Some("Tue, 02 Jan 2024 00:00:00 GMT")]);
            reply.set("Last-Modified", date.map(str::to_owned));
        }
        // A type that says it is a web page, a playlist, or nothing sensible.
        1 => {
            let types =
                ["text/html; charset=utf-8", "application/vnd.apple.mpegurl", "application/dash+xml", "", "*/*"];
            let content_type = pick(rng, &types).to_string();
            reply.set("Content-Type", Some(content_type));
        }
        2 => {
            let value = pick(rng, &[None, Some("none"), Some("bytes, bytes"), Some("lines")]).map(str::to_owned);
            reply.set("Accept-Ranges", value);
        }
        // A length that is too long for the body, which is cut.
        3 => {
            reply.framing = Framing::Length((reply.body.len() as u64 + rng.random_range(1..5000)).to_string());
            reply.cut(rng);
        }
        // No length: the body runs to the close (cut only where a range declares its end).
        4 => {
            reply.framing = Framing::UntilClose;
            if reply.status() != 206 {
                // Nothing would tell a cut whole-file body from a short file.
                reply.send_body = None;
            } else if rng.random_bool(0.5) {
                reply.cut(rng);
            }
        }
        5 => {
            reply.framing = Framing::Chunked(rng.random_bool(0.6));
            if reply.framing == Framing::Chunked(false) {
                reply.cut(rng);
            } else if rng.random_bool(0.3) {
                // Both framings: the length must be ignored.
                reply.header("Content-Length", rng.random_range(0..100_000u64).to_string());
                reply.ending = Ending::Close;
            }
        }
        // Two lengths, or one that is no number.
        6 => {
            let true_len = reply.body.len();
            if rng.random_bool(0.5) {
                reply.header("Content-Length", (true_len + 1).to_string());
            } else {
                let text = pick(rng, &["abc", "-1", "1e3", "+5", "", "0x10"]).to_string();
                reply.framing = Framing::Length(text);
            }
            reply.ending = Ending::Close;
        }
        // A 206 whose length is shorter than its Content-Range: a short body.
        7 => {
            if reply.status() == 206 && !reply.body.is_empty() {
                let keep = rng.random_range(0..reply.body.len());
                reply.body.truncate(keep);
                reply.framing = Framing::Length(keep.to_string());
            }
        }
        // Ranges that do not fit what was asked.
        8 | 12 | 13 => lie_about_range(rng, asked, body, reply),
        // Headers a parser may choke on.
        9 => {
            match rng.random_range(0..6) {
                0 => reply.header("X-Huge", vec![b'h'; rng.random_range(10_000..80_000)]),
                1 => (0..rng.random_range(50..150)).for_each(|i| reply.header(&format!("X-Many-{i}"), "v")),
                2 => reply.header("X-Binary", b"\xff\xfe\x00\x01".to_vec()),
                3 => reply.header("X-Folded", "a\r\n  folded"),
                4 => reply.header("Bad Name", "x"),
                _ => reply.header("Content-Disposition", "attachment; filename=\"../../etc/passwd\""),
            }
            if rng.random_bool(0.5) {
                reply.ending = Ending::Close;
            }
        }
        // Interim answers first.
        10 => {
            reply.before =
                pick(rng, &[&b"HTTP/1.1 100 Continue\r\n\r\n"[..], b"HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"])
                    .to_vec();
        }
        // Junk after the body on a connection kept open.
        _ => {
            let junk_len = rng.random_range(1..200);
            reply.after = (0..junk_len).map(|_| rng.random::<u8>()).collect();
        }
    }
}

/// Range answers that do not match the request, with the body true to what they declare.
fn lie_about_range(rng: &mut TestRng, asked: &Asked, body: &[u8], reply: &mut Reply) {
    let len = body.len() as u64;
    if len == 0 {
        return;
    }
    let declared = partial(reply, asked, len);
    match (rng.random_range(0..8), declared) {
        // Starts elsewhere; the body is what the header says.
        (0, Some((first, end))) => {
            let shifted = (first + rng.random_range(1..100)).min(end);
            let shifted = if rng.random_bool(0.5) { first.saturating_sub(rng.random_range(1..100)) } else { shifted };
            reply.body = body[shifted as usize..=end as usize].to_vec();
            reply.framing = Framing::Length(reply.body.len().to_string());
            reply.set("Content-Range", Some(format!("bytes {shifted}-{end}/{len}")));
        }
        // A total larger than the file.
        (1, Some((first, end))) => {
            reply.set("Content-Range", Some(format!("bytes {first}-{end}/{}", len + rng.random_range(1..1_000_000))));
        }
        // An unknown total ("*") for a range to the end, maybe cut at the close.
        (2, Some((first, end))) if end == len - 1 => {
            reply.set("Content-Range", Some(format!("bytes {first}-{end}/*")));
            reply.framing = Framing::UntilClose;
            if rng.random_bool(0.7) {
                reply.cut(rng);
            }
        }
        (3, Some(_)) => reply.set("Content-Range", None),
        (4, Some((first, _))) => {
            let garbage = [
                format!("bytes {first}-"),
                "bytes abc".into(),
                format!("items {first}-1/2"),
                format!("bytes */{len}"),
                format!("bytes={first}-{}/{len}", len - 1),
                format!("bytes {first}-{}/{len}", len + 5),
            ];
            let value = pick(rng, &garbage).clone();
            reply.set("Content-Range", Some(value));
        }
        // A whole file where a range was asked for: the server ignores `Range`.
        (5, Some(_)) => {
            reply.status_line = b"HTTP/1.1 200 OK".to_vec();
            reply.body = body.to_vec();
            reply.framing = Framing::Length(body.len().to_string());
            reply.set("Content-Range", None);
        }
        // A range nobody asked for, true to its header.
        (6, None) if reply.status() == 200 => {
            let first = rng.random_range(0..len);
            reply.status_line = b"HTTP/1.1 206 Partial Content".to_vec();
            reply.body = body[first as usize..].to_vec();
            reply.framing = Framing::Length(reply.body.len().to_string());
            reply.set("Content-Range", Some(format!("bytes {first}-{}/{len}", len - 1)));
        }
        // Not satisfiable after all.
        (7, _) => {
            reply.status_line = b"HTTP/1.1 416 Range Not Satisfiable".to_vec();
            reply.body = Vec::new();
            reply.framing = Framing::Length("0".into());
            let value = pick(rng, &[Some(format!("bytes */{len}")), Some("bytes */0".into()), None]).clone();
            reply.set("Content-Range", value);
        }
        _ => {}
    }
}
