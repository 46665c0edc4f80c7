//! Answers the random server (`haul_tests::random_server`, app/tests/random_http.rs)
//! found mishandled, kept as fixed cases: each ends with the right file or a
//! named error, never a wrong file marked transferred.

use haul_core::model::JobState;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(30);

/// A success status whose body is not the file (204 No Content, a made-up 299)
/// is an error the job retries, not an empty or wrong file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_without_the_file_is_an_error_not_a_file() {
    let server = TestServer::start();
    for status in [204, 299] {
        let dir = tempfile::tempdir().expect("tempdir");
        let body = random_bytes(300_000, 40);
        let path = format!("/odd-{status}");
        server.set_route(&path, Route::new(body.clone()).fail_with(status, 1, None));
        let manager = open_manager(dir.path());
        let job_id = job_with_files(&manager, &[(server.url(&path), dir.path().join("out.bin"))]);
        manager.resume(&alice(), job_id).expect("resume");
        let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
        assert_eq!(job.error.map(|e| e.code), Some(format!("http_{status}")));
        assert!(!manager.enum_files(&alice(), job_id).expect("files")[0].transferred);
        manager.resume(&alice(), job_id).expect("retry now");
        wait_state(&manager, job_id, JobState::Transferred, LONG).await;
        manager.complete(&alice(), job_id).expect("complete");
        assert_eq!(sha256_file(&dir.path().join("out.bin")).expect("file"), sha256_hex(&body), "status {status}");
        manager.shutdown().await;
    }
}

/// A range whose total is unknown (`bytes 0-N/*`) still says where it ends: a
/// body cut before that is a short body, not the whole file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_of_unknown_total_cut_short_is_not_the_whole_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(1_000_000, 41);
    server.set_route("/star", Route::new(body.clone()).unknown_total(true).drop_after(600_000, 1));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/star"), dir.path().join("out.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    assert_eq!(job.error.map(|e| e.code), Some("connection_closed".to_string()));
    let file = manager.enum_files(&alice(), job_id).expect("files").remove(0);
    assert!(!file.transferred, "{file:?}");
    assert_eq!(file.bytes_total, Some(1_000_000), "the range's end gives the size");
    manager.resume(&alice(), job_id).expect("retry now");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("out.bin")).expect("file"), sha256_hex(&body));
    let resumed = server.requests_for("/star").last().cloned().expect("requests");
    assert_eq!(resumed.header("range"), Some("bytes=600000-"), "the saved bytes are kept");
    manager.shutdown().await;
}

/// The same for a stream's segment: a 204 (or another success without the
/// segment) is retried, not appended as nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_segment_answered_without_content_is_fetched_again() {
    let server = TestServer::start();
    let parts = haul_tests::hls::segments(5, 40_000, 42);
    let served = haul_tests::hls::serve_media(&server, "/v", &parts, &haul_tests::hls::Media::default());
    let odd = served.segment_paths[2].clone();
    server.set_route(&odd, Route::new(parts[2].clone()).fail_with(204, 1, None));
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(served.url.clone(), dir.path().join("video.ts"))]);
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("video.ts")).expect("published"), sha256_hex(&served.expected));
    assert_eq!(server.requests_for(&odd).len(), 2, "the segment is asked for again");
    manager.shutdown().await;
}
