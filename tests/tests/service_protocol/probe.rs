//! `probe_url` against the loopback server: size and resumability from a
//! ranged answer or a plain one, redirects, the server's name, and errors that
//! name the problem.

use haul_core::model::RemoteUrl;
use haul_core::protocol::code;
use haul_tests::server::{Route, TestServer};
use haul_tests::service_fixture::{ServiceFixture, within};

fn url(text: &str) -> RemoteUrl {
    RemoteUrl::parse(text).expect("url")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_reports_name_size_and_whether_the_server_resumes() {
    let fixture = ServiceFixture::start();
    let client = fixture.client().await;
    let server = TestServer::start();
    server.add_file("/files/ranged.iso", vec![7; 3_000_000]);
    server.set_route("/files/plain.bin", Route::new(vec![1; 1234]).ranges(false));
    server.set_route("/old/moved.iso", Route::new(Vec::new()).redirect_to("/files/ranged.iso"));
    let named = Route::new(vec![2; 10]).content_disposition("attachment; filename=\"report.pdf\"");
    server.set_route("/get.php", named.content_type("application/pdf"));

    let ranged = within(client.probe_url(url(&server.url("/files/ranged.iso")), vec!["X-Token: 7".into()]))
        .await
        .expect("probe a ranged file");
    assert_eq!((ranged.file_name.as_str(), ranged.size, ranged.resumable), ("ranged.iso", Some(3_000_000), true));
    assert_eq!(ranged.final_url, server.url("/files/ranged.iso"));
    let asked = server.requests_for("/files/ranged.iso");
    let first = asked.first().expect("the server was asked");
    assert_eq!(first.header("range"), Some("bytes=0-0"), "only the first byte is asked for");
    assert_eq!(first.header("x-token"), Some("7"), "the given headers are sent");

    let plain = within(client.probe_url(url(&server.url("/files/plain.bin")), Vec::new())).await.expect("plain");
    assert_eq!((plain.size, plain.resumable), (Some(1234), false), "{plain:?}");

    let moved = within(client.probe_url(url(&server.url("/old/moved.iso")), Vec::new())).await.expect("moved");
    assert_eq!(moved.final_url, server.url("/files/ranged.iso"));
    assert_eq!(moved.file_name, "moved.iso", "named after the link, as a download of it would be");
    assert_eq!(moved.size, Some(3_000_000));

    let script = within(client.probe_url(url(&server.url("/get.php?id=3")), Vec::new())).await.expect("script");
    assert_eq!(script.file_name, "report.pdf", "Content-Disposition names what the URL does not");
    assert_eq!(script.content_type.as_deref(), Some("application/pdf"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_probe_names_the_problem() {
    let fixture = ServiceFixture::start();
    let client = fixture.client().await;
    let server = TestServer::start();

    let missing = within(client.probe_url(url(&server.url("/nothing.iso")), Vec::new())).await.expect_err("404");
    assert_eq!(missing.code(), Some(code::REMOTE_FAILED));
    assert!(missing.to_string().contains("404"), "{missing}");

    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let closed = format!("http://127.0.0.1:{port}/a.iso");
    let refused = within(client.probe_url(url(&closed), Vec::new())).await.expect_err("refused");
    assert_eq!(refused.code(), Some(code::REMOTE_FAILED));
    let text = refused.to_string().to_lowercase();
    assert!(text.contains("cannot reach 127.0.0.1") && text.contains("refused"), "{refused}");

    let bad = within(client.probe_url(url(&server.url("/a")), vec!["no colon".into()])).await.expect_err("header");
    assert_eq!(bad.code(), Some(code::INVALID_ARGUMENT), "{bad}");
}

/// The service gives a server 10 s; the same probe with a short limit shows
/// what a silent server becomes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_answer_in_time_is_named() {
    let server = TestServer::start();
    server.set_route("/slow.iso", Route::new(vec![0; 10]).latency(std::time::Duration::from_secs(3)));
    let http = haul_core::engine::build_client(std::time::Duration::from_secs(30)).expect("client");
    let limit = std::time::Duration::from_millis(300);
    let slow = within(haul_core::engine::probe(&http, &url(&server.url("/slow.iso")), &[], limit)).await;
    let error = slow.expect_err("no answer in time").to_string();
    assert_eq!(error, "no answer from 127.0.0.1 within 300 ms");
}
