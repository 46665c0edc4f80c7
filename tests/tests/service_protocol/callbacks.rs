//! Sinks: callbacks as JSON-RPC requests, last registration wins, and the
//! command-line fallback when the sink is gone or refuses.

use super::{job_with_file, next_callback, wait_state};
use haul_core::model::JobState;
use haul_core::model::NotifyCmdLine;
use haul_core::protocol::JobChanges;
use haul_tests::server::{TestServer, random_bytes};
use haul_tests::service_fixture::{ServiceFixture, wait_for, within};
use serde_json::json;

/// Changes that make the job run `command` through `/bin/sh` when no sink takes a callback.
fn notify_by(command: &str) -> JobChanges {
    let cmd = NotifyCmdLine { program: "/bin/sh".into(), args: vec!["-c".into(), command.into()] };
    JobChanges { notify_cmd_line: Some(cmd), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_connection_gets_job_transferred_as_a_request_and_completes() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let body = random_bytes(300_000, 2);
    server.add_file("/two.bin", body.clone());
    let mut conn = fixture.raw().await;
    conn.hello().await;
    let job_id = conn.ok("create_job", json!({"display_name": "two"})).await["job_id"].clone();
    let local = fixture.path("two.bin");
    let added =
        conn.ok("add_file", json!({"job_id": job_id, "remote_url": server.url("/two.bin"), "local_name": local})).await;
    assert_eq!(added, json!({"file_index": 0}));
    assert_eq!(conn.ok("set_notify_interface", json!({"job_id": job_id, "register": true})).await, json!({}));
    assert_eq!(
        conn.ok("get_notify_interface", json!({"job_id": job_id})).await,
        json!({"registered": true, "mine": true})
    );
    assert_eq!(conn.ok("resume", json!({"job_id": job_id})).await, json!({}));

    let callback = loop {
        let message = conn.recv().await.expect("the callback");
        if message["method"] == "job_transferred" {
            break message;
        }
    };
    assert_eq!(callback["jsonrpc"], "2.0");
    assert!(callback["id"].is_i64() || callback["id"].is_string(), "{callback}");
    assert_eq!(callback["params"]["job"]["id"], job_id);
    assert_eq!(callback["params"]["job"]["state"], "transferred");
    assert_eq!(callback["params"]["job"]["progress"]["bytes_transferred"], 300_000);
    assert!(!local.exists(), "files stay hidden until complete");
    conn.send(&json!({"jsonrpc": "2.0", "id": callback["id"], "result": {}})).await;

    assert_eq!(conn.ok("complete", json!({"job_id": job_id})).await, json!({"partial": false}));
    assert_eq!(std::fs::read(&local).expect("the completed file"), body);
    let job = conn.ok("get_job", json!({"job_id": job_id})).await;
    assert_eq!(job["state"], "acknowledged");
    let reply = conn.call("complete", json!({"job_id": job_id})).await;
    assert_eq!(reply["error"]["code"], 3, "completing twice is invalid_state");
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_registration_wins() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let first = fixture.client().await;
    let second = fixture.client().await;
    let mut first_in = first.take_incoming().expect("incoming");
    let mut second_in = second.take_incoming().expect("incoming");
    let (job_id, _) = job_with_file(&first, &fixture, &server, "three", random_bytes(10_000, 3)).await;
    first.set_notify_interface(job_id, true).await.expect("register first");
    second.set_notify_interface(job_id, true).await.expect("register second");
    let mine = |r: haul_core::protocol::NotifyInterfaceResult| (r.registered, r.mine);
    assert_eq!(mine(first.get_notify_interface(job_id).await.expect("get")), (true, false));
    assert_eq!(mine(second.get_notify_interface(job_id).await.expect("get")), (true, true));

    first.resume(job_id).await.expect("resume");
    let (method, params, responder) = next_callback(&mut second_in).await;
    assert_eq!(method, "job_transferred");
    assert_eq!(params["job"]["id"], json!(job_id));
    responder.ok();
    // A round trip on the first connection: anything sent to it would be in by now.
    first.get_job(job_id).await.expect("get_job");
    assert!(first_in.try_recv().is_err(), "the replaced sink got nothing");

    // Unregistering clears the job's sink whoever registered it.
    first.set_notify_interface(job_id, false).await.expect("unregister");
    assert_eq!(mine(second.get_notify_interface(job_id).await.expect("get")), (false, false));
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnected_sink_falls_back_to_the_command_line() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let owner = fixture.client().await;
    let (job_id, _) = job_with_file(&owner, &fixture, &server, "four", random_bytes(20_000, 4)).await;
    let marker = fixture.path("four.marker");
    let command = format!("touch '{}'", marker.display());
    owner.set_job(job_id, notify_by(&command)).await.expect("set the command line");

    let sink = fixture.client().await;
    sink.set_notify_interface(job_id, true).await.expect("register");
    assert!(owner.get_notify_interface(job_id).await.expect("get").registered);
    sink.close();
    drop(sink);
    wait_for("the sink to go with its connection", || async {
        let now = owner.get_notify_interface(job_id).await.expect("get");
        (!now.registered).then_some(())
    })
    .await;

    owner.resume(job_id).await.expect("resume");
    wait_state(&owner, job_id, JobState::Transferred).await;
    wait_for("the notify command to run", || async { marker.exists().then_some(()) }).await;
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_that_refuses_falls_back_to_the_command_line() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let client = fixture.client().await;
    let mut incoming = client.take_incoming().expect("incoming");
    let (job_id, _) = job_with_file(&client, &fixture, &server, "refuse", random_bytes(5_000, 5)).await;
    let marker = fixture.path("refuse.marker");
    let command = format!("touch '{}'", marker.display());
    client.set_job(job_id, notify_by(&command)).await.expect("set the command line");
    client.set_notify_interface(job_id, true).await.expect("register");
    client.resume(job_id).await.expect("resume");
    let (method, _, responder) = next_callback(&mut incoming).await;
    assert_eq!(method, "job_transferred");
    assert!(!marker.exists(), "the sink is asked first");
    responder.fail("not now");
    within(async { wait_for("the notify command to run", || async { marker.exists().then_some(()) }).await }).await;
    fixture.stop().await;
}
