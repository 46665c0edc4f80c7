//! The service over its socket: framing and handshake, error paths, callbacks and
//! their fallbacks, the journal, access rules, the waiting queue and forgetting jobs.
//! Each test runs an in-process service (`haul_tests::service_fixture`) against the
//! loopback HTTP server; every wait is bounded.

#[path = "service_protocol/access.rs"]
mod access;
#[path = "service_protocol/callbacks.rs"]
mod callbacks;
#[path = "service_protocol/credentials.rs"]
mod credentials;
#[path = "service_protocol/dialogs.rs"]
mod dialogs;
#[path = "service_protocol/forget.rs"]
mod forget;
#[path = "service_protocol/journal.rs"]
mod journal;
#[path = "service_protocol/probe.rs"]
mod probe;
#[path = "service_protocol/queue.rs"]
mod queue;
#[path = "service_protocol/rpc_listen.rs"]
mod rpc_listen;
#[path = "service_protocol/socket.rs"]
mod socket;
#[path = "service_protocol/wire.rs"]
mod wire;

use haul_core::client::{Client, Incoming, Responder};
use haul_core::model::{JobId, JobState};
use haul_core::protocol::CreateJobParams;
use haul_tests::server::TestServer;
use haul_tests::service_fixture::{ServiceFixture, wait_for, within};
use haul_tests::support::new_file;
use serde_json::Value;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Creates a job named `name` with one file served by `server` at `/name`.
async fn job_with_file(
    client: &Client,
    fixture: &ServiceFixture,
    server: &TestServer,
    name: &str,
    body: Vec<u8>,
) -> (JobId, PathBuf) {
    let route = format!("/{name}");
    server.add_file(&route, body);
    let job_id = client
        .create_job(CreateJobParams { display_name: name.into(), ..Default::default() })
        .await
        .expect("create_job");
    let local = fixture.path(name);
    client.add_file(new_file(job_id, &server.url(&route), &local, None)).await.expect("add_file");
    (job_id, local)
}

/// Waits until the job is in `state`.
async fn wait_state(client: &Client, job_id: JobId, state: JobState) {
    wait_for(&format!("job {job_id} to be {state}"), || async {
        let job = client.get_job(job_id).await.expect("get_job");
        (job.state == state).then_some(())
    })
    .await
}

/// The next callback from `incoming` (its method and params as on the wire),
/// skipping events and progress.
async fn next_callback(incoming: &mut mpsc::Receiver<Incoming>) -> (String, Value, Responder) {
    loop {
        match within(incoming.recv()).await.expect("the connection closed") {
            Incoming::Callback { callback, responder } => {
                let method = callback.method().to_string();
                return (method, callback.params().expect("a callback encodes"), responder);
            }
            Incoming::Event(_)
            | Incoming::Progress(_)
            | Incoming::Network(_)
            | Incoming::WhenDone(_)
            | Incoming::AddDialog(_) => {}
        }
    }
}
