//! Answers that can never turn into the file end the job at once, with a code
//! that names them (a redirect Haul cannot follow, a server that does not
//! speak HTTP); an answer that asks for a retry (425 Too Early) is retried.

use haul_core::Manager;
use haul_core::model::{ErrorContext, JobId, JobState};
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(60);

/// Well under the minimum retry delay (5 s): a fatal error is not retried first.
const AT_ONCE: Duration = Duration::from_secs(4);

async fn fetch(dir: &Path, url: String) -> (Manager, JobId) {
    let manager = open_manager(dir);
    let job_id = job_with_files(&manager, &[(url, dir.join("out.bin"))]);
    manager.resume(&alice(), job_id).expect("resume");
    (manager, job_id)
}

/// A loopback server that answers every connection with `answer` (after
/// reading the request head) and closes it; stops with the test process.
fn raw_server(answer: &'static [u8]) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(answer);
        }
    });
    format!("http://{addr}/file.bin")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_haul_cannot_follow_fails_at_once() {
    let server = TestServer::start();
    // (path, Location, the error's code, words in its message)
    let cases = [
        (
            "/to-ftp",
            "ftp://127.0.0.1/file.bin",
            "bad_redirect",
            "redirects to ftp://127.0.0.1/file.bin, which Haul cannot fetch",
        ),
        // A Location that is no URL: reqwest hands the 302 itself back.
        (
            "/to-nowhere",
            "http://[::1/file.bin",
            "bad_redirect",
            "redirects to http://[::1/file.bin, which Haul cannot fetch: the server answered 302 Found with a Location that is not a link",
        ),
    ];
    for (path, location, code, words) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        server.set_route(path, Route::new(Vec::new()).redirect_to(location));
        let started = Instant::now();
        let (manager, job_id) = fetch(dir.path(), server.url(path)).await;
        let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
        assert!(started.elapsed() < AT_ONCE, "{path}: retried first ({:?})", started.elapsed());
        let error = job.error.expect("an error");
        assert_eq!((error.code.as_str(), error.context), (code, ErrorContext::RemoteFile), "{error:?}");
        assert!(error.message.contains(words), "{error:?}");
        assert_eq!(server.requests_for(path).len(), 1, "{path}: asked again");
        assert!(temp_files(dir.path()).is_empty());
        manager.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_answer_in_http_fails_at_once() {
    let answers: [&'static [u8]; 3] = [
        b"SSH-2.0-OpenSSH_9.6\r\n",
        // HTTP/0.9: the body without a status line.
        b"<html>a file from 1991</html>\n",
        b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok",
    ];
    for answer in answers {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = raw_server(answer);
        let started = Instant::now();
        let (manager, job_id) = fetch(dir.path(), url.clone()).await;
        let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
        let took = started.elapsed();
        let error = job.error.expect("an error");
        let shown = String::from_utf8_lossy(answer);
        assert!(took < AT_ONCE, "{shown:?}: retried first ({took:?})");
        assert_eq!((error.code.as_str(), error.context), ("not_http", ErrorContext::Transport), "{shown:?}: {error:?}");
        assert!(error.message.contains("did not answer in HTTP") && error.message.contains(&url), "{error:?}");
        assert!(temp_files(dir.path()).is_empty());
        manager.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_early_is_retried_and_then_the_file_comes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = TestServer::start();
    let body = random_bytes(100_000, 425);
    server.set_route("/early", Route::new(body.clone()).fail_with(425, 1, None));
    let (manager, job_id) = fetch(dir.path(), server.url("/early")).await;
    let job = wait_state(&manager, job_id, JobState::TransientError, LONG).await;
    assert_eq!(job.error.map(|e| e.code), Some("http_425".to_string()));
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&dir.path().join("out.bin")).expect("file"), sha256_hex(&body));
    manager.shutdown().await;
}
