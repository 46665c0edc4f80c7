//! Every fault of the test server ends with the right file (sha256) or the
//! right error — never a wrong file in `transferred`.

use haul_core::Manager;
use haul_core::model::{EventKind, JobId, JobState, NotifyFlags};
use haul_core::protocol::JobChanges;
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::path::Path;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(60);

/// Runs one file of `route` to the end; returns the job and the manager.
async fn fetch(dir: &Path, server: &TestServer, path: &str, route: Route) -> (Manager, JobId) {
    server.set_route(path, route);
    let manager = open_manager(dir);
    let job_id = job_with_files(&manager, &[(server.url(path), dir.join("out.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    (manager, job_id)
}

/// Waits for transferred, completes, and checks the bytes.
async fn expect_file(manager: &Manager, job_id: JobId, dir: &Path, body: &[u8]) {
    wait_state(manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.join("out.bin")).expect("file"), sha256_hex(body), "wrong bytes");
    assert!(temp_files(dir).is_empty());
}

/// Files `/f0`, `/f1`, … of the given sizes, each served at 4 MiB/s per
/// connection, saved as `f0`, `f1`, … in `dir`: (url, path) pairs and bodies.
fn throttled_files(
    server: &TestServer,
    dir: &Path,
    sizes: impl Iterator<Item = usize>,
) -> (Vec<(String, std::path::PathBuf)>, Vec<Vec<u8>>) {
    sizes
        .enumerate()
        .map(|(i, size)| {
            let body = random_bytes(size, 100 + i as u64);
            server.set_route(&format!("/f{i}"), Route::new(body.clone()).throttle_per_connection(4 << 20));
            ((server.url(&format!("/f{i}")), dir.join(format!("f{i}"))), body)
        })
        .unzip()
}

fn restarts(manager: &Manager, job_id: JobId) -> usize {
    let events = manager.events_since(&alice(), 0, 10_000).expect("events");
    events
        .iter()
        .filter(|e| e.job_id == job_id && e.kind == EventKind::Modified)
        .filter(|e| e.error.as_ref().is_some_and(|err| err.code == "restarted"))
        .count()
}

/// A server that allows a client only so many connections at once (the
/// others get 503): the file settles on the connections it has, without an
/// error, however many the ramp tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_allows_few_connections_at_once_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(24 << 20, 61);
    let route = Route::new(body.clone()).throttle_per_connection(1 << 20).at_most_at_once(4);
    let (manager, job_id) = fetch(dir.path(), &server, "/few", route).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    let job = manager.get_job(&alice(), job_id).expect("job");
    assert_eq!(job.error_count, 0, "the refused connections failed the job: {:?}", job.error);
    let refused = server.requests_for("/few").iter().filter(|r| r.status == 503).count();
    assert!(refused > 0, "the ramp never tried more than the server allows");
    manager.shutdown().await;
}

/// The same server with a job of many small files: 32 files at once, 4
/// answered, the others refused; the job goes on with fewer at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_files_from_a_server_that_allows_few_connections_at_once() {
    many_small_files_from_a_capped_server(|route| route.at_most_at_once(4), 503).await;
}

/// As above, but the server resets the connections beyond 4 instead of
/// answering 503: the files cut off wait for their turn, as refused ones do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_files_from_a_server_that_resets_extra_connections() {
    many_small_files_from_a_capped_server(|route| route.resets_beyond(4), 0).await;
}

