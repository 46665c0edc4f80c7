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
    // 4: which networks a job may use; older jobs get the default for their priority.
    "ALTER TABLE jobs ADD COLUMN cost_policy TEXT NOT NULL DEFAULT 'unmetered';
     UPDATE jobs SET cost_policy = 'any' WHERE priority = 'foreground';",
    // 5: why a file last restarted from zero (told to the user).
    "ALTER TABLE files ADD COLUMN restart_reason TEXT;",
    // 6: what a job needs to be let in, without secrets: credentials' user name
    // and scheme, whether it has cookies, its proxy (JSON, see `jobs.rs`).
    "ALTER TABLE jobs ADD COLUMN access TEXT NOT NULL DEFAULT '{}';",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CostPolicy, Priority};

    /// A database as schema `version` left it, at `dir`/haul.db; the path and the connection.
    fn old_database(dir: &tempfile::TempDir, version: usize) -> (std::path::PathBuf, Connection) {
        let path = dir.path().join("haul.db");
        let conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).expect("migration");
        }
        conn.pragma_update(None, "user_version", version as i64).expect("version");
        (path, conn)
    }

    /// A suspended job row with the columns every version has.
    fn old_job(conn: &Connection, id: &str, priority: &str) {
        conn.execute(
            "INSERT INTO jobs (id, queue_order, display_name, description, state, priority, owner, creator,
             created, modified, error_count, notify_flags, minimum_retry_delay_s, no_progress_timeout_s,
             auto_complete, custom_headers)
             VALUES (?1, 0, 'old', '', 'suspended', ?2, 1000, 1000, '2026-01-01T00:00:00Z',
             '2026-01-01T00:00:00Z', 0, 3, 10, 60, 0, '[]')",
            [id, priority],
        )
        .expect("insert job");
    }

    /// The job's first file, `bytes` of it on disk, with the columns every version has.
    fn old_file(conn: &Connection, id: &str, bytes: i64) {
        conn.execute(
            "INSERT INTO files (job_id, idx, remote_url, local_name, temp_name, bytes_transferred, transferred,
             completed, html) VALUES (?1, 0, 'http://h/a', '/d/a', '/d/.a.part', ?2, 0, 0, 0)",
            rusqlite::params![id, bytes],
        )
        .expect("insert file");
    }

    /// A database written by schema version 3 (before cost policies) opens,
    /// and its jobs get the cost policy their priority implies.
    #[test]
    fn a_version_3_database_opens_with_cost_policies_by_priority() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, conn) = old_database(&dir, 3);
        old_job(&conn, "00000000-0000-4000-8000-000000000001", "foreground");
        old_job(&conn, "00000000-0000-4000-8000-000000000002", "low");
        drop(conn);
        let store = crate::store::Store::open(&path).expect("a version-3 database opens");
        let mut jobs: Vec<(Priority, CostPolicy)> =
            store.load_jobs().expect("load").into_iter().map(|s| (s.job.priority, s.job.cost_policy)).collect();
        jobs.sort_by_key(|(priority, _)| *priority);
        assert_eq!(jobs, vec![(Priority::Foreground, CostPolicy::Any), (Priority::Low, CostPolicy::Unmetered)]);
        drop(store);
        let conn = Connection::open(&path).expect("reopen");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
    }

    /// A database written by schema version 4 opens; its files have no restart
    /// reason, its jobs no credentials, cookies or proxy.
    #[test]
    fn a_version_4_database_opens_without_restart_reasons_or_credentials() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, conn) = old_database(&dir, 4);
        let id = "00000000-0000-4000-8000-000000000003";
        old_job(&conn, id, "normal");
        old_file(&conn, id, 5);
        drop(conn);
        let store = crate::store::Store::open(&path).expect("a version-4 database opens");
        let jobs = store.load_jobs().expect("load");
        assert_eq!(jobs.len(), 1);
        let job = &jobs[0].job;
        assert!(job.credentials.is_none() && !job.cookies && job.proxy.is_none());
        let files: Vec<_> = jobs.iter().flat_map(|j| j.files.iter()).collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].bytes_transferred, 5);
        assert_eq!(files[0].restart_reason, None);
    }

    /// A database left at any older schema version, with a job and a file in
    /// it, opens at the newest one and keeps them.
    #[test]
    fn a_database_of_every_older_version_opens_with_its_jobs() {
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().expect("tempdir");
            let (path, conn) = old_database(&dir, version);
            old_job(&conn, "00000000-0000-4000-8000-000000000009", "low");
            old_file(&conn, "00000000-0000-4000-8000-000000000009", 7);
            drop(conn);
            let store = crate::store::Store::open(&path).unwrap_or_else(|e| panic!("version {version}: {e}"));
            let jobs = store.load_jobs().expect("load");
            assert_eq!(jobs.len(), 1, "version {version}");
            assert_eq!(jobs[0].files.len(), 1, "version {version}");
            assert_eq!(jobs[0].files[0].bytes_transferred, 7, "version {version}");
        }
    }
}
