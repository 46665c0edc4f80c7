//! One message per `\n`-terminated line, read with a hard size limit so a peer
//! can never make us buffer more than the limit.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// What [`read_line`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineRead {
    /// A line is in the buffer (without its `\n`); the last line of a stream
    /// may lack the `\n`.
    Line,
    /// The line is longer than the limit; what was read of it is discarded and
    /// the stream is left in the middle of it.
    TooLong,
    /// The peer closed the stream.
    Eof,
}

/// Reads the next line into `buf` (cleared first), keeping at most `max` bytes.
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    buf.clear();
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if buf.is_empty() { LineRead::Eof } else { LineRead::Line });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let take = newline.unwrap_or(available.len());
        if buf.len() + take > max {
            let used = available.len();
            reader.consume(used);
            buf.clear();
            return Ok(LineRead::TooLong);
        }
        buf.extend_from_slice(&available[..take]);
        match newline {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(LineRead::Line);
            }
            None => reader.consume(take),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    #[tokio::test]
    async fn splits_lines_and_stops_at_the_limit() {
        let data: &[u8] = b"one\ntwo\nthree-is-long\nlast";
        let mut reader = BufReader::with_capacity(4, data);
        let mut buf = Vec::new();
        let mut seen = Vec::new();
        for _ in 0..3 {
            let read = read_line(&mut reader, &mut buf, 5).await.expect("read");
            seen.push((read, String::from_utf8_lossy(&buf).into_owned()));
        }
        assert_eq!(
            seen,
            vec![
                (LineRead::Line, "one".to_string()),
                (LineRead::Line, "two".to_string()),
                (LineRead::TooLong, String::new()),
            ]
        );
    }

    #[tokio::test]
    async fn an_unterminated_last_line_is_a_line_then_eof() {
        let data: &[u8] = b"a\nlast";
        let mut reader = BufReader::new(data);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut reader, &mut buf, 10).await.expect("read"), LineRead::Line);
        assert_eq!(read_line(&mut reader, &mut buf, 10).await.expect("read"), LineRead::Line);
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut reader, &mut buf, 10).await.expect("read"), LineRead::Eof);
    }
}
