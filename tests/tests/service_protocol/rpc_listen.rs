//! `set_rpc_listen` on sessions with fabricated callers: only the service's
//! own user may move a per-user service's endpoint; bad params are named.

use super::access::code_of;
use haul_core::model::Caller;
use haul_core::protocol::{code, current_uid};
use haul_core::service::{CancellationToken, Session};
use haul_tests::service_fixture::{ServiceFixture, wait_for};
use serde_json::json;

fn session(fixture: &ServiceFixture, caller: Caller) -> Session {
    let (mut session, _outbox) = Session::new(fixture.manager.clone(), caller, CancellationToken::new());
    session.set_rpc(fixture.endpoint.clone());
    session.handle_request("hello", json!({"protocol": 1})).expect("hello");
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_services_user_moves_the_endpoint_and_bad_params_are_named() {
    let fixture = ServiceFixture::start_with_rpc();
    let uid = current_uid();
    let mut own = session(&fixture, Caller::from_uid(uid, None));
    let mut other = session(&fixture, Caller::from_uid(uid.wrapping_add(1), None));
    let info = wait_for("the endpoint to listen", || {
        let info = own.handle_request("get_rpc_info", json!({})).expect("get_rpc_info");
        async move { (info["status"] == "listening").then_some(info) }
    })
    .await;

    let denied = other.handle("set_rpc_listen", json!({"listen": "off"})).await;
    assert_eq!(code_of(denied), code::ACCESS_DENIED);
    let theirs = other.handle_request("get_rpc_info", json!({})).expect("get_rpc_info");
    assert!(theirs["secret"].is_null() && theirs["error"].is_string(), "no secret for another user: {theirs}");

    assert_eq!(code_of(own.handle("set_rpc_listen", json!({})).await), code::INVALID_PARAMS, "listen is required");
    let unknown = own.handle("set_rpc_listen", json!({"listen": "off", "port": 1})).await;
    assert_eq!(code_of(unknown), code::INVALID_PARAMS);
    let bad = own.handle("set_rpc_listen", json!({"listen": "here"})).await.expect_err("bad text");
    assert_eq!(bad.code, code::INVALID_ARGUMENT);
    assert!(bad.message.contains("'here'"), "{}", bad.message);
    let wide = own.handle("set_rpc_listen", json!({"listen": "0.0.0.0:0"})).await.expect_err("beyond loopback");
    assert!(wide.message.contains("--rpc-insecure"), "{}", wide.message);
    let now = own.handle_request("get_rpc_info", json!({})).expect("get_rpc_info");
    assert_eq!(now["url"], info["url"], "refusals change nothing");

    let off = own.handle("set_rpc_listen", json!({"listen": "off"})).await.expect("off");
    assert_eq!(
        (off["status"].as_str(), off["listen"].as_str(), off["url"].is_null()),
        (Some("off"), Some("off"), true)
    );
    let saved = std::fs::read_to_string(fixture.dir().join("rpc-listen")).expect("saved");
    assert_eq!(saved.trim(), "off");
    // The sync entry point names the async one rather than answering wrongly.
    assert_eq!(code_of(own.handle_request("set_rpc_listen", json!({"listen": "off"}))), code::INTERNAL);
}