/// 64 files of 64 KiB from routes `cap` limits, whose refusals the server
/// logs as `refused`: all arrive whole, with no error on the job.
async fn many_small_files_from_a_capped_server(cap: fn(Route) -> Route, refused: u16) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let (targets, bodies): (Vec<_>, Vec<_>) = (0..64)
        .map(|i| {
            let body = random_bytes(64 << 10, 700 + i);
            server.set_route(&format!("/s{i}"), cap(Route::new(body.clone()).throttle_per_connection(1 << 20)));
            ((server.url(&format!("/s{i}")), dir.path().join(format!("s{i}"))), body)
        })
        .unzip();
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &targets);
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    let job = manager.get_job(&alice(), job_id).expect("job");
    assert_eq!(job.error_count, 0, "the refused connections failed the job: {:?}", job.error);
    let turned_away = server.requests().iter().filter(|r| r.status == refused).count();
    assert!(turned_away > 0, "the server refused no connection: the test proves nothing");
    manager.complete(&alice(), job_id).expect("complete");
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(sha256_file(&dir.path().join(format!("s{i}"))).expect("file"), sha256_hex(body));
    }
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_ranges_or_length_still_gives_the_right_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(6 << 20, 21);
    let (manager, job_id) = fetch(dir.path(), &server, "/plain", Route::new(body.clone()).ranges(false)).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert_eq!(server.requests_for("/plain").len(), 1, "no ranges: one connection");
    manager.shutdown().await;

    let dir = tempfile::tempdir().expect("tempdir");
    let (manager, job_id) =
        fetch(dir.path(), &server, "/nolen", Route::new(body.clone()).no_content_length(true)).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_resume_with_if_range_and_never_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    // Small file, one connection: the drop is a transient error, retried.
    let body = random_bytes(2 << 20, 22);
    let (manager, job_id) = fetch(dir.path(), &server, "/drop", Route::new(body.clone()).drop_after(700_000, 1)).await;
    wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    let requests = server.requests_for("/drop");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("range"), Some("bytes=700000-"));
    assert!(requests[1].header("if-range").is_some_and(|v| v.starts_with("\"v")), "If-Range carries the ETag");
    assert_eq!(restarts(&manager, job_id), 0);
    manager.shutdown().await;

    // Large file, several connections: a dropped connection re-queues its range only.
    let dir = tempfile::tempdir().expect("tempdir");
    let body = random_bytes(24 << 20, 23);
    let route = Route::new(body.clone()).throttle_per_connection(4 << 20).drop_after(1 << 20, 3);
    let (manager, job_id) = fetch(dir.path(), &server, "/split-drop", route).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    let job = manager.get_job(&alice(), job_id).expect("job");
    assert_eq!(job.error_count, 0, "per-connection failures do not fail the job");
    assert!(server.bytes_served_for("/split-drop") < (body.len() as u64) * 5 / 4);
    assert!(server.requests_for("/split-drop").len() >= 4, "split over several connections");
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_changes_between_interruption_and_resume_restarts_from_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let (old, new) = (random_bytes(2 << 20, 24), random_bytes(2 << 20, 25));
    let (manager, job_id) = fetch(dir.path(), &server, "/changing", Route::new(old).drop_after(1 << 20, 1)).await;
    wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    server.replace_content("/changing", new.clone());
    expect_file(&manager, job_id, dir.path(), &new).await;
    assert_eq!(restarts(&manager, job_id), 1, "the restart is journaled with its reason");
    manager.shutdown().await;

    // A broken server that ignores If-Range: the changed ETag gives it away.
    let dir = tempfile::tempdir().expect("tempdir");
    let (old, new) = (random_bytes(2 << 20, 26), random_bytes(2 << 20, 27));
    let route = Route::new(old).drop_after(1 << 20, 1).ignore_if_range(true);
    let (manager, job_id) = fetch(dir.path(), &server, "/liar", route).await;
    wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    server.replace_content("/liar", new.clone());
    expect_file(&manager, job_id, dir.path(), &new).await;
    assert_eq!(restarts(&manager, job_id), 1);
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_content_range_never_mixes_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(8 << 20, 28);
    let (manager, job_id) = fetch(dir.path(), &server, "/lies", Route::new(body.clone()).lie_content_range(true)).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    let last = server.requests_for("/lies").last().cloned().expect("requests");
    assert_eq!(last.header("range"), None, "after a lie the file is fetched whole");
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_and_stalls_are_retried_after_the_delay() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(300_000, 29);
    let started = Instant::now();
    let (manager, job_id) =
        fetch(dir.path(), &server, "/limited", Route::new(body.clone()).fail_with(429, 1, Some(7))).await;
    let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    assert_eq!(job.error.map(|e| e.code), Some("http_429".to_string()));
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert!(started.elapsed() >= Duration::from_secs(7), "Retry-After: 7 was honoured");
    manager.shutdown().await;

    // A stalled connection times out (5 s in tests) and the transfer resumes.
    let dir = tempfile::tempdir().expect("tempdir");
    let (manager, job_id) =
        fetch(dir.path(), &server, "/stall", Route::new(body.clone()).stall_after(100_000, 1)).await;
    let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    assert_eq!(job.error.map(|e| e.context), Some(haul_core::model::ErrorContext::Transport));
    expect_file(&manager, job_id, dir.path(), &body).await;
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_and_loops_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(100_000, 30);
    server.add_file("/real", body.clone());
    let (manager, job_id) = fetch(dir.path(), &server, "/moved", Route::new(Vec::new()).redirect_to("/real")).await;
    expect_file(&manager, job_id, dir.path(), &body).await;
    manager.shutdown().await;

    let dir = tempfile::tempdir().expect("tempdir");
    let (manager, job_id) = fetch(dir.path(), &server, "/loop", Route::new(Vec::new()).redirect_to("/loop")).await;
    let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
    assert_eq!(job.error.map(|e| e.code), Some("redirect_loop".to_string()));
    manager.shutdown().await;
}

