//! Framing, the handshake and malformed messages, on raw connections.

use haul_core::protocol::{CreateJobParams, MAX_LINE, code};
use haul_core::service::Session;
use haul_tests::service_fixture::ServiceFixture;
use haul_tests::support::new_file;
use serde_json::{Value, json};

fn error_code(reply: &Value) -> i64 {
    reply["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error reply: {reply}"))
}

fn assert_error(reply: &Value, code: i64, kind: &str) {
    assert_eq!(error_code(reply), code, "{reply}");
    assert_eq!(reply["error"]["data"]["kind"], kind, "{reply}");
    assert!(reply["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_error_replies_and_the_connection_stays_usable() {
    let fixture = ServiceFixture::start();
    // Clients that say nothing, or hang up mid-request, affect nobody.
    let _silent = fixture.raw().await;
    let mut quitter = fixture.raw().await;
    quitter.send_line(br#"{"jsonrpc":"2.0","id":1,"method":"hel"#).await;
    drop(quitter);

    let mut conn = fixture.raw().await;
    conn.send_line(b"this is not json").await;
    let reply = conn.recv().await.expect("a reply to garbage");
    assert_error(&reply, code::PARSE_ERROR, "parse_error");
    assert_eq!(reply["id"], Value::Null);

    conn.send_line(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}").await;
    let reply = conn.recv().await.expect("a reply to bad UTF-8");
    assert_error(&reply, code::PARSE_ERROR, "parse_error");

    conn.send(&json!([{"jsonrpc": "2.0", "id": 1, "method": "hello", "params": {"protocol": 1}}])).await;
    let reply = conn.recv().await.expect("a reply to a batch");
    assert_error(&reply, code::INVALID_REQUEST, "invalid_request");
    assert_eq!(reply["id"], Value::Null);

    conn.send_line(b"42").await;
    let reply = conn.recv().await.expect("a reply to a non-object");
    assert_error(&reply, code::INVALID_REQUEST, "invalid_request");

    // Anything before hello is a protocol error; a wrong version too, and the
    // connection stays open for another hello.
    let reply = conn.call("enum_jobs", json!({})).await;
    assert_error(&reply, code::PROTOCOL, "protocol");
    let reply = conn.call("hello", json!({"protocol": 99})).await;
    assert_error(&reply, code::PROTOCOL, "protocol");
    let reply = conn.call("hello", json!({"client": "no version"})).await;
    assert_error(&reply, code::INVALID_PARAMS, "invalid_params");
    let hello = conn.hello().await;
    assert_eq!(hello["protocol"], 1);
    assert_eq!(hello["server"], format!("haul/{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(hello["caller"]["pid"], std::process::id());
    assert_eq!(
        hello["caller"]["uid"],
        haul_core::protocol::current_uid(),
        "the caller comes from the socket's peer credentials"
    );
    assert_eq!(conn.hello().await, hello, "a second hello answers the same");

    let reply = conn.call("fly_to_the_moon", json!({})).await;
    assert_error(&reply, code::METHOD_NOT_FOUND, "method_not_found");
    for (params, field) in
        [(json!({"job_id": 5}), "job_id"), (json!({"job_id": "not-a-uuid"}), "job_id"), (json!({}), "job_id")]
    {
        let reply = conn.call("get_job", params).await;
        assert_error(&reply, code::INVALID_PARAMS, "invalid_params");
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{message}");
    }
    let reply = conn.call("get_job", json!([1])).await;
    assert_error(&reply, code::INVALID_PARAMS, "invalid_params");
    let reply = conn.call("add_file", json!({"job_id": haul_core::model::JobId::new(), "remote_url": 3})).await;
    assert!(reply["error"]["message"].as_str().unwrap_or_default().contains("remote_url"));
    let unknown = haul_core::model::JobId::new();
    let reply = conn.call("get_job", json!({"job_id": unknown})).await;
    assert_error(&reply, code::NOT_FOUND, "not_found");

    // A well-formed but unknown flag is invalid_argument, after "no such job".
    let reply = conn.call("set_job", json!({"job_id": unknown, "notify_flags": ["loud"]})).await;
    assert_error(&reply, code::NOT_FOUND, "not_found");
    let job_id = conn.ok("create_job", json!({"display_name": "flags"})).await["job_id"].clone();
    let reply = conn.call("set_job", json!({"job_id": job_id, "notify_flags": ["loud"]})).await;
    assert_error(&reply, code::INVALID_ARGUMENT, "invalid_argument");
    let reply = conn.call("resume", json!({"job_id": job_id})).await;
    assert_error(&reply, code::EMPTY_JOB, "empty_job");
    let job = conn.ok("set_priority", json!({"job_id": job_id, "priority": "high"})).await;
    assert_eq!(job["priority"], "high");
    let job = conn.ok("set_notify_flags", json!({"job_id": job_id, "notify_flags": ["job_error"]})).await;
    assert_eq!(job["notify_flags"], json!(["job_error"]));
    let reply = conn.call("set_priority", json!({"job_id": job_id, "display_name": "x"})).await;
    assert_error(&reply, code::INVALID_PARAMS, "invalid_params");

    // A notification gets no reply: the next reply is the next request's.
    conn.send(&json!({"jsonrpc": "2.0", "method": "get_stats"})).await;
    let stats = conn.ok("get_stats", json!({})).await;
    assert_eq!(stats["protocol"], 1);
    assert_eq!(stats["jobs"], 1);
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_over_one_mib_is_refused_and_the_connection_closed() {
    let fixture = ServiceFixture::start();
    let mut conn = fixture.raw().await;
    conn.hello().await;
    let mut long = br#"{"jsonrpc":"2.0","id":1,"method":"create_job","params":{"display_name":""#.to_vec();
    long.resize(MAX_LINE + 10, b'a');
    conn.send_line(&long).await;
    let reply = conn.recv().await.expect("a reply to the long line");
    assert_error(&reply, code::INVALID_REQUEST, "invalid_request");
    assert!(reply["error"]["message"].as_str().unwrap_or_default().contains("line too long"));
    assert_eq!(conn.recv().await, None, "then the service hangs up");

    // The client refuses to send such a line, and stays connected.
    let client = fixture.client().await;
    let huge = client.call_raw("create_job", json!({"display_name": "a".repeat(MAX_LINE)})).await;
    assert!(matches!(huge, Err(haul_core::client::ClientError::TooLarge { .. })), "{huge:?}");
    client.get_stats().await.expect("still connected");

    // Nobody else noticed.
    let mut fresh = fixture.raw().await;
    assert_eq!(fresh.hello().await["protocol"], 1);
    assert_eq!(fresh.ok("enum_jobs", json!({})).await, json!([]));
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_replies_then_stops_the_service() {
    let mut fixture = ServiceFixture::start();
    let client = fixture.client().await;
    client.shutdown().await.expect("shutdown is allowed to the service's own user");
    fixture.wait_stopped().await;
    within_closed(&client).await;
    assert!(haul_core::client::Client::connect(&fixture.socket).await.is_err(), "nobody listens any more");
}

async fn within_closed(client: &haul_core::client::Client) {
    haul_tests::service_fixture::within(client.closed()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_refuses_everything_before_hello() {
    let fixture = ServiceFixture::start();
    let caller = haul_core::model::Caller::from_uid(1000, Some(1));
    let stop = haul_core::service::CancellationToken::new();
    let (mut session, _outbox) = Session::new(fixture.manager.clone(), caller, stop);
    let refused = session.handle_request("enum_jobs", json!({}));
    assert_eq!(refused.map_err(|e| e.code), Err(code::PROTOCOL));
    let hello = session.handle_request("hello", json!({"protocol": 1})).expect("hello");
    assert_eq!(hello["caller"], json!({"uid": 1000, "pid": 1, "admin": false}));
    assert!(session.handle_request("enum_jobs", json!({})).is_ok());
    fixture.stop().await;
}

/// `add_file` requests sent without waiting (as `haul add` does) are saved
/// together, but each still gets its own answer, in order: the good files
/// their indexes, the bad ones the error they would get alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_add_files_are_answered_one_by_one_in_order() {
    let fixture = ServiceFixture::start();
    let mut conn = fixture.raw().await;
    conn.hello().await;
    let job_id = conn.ok("create_job", json!({"display_name": "burst"})).await["job_id"].clone();
    let a = fixture.path("a.bin");
    let b = fixture.path("b.bin");
    let requests = [
        json!({"job_id": job_id, "remote_url": "http://127.0.0.1:9/a", "local_name": a}),
        json!({"job_id": job_id, "remote_url": "http://127.0.0.1:9/again", "local_name": a}),
        json!({"job_id": job_id, "local_name": b}),
        json!({"job_id": job_id, "remote_url": "ftp://127.0.0.1/b", "local_name": b}),
        json!({"job_id": job_id, "remote_url": "http://127.0.0.1:9/b", "local_name": b}),
        json!({"job_id": haul_core::model::JobId::new(), "remote_url": "http://127.0.0.1:9/c", "local_name": b}),
    ];
    let burst: Vec<String> = requests
        .iter()
        .enumerate()
        .map(|(i, params)| json!({"jsonrpc": "2.0", "id": 100 + i, "method": "add_file", "params": params}).to_string())
        .collect();
    conn.send_line(burst.join("\n").as_bytes()).await;
    let mut replies = Vec::new();
    for _ in &requests {
        replies.push(conn.recv().await.expect("a reply per request"));
    }
    let ids: Vec<_> = replies.iter().map(|r| r["id"].as_u64().unwrap_or_default()).collect();
    assert_eq!(ids, [100, 101, 102, 103, 104, 105], "answers in request order");
    assert_eq!(replies[0]["result"]["file_index"], 0, "{}", replies[0]);
    assert_error(&replies[1], code::INVALID_ARGUMENT, "invalid_argument");
    assert!(replies[1]["error"]["message"].as_str().unwrap_or_default().contains("already a file"));
    assert_error(&replies[2], code::INVALID_PARAMS, "invalid_params");
    assert_error(&replies[3], code::INVALID_ARGUMENT, "invalid_argument");
    assert_eq!(replies[4]["result"]["file_index"], 1, "{}", replies[4]);
    assert_error(&replies[5], code::NOT_FOUND, "not_found");
    let files = conn.ok("enum_files", json!({"job_id": job_id})).await;
    let names: Vec<_> = files.as_array().into_iter().flatten().map(|f| f["remote_url"].clone()).collect();
    assert_eq!(names, [json!("http://127.0.0.1:9/a"), json!("http://127.0.0.1:9/b")]);
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_sent_together_go_out_in_the_order_they_were_made() {
    // 300 add_file calls sent at once (far more than fit in one read of the
    // service), their answers awaited last to first: the files are numbered
    // in the order the calls were made.
    let fixture = ServiceFixture::start();
    let client = haul_core::client::Client::connect(&fixture.socket).await.expect("connect");
    let params = CreateJobParams { display_name: "ordered".into(), ..Default::default() };
    let job_id = client.create_job(params).await.expect("create");
    let mut answers = Vec::new();
    for i in 0..300 {
        let file = new_file(job_id, &format!("http://127.0.0.1:9/{i}"), &fixture.path(&format!("f{i}.bin")), None);
        answers.push(client.send(file).expect("sent"));
    }
    for (i, answer) in answers.into_iter().enumerate().rev() {
        assert_eq!(answer.await.expect("added").file_index, i as u32, "call {i}");
    }
    fixture.stop().await;
}

/// A job's files never share a local name, whether the job is small (its
/// names compared one by one) or has grown past the size where the service
/// keeps a set of them, including across that point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_name_is_refused_twice_in_jobs_small_and_large() {
    let fixture = ServiceFixture::start();
    let mut conn = fixture.raw().await;
    conn.hello().await;
    let job_id = conn.ok("create_job", json!({"display_name": "names"})).await["job_id"].clone();
    let add = |i: usize, name: usize| json!({"job_id": job_id, "remote_url": format!("http://127.0.0.1:9/{i}"), "local_name": fixture.path(&format!("f{name}.bin"))});
    for i in 0..40 {
        // Each new file first tries the name of the file before it.
        if i > 0 {
            let reply = conn.call("add_file", add(i, i - 1)).await;
            assert_error(&reply, code::INVALID_ARGUMENT, "invalid_argument");
            // …and the first file's.
            let reply = conn.call("add_file", add(i, 0)).await;
            assert_error(&reply, code::INVALID_ARGUMENT, "invalid_argument");
        }
        assert_eq!(conn.ok("add_file", add(i, i)).await["file_index"], i, "file {i}");
    }
    let files = conn.ok("enum_files", json!({"job_id": job_id})).await;
    assert_eq!(files.as_array().map(Vec::len), Some(40));
    fixture.stop().await;
}

/// Lists longer than a piece of a reply (every job, a job's files) are
/// written to the connection as they are read: each arrives as one line, the
/// same list as the manager's, in its place among the other replies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists_arrive_whole_and_in_order() {
    let fixture = ServiceFixture::start();
    let client = fixture.client().await;
    let params = CreateJobParams { display_name: "many files".into(), ..Default::default() };
    let job_id = client.create_job(params).await.expect("create");
    let mut answers = Vec::new();
    for i in 0..600 {
        let url = format!("http://127.0.0.1:9/a/rather/long/path/to/make/the/list/longer/{i}.bin");
        answers.push(client.send(new_file(job_id, &url, &fixture.path(&format!("f{i}.bin")), None)).expect("sent"));
    }
    for answer in answers {
        answer.await.expect("added");
    }
    for i in 0..400 {
        let params = CreateJobParams { display_name: format!("job {i} \"quoted\" ü"), ..Default::default() };
        client.create_job(params).await.expect("create");
    }
    let caller = haul_core::model::Caller::from_uid(haul_core::protocol::current_uid(), None);
    let jobs = serde_json::to_value(fixture.manager.enum_jobs(&caller, false, false).expect("jobs")).expect("json");
    let files = serde_json::to_value(fixture.manager.enum_files(&caller, job_id).expect("files")).expect("json");
    assert!(jobs.to_string().len() > 128 * 1024 && files.to_string().len() > 128 * 1024, "lists of several pieces");

    let mut conn = fixture.raw().await;
    conn.hello().await;
    let calls = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "enum_jobs", "params": {}}).to_string(),
        json!({"jsonrpc": "2.0", "id": 2, "method": "enum_files", "params": {"job_id": job_id}}).to_string(),
        json!({"jsonrpc": "2.0", "id": 3, "method": "enum_files", "params": {"job_id": haul_core::model::JobId::new()}})
            .to_string(),
        json!({"jsonrpc": "2.0", "id": 4, "method": "enum_jobs", "params": {}}).to_string(),
    ];
    conn.send_line(calls.join("\n").as_bytes()).await;
    for (id, expected) in [(1, &jobs), (2, &files)] {
        let reply = conn.recv().await.expect("a reply");
        assert_eq!((&reply["id"], &reply["result"]), (&json!(id), expected));
    }
    let missing = conn.recv().await.expect("a reply");
    assert_eq!(missing["id"], 3);
    assert_error(&missing, code::NOT_FOUND, "not_found");
    // A client that stops writing still reads the whole of its last answer.
    conn.shutdown_write().await;
    let last = conn.recv().await.expect("a reply");
    assert_eq!((&last["id"], &last["result"]), (&json!(4), &jobs));
    fixture.stop().await;
}
