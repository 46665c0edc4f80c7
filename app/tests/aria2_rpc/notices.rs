//! Notifications on a WebSocket, in order, as aria2 sends them: start then
//! complete, pause, stop on remove, error for a missing file; and only to the
//! socket whose secret owns the download.

use crate::client::*;
use crate::control::{add_slow, slow_server};
use haul_tests::server::random_bytes;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The notifications for `gid` until one is `last` (or the time is up):
/// their method names in order.
fn notices_until(rpc: &mut Rpc, gid: &str, last: &str) -> Vec<String> {
    let deadline = Instant::now() + DOWNLOAD_TIMEOUT;
    let mut seen = Vec::new();
    while let Some(notice) = rpc.next_notice(deadline.saturating_duration_since(Instant::now())) {
        assert_eq!(notice["jsonrpc"], "2.0", "{notice}");
        let params = notice["params"].as_array().unwrap_or_else(|| panic!("no params: {notice}"));
        assert_eq!(params.len(), 1, "one event struct: {notice}");
        assert!(is_gid(&params[0]["gid"]), "{notice}");
        if params[0]["gid"] != gid {
            continue;
        }
        let method = notice["method"].as_str().unwrap_or_default().to_owned();
        seen.push(method.clone());
        if method == last {
            break;
        }
    }
    seen
}

fn gid_of(added: Value) -> String {
    assert!(is_gid(&added), "{added}");
    added.as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_websocket_hears_start_complete_pause_stop_and_error_in_order() {
    let server = slow_server();
    server.add_file("/small.bin", random_bytes(200_000, 31));
    let ep = Endpoint::start();
    let mut rpc = ep.client(Transport::WebSocket);

    let done = gid_of(rpc.ok("aria2.addUri", json!([[server.url("/small.bin")], {"dir": ep.dir()}])));
    let heard = notices_until(&mut rpc, &done, "aria2.onDownloadComplete");
    assert_eq!(heard, ["aria2.onDownloadStart", "aria2.onDownloadComplete"], "a download that completes");
    assert_eq!(rpc.ok("aria2.tellStatus", json!([done]))["status"], "complete");

    let slow = add_slow(&mut rpc, &ep, &server, "slow.bin");
    assert_eq!(notices_until(&mut rpc, &slow, "aria2.onDownloadStart"), ["aria2.onDownloadStart"]);
    rpc.ok("aria2.pause", json!([slow]));
    assert_eq!(notices_until(&mut rpc, &slow, "aria2.onDownloadPause"), ["aria2.onDownloadPause"]);
    rpc.ok("aria2.unpause", json!([slow]));
    assert_eq!(notices_until(&mut rpc, &slow, "aria2.onDownloadStart"), ["aria2.onDownloadStart"], "unpaused");
    rpc.ok("aria2.remove", json!([slow]));
    assert_eq!(notices_until(&mut rpc, &slow, "aria2.onDownloadStop"), ["aria2.onDownloadStop"], "removed");

    let missing = gid_of(rpc.ok("aria2.addUri", json!([[server.url("/missing.bin")], {"dir": ep.dir()}])));
    let heard = notices_until(&mut rpc, &missing, "aria2.onDownloadError");
    assert_eq!(heard, ["aria2.onDownloadStart", "aria2.onDownloadError"], "a 404");
    assert_eq!(rpc.ok("aria2.tellStatus", json!([missing]))["errorCode"], "3");
    ep.assert_no_panic();
}

#[test]
fn a_websocket_without_a_secret_hears_nothing() {
    let server = slow_server();
    server.add_file("/small.bin", random_bytes(100_000, 32));
    let ep = Endpoint::start();
    let mut stranger = Rpc::connect(ep.addr, Transport::WebSocket, "token:wrong").expect("connect");
    assert!(stranger.ok("system.listMethods", json!([])).is_array());
    assert_eq!(stranger.fails("aria2.tellActive", json!([])).message, "Unauthorized");
    let mut owner = ep.client(Transport::WebSocket);
    let gid = gid_of(owner.ok("aria2.addUri", json!([[server.url("/small.bin")], {"dir": ep.dir()}])));
    assert_eq!(
        notices_until(&mut owner, &gid, "aria2.onDownloadComplete").last().map(String::as_str),
        Some("aria2.onDownloadComplete")
    );
    // The owner heard the download end, so the stranger would have heard it by now too.
    let overheard = stranger.next_notice(Duration::from_millis(500));
    assert_eq!(overheard, None, "a socket that named no user hears no one's downloads");
    ep.assert_no_panic();
}
