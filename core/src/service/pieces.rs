//! Long replies (every job, a job's files) go to the connection in pieces as
//! they are written: no reply of megabytes is ever whole in memory (glibc
//! keeps the heap a big buffer was freed into, so RSS would stay up for good).

use super::Session;
use crate::manager::JobQuery;
use crate::model::JobId;
use crate::protocol::{Id, RESULT_TAIL, RpcError, result_head};
use serde::Serialize;
use tokio::sync::mpsc;

/// A piece goes to the writer once it holds this many bytes; a line shorter
/// than that goes whole, as any other reply.
const PIECE_BYTES: usize = 64 * 1024;
/// Room for the item that fills a piece, so that the buffer seldom grows.
const PIECE_SLACK: usize = 16 * 1024;
/// Pieces written but not yet taken by the writer: the client's pace bounds the memory.
const PIECES_QUEUED: usize = 1;

/// What the connection's writer sends: a whole line, or one in pieces.
pub(super) enum Outgoing {
    /// A line (without `\n`).
    Line(String),
    /// A line in pieces, as they are written; it ends at [`Piece::End`]
    /// (without it, the line was cut and the connection is dropped).
    Pieces(mpsc::Receiver<Piece>),
}

/// Part of a line in pieces.
pub(super) enum Piece {
    /// The next bytes.
    Part(Vec<u8>),
    /// The line is whole.
    End,
}

/// A result that is a list, read from the manager a piece at a time.
pub(super) enum List {
    /// `enum_jobs`: these jobs, those still in the query when their turn comes.
    Jobs { query: JobQuery, job_ids: Vec<JobId> },
    /// `enum_files`: the job's files.
    Files { job_id: JobId },
}

/// Why a list stopped before its end.
pub(super) enum Stop {
    /// Nothing was sent yet: the request gets this error instead.
    Refused(RpcError),
    /// The connection closed, or the line was cut (the writer drops the connection).
    Gone,
}

/// Sends the reply to `id` whose result is `list`.
pub(super) async fn send_list(session: &Session, id: &Id, list: List) -> Result<(), Stop> {
    let mut line = ListLine::start(id)?;
    match list {
        List::Jobs { query, job_ids } => {
            let mut rest = &job_ids[..];
            while !rest.is_empty() {
                let read = session.manager.visit_jobs(&query, rest, |job| line.push(&job));
                rest = rest.get(read..).unwrap_or_default();
                line.send_full(session).await?;
            }
        }
        List::Files { job_id } => {
            let mut from = 0;
            loop {
                let next = match session.manager.visit_files(&session.caller, job_id, from, |file| line.push(file)) {
                    Ok(next) => next,
                    Err(e) if !line.started() => return Err(Stop::Refused(e.into())),
                    // The job went away while its files were being written: the list ends here.
                    Err(_) => break,
                };
                line.send_full(session).await?;
                if next == from {
                    break;
                }
                from = next;
            }
        }
    }
    line.finish(session).await
}

/// A reply line being written: kept whole while short, sent in pieces once long.
struct ListLine {
    buf: Vec<u8>,
    items: usize,
    pieces: Option<mpsc::Sender<Piece>>,
    failed: Option<serde_json::Error>,
}

impl ListLine {
    fn start(id: &Id) -> Result<ListLine, Stop> {
        let mut buf = Vec::with_capacity(PIECE_BYTES + PIECE_SLACK);
        result_head(&mut buf, id).map_err(|e| Stop::Refused(cannot_encode(&e)))?;
        buf.push(b'[');
        Ok(ListLine { buf, items: 0, pieces: None, failed: None })
    }

    fn started(&self) -> bool {
        self.pieces.is_some()
    }

    /// Appends an item; false once the piece is full (or the item could not be written).
    fn push<T: Serialize>(&mut self, item: &T) -> bool {
        let before = self.buf.len();
        if self.items > 0 {
            self.buf.push(b',');
        }
        if let Err(e) = serde_json::to_writer(&mut self.buf, item) {
            self.buf.truncate(before);
            self.failed = Some(e);
            return false;
        }
        self.items += 1;
        self.buf.len() < PIECE_BYTES
    }

    /// Sends the piece if it is full.
    async fn send_full(&mut self, session: &Session) -> Result<(), Stop> {
        self.check()?;
        if self.buf.len() < PIECE_BYTES {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE_BYTES + PIECE_SLACK));
        self.send(session, Piece::Part(piece)).await
    }

    async fn finish(mut self, session: &Session) -> Result<(), Stop> {
        self.check()?;
        self.buf.push(b']');
        self.buf.extend_from_slice(RESULT_TAIL);
        if !self.started() {
            let line = String::from_utf8(self.buf).map_err(|e| Stop::Refused(cannot_encode(&e)))?;
            return match session.send_out(Outgoing::Line(line)).await {
                true => Ok(()),
                false => Err(Stop::Gone),
            };
        }
        let last = std::mem::take(&mut self.buf);
        self.send(session, Piece::Part(last)).await?;
        self.send(session, Piece::End).await
    }

    /// Turns an item that could not be written into the request's error, or,
    /// once pieces went out, into a cut line.
    fn check(&mut self) -> Result<(), Stop> {
        match self.failed.take() {
            None => Ok(()),
            Some(e) if !self.started() => Err(Stop::Refused(cannot_encode(&e))),
            Some(e) => {
                tracing::error!("a long reply was cut, the connection is dropped: {}", cannot_encode(&e).message);
                Err(Stop::Gone)
            }
        }
    }

    async fn send(&mut self, session: &Session, piece: Piece) -> Result<(), Stop> {
        let pieces = match &self.pieces {
            Some(pieces) => pieces,
            None => {
                let (pieces, taken) = mpsc::channel(PIECES_QUEUED);
                if !session.send_out(Outgoing::Pieces(taken)).await {
                    return Err(Stop::Gone);
                }
                self.pieces.insert(pieces)
            }
        };
        tokio::select! {
            _ = session.closed.cancelled() => Err(Stop::Gone),
            sent = pieces.send(piece) => sent.map_err(|_| Stop::Gone),
        }
    }
}

fn cannot_encode(e: &dyn std::fmt::Display) -> RpcError {
    RpcError::internal(format!("cannot encode the result: {e}"))
}
