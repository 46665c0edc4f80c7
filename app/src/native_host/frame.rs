//! Native messaging's framing, as Chrome and Firefox speak it on the host's
//! stdin and stdout: a 32-bit length in the machine's byte order, then that
//! many bytes of UTF-8 JSON. A message too large is read past (the channel
//! stays in step) and answered with an error; a stream cut inside a length or
//! a message ends the conversation.

use std::io::{self, Read, Write};

/// The largest message taken from the browser. Browsers send up to 64 MiB (Chrome)
/// or 4 GiB (Firefox); a hand-off is a few kilobytes.
pub const MOST_IN: u32 = 1 << 20;
/// The largest message a browser takes from a host (Chrome's limit: 1 MB).
pub const MOST_OUT: usize = 1024 * 1024;

/// What one read from the browser gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A whole message.
    Message(Vec<u8>),
    /// A message of this many bytes, over [`MOST_IN`]: read and dropped.
    TooLarge(u32),
    /// The browser closed the channel between messages.
    End,
    /// The channel closed inside a length or a message.
    Truncated,
}

/// Reads the next message.
pub fn read_frame(input: &mut impl Read) -> io::Result<Frame> {
    let mut prefix = [0u8; 4];
    match read_full(input, &mut prefix)? {
        0 => return Ok(Frame::End),
        4 => {}
        _ => return Ok(Frame::Truncated),
    }
    let len = u32::from_ne_bytes(prefix);
    if len > MOST_IN {
        let skipped = io::copy(&mut input.take(u64::from(len)), &mut io::sink())?;
        return Ok(if skipped == u64::from(len) { Frame::TooLarge(len) } else { Frame::Truncated });
    }
    let mut message = vec![0u8; len as usize];
    match read_full(input, &mut message)? {
        n if n == message.len() => Ok(Frame::Message(message)),
        _ => Ok(Frame::Truncated),
    }
}

/// Writes one message (flushed); one over [`MOST_OUT`] is an error, never sent.
pub fn write_frame(output: &mut impl Write, message: &serde_json::Value) -> io::Result<()> {
    let bytes = serde_json::to_vec(message).map_err(io::Error::other)?;
    if bytes.len() > MOST_OUT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a {}-byte answer is over the browser's 1 MB limit", bytes.len()),
        ));
    }
    output.write_all(&(bytes.len() as u32).to_ne_bytes())?;
    output.write_all(&bytes)?;
    output.flush()
}

/// Reads until `buffer` is full or the input ends; how many bytes came.
fn read_full(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut bytes = (body.len() as u32).to_ne_bytes().to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn messages_come_one_after_another_and_the_end_is_told_apart_from_a_cut() {
        let mut input = framed(br#"{"a":1}"#);
        input.extend(framed(b"{}"));
        let mut reader = input.as_slice();
        assert_eq!(read_frame(&mut reader).expect("read"), Frame::Message(br#"{"a":1}"#.to_vec()));
        assert_eq!(read_frame(&mut reader).expect("read"), Frame::Message(b"{}".to_vec()));
        assert_eq!(read_frame(&mut reader).expect("read"), Frame::End);
        assert_eq!(read_frame(&mut &[7u8, 0][..]).expect("read"), Frame::Truncated, "half a length");
        assert_eq!(read_frame(&mut &framed(b"{}")[..5]).expect("read"), Frame::Truncated, "half a message");
    }

    #[test]
    fn a_message_over_the_limit_is_skipped_and_the_next_one_read() {
        let big = vec![b' '; MOST_IN as usize + 1];
        let mut input = framed(&big);
        input.extend(framed(b"{}"));
        let mut reader = input.as_slice();
        assert_eq!(read_frame(&mut reader).expect("read"), Frame::TooLarge(MOST_IN + 1));
        assert_eq!(read_frame(&mut reader).expect("read"), Frame::Message(b"{}".to_vec()));
    }

    #[test]
    fn answers_are_framed_and_never_over_the_browsers_limit() {
        let mut out = Vec::new();
        write_frame(&mut out, &serde_json::json!({"ok": true})).expect("write");
        assert_eq!(out, framed(br#"{"ok":true}"#));
        let huge = serde_json::Value::String("x".repeat(MOST_OUT));
        assert!(write_frame(&mut Vec::new(), &huge).is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 2_000, failure_persistence: None, ..Default::default() })]
        /// Any bytes from a browser: frames are read until the stream ends
        /// (or is cut), each a message or a refusal; never a panic, never a
        /// read past the end.
        #[test]
        fn any_byte_stream_is_read_safely(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let mut reader = bytes.as_slice();
            for _ in 0..=bytes.len() {
                match read_frame(&mut reader).expect("a slice reads") {
                    Frame::Message(message) => {
                        let _ = super::super::message::parse(&message);
                    }
                    Frame::TooLarge(_) => {}
                    Frame::End | Frame::Truncated => break,
                }
            }
        }
    }
}
