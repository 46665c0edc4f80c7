//! One connection: a reader loop that feeds the session line by line, and a
//! writer task that owns the socket's write half and drains the session's outbox.

use super::pieces::{Outgoing, Piece};
use super::session::{Outbox, Session};
use super::transport::{self, ReadHalf, Stream, WriteHalf};
use crate::Manager;
use crate::aria2::Endpoint;
use crate::protocol::{LineRead, MAX_LINE, RpcError, encode_error, read_line};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio_util::sync::CancellationToken;

/// After the connection closes, queued replies (e.g. to `shutdown`) get this long to go out.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
/// Most lines handled as one burst.
const MAX_BURST: usize = 256;

/// Serves one client until it disconnects or `stop` is cancelled.
pub(super) async fn run(manager: Manager, stream: Stream, stop: CancellationToken, rpc: Option<Arc<Endpoint>>) {
    let caller = match transport::peer(&stream) {
        Ok(caller) => caller,
        Err(e) => {
            tracing::warn!("dropping a connection whose peer is unknown: {e}");
            return;
        }
    };
    tracing::debug!("connection from uid {} pid {:?}", caller.uid, caller.pid);
    let (read, write) = transport::split(stream);
    let (mut session, outbox) = Session::new(manager, caller, stop);
    session.set_rpc(rpc);
    let closed = session.closed.clone();
    let writer = tokio::spawn(write_loop(write, outbox, closed.clone()));
    read_loop(&mut session, read, &closed).await;
    session.close();
    let _ = writer.await;
    tracing::debug!("connection from uid {} closed", caller.uid);
}

async fn read_loop(session: &mut Session, read: ReadHalf, closed: &CancellationToken) {
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    let mut burst: Vec<Vec<u8>> = Vec::new();
    loop {
        let read = tokio::select! {
            _ = closed.cancelled() => return,
            read = read_line(&mut reader, &mut line, MAX_LINE) => read,
        };
        match read {
            // More whole lines are already here: the client sent them without
            // waiting for answers; they are handled together (see Session::on_lines).
            Ok(LineRead::Line) if !burst.is_empty() || reader.buffer().contains(&b'\n') => {
                burst.push(std::mem::take(&mut line));
                if burst.len() >= MAX_BURST || !reader.buffer().contains(&b'\n') {
                    session.on_lines(std::mem::take(&mut burst)).await;
                }
            }
            Ok(LineRead::Line) => session.on_line(&line).await,
            Ok(LineRead::TooLong) => {
                tracing::warn!("uid {} sent a line over {MAX_LINE} bytes", session.caller.uid);
                session.reply(encode_error(None, &RpcError::line_too_long())).await;
                return;
            }
            Ok(LineRead::Eof) => return,
            Err(e) => {
                tracing::debug!("reading from uid {}: {e}", session.caller.uid);
                return;
            }
        }
    }
}

async fn write_loop(write: WriteHalf, mut outbox: Outbox, closed: CancellationToken) {
    let mut writer = BufWriter::new(write);
    loop {
        let out = tokio::select! {
            biased;
            _ = closed.cancelled() => break,
            Some(out) = outbox.replies.recv() => out,
            Some(line) = outbox.notices.recv() => Outgoing::Line(line),
            else => break,
        };
        let write = write_out(&mut writer, out, &outbox);
        tokio::pin!(write);
        let written = tokio::select! {
            written = &mut write => written,
            // A line begun is finished if it can be (a long reply's last
            // pieces are written after the request's session moved on).
            _ = closed.cancelled() => match tokio::time::timeout(DRAIN_TIMEOUT, &mut write).await {
                Ok(written) => written,
                Err(_) => return,
            },
        };
        if let Err(e) = written {
            tracing::debug!("writing to a client: {e}");
            closed.cancel();
            return;
        }
    }
    // The replies queued before the close still go out, e.g. the one to `shutdown`.
    let drain = async {
        while let Ok(out) = outbox.replies.try_recv() {
            write_out(&mut writer, out, &outbox).await?;
        }
        writer.flush().await?;
        writer.shutdown().await
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
}

/// Writes one line, whole or as its pieces come; flushes when nothing else is queued.
async fn write_out(writer: &mut BufWriter<WriteHalf>, out: Outgoing, outbox: &Outbox) -> std::io::Result<()> {
    match out {
        Outgoing::Line(line) => writer.write_all(line.as_bytes()).await?,
        Outgoing::Pieces(mut pieces) => loop {
            match pieces.recv().await {
                Some(Piece::Part(part)) => writer.write_all(&part).await?,
                Some(Piece::End) => break,
                None => return Err(std::io::Error::other("a long reply was cut short")),
            }
        },
    }
    writer.write_all(b"\n").await?;
    if outbox.replies.is_empty() && outbox.notices.is_empty() {
        writer.flush().await?;
    }
    Ok(())
}
