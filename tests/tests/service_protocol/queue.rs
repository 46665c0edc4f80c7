//! `move_job`: aria2's changePosition over the caller's waiting queue, saved
//! across a restart and honoured by the scheduler; and the check order of
//! `move_job` and `forget_job` (params, existence, access, state).

use super::access::{code_of, session};
use super::wait_state;
use haul_core::client::Client;
use haul_core::model::{Caller, JobId, JobState};
use haul_core::protocol::{CreateJobParams, Whence, code};
use haul_tests::server::{Route, TestServer, random_bytes};
use haul_tests::service_fixture::{ServiceFixture, wait_for};
use haul_tests::support::{new_file, runtime};
use serde_json::json;
use std::path::Path;

/// Someone else, with jobs in the same service.
const OTHER_UID: u32 = 4242;

fn service_on(db: &Path) -> ServiceFixture {
    let db = db.to_path_buf();
    ServiceFixture::start_with(move |config| config.db_path = db)
}

async fn create(client: &Client, name: &str) -> JobId {
    client.create_job(CreateJobParams { display_name: name.into(), ..Default::default() }).await.expect("create_job")
}

/// The caller's waiting queue and its enum_jobs list, as ids.
async fn orders(fixture: &ServiceFixture, client: &Client) -> (Vec<JobId>, Vec<JobId>) {
    let waiting = fixture.manager.waiting_queue(&client.caller()).into_iter().map(|j| j.id).collect();
    let listed = client.enum_jobs(false, false).await.expect("enum_jobs").into_iter().map(|j| j.id).collect();
    (waiting, listed)
}

/// Every job of the service, in queue order (as an administrator sees them).
fn global_order(fixture: &ServiceFixture) -> Vec<JobId> {
    let admin = Caller::from_uid(0, None);
    fixture.manager.enum_jobs(&admin, true, false).expect("enum_jobs").into_iter().map(|j| j.id).collect()
}

#[test]
fn move_job_sets_counts_from_here_and_from_the_end_and_the_order_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("haul.db");
    let (ids, theirs) = runtime().block_on(async {
        let fixture = service_on(&db);
        let client = fixture.client().await;
        let (a, b) = (create(&client, "a").await, create(&client, "b").await);
        let other = Caller::from_uid(OTHER_UID, None);
        let theirs = fixture
            .manager
            .create_job(&other, CreateJobParams { display_name: "theirs".into(), ..Default::default() })
            .expect("create another user's job");
        let (c, d) = (create(&client, "c").await, create(&client, "d").await);
        assert_eq!(orders(&fixture, &client).await.0, [a, b, c, d]);

        // (job, position, how, the index answered, the queue after)
        let steps = [
            (d, 0, Whence::Set, 0, [d, a, b, c]),
            (a, 1, Whence::Cur, 2, [d, b, a, c]),
            (b, 0, Whence::End, 3, [d, a, c, b]),
            (d, -1, Whence::End, 2, [a, c, d, b]),
            (c, 99, Whence::Set, 3, [a, d, b, c]),
            (b, -10, Whence::Cur, 0, [b, a, d, c]),
            (a, -99, Whence::End, 0, [a, b, d, c]),
            (d, 0, Whence::Cur, 2, [a, b, d, c]),
        ];
        for (job_id, position, how, index, after) in steps {
            let got = client.move_job(job_id, position, how).await.expect("move_job");
            assert_eq!(got, index, "move {position} {how:?}");
            let (waiting, listed) = orders(&fixture, &client).await;
            assert_eq!(waiting, after, "waiting_queue after moving {position} {how:?}");
            assert_eq!(listed, after, "enum_jobs after moving {position} {how:?}");
        }
        assert_eq!(global_order(&fixture), [a, b, theirs, d, c], "the other user's job keeps its place");
        fixture.stop().await;
        ([a, b, d, c], theirs)
    });

    runtime().block_on(async {
        let fixture = service_on(&db);
        let client = fixture.client().await;
        let (waiting, listed) = orders(&fixture, &client).await;
        assert_eq!(waiting, ids, "the moved order is saved");
        assert_eq!(listed, ids);
        let [a, b, d, c] = ids;
        assert_eq!(global_order(&fixture), [a, b, theirs, d, c]);
        fixture.stop().await;
    });
}

/// A job with one file served slowly (one connection, 32 KiB/s: 8 s), so it
/// stays transferring while the test looks.
async fn slow_job(client: &Client, fixture: &ServiceFixture, server: &TestServer, name: &str) -> JobId {
    let route = format!("/{name}");
    server.set_route(&route, Route::new(random_bytes(256 << 10, 7)).throttle_per_connection(32 << 10));
    let job_id = create(client, name).await;
    client.add_file(new_file(job_id, &server.url(&route), &fixture.path(name), None)).await.expect("add_file");
    job_id
}

async fn state_of(client: &Client, job_id: JobId) -> JobState {
    client.get_job(job_id).await.expect("get_job").state
}

