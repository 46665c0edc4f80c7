//! The SQLite job store: jobs, their files and the append-only event journal.
//! One connection, WAL, exclusive locking (only the service opens it: no file
//! locks per transaction), schema versioned with `PRAGMA user_version`.

mod events;
mod files;
mod jobs;

pub use jobs::{StoredJob, progress_of};

mod schema;

use rusqlite::Connection;
use std::cell::Cell;
use std::path::{Path, PathBuf};

/// A failure of the job store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored value could not be read back.
    #[error("database {path}: bad stored value: {what}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What was wrong.
        what: String,
    },
    /// A transaction could not be started or committed (said once per
    /// request it held, so the error is a copy of SQLite's message).
    #[error("{message}")]
    Failed {
        /// The failure, with the database's path.
        message: String,
    },
    /// The database was written by a newer Haul.
    #[error("database {path} has schema version {found}, newer than this Haul knows ({known})")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
}

/// The persistent store of jobs, files and events.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Open [`Batch`]es; the outermost one owns the transaction.
    depth: Cell<u32>,
    /// A transaction is open with writes whose commit was deferred
    /// ([`Store::end_batch_deferred`]) until [`Store::flush`] or the next commit.
    pending: Cell<bool>,
}

/// Writes made while a batch is open go to the database in one transaction,
/// committed when the outermost batch ends ([`Batch::commit`] or drop).
/// Batches nest; one commit per burst of writes instead of one per write.
#[must_use = "the writes are committed when the batch ends"]
pub struct Batch<'a> {
    store: &'a Store,
    done: bool,
}

impl Batch<'_> {
    /// Ends the batch; the outermost one commits.
    pub fn commit(mut self) -> Result<(), StoreError> {
        self.done = true;
        self.store.end_batch()
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.done
            && let Err(e) = self.store.end_batch()
        {
            tracing::error!("{e}");
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Closing a connection rolls back an open transaction: keep what was deferred.
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("COMMIT")
        {
            tracing::error!("database {}: cannot commit on close: {e}", self.path.display());
        }
    }
}

impl Store {
    /// Opens (creating and migrating as needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite { path: path.to_path_buf(), source })?;
        let mut store = Store { conn, path: path.to_path_buf(), depth: Cell::new(0), pending: Cell::new(false) };
        store.setup()?;
        Ok(store)
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -512;",
            )
            .map_err(|e| self.sqlite(e))?;
        schema::migrate(&mut self.conn).map_err(|e| match e {
            schema::MigrateError::Sqlite(e) => self.sqlite(e),
            schema::MigrateError::TooNew { found, known } => {
                StoreError::TooNew { path: self.path.clone(), found, known }
            }
        })
    }

    /// Opens a batch: the writes until it ends share one transaction. What
    /// was written before an error inside the batch is still committed (each
    /// write is whole; the journal is best effort).
    pub fn batch(&self) -> Result<Batch<'_>, StoreError> {
        self.begin_batch()?;
        Ok(Batch { store: self, done: false })
    }

    /// Opens a batch without a guard; pair every successful call with
    /// [`Store::end_batch`] (for callers that cannot hold a borrow of the store).
    pub fn begin_batch(&self) -> Result<(), StoreError> {
        if self.depth.get() == 0 && self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN").map_err(|e| self.sqlite(e))?;
        }
        self.depth.set(self.depth.get() + 1);
        Ok(())
    }

    /// Ends a batch opened with [`Store::begin_batch`]; the outermost commits.
    pub fn end_batch(&self) -> Result<(), StoreError> {
        let depth = self.depth.get().saturating_sub(1);
        self.depth.set(depth);
        if depth == 0 { self.commit() } else { Ok(()) }
    }

    /// Ends a batch like [`Store::end_batch`], but leaves the outermost one's
    /// transaction open for more writes; true when [`Store::flush`] is due.
    /// For writes that may be lost in a crash (progress the next run finds
    /// again), never for what a client was told is saved.
    pub fn end_batch_deferred(&self) -> bool {
        let depth = self.depth.get().saturating_sub(1);
        self.depth.set(depth);
        let open = depth == 0 && !self.conn.is_autocommit();
        if open {
            self.pending.set(true);
        }
        open
    }

    /// Frees SQLite's page cache (filled by loading every job, not needed
    /// again soon). A failure only costs memory.
    pub fn release_memory(&self) {
        if let Err(e) = self.conn.execute_batch("PRAGMA shrink_memory;") {
            tracing::debug!("cannot shrink SQLite's memory: {e}");
        }
    }

    /// Commits deferred writes, unless a batch is open (it commits them).
    pub fn flush(&self) -> Result<(), StoreError> {
        if self.depth.get() == 0 && self.pending.get() { self.commit() } else { Ok(()) }
    }

    fn commit(&self) -> Result<(), StoreError> {
        self.pending.set(false);
        if !self.conn.is_autocommit()
            && let Err(e) = self.conn.execute_batch("COMMIT")
        {
            // Never leave a transaction open behind a failed commit: the next
            // batch starts clean, and the service saves its jobs again then.
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(self.sqlite(e));
        }
        Ok(())
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), what: what.into() }
    }
}
