//! The SQLite job store: jobs, their files and the append-only event journal.
//! One connection, WAL, schema versioned with `PRAGMA user_version`.

mod events;
mod jobs;

pub use jobs::{StoredJob, progress_of};
mod schema;

use rusqlite::Connection;
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
}

impl Store {
    /// Opens (creating and migrating as needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Sqlite { path: path.to_path_buf(), source })?;
        let mut store = Store { conn, path: path.to_path_buf() };
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
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(|e| self.sqlite(e))?;
        schema::migrate(&mut self.conn).map_err(|e| match e {
            schema::MigrateError::Sqlite(e) => self.sqlite(e),
            schema::MigrateError::TooNew { found, known } => {
                StoreError::TooNew { path: self.path.clone(), found, known }
            }
        })
    }

    fn sqlite(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn corrupt(&self, what: impl Into<String>) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), what: what.into() }
    }
}
