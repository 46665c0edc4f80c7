//! The job model end to end, in-process: a real manager, a real SQLite file and
//! a real HTTP server on 127.0.0.1.

use haul_core::model::{ErrorContext, EventKind, JobState, NotifyFlags};
use haul_core::protocol::JobChanges;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(30);

fn flags_all() -> JobChanges {
    JobChanges {
        notify_flags: Some(NotifyFlags::JOB_TRANSFERRED | NotifyFlags::JOB_ERROR | NotifyFlags::FILE_TRANSFERRED),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_file_job_transfers_notifies_in_order_and_completes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let (a, b) = (random_bytes(3 << 20, 1), random_bytes(200_000, 2));
    server.add_file("/a.bin", a.clone());
    server.add_file("/b.bin", b.clone());
    let manager = open_manager(dir.path());
    let files = [(server.url("/a.bin"), dir.path().join("a.bin")), (server.url("/b.bin"), dir.path().join("b.bin"))];
    let job_id = job_with_files(&manager, &files);
    manager.set_job(&alice(), job_id, flags_all()).expect("flags");
    let sink = RecordingSink::new();
    manager.set_notify_interface(&alice(), job_id, Some(sink.clone())).expect("register");
    manager.resume(&alice(), job_id).expect("resume");

    let job = wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert_eq!(job.progress.bytes_total, Some((a.len() + b.len()) as u64));
    assert_eq!(job.progress.files_transferred, 2);
    assert!(job.times.transfer_completed.is_some());
    assert!(!dir.path().join("a.bin").exists(), "files stay hidden until complete");
    assert!(wait_for(LONG, || sink.terminal_calls().len() >= 3).await);
    assert_eq!(sink.terminal_calls(), ["file_transferred:0", "file_transferred:1", "job_transferred"]);

    let states: Vec<JobState> = manager
        .events_since(&alice(), 0, 1000)
        .expect("events")
        .into_iter()
        .filter(|e| e.job_id == job_id && matches!(e.kind, EventKind::StateChanged | EventKind::Transferred))
        .map(|e| e.state)
        .collect();
    assert_eq!(states, [JobState::Queued, JobState::Connecting, JobState::Transferring, JobState::Transferred]);

    assert!(!manager.complete(&alice(), job_id).expect("complete"), "not partial");
    assert_eq!(sha256_file(&dir.path().join("a.bin")).expect("a"), sha256_hex(&a));
    assert_eq!(sha256_file(&dir.path().join("b.bin")).expect("b"), sha256_hex(&b));
    assert!(temp_files(dir.path()).is_empty(), "temp files left: {:?}", temp_files(dir.path()));
    let job = manager.get_job(&alice(), job_id).expect("job");
    assert_eq!(job.state, JobState::Acknowledged);
    let err = manager.resume(&alice(), job_id).expect_err("final");
    assert_eq!(err.kind(), "invalid_state");
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_ends_in_error_with_job_error_delivered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/missing.bin"), dir.path().join("m.bin"))]);
    let sink = RecordingSink::new();
    manager.set_notify_interface(&alice(), job_id, Some(sink.clone())).expect("register");
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
    let error = job.error.expect("error object");
    assert_eq!(error.context, ErrorContext::RemoteFile);
    assert_eq!(error.code, "http_404");
    assert_eq!(error.http_status, Some(404));
    assert!(error.message.contains("404") && error.message.contains("/missing.bin"), "{}", error.message);
    assert_eq!(job.error_count, 1);
    assert!(wait_for(LONG, || !sink.terminal_calls().is_empty()).await);
    assert_eq!(sink.terminal_calls(), ["job_error:http_404:RemoteFile"]);
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_unavailable_is_transient_and_recovers_after_the_retry_delay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(100_000, 3);
    server.set_route("/busy.bin", Route::new(body.clone()).fail_with(503, 1, Some(1)));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/busy.bin"), dir.path().join("busy.bin"))]);
    let sink = RecordingSink::new();
    manager.set_notify_interface(&alice(), job_id, Some(sink.clone())).expect("register");
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    assert_eq!(job.error.as_ref().map(|e| e.code.as_str()), Some("http_503"));
    // The minimum retry delay is clamped to 5 s; the job retries by itself.
    let job = wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert_eq!(job.error_count, 1);
    assert!(job.error.is_none(), "the error is discarded on entering transferring");
    assert!(wait_for(LONG, || sink.terminal_calls() == ["job_transferred"]).await, "{:?}", sink.calls());
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("busy.bin")).expect("file"), sha256_hex(&body));
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_removes_temp_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    server.set_route("/slow.bin", Route::new(random_bytes(4 << 20, 4)).throttle_per_connection(512 << 10));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/slow.bin"), dir.path().join("slow.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    assert!(
        wait_for(LONG, || { manager.get_job(&alice(), job_id).is_ok_and(|j| j.progress.bytes_transferred > 100_000) })
            .await
    );
    assert_eq!(temp_files(dir.path()).len(), 1, "a temp file while transferring");
    manager.cancel(&alice(), job_id).expect("cancel");
    assert!(wait_for(LONG, || temp_files(dir.path()).is_empty()).await, "{:?}", temp_files(dir.path()));
    assert!(!dir.path().join("slow.bin").exists());
    assert_eq!(manager.get_job(&alice(), job_id).expect("job").state, JobState::Cancelled);
    manager.shutdown().await;
}