async fn wait_running(client: &Client, job_id: JobId) {
    wait_for(&format!("job {job_id} to run"), || async { state_of(client, job_id).await.is_running().then_some(()) })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_starts_the_moved_job_first() {
    let fixture = ServiceFixture::start_with(|config| {
        config.max_active_jobs = 1;
        config.max_connections_per_file = 1;
    });
    let server = TestServer::start();
    let client = fixture.client().await;
    let running = slow_job(&client, &fixture, &server, "running").await;
    client.resume(running).await.expect("resume");
    wait_state(&client, running, JobState::Transferring).await;
    let mut queued = Vec::new();
    for name in ["first", "second", "third"] {
        let job_id = slow_job(&client, &fixture, &server, name).await;
        client.resume(job_id).await.expect("resume");
        queued.push(job_id);
    }
    let [first, second, third] = [queued[0], queued[1], queued[2]];
    for job_id in [first, second, third] {
        assert_eq!(state_of(&client, job_id).await, JobState::Queued, "one job at a time");
    }

    // A running job is not in the waiting queue, and cannot be forgotten.
    let refused = client.move_job(running, 0, Whence::Set).await.expect_err("a running job cannot move");
    assert_eq!(refused.code(), Some(code::INVALID_STATE));
    let refused = client.forget_job(running).await.expect_err("a running job cannot be forgotten");
    assert_eq!(refused.code(), Some(code::INVALID_STATE));
    assert!(refused.to_string().contains("is transferring; only a finished or cancelled job"), "{refused}");

    assert_eq!(orders(&fixture, &client).await.0, [first, second, third]);
    assert_eq!(client.move_job(third, 0, Whence::Set).await.expect("move_job"), 0);
    assert_eq!(orders(&fixture, &client).await.0, [third, first, second]);

    // The slot frees up: the moved job takes it, the others wait in their order.
    client.suspend(running).await.expect("suspend");
    wait_running(&client, third).await;
    assert_eq!(state_of(&client, first).await, JobState::Queued);
    assert_eq!(state_of(&client, second).await, JobState::Queued);
    client.cancel(third).await.expect("cancel");
    wait_running(&client, first).await;
    assert_eq!(state_of(&client, second).await, JobState::Queued);

    let refused = client.move_job(third, 0, Whence::End).await.expect_err("a cancelled job cannot move");
    assert_eq!(refused.code(), Some(code::INVALID_STATE));
    for job_id in [running, first, second] {
        client.cancel(job_id).await.expect("cancel");
    }
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_methods_check_params_then_existence_then_access_then_state() {
    let fixture = ServiceFixture::start();
    let (mut owner, _o) = session(&fixture, 1000);
    let (mut other, _x) = session(&fixture, 1001);
    let (mut admin, _a) = session(&fixture, 0);
    let created = owner.handle_request("create_job", json!({"display_name": "mine"})).expect("create_job");
    let job_id = created["job_id"].clone();
    let job = json!({"job_id": job_id});
    let moved = |how: &str| json!({"job_id": job_id, "position": 0, "how": how});
    let missing = JobId::new();

    assert_eq!(code_of(other.handle_request("forget_job", json!({"job_id": 7}))), code::INVALID_PARAMS);
    assert_eq!(code_of(other.handle_request("move_job", job.clone())), code::INVALID_PARAMS, "no position");
    let bad_position = json!({"job_id": job_id, "position": "first", "how": "set"});
    assert_eq!(code_of(other.handle_request("move_job", bad_position)), code::INVALID_PARAMS);
    assert_eq!(code_of(other.handle_request("forget_job", json!({"job_id": missing}))), code::NOT_FOUND);
    let missing_move = json!({"job_id": missing, "position": 0, "how": "up"});
    assert_eq!(code_of(other.handle_request("move_job", missing_move)), code::NOT_FOUND);
    assert_eq!(code_of(other.handle_request("forget_job", job.clone())), code::ACCESS_DENIED);
    assert_eq!(code_of(other.handle_request("move_job", moved("set"))), code::ACCESS_DENIED);
    assert_eq!(code_of(other.handle_request("move_job", moved("up"))), code::ACCESS_DENIED, "access before value");
    assert_eq!(code_of(owner.handle_request("move_job", moved("up"))), code::INVALID_ARGUMENT);
    assert_eq!(code_of(owner.handle_request("forget_job", job.clone())), code::INVALID_STATE);
    assert!(fixture.manager.waiting_queue(&Caller::from_uid(1001, None)).is_empty(), "not in another's queue");

    // An administrator moves another user's job within its owner's queue.
    assert_eq!(owner.handle_request("move_job", moved("end")).expect("move_job"), json!({"position": 0}));
    assert_eq!(admin.handle_request("move_job", moved("cur")).expect("move_job"), json!({"position": 0}));
    owner.handle_request("cancel", job.clone()).expect("cancel");
    assert_eq!(code_of(owner.handle_request("move_job", moved("set"))), code::INVALID_STATE);
    assert_eq!(code_of(other.handle_request("forget_job", job.clone())), code::ACCESS_DENIED);
    assert_eq!(admin.handle_request("forget_job", job.clone()).expect("forget_job"), json!({}));
    assert_eq!(code_of(owner.handle_request("get_job", job)), code::NOT_FOUND);
    fixture.stop().await;
}
