//! Schema migrations: each entry upgrades the database by one version.

use rusqlite::Connection;

/// The migrations, in order; `user_version` counts how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: jobs, files, events.
    "CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        queue_order INTEGER NOT NULL,
        display_name TEXT NOT NULL,
        description TEXT NOT NULL,
        state TEXT NOT NULL,
        priority TEXT NOT NULL,
        owner INTEGER NOT NULL,
        creator INTEGER NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL,
        transfer_completed TEXT,
        error TEXT,
        error_count INTEGER NOT NULL,
        notify_flags INTEGER NOT NULL,
        notify_cmd_line TEXT,
        minimum_retry_delay_s INTEGER NOT NULL,
        no_progress_timeout_s INTEGER NOT NULL,
        auto_complete INTEGER NOT NULL,
        custom_headers TEXT NOT NULL
    );
    CREATE TABLE files (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        idx INTEGER NOT NULL,
        remote_url TEXT NOT NULL,
        local_name TEXT NOT NULL,
        temp_name TEXT NOT NULL,
        bytes_total INTEGER,
        bytes_transferred INTEGER NOT NULL,
        transferred INTEGER NOT NULL,
        completed INTEGER NOT NULL,
        sha256 TEXT,
        etag TEXT,
        last_modified TEXT,
        html INTEGER NOT NULL,
        PRIMARY KEY (job_id, idx)
    );
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        owner INTEGER NOT NULL,
        creator INTEGER NOT NULL,
        file_index INTEGER
    );",
    // 2: a file's checkpoint is a set of byte ranges (segmented downloads);
    // files written by version 1 have a prefix, `bytes_transferred`.
    "ALTER TABLE files ADD COLUMN done_ranges TEXT;",
    // 3: speed limit and connections per file.
    "ALTER TABLE jobs ADD COLUMN speed_limit_bps INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE jobs ADD COLUMN max_connections INTEGER NOT NULL DEFAULT 32;",
];

/// Why the schema could not be brought up to date.
pub(super) enum MigrateError {
    Sqlite(rusqlite::Error),
    TooNew { found: i64, known: i64 },
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

/// Applies every migration the database has not seen, each in its own transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > known {
        return Err(MigrateError::TooNew { found, known });
    }
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
