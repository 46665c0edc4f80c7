//! The files' rows: what a transfer's progress write keeps and changes.

use super::*;
use crate::model::{FileProgress, RangeSet};

fn files_of(store: &Store) -> Vec<JobFile> {
    let mut all = Vec::new();
    store
        .read_files(|_, files| {
            all.extend(files);
            true
        })
        .expect("read files");
    all
}

#[test]
fn progress_is_saved_without_touching_the_rest_of_the_row_and_a_missing_row_is_saved_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("haul.db")).expect("open");
    let job = crate::model::test_job("suspended");
    store.save_job(&job, 0).expect("job");
    let mut file = JobFile {
        index: 0,
        remote_url: "https://example.invalid/a.iso".into(),
        local_name: "/d/a.iso".into(),
        temp_name: TempName::Path("/d/.a.iso.part".into()),
        bytes_total: None,
        bytes_transferred: 0,
        transferred: false,
        completed: false,
        sha256: Some("ab".repeat(32)),
        restart_reason: Some("the server sent another file".into()),
        checkpoint: FileProgress::default(),
    };
    store.save_progress(job.id, &file).expect("a row that was not there");
    assert_eq!(files_of(&store), vec![file.clone()]);

    file.bytes_total = Some(100);
    file.bytes_transferred = 100;
    file.transferred = true;
    file.checkpoint = FileProgress {
        done: RangeSet::prefix(100),
        etag: Some("\"v1\"".into()),
        last_modified: Some("Wed, 01 Jan 2026 00:00:00 GMT".into()),
        html: false,
    };
    // What only a full save writes stays as it was saved.
    let mut moved = file.clone();
    moved.remote_url = "https://example.invalid/elsewhere.iso".into();
    store.save_progress(job.id, &moved).expect("progress");
    assert_eq!(files_of(&store), vec![file]);
}