/// A split file behind a redirect: the extra connections ask the URL the first
/// answer came from, with the file's validator and the job's own headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_connections_of_a_redirected_file_go_to_where_it_was_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(6 << 20, 34);
    server.set_route("/cdn/file", Route::new(body.clone()).throttle_per_connection(2 << 20));
    server.set_route("/link", Route::new(Vec::new()).redirect_to("/cdn/file"));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(server.url("/link"), dir.path().join("out.bin"))]);
    let changes = JobChanges { custom_headers: Some(vec!["X-Token: abc".into()]), ..Default::default() };
    manager.set_job(&alice(), job_id, changes).expect("headers");
    manager.resume(&alice(), job_id).expect("resume");
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert_eq!(server.requests_for("/link").len(), 1, "only the first request follows the link");
    let ranged: Vec<_> = server
        .requests_for("/cdn/file")
        .into_iter()
        .filter(|r| r.header("range").is_some_and(|v| v != "bytes=0-"))
        .collect();
    assert!(!ranged.is_empty(), "the file was not split");
    for request in &ranged {
        assert_eq!(request.status, 206, "{:?}", request.headers);
        assert!(request.header("if-range").is_some(), "no If-Range: {:?}", request.headers);
        assert_eq!(request.header("x-token"), Some("abc"), "{:?}", request.headers);
        assert!(request.header("user-agent").is_some_and(|v| v.starts_with("haul/")), "{:?}", request.headers);
    }
    manager.shutdown().await;
}

/// A redirect to another host: like reqwest on the first request, the extra
/// connections leave the job's credentials behind, and keep its other headers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_do_not_follow_a_split_file_to_another_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (origin, cdn) = (TestServer::start(), TestServer::start());
    let body = random_bytes(6 << 20, 35);
    cdn.set_route("/file", Route::new(body.clone()).throttle_per_connection(2 << 20));
    origin.set_route("/link", Route::new(Vec::new()).redirect_to(&cdn.url("/file")));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(origin.url("/link"), dir.path().join("out.bin"))]);
    let headers = vec!["Authorization: Bearer secret".into(), "Cookie: session=1".into(), "X-Token: abc".into()];
    manager.set_job(&alice(), job_id, JobChanges { custom_headers: Some(headers), ..Default::default() }).expect("set");
    manager.resume(&alice(), job_id).expect("resume");
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert_eq!(origin.requests_for("/link")[0].header("authorization"), Some("Bearer secret"));
    let requests = cdn.requests_for("/file");
    assert!(requests.iter().filter(|r| r.header("range").is_some_and(|v| v != "bytes=0-")).count() > 0, "not split");
    for request in &requests {
        assert_eq!(request.header("authorization"), None, "{:?}", request.headers);
        assert_eq!(request.header("cookie"), None, "{:?}", request.headers);
        assert_eq!(request.header("x-token"), Some("abc"), "{:?}", request.headers);
    }
    manager.shutdown().await;
}

