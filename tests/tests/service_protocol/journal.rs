//! The journal: `events_since` after a cursor, live `event` and `progress`
//! notifications, and the callback replayed to a new sink of a transferred job.

use super::{job_with_file, next_callback, wait_state};
use haul_core::client::Incoming;
use haul_core::model::{EventKind, JobState};
use haul_tests::server::{Route, TestServer, random_bytes};
use haul_tests::service_fixture::{ServiceFixture, within};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_since_returns_what_happened_after_the_cursor() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let client = fixture.client().await;
    let (early, _) = job_with_file(&client, &fixture, &server, "early", random_bytes(100, 1)).await;
    let cursor = client.events_since(0, None).await.expect("events_since").next_seq;
    assert!(cursor > 0, "the early job's events are journaled");

    let (job_id, _) = job_with_file(&client, &fixture, &server, "five", random_bytes(50_000, 5)).await;
    client.resume(job_id).await.expect("resume");
    wait_state(&client, job_id, JobState::Transferred).await;

    let page = client.events_since(cursor, None).await.expect("events_since");
    assert!(page.events.iter().all(|e| e.job_id == job_id && e.seq > cursor));
    assert!(page.events.windows(2).all(|w| w[0].seq < w[1].seq), "oldest first");
    let kinds: Vec<EventKind> = page.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.first(), Some(&EventKind::Created), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&EventKind::Transferred), "{kinds:?}");
    assert!(kinds.contains(&EventKind::Modified), "add_file is journaled: {kinds:?}");
    assert_eq!(page.next_seq, page.events.last().map_or(0, |e| e.seq));
    let rest = client.events_since(page.next_seq, None).await.expect("events_since");
    assert!(rest.events.is_empty());
    assert_eq!(rest.next_seq, page.next_seq, "no events: the cursor stays");
    let limited = client.events_since(0, Some(1)).await.expect("events_since");
    assert_eq!(limited.events.len(), 1);
    assert_eq!(limited.events[0].job_id, early);

    // A sink that registers on a transferred job hears about it at once.
    let late = fixture.client().await;
    let mut incoming = late.take_incoming().expect("incoming");
    late.set_notify_interface(job_id, true).await.expect("register");
    let (method, params, responder) = next_callback(&mut incoming).await;
    assert_eq!(method, "job_transferred");
    assert_eq!(params["job"]["id"], json!(job_id));
    assert_eq!(params["job"]["state"], "transferred");
    responder.ok();
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_get_events_and_throttled_progress() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let client = fixture.client().await;
    let mut incoming = client.take_incoming().expect("incoming");
    let next_seq = client.subscribe().await.expect("subscribe");
    assert_eq!(client.subscribe().await.expect("subscribe again"), next_seq);

    let body = random_bytes(96 * 1024, 6);
    let (job_id, local) = job_with_file(&client, &fixture, &server, "slow", Vec::new()).await;
    server.set_route("/slow", Route::new(body.clone()).throttle_per_connection(96 * 1024));
    client.resume(job_id).await.expect("resume");

    let started = tokio::time::Instant::now();
    let mut kinds = Vec::new();
    let mut progress = Vec::new();
    let mut last_seq = next_seq;
    while kinds.last() != Some(&EventKind::Transferred) {
        match within(incoming.recv()).await.expect("the connection closed") {
            Incoming::Event(event) => {
                assert_eq!(event.job_id, job_id);
                assert!(event.seq > last_seq, "events arrive in order, each once");
                last_seq = event.seq;
                kinds.push(event.kind);
            }
            Incoming::Progress(jobs) => progress.push(jobs),
            Incoming::Network(_) | Incoming::WhenDone(_) | Incoming::AddDialog(_) => {}
            Incoming::Callback { .. } => panic!("no sink was registered"),
        }
    }
    assert_eq!(kinds.first(), Some(&EventKind::Created), "{kinds:?}");
    assert!(!progress.is_empty(), "a transfer of about a second reports progress");
    for jobs in &progress {
        assert!(jobs.iter().all(|j| j.id == job_id && j.state.is_running()));
    }
    let most = started.elapsed().as_millis() / 250 + 2;
    assert!(
        progress.len() as u128 <= most,
        "progress comes at most every 250 ms: {} in {:?}",
        progress.len(),
        started.elapsed()
    );
    client.complete(job_id).await.expect("complete");
    assert_eq!(std::fs::read(local).expect("the file"), body);
    let stats = client.get_stats().await.expect("get_stats");
    assert_eq!(stats.stats.active_jobs, 0);
    fixture.stop().await;
}

/// `subscribe {kinds}`: only events of those kinds come as notifications (a job's creation, its
/// files and its transfer are left out for a client that waits for cancellations); a kind the
/// protocol does not have is refused, named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_gets_only_the_kinds_it_asked_for() {
    let fixture = ServiceFixture::start();
    let server = TestServer::start();
    let mut raw = fixture.raw().await;
    raw.hello().await;
    let refused = raw.call("subscribe", json!({"kinds": ["cancelled", "finished"]})).await;
    assert_eq!(refused["error"]["data"]["kind"], "invalid_argument", "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("kinds[1]") && message.contains("finished"), "{refused}");
    raw.ok("subscribe", json!({"kinds": ["cancelled"]})).await;

    let client = fixture.client().await;
    let (done, _) = job_with_file(&client, &fixture, &server, "done", random_bytes(10_000, 7)).await;
    client.resume(done).await.expect("resume");
    wait_state(&client, done, JobState::Transferred).await;
    let (cancelled, _) = job_with_file(&client, &fixture, &server, "dropped", random_bytes(10_000, 8)).await;
    client.cancel(cancelled).await.expect("cancel");
    // The first event it is sent is the cancellation: nothing of the first job, nor the
    // second's creation and file.
    let event = loop {
        let message = raw.recv().await.expect("the connection closed");
        if message["method"] == "event" {
            break message["params"].clone();
        }
    };
    assert_eq!(event["kind"], "cancelled", "{event}");
    assert_eq!(event["job_id"], cancelled.to_string(), "{event}");
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_does_not_read_is_cut_off_and_slows_nobody() {
    let fixture = ServiceFixture::start();
    let mut sleeper = fixture.raw().await;
    sleeper.hello().await;
    sleeper.ok("subscribe", json!({})).await;
    let busy = fixture.client().await;
    let caller = busy.caller();
    // Far more events than the socket and the connection's queue hold.
    let started = tokio::time::Instant::now();
    for n in 0..4000 {
        let new = haul_core::protocol::CreateJobParams { display_name: format!("event {n}"), ..Default::default() };
        fixture.manager.create_job(&caller, new).expect("create_job");
        if n % 500 == 0 {
            let asked = tokio::time::Instant::now();
            busy.get_stats().await.expect("get_stats");
            assert!(asked.elapsed().as_secs() < 2, "others are served meanwhile");
        }
    }
    // After EVENT_SEND_TIMEOUT without reading, the service hangs up on it…
    let deadline = started + haul_core::service::EVENT_SEND_TIMEOUT * 3;
    while sleeper.is_open().await {
        assert!(tokio::time::Instant::now() < deadline, "the sleeper is still connected");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // …and what it still gets is bounded: what was queued, then the end.
    let mut received = 0;
    while let Some(message) = sleeper.recv().await {
        assert_eq!(message["method"], "event");
        received += 1;
    }
    assert!(received < 4000, "the service dropped the connection rather than buffer everything");
    assert_eq!(busy.get_stats().await.expect("get_stats").stats.jobs, 4000);
    fixture.stop().await;
}
