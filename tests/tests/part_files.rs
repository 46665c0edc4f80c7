//! No empty hidden part files: a download that fails, or stops, before its
//! first byte leaves nothing in the folder; one with bytes keeps them to
//! resume from; a cancelled job keeps none.

use haul_core::model::JobState;
use haul_tests::server::{Route, TestServer, random_bytes};
use haul_tests::support::*;
use std::path::Path;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// The part files in `dir` and their sizes.
fn part_files(dir: &Path) -> Vec<(String, u64)> {
    let size = |name: &String| std::fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
    temp_files(dir).into_iter().map(|name| (name.clone(), size(&name))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_leaves_no_empty_part_file_and_keeps_the_bytes_it_has() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    // Not on the server; and one that answers late (stopped before its first byte when the
    // other fails); and one that sends part of its bytes, then stalls (kept to resume from).
    server.set_route("/slow-start", Route::new(random_bytes(100_000, 1)).latency(Duration::from_secs(30)));
    server.set_route("/partial", Route::new(random_bytes(2 << 20, 2)).throttle_per_connection(256 << 10));
    let manager = open_manager(dir.path());
    let files = [
        (server.url("/partial"), dir.path().join("partial.bin")),
        (server.url("/slow-start"), dir.path().join("slow-start.bin")),
    ];
    let job_id = job_with_files(&manager, &files);
    manager.resume(&alice(), job_id).expect("resume");
    assert!(
        wait_for(LONG, || manager.get_job(&alice(), job_id).is_ok_and(|j| j.progress.bytes_transferred > 100_000))
            .await
    );
    let missing = job_with_files(&manager, &[(server.url("/missing"), dir.path().join("missing.bin"))]);
    manager.resume(&alice(), missing).expect("resume");
    wait_state(&manager, missing, JobState::Error, LONG).await;
    manager.suspend(&alice(), job_id).expect("suspend");

    let only_bytes = || {
        let parts = part_files(dir.path());
        parts.len() == 1 && parts[0].1 > 0
    };
    let tidy = wait_for(LONG, only_bytes).await;
    assert!(tidy, "only the part file with bytes stays: {:?}", part_files(dir.path()));
    assert_eq!(manager.get_job(&alice(), missing).expect("job").state, JobState::Error);

    manager.cancel(&alice(), job_id).expect("cancel");
    let gone = wait_for(LONG, || part_files(dir.path()).is_empty()).await;
    assert!(gone, "a cancelled job keeps no part file: {:?}", part_files(dir.path()));
    manager.shutdown().await;
}