/// A job of more files than run at once has the temp files of the next ones
/// made ahead; suspending removes those still empty, cancelling all of them,
/// and a job that completes leaves none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_files_made_ahead_never_outlive_their_transfer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let slow: Vec<_> = (0..200)
        .map(|i| {
            let route = Route::new(random_bytes(256 << 10, 900 + i)).throttle_per_connection(64 << 10);
            server.set_route(&format!("/slow{i}"), route);
            (server.url(&format!("/slow{i}")), dir.path().join(format!("slow{i}")))
        })
        .collect();
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &slow);
    manager.resume(&alice(), job_id).expect("resume");
    // 32 files run at once; the next ones' temp files are there too.
    assert!(wait_for(LONG, || temp_files(dir.path()).len() > 64).await, "{} temp files", temp_files(dir.path()).len());
    manager.suspend(&alice(), job_id).expect("suspend");
    let empty = || {
        temp_files(dir.path())
            .iter()
            .filter(|name| std::fs::metadata(dir.path().join(name)).is_ok_and(|m| m.len() == 0))
            .count()
    };
    assert!(wait_for(LONG, || empty() == 0).await, "{} empty temp files after suspend", empty());
    assert!(temp_files(dir.path()).len() <= 32, "only the files that got bytes keep their temp files");
    manager.resume(&alice(), job_id).expect("resume");
    assert!(wait_for(LONG, || temp_files(dir.path()).len() > 64).await);
    manager.cancel(&alice(), job_id).expect("cancel");
    assert!(wait_for(LONG, || temp_files(dir.path()).is_empty()).await, "{:?}", temp_files(dir.path()));

    // Fast files: the job completes (and its temp files are renamed) while
    // the next ones' may still be being made.
    let fast: Vec<_> = (0..300)
        .map(|i| {
            server.set_route(&format!("/fast{i}"), Route::new(random_bytes(4 << 10, 1200 + i)));
            (server.url(&format!("/fast{i}")), dir.path().join(format!("fast{i}")))
        })
        .collect();
    let job_id = job_with_files(&manager, &fast);
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
    assert!(fast.iter().all(|(_, path)| path.exists()));
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_registration_replaces_the_first_and_late_registration_replays() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    server.add_file("/f.bin", random_bytes(10_000, 5));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/f.bin"), dir.path().join("f.bin"))]);
    let (first, second) = (RecordingSink::new(), RecordingSink::new());
    manager.set_notify_interface(&alice(), job_id, Some(first.clone())).expect("first");
    manager.set_notify_interface(&alice(), job_id, Some(second.clone())).expect("second");
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert!(wait_for(LONG, || second.terminal_calls() == ["job_transferred"]).await);
    assert!(first.calls().is_empty(), "the replaced sink got {:?}", first.calls());

    // Registering on a job that is already transferred delivers the event at once.
    let late = RecordingSink::new();
    manager.set_notify_interface(&alice(), job_id, Some(late.clone())).expect("late");
    assert!(wait_for(Duration::from_secs(2), || late.terminal_calls() == ["job_transferred"]).await);
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_owner_cannot_register_or_act() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[]);
    let sink = RecordingSink::new();
    let err = manager.set_notify_interface(&bob(), job_id, Some(sink.clone())).expect_err("bob");
    assert_eq!(err.kind(), "access_denied");
    assert_eq!(manager.get_notify_interface(&alice(), job_id, 0).expect("query"), (false, false));
    for result in [manager.cancel(&bob(), job_id), manager.resume(&bob(), job_id), manager.suspend(&bob(), job_id)] {
        assert_eq!(result.expect_err("denied").kind(), "access_denied");
    }
    assert_eq!(manager.get_job(&bob(), job_id).expect_err("denied").kind(), "access_denied");
    assert_eq!(manager.get_job(&alice(), job_id).expect("job").state, JobState::Suspended);
    assert!(manager.enum_jobs(&bob(), false, true).expect("list").is_empty());
    assert_eq!(manager.enum_jobs(&bob(), true, true).expect_err("all users").kind(), "access_denied");
    let admin = haul_core::model::Caller::from_uid(0, None);
    assert_eq!(manager.enum_jobs(&admin, true, true).expect("admin").len(), 1);
    assert_eq!(manager.resume(&alice(), job_id).expect_err("no files").kind(), "empty_job");
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sink_falls_back_to_the_notify_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    server.add_file("/f.bin", random_bytes(10_000, 6));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/f.bin"), dir.path().join("f.bin"))]);
    let marker = dir.path().join("marker");
    let cmd = haul_core::model::NotifyCmdLine {
        program: "/bin/sh".into(),
        args: vec!["-c".into(), format!("touch '{}'", marker.display())],
    };
    manager
        .set_job(&alice(), job_id, JobChanges { notify_cmd_line: Some(cmd), ..Default::default() })
        .expect("cmd line");
    let sink = RecordingSink::new();
    sink.set_failing(true);
    manager.set_notify_interface(&alice(), job_id, Some(sink.clone())).expect("register");
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert!(wait_for(LONG, || marker.exists()).await, "the command line ran");
    assert_eq!(sink.terminal_calls(), ["job_transferred"], "the sink was tried first");
    manager.shutdown().await;
}

