//! Fatal answers at the TLS layer, as a new user meets them: a certificate
//! this system does not trust, and a server that does not speak TLS. Both end
//! the job at once with their own code and a sentence that says what is wrong
//! (and how to trust a private CA), shown by `haul add --wait`; no part file
//! is left. (Before: a transient `connection_refused`, retried for 14 days.)

mod common;

use common::*;
use haul_tests::server::{TestServer, random_bytes};
use haul_tests::tls::TlsServer;
use std::time::{Duration, Instant};

fn add_wait(world: &World, url: &str) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let out = world.haul().args(["add", url, "--wait", "--dir"]).arg(world.downloads()).output().expect("haul add");
    (out, started.elapsed())
}

fn the_job(world: &World) -> serde_json::Value {
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    jobs[0].clone()
}

#[test]
fn an_untrusted_certificate_fails_at_once_and_says_how_to_trust_a_private_ca() {
    let mut world = World::new();
    world.start_service();
    let server = TlsServer::start();
    let (out, took) = add_wait(&world, &server.url("/file.iso"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "took {took:?}: retried as if transient");
    assert!(stderr.contains("certificate is not trusted") && stderr.contains("trust store"), "{stderr}");
    let job = the_job(&world);
    assert_eq!(
        (job["state"].as_str(), job["error"]["code"].as_str()),
        (Some("error"), Some("tls_certificate")),
        "{job}"
    );
    assert!(server.handshakes_failed() >= 1);
    assert!(temp_files(&world.downloads()).is_empty(), "a part file was left");
}

#[test]
fn a_server_that_does_not_speak_tls_is_named_as_such() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    server.add_file("/plain.bin", random_bytes(1000, 71));
    let url = server.url("/plain.bin").replace("http://", "https://");
    let (out, _) = add_wait(&world, &url);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("did not answer in TLS") && stderr.contains("http://"), "{stderr}");
    assert_eq!(the_job(&world)["error"]["code"], "tls_handshake");
    assert!(temp_files(&world.downloads()).is_empty(), "a part file was left");
}
