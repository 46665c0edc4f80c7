//! Access rules, on sessions with fabricated callers (one process cannot hold
//! two uids): others get access_denied and nothing changes.

use haul_core::model::{Caller, JobState};
use haul_core::protocol::code;
use haul_core::service::{CancellationToken, Outbox, Session};
use haul_tests::service_fixture::ServiceFixture;
use serde_json::{Value, json};

/// A hello'd session for `uid` on the fixture's manager.
pub(super) fn session(fixture: &ServiceFixture, uid: u32) -> (Session, Outbox) {
    let stop = CancellationToken::new();
    let (mut session, outbox) = Session::new(fixture.manager.clone(), Caller::from_uid(uid, None), stop);
    session.handle_request("hello", json!({"protocol": 1})).expect("hello");
    (session, outbox)
}

/// The code of an error that must come (with a message).
pub(super) fn code_of(result: Result<Value, haul_core::protocol::RpcError>) -> i64 {
    match result {
        Ok(value) => panic!("expected an error, got {value}"),
        Err(e) => {
            assert!(!e.message.is_empty());
            e.code
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_user_is_denied_and_nothing_changes() {
    let fixture = ServiceFixture::start();
    let (mut owner, _o) = session(&fixture, 1000);
    let (mut other, _x) = session(&fixture, 1001);
    let (mut admin, _a) = session(&fixture, 0);
    let created = owner.handle_request("create_job", json!({"display_name": "mine"})).expect("create_job");
    let job = json!({"job_id": created["job_id"]});
    let with = |extra: Value| {
        let mut params = job.clone();
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        params
    };

    for (method, params) in [
        ("get_job", job.clone()),
        ("enum_files", job.clone()),
        ("set_notify_interface", with(json!({"register": true}))),
        ("get_notify_interface", job.clone()),
        ("cancel", job.clone()),
        ("suspend", job.clone()),
        ("set_job", with(json!({"display_name": "theirs"}))),
        ("set_job", with(json!({"notify_flags": ["loud"]}))),
        ("take_ownership", job.clone()),
    ] {
        let got = code_of(other.handle_request(method, params));
        assert_eq!(got, code::ACCESS_DENIED, "{method}");
    }
    // Params are checked before access, and existence before access.
    let malformed = other.handle_request("cancel", json!({"job_id": 7}));
    assert_eq!(code_of(malformed), code::INVALID_PARAMS);
    let missing = other.handle_request("cancel", json!({"job_id": haul_core::model::JobId::new()}));
    assert_eq!(code_of(missing), code::NOT_FOUND);

    let now = owner.handle_request("get_job", job.clone()).expect("get_job");
    assert_eq!(now["state"], "suspended");
    assert_eq!(now["display_name"], "mine");
    let sink = owner.handle_request("get_notify_interface", job.clone()).expect("get_notify_interface");
    assert_eq!(sink, json!({"registered": false, "mine": false}));

    assert_eq!(code_of(other.handle_request("enum_jobs", json!({"all_users": true}))), code::ACCESS_DENIED);
    assert_eq!(other.handle_request("enum_jobs", json!({})).expect("enum_jobs"), json!([]));
    let theirs = other.handle_request("events_since", json!({"seq": 0})).expect("events_since");
    assert_eq!(theirs["events"], json!([]));
    assert_eq!(theirs["next_seq"], 0);
    let mine = owner.handle_request("events_since", json!({"seq": 0})).expect("events_since");
    assert_eq!(mine["events"][0]["kind"], "created");

    // The owner may not take ownership either; an administrator may do anything.
    let owner_takes = owner.handle_request("take_ownership", job.clone());
    assert_eq!(code_of(owner_takes), code::ACCESS_DENIED);
    assert_eq!(admin.handle_request("get_job", job.clone()).expect("get_job")["owner"], 1000);
    let all = admin.handle_request("enum_jobs", json!({"all_users": true})).expect("enum_jobs");
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    admin.handle_request("cancel", job.clone()).expect("cancel");
    let job_now = fixture
        .manager
        .get_job(&Caller::from_uid(1000, None), serde_json::from_value(created["job_id"].clone()).expect("id"))
        .expect("get_job");
    assert_eq!(job_now.state, JobState::Cancelled);
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_administrator_or_the_services_user_may_stop_it() {
    let fixture = ServiceFixture::start();
    let service_uid = haul_core::protocol::current_uid();
    let stranger = if service_uid == 4242 { 4243 } else { 4242 };
    let (mut other, _x) = session(&fixture, stranger);
    assert_eq!(code_of(other.handle_request("shutdown", json!({}))), code::ACCESS_DENIED);
    assert!(!other.stop_requested());
    let (mut own, _o) = session(&fixture, service_uid);
    assert_eq!(own.handle_request("shutdown", json!({})).expect("shutdown"), json!({}));
    assert!(own.stop_requested());
    let (mut admin, _a) = session(&fixture, 0);
    admin.handle_request("shutdown", json!({})).expect("shutdown");
    fixture.stop().await;
}