/// As BITS: a file added to a transferred job, then a resume, queues the job
/// again; it transfers the new file and is transferred again with both
/// (`haul add --wait` relies on it when its first files finish before the last is added).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_added_to_a_transferred_job_is_fetched_after_a_resume() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let (a, b) = (random_bytes(10_000, 40), random_bytes(20_000, 41));
    server.add_file("/a.bin", a.clone());
    server.add_file("/b.bin", b.clone());
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/a.bin"), dir.path().join("a.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert_eq!((job.progress.files_transferred, job.progress.files_total), (1, 1));

    manager.add_file(&alice(), &new_file(job_id, &server.url("/b.bin"), &dir.path().join("b.bin"), None)).expect("add");
    let job = manager.get_job(&alice(), job_id).expect("job");
    assert_eq!(job.state, JobState::Transferred, "adding alone does not restart it");
    manager.resume(&alice(), job_id).expect("resume again");
    assert!(
        wait_for(LONG, || manager.get_job(&alice(), job_id).is_ok_and(|j| j.progress.files_transferred == 2)).await
    );
    let job = wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert_eq!((job.progress.files_transferred, job.progress.files_total), (2, 2));
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("a.bin")).expect("a"), sha256_hex(&a));
    assert_eq!(sha256_file(&dir.path().join("b.bin")).expect("b"), sha256_hex(&b));
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leftover_temp_file_without_a_checkpoint_is_emptied_before_the_download() {
    // A temp file can hold bytes no checkpoint vouches for (the service died
    // between a write and its checkpoint): they must not survive past the new
    // file's end, nor anywhere inside it.
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(100_000, 42);
    server.add_file("/a.bin", body.clone());
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/a.bin"), dir.path().join("a.bin"))]);
    let temp = manager.enum_files(&alice(), job_id).expect("files")[0].temp_path();
    std::fs::write(&temp, random_bytes(300_000, 43)).expect("leftover temp file");
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("a.bin")).expect("a"), sha256_hex(&body));
    manager.shutdown().await;
}

#[test]
fn a_local_name_is_one_file_of_a_job_also_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = "http://127.0.0.1:9/a.bin".to_string();
    let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    // One runtime per service lifetime: dropping it ends the first manager's tasks.
    let job_id = runtime().block_on(async {
        let manager = open_manager(dir.path());
        let job_id = job_with_files(&manager, &[(url.clone(), a.clone())]);
        // The same name spelled another way is the same file.
        let same = dir.path().join(".").join("a.bin");
        let err = manager.add_file(&alice(), &new_file(job_id, &url, &same, None)).expect_err("same name twice");
        assert_eq!(err.kind(), "invalid_argument");
        assert!(err.to_string().contains("a.bin") && err.to_string().contains("already a file"), "{err}");
        manager.shutdown().await;
        job_id
    });
    runtime().block_on(async {
        let manager = open_manager(dir.path());
        let err =
            manager.add_file(&alice(), &new_file(job_id, &url, &a, None)).expect_err("still taken after a restart");
        assert_eq!(err.kind(), "invalid_argument");
        assert_eq!(manager.add_file(&alice(), &new_file(job_id, &url, &b, None)).expect("another name"), 1);
        assert_eq!(manager.enum_files(&alice(), job_id).expect("files").len(), 2);
        manager.shutdown().await;
    });
}
