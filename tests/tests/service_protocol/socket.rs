//! Binding the socket (modes, a running service, a stale socket) and starting
//! the service from a client.

use haul_core::client::{Client, ClientError, StartService};
use haul_core::service::{self, Error};
use haul_tests::service_fixture::ServiceFixture;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_makes_a_private_socket_and_refuses_a_second_service() {
    let fixture = ServiceFixture::start();
    assert_eq!(mode(&fixture.socket), 0o600);
    assert_eq!(mode(fixture.socket.parent().expect("folder")), 0o700);
    match service::bind(&fixture.socket, false) {
        Err(e @ Error::AlreadyRunning { .. }) => {
            assert!(e.to_string().contains("already running"), "{e}");
        }
        other => panic!("expected AlreadyRunning, got {:?}", other.map(|_| ())),
    }
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_socket_is_replaced_and_other_files_are_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("haul.sock");
    let first = service::bind(&path, false).expect("bind");
    drop(first);
    assert!(path.exists(), "a dead service leaves its socket behind");
    let second = service::bind(&path, false).expect("a stale socket is replaced");
    drop(second);

    let file = dir.path().join("not-a-socket");
    std::fs::write(&file, b"data").expect("write");
    assert!(matches!(service::bind(&file, false), Err(Error::NotASocket { .. })));
    assert_eq!(std::fs::read(&file).expect("read"), b"data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_or_start_reports_a_service_that_cannot_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nobody.sock");
    assert!(matches!(Client::connect(&path).await, Err(ClientError::Io { .. })));
    let missing = StartService { program: dir.path().join("no-such-program"), ..Default::default() };
    let error = Client::connect_or_start(&path, &missing).await.err().expect("an error");
    assert!(matches!(error, ClientError::Start { .. }), "{error}");
    assert!(error.to_string().starts_with("cannot start the Haul service ("), "{error}");

    let failing = StartService { program: "/bin/false".into(), ..Default::default() };
    let started = Instant::now();
    let error = Client::connect_or_start(&path, &failing).await.err().expect("an error");
    assert!(matches!(error, ClientError::Start { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "an early exit is noticed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_or_start_connects_to_a_running_service_without_starting_one() {
    let fixture = ServiceFixture::start();
    let never = StartService { program: "/nonexistent/haul".into(), ..Default::default() };
    let client = Client::connect_or_start(&fixture.socket, &never).await.expect("connect");
    assert_eq!(client.hello().protocol, 1);
    fixture.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_until_shutdown_then_removes_its_socket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = service::ServiceOptions {
        data_dir: dir.path().join("data"),
        socket: dir.path().join("run").join("haul.sock"),
        system: false,
        max_active_jobs: 2,
        parallel_files: 8,
        rpc: Default::default(),
        secrets: Default::default(),
    };
    let running = tokio::spawn(service::run(options.clone()));
    let client = haul_tests::service_fixture::wait_for("the service to answer", || async {
        Client::connect(&options.socket).await.ok()
    })
    .await;
    let second = service::run(options.clone()).await;
    assert!(matches!(second, Err(Error::AlreadyRunning { .. })), "{second:?}");
    assert!(options.socket.exists(), "a refused second service leaves the first one's socket");
    client.get_stats().await.expect("the first service still answers");

    client.shutdown().await.expect("shutdown");
    let stopped = haul_tests::service_fixture::within(running).await.expect("run panicked");
    assert!(stopped.is_ok(), "{stopped:?}");
    assert!(!options.socket.exists(), "the socket is removed at exit");
    assert!(options.data_dir.join("haul.db").exists());
}
