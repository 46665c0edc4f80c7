//! The append-only event journal.

use super::{Store, StoreError};
use crate::model::{Caller, Event, EventKind, JobError, JobState};
use chrono::{DateTime, Utc};
use rusqlite::params;

impl Store {
    /// Appends an event and returns it with its sequence number.
    pub fn append_event(&self, mut event: Event) -> Result<Event, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO events (job_id, at, kind, state, error, owner, creator, file_index)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(|e| self.sqlite(e))?;
        stmt.execute(params![
            event.job_id.to_string(),
            event.at.to_rfc3339(),
            event.kind.as_str(),
            event.state.as_str(),
            event.error.as_ref().and_then(|e| serde_json::to_string(e).ok()),
            event.owner,
            event.creator,
            event.file_index,
        ])
        .map_err(|e| self.sqlite(e))?;
        event.seq = self.conn.last_insert_rowid() as u64;
        Ok(event)
    }

    /// The caller's events after `seq`, oldest first, at most `limit`.
    pub fn events_since(&self, caller: &Caller, seq: u64, limit: u32) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, job_id, at, kind, state, error, owner, creator, file_index FROM events
                 WHERE seq > ?1 AND (?2 OR owner = ?3 OR creator = ?3) ORDER BY seq LIMIT ?4",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map(params![seq as i64, caller.admin, caller.uid, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, Option<String>>(5)?,
                    row.get::<_, u32>(6)?,
                    row.get::<_, u32>(7)?,
                    row.get::<_, Option<u32>>(8)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?;
        let mut events = Vec::new();
        for row in rows {
            let (seq, job_id, at, kind, state, error, owner, creator, file_index) = row.map_err(|e| self.sqlite(e))?;
            let bad = || self.corrupt(format!("event {seq}"));
            events.push(Event {
                seq: seq as u64,
                job_id: job_id.parse().map_err(|_| bad())?,
                at: DateTime::parse_from_rfc3339(&at).map_err(|_| bad())?.with_timezone(&Utc),
                kind: EventKind::parse(&kind).ok_or_else(bad)?,
                state: JobState::parse(&state).ok_or_else(bad)?,
                error: error.as_deref().map(serde_json::from_str::<Box<JobError>>).transpose().map_err(|_| bad())?,
                owner,
                creator,
                file_index,
            });
        }
        Ok(events)
    }

    /// The newest sequence number, 0 for an empty journal.
    pub fn last_seq(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |row| row.get::<_, i64>(0))
            .map(|s| s as u64)
            .map_err(|e| self.sqlite(e))
    }
}