/// A user name and password in the URL reach the server on every connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_the_url_goes_with_every_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(6 << 20, 36);
    server.set_route("/private", Route::new(body.clone()).throttle_per_connection(2 << 20));
    let url = server.url("/private").replacen("http://", "http://user:pw@", 1);
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &[(url, dir.path().join("out.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    expect_file(&manager, job_id, dir.path(), &body).await;
    let requests = server.requests_for("/private");
    assert!(requests.len() > 1, "not split: {requests:?}");
    for request in &requests {
        // "user:pw" in base64
        assert_eq!(request.header("authorization"), Some("Basic dXNlcjpwdw=="), "{:?}", request.headers);
    }
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_serving_a_login_page_is_an_error_not_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(2 << 20, 31);
    let route = Route::new(body).drop_after(500_000, 1).html_after(1);
    let (manager, job_id) = fetch(dir.path(), &server, "/expiring", route).await;
    let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
    let error = job.error.expect("error");
    assert_eq!(error.code, "unexpected_html");
    assert!(error.message.contains("web page"), "{}", error.message);
    assert!(!dir.path().join("out.bin").exists());
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checksums_are_verified_before_transferred() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(500_000, 32);
    server.add_file("/sum", body.clone());
    let manager = open_manager(dir.path());
    let job_id = manager
        .create_job(
            &alice(),
            haul_core::protocol::CreateJobParams { display_name: "sums".into(), ..Default::default() },
        )
        .expect("create");
    let wrong = "0".repeat(64);
    manager
        .add_file(&alice(), &new_file(job_id, &server.url("/sum"), &dir.path().join("bad.bin"), Some(&wrong)))
        .expect("add");
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
    assert_eq!(job.error.map(|e| e.code), Some("checksum_mismatch".to_string()));
    manager.cancel(&alice(), job_id).expect("cancel");

    let right = sha256_hex(&body);
    let job_id = manager
        .create_job(
            &alice(),
            haul_core::protocol::CreateJobParams { display_name: "sums".into(), ..Default::default() },
        )
        .expect("create");
    manager
        .add_file(&alice(), &new_file(job_id, &server.url("/sum"), &dir.path().join("out.bin"), Some(&right)))
        .expect("add");
    manager.resume(&alice(), job_id).expect("resume");
    expect_file(&manager, job_id, dir.path(), &body).await;
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_temp_file_restarts_instead_of_leaving_a_hole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(3 << 20, 33);
    let route = Route::new(body.clone()).throttle_per_connection(1 << 20);
    let (manager, job_id) = fetch(dir.path(), &server, "/slow", route).await;
    assert!(
        wait_for(LONG, || manager.get_job(&alice(), job_id).is_ok_and(|j| j.progress.bytes_transferred > 500_000))
            .await
    );
    manager.suspend(&alice(), job_id).expect("suspend");
    for name in temp_files(dir.path()) {
        std::fs::remove_file(dir.path().join(name)).expect("delete temp");
    }
    server.set_route("/slow", Route::new(body.clone()));
    manager.resume(&alice(), job_id).expect("resume");
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert_eq!(restarts(&manager, job_id), 1);
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_files_transfer_in_parallel_but_are_announced_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    // Uneven sizes so that later files often finish first.
    let (files, bodies) = throttled_files(&server, dir.path(), (0..40).map(|i| 1000 + (40 - i) * 20_000));
    let manager = open_manager(dir.path());
    let job_id = job_with_files(&manager, &files);
    let flags = NotifyFlags::JOB_TRANSFERRED | NotifyFlags::FILE_TRANSFERRED;
    manager.set_job(&alice(), job_id, JobChanges { notify_flags: Some(flags), ..Default::default() }).expect("flags");
    let sink = RecordingSink::new();
    manager.set_notify_interface(&alice(), job_id, Some(sink.clone())).expect("register");
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert!(wait_for(LONG, || sink.terminal_calls().len() == 41).await, "{:?}", sink.calls());
    let mut expected: Vec<String> = (0..40).map(|i| format!("file_transferred:{i}")).collect();
    expected.push("job_transferred".into());
    assert_eq!(sink.terminal_calls(), expected);
    manager.complete(&alice(), job_id).expect("complete");
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(sha256_file(&dir.path().join(format!("f{i}"))).expect("file"), sha256_hex(body));
    }
    assert!(server.connections_accepted() < 40, "connections are reused ({})", server.connections_accepted());
    let at_once = server.most_responses_at_once();
    assert!((2..=32).contains(&at_once), "files at once: {at_once} (at most the job's 32 connections)");
    manager.shutdown().await;
}

/// With one file at a time (the service's `--parallel-files 1`), the files of a
/// job go one after the other, as in BITS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_file_at_a_time_when_so_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let (files, bodies) = throttled_files(&server, dir.path(), (0..6).map(|_| 200_000));
    let manager = open_manager_with(dir.path(), |config| config.parallel_files = 1);
    let job_id = job_with_files(&manager, &files);
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert_eq!(server.most_responses_at_once(), 1);
    manager.complete(&alice(), job_id).expect("complete");
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(sha256_file(&dir.path().join(format!("f{i}"))).expect("file"), sha256_hex(body));
    }
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refreshed_link_keeps_the_bytes_when_the_file_is_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(2 << 20, 34);
    let (manager, job_id) =
        fetch(dir.path(), &server, "/old-link", Route::new(body.clone()).drop_after(1 << 20, 1)).await;
    wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    // The same file at a new URL: same size and validators.
    server.add_file("/new-link", body.clone());
    let fresh = haul_core::model::RemoteUrl::parse(&server.url("/new-link")).expect("url");
    manager.set_remote_name(&alice(), job_id, 0, &fresh).expect("set remote name");
    manager.resume(&alice(), job_id).expect("retry now");
    expect_file(&manager, job_id, dir.path(), &body).await;
    assert_eq!(restarts(&manager, job_id), 0);
    let first = server.requests_for("/new-link").first().cloned().expect("request");
    assert_eq!(first.header("range"), Some("bytes=1048576-"));
    assert!(server.bytes_served_for("/new-link") <= 1 << 20);
    manager.shutdown().await;
}
