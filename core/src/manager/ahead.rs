//! Temp files made ahead of their turn. A job of many small files spends
//! much of its time creating files (the file system's inode allocation: 35
//! to 65 % of the service's CPU for 16 KiB files), on the one thread that
//! also moves the bytes. A thread of its own creates the temp files of the
//! next files while the current ones transfer, on the core that is otherwise
//! idle; a file whose turn comes first is created by its transfer as before.

use super::Manager;
use crate::model::JobId;
use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// How many files past those a job runs at once have their temp files made.
pub(super) const AHEAD: usize = 64;

/// Whether temp files may still be made for a job's transfer. Closed before
/// its temp files are tidied, renamed or removed, so that none made later is
/// left behind.
#[derive(Default)]
pub(super) struct Gate {
    closed: Mutex<bool>,
}

impl Gate {
    /// Waits for a file being made, and lets no other be made.
    pub(super) fn close(&self) {
        *self.closed.lock().unwrap_or_else(PoisonError::into_inner) = true;
    }
}

struct Batch {
    gate: Arc<Gate>,
    paths: Vec<PathBuf>,
}

/// Has the empty files `paths` made (each only if absent) on the maker
/// thread, unless `gate` closes first. Without the thread, nothing is made.
pub(super) fn make(gate: &Arc<Gate>, paths: Vec<PathBuf>) {
    static MAKER: OnceLock<Option<Mutex<Sender<Batch>>>> = OnceLock::new();
    let maker = MAKER.get_or_init(|| {
        let (sender, batches) = channel();
        let spawned = std::thread::Builder::new().name("haul-temp-files".into()).spawn(move || run(batches));
        spawned
            .inspect_err(|e| tracing::warn!("cannot start the temp file thread: {e}"))
            .ok()
            .map(|_| Mutex::new(sender))
    });
    if let Some(sender) = maker {
        let _ = sender.lock().unwrap_or_else(PoisonError::into_inner).send(Batch { gate: gate.clone(), paths });
    }
}

impl Manager {
    /// Has the temp files of the files from `from` made ahead, up to
    /// [`AHEAD`] of them, once fewer than half that many are left of
    /// those asked for before (`asked`); returns how far they are asked for.
    /// Only files with nothing on disk: a resumed file's temp is its own.
    pub(super) fn make_temps_ahead(&self, job_id: JobId, gate: &Arc<Gate>, from: usize, asked: usize) -> usize {
        if asked >= from + AHEAD / 2 {
            return asked;
        }
        let state = self.lock();
        let Some(entry) = state.jobs.get(&job_id) else { return asked };
        let (from, to) = (from.max(asked), (from + AHEAD).min(entry.files.len()));
        let paths: Vec<PathBuf> = entry
            .files
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .filter(|f| !f.transferred && f.bytes_transferred == 0 && f.checkpoint.done.covered() == 0)
            .map(|f| f.temp_path())
            .collect();
        drop(state);
        if !paths.is_empty() {
            make(gate, paths);
        }
        to.max(asked)
    }
}

fn run(batches: Receiver<Batch>) {
    for batch in batches {
        for path in &batch.paths {
            let closed = batch.gate.closed.lock().unwrap_or_else(PoisonError::into_inner);
            if *closed {
                break;
            }
            // A file already there is its transfer's own; any other failure
            // is the transfer's to meet and report when it opens the file.
            let _ = OpenOptions::new().write(true).create_new(true).open(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait_for(what: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    #[test]
    fn files_are_made_empty_and_a_file_already_there_is_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let kept = dir.path().join("kept");
        std::fs::write(&kept, b"bytes of a transfer").expect("write");
        let new = dir.path().join("new");
        make(&Arc::new(Gate::default()), vec![kept.clone(), new.clone()]);
        assert!(wait_for(|| new.exists()), "the file was not made");
        assert_eq!(std::fs::read(&new).expect("new"), b"");
        assert_eq!(std::fs::read(&kept).expect("kept"), b"bytes of a transfer");
    }

    #[test]
    fn nothing_is_made_once_the_gate_is_closed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gate = Arc::new(Gate::default());
        gate.close();
        let late = dir.path().join("late");
        make(&gate, vec![late.clone()]);
        // A batch sent after it, on an open gate, shows the first was handled.
        let after = dir.path().join("after");
        make(&Arc::new(Gate::default()), vec![after.clone()]);
        assert!(wait_for(|| after.exists()), "the later batch was not made");
        assert!(!late.exists(), "a file was made after its gate closed");
    }
}
