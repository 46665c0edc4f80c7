//! `open_add_dialog` reaches the caller's windows (connections that called
//! `receive_add_dialogs`), and only those: none listening says so; another
//! user's window hears nothing; bad links and headers are named.

use super::access::code_of;
use haul_core::client::{Client, Incoming};
use haul_core::model::{Caller, RemoteUrl};
use haul_core::protocol::{code, current_uid};
use haul_core::service::{CancellationToken, Session};
use haul_tests::service_fixture::{ServiceFixture, within};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_dialog_goes_to_the_callers_window_only() {
    let fixture = ServiceFixture::start();
    let asker = Client::connect(&fixture.socket).await.expect("connect");
    let link = RemoteUrl::parse("https://files.example/a.iso").expect("url");
    let headers = vec!["Cookie: session=1".to_string()];
    assert!(!asker.open_add_dialog(vec![link.clone()], headers.clone()).await.expect("ask"), "no window yet");

    let window = Client::connect(&fixture.socket).await.expect("connect");
    let mut incoming = window.take_incoming().expect("incoming");
    window.receive_add_dialogs().await.expect("receive_add_dialogs");
    window.receive_add_dialogs().await.expect("twice is fine");
    // Another user's window, on a session of its own.
    let other = Caller::from_uid(current_uid().wrapping_add(1), None);
    let (mut theirs, _outbox) = Session::new(fixture.manager.clone(), other, CancellationToken::new());
    theirs.handle_request("hello", json!({"protocol": 1})).expect("hello");
    theirs.handle_request("receive_add_dialogs", json!({})).expect("theirs listens");

    assert!(asker.open_add_dialog(vec![link.clone()], headers.clone()).await.expect("ask"), "the window is there");
    let got = within(incoming.recv()).await;
    match got {
        Some(Incoming::AddDialog(dialog)) => {
            assert_eq!(dialog.links, vec![link.clone()]);
            assert_eq!(dialog.headers, headers);
        }
        other => panic!("expected an add dialog, got {other:?}"),
    }
    // The other user asks: their window listens, ours hears nothing.
    let shown = theirs.handle_request("open_add_dialog", json!({"links": ["https://x.example/b.zip"]}));
    assert_eq!(shown.expect("theirs")["shown"], true);
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(300), incoming.recv()).await;
    assert!(quiet.is_err(), "another user's dialog reached this window: {quiet:?}");

    let bad = theirs.handle_request("open_add_dialog", json!({"links": ["ftp://x.example/b"]}));
    assert_eq!(code_of(bad), code::INVALID_ARGUMENT, "not an http(s) link");
    let none = theirs.handle_request("open_add_dialog", json!({"links": []}));
    assert_eq!(code_of(none), code::INVALID_ARGUMENT);
    let header =
        theirs.handle_request("open_add_dialog", json!({"links": ["https://x.example/b"], "headers": ["no colon"]}));
    assert_eq!(code_of(header), code::INVALID_ARGUMENT);

    // The window closes: nobody listens any more.
    drop(incoming);
    drop(window);
    let gone = haul_tests::service_fixture::wait_for("the window to be gone", || {
        let (asker, link) = (&asker, link.clone());
        async move { (!asker.open_add_dialog(vec![link], Vec::new()).await.expect("ask")).then_some(()) }
    });
    gone.await;
}
