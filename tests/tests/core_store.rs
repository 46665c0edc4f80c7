//! Persistence: closing and reopening gives back every job exactly, and a
//! crash mid-transfer resumes from the checkpoint instead of from zero.

use haul_core::model::{JobState, NotifyCmdLine, NotifyFlags, Priority};
use haul_core::protocol::{CreateJobParams, JobChanges};
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

#[test]
fn reopening_the_store_gives_back_every_job_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    server.add_file("/done.bin", random_bytes(50_000, 7));
    let rt = runtime();
    let (jobs_before, files_before) = rt.block_on(async {
        let manager = open_manager(dir.path());
        let done = job_with_files(&manager, &[(server.url("/done.bin"), dir.path().join("done.bin"))]);
        manager.resume(&alice(), done).expect("resume");
        wait_state(&manager, done, JobState::Transferred, LONG).await;
        let props = manager
            .create_job(
                &alice(),
                CreateJobParams {
                    display_name: "props ✓".into(),
                    description: Some("a description".into()),
                    priority: Some(Priority::High),
                    auto_complete: Some(true),
                },
            )
            .expect("create");
        manager
            .add_file(
                &alice(),
                &new_file(props, "https://example.invalid/x.iso", &dir.path().join("x.iso"), Some(&"ab".repeat(32))),
            )
            .expect("add");
        manager
            .set_job(
                &alice(),
                props,
                JobChanges {
                    notify_flags: Some(NotifyFlags::JOB_MODIFICATION | NotifyFlags::JOB_ERROR),
                    notify_cmd_line: Some(NotifyCmdLine { program: "/bin/true".into(), args: vec!["a b".into()] }),
                    minimum_retry_delay_s: Some(2),
                    no_progress_timeout_s: Some(77),
                    custom_headers: Some(vec!["X-Token: 1".into()]),
                    ..Default::default()
                },
            )
            .expect("set");
        let jobs = manager.enum_jobs(&alice(), false, true).expect("list");
        let files: Vec<_> = jobs.iter().map(|j| manager.enum_files(&alice(), j.id).expect("files")).collect();
        manager.shutdown().await;
        (jobs, files)
    });
    let props = &jobs_before[1];
    assert_eq!(props.minimum_retry_delay_s, 5, "clamped to 5 s");
    rt.block_on(async {
        let manager = open_manager(dir.path());
        let jobs_after = manager.enum_jobs(&alice(), false, true).expect("list");
        assert_eq!(jobs_after, jobs_before);
        for (job, files) in jobs_after.iter().zip(&files_before) {
            assert_eq!(&manager.enum_files(&alice(), job.id).expect("files"), files);
        }
        manager.shutdown().await;
    });
}

#[test]
fn a_crash_mid_transfer_resumes_from_the_checkpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(12 << 20, 8);
    let size = body.len() as u64;
    // Slow connections: the file is split over several of them, so the
    // checkpoint is a set of ranges, not a prefix.
    server.set_route("/big.bin", Route::new(body.clone()).throttle_per_connection(256 << 10));
    let local = dir.path().join("big.bin");

    // First life: transfer until at least 2 MiB are checkpointed (checkpoints
    // are written at least every second while bytes flow), then die
    // without any shutdown (the runtime and all its tasks are dropped).
    let first = runtime();
    let job_id = first.block_on(async {
        let manager = open_manager(dir.path());
        let job_id = job_with_files(&manager, &[(server.url("/big.bin"), local.clone())]);
        manager.resume(&alice(), job_id).expect("resume");
        let progressed =
            |bytes: u64| manager.get_job(&alice(), job_id).is_ok_and(|j| j.progress.bytes_transferred > bytes);
        assert!(wait_for(LONG, || progressed(2 << 20)).await);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        job_id
    });
    first.shutdown_background();

    let second = runtime();
    second.block_on(async {
        let manager = open_manager(dir.path());
        let job = manager.get_job(&alice(), job_id).expect("job is back");
        let checkpoint = job.progress.bytes_transferred;
        assert!(checkpoint >= 2 << 20, "checkpoint {checkpoint} lost");
        assert!(matches!(job.state, JobState::Queued | JobState::Connecting | JobState::Transferring));
        wait_state(&manager, job_id, JobState::Transferred, LONG).await;
        manager.complete(&alice(), job_id).expect("complete");
        manager.shutdown().await;
    });
    drop(second);
    runtime().block_on(async {
        let manager = open_manager(dir.path());
        let files = manager.enum_files(&alice(), job_id).expect("the acknowledged job's files");
        assert!(files.iter().all(|f| f.completed), "that the files were moved into place is saved: {files:?}");
        manager.shutdown().await;
    });
    assert_eq!(sha256_file(&local).expect("file"), sha256_hex(&body));
    let served = server.bytes_served_for("/big.bin");
    assert!(served < size * 3 / 2, "served {served} for a {size}-byte file: it restarted from zero");
    let requests = server.requests_for("/big.bin");
    assert!(requests.len() > 2, "the file was split over several connections");
    assert!(
        requests.iter().all(|r| r.header("range").is_some_and(|v| v == "bytes=0-") || r.header("if-range").is_some()),
        "every resumed or split request carries If-Range"
    );
}

#[test]
fn files_added_in_one_burst_are_all_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let names: Vec<_> = (0..5).map(|i| dir.path().join(format!("f{i}.bin"))).collect();
    let (job_id, job_before, files_before) = runtime().block_on(async {
        let manager = open_manager(dir.path());
        let job_id = job_with_files(&manager, &[]);
        let new: Vec<_> = names.iter().map(|name| new_file(job_id, "http://127.0.0.1:9/f.bin", name, None)).collect();
        let results = manager.add_files(&alice(), &new);
        let indices: Vec<u32> = results.into_iter().map(|r| r.expect("added")).collect();
        assert_eq!(indices, [0, 1, 2, 3, 4]);
        let job = manager.get_job(&alice(), job_id).expect("job");
        assert_eq!((job.progress.files_total, job.progress.bytes_total), (5, None));
        assert!(job.times.modified > job.times.created, "adding files modifies the job");
        let files = manager.enum_files(&alice(), job_id).expect("files");
        manager.shutdown().await;
        (job_id, job, files)
    });
    runtime().block_on(async {
        let manager = open_manager(dir.path());
        assert_eq!(manager.get_job(&alice(), job_id).expect("job"), job_before);
        assert_eq!(manager.enum_files(&alice(), job_id).expect("files"), files_before);
        manager.shutdown().await;
    });
}
