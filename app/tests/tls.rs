//! Fatal answers at the TLS layer, as a new user meets them: a certificate
//! this system does not trust, and a server that does not speak TLS. Both end
//! the job at once with their own code and a sentence that says what is wrong
//! (and how to trust a private CA), shown by `haul add --wait`; no part file
//! is left. (Before: a transient `connection_refused`, retried for 14 days.)
//! With a private CA trusted through `SSL_CERT_FILE` or `SSL_CERT_DIR` (read by
//! rustls-native-certs for the platform verifier, on Linux), a leaf it signed
//! downloads, and an expired leaf or one for another host fails, each with
//! words that say which.

mod common;

use common::*;
use haul_tests::server::{TestServer, random_bytes};
use haul_tests::tls::{self, LEAF_EXPIRED, LEAF_LOCALHOST, LEAF_OTHER_HOST, TlsServer};
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

/// A world whose service trusts the private test CA through `variable`
/// (`SSL_CERT_FILE` = the CA's PEM file, or `SSL_CERT_DIR` = a folder holding it).
fn world_trusting_private_ca(variable: &str) -> World {
    let mut world = World::new();
    let value = match variable {
        "SSL_CERT_DIR" => {
            let folder = world.dir.path().join("cas");
            std::fs::create_dir_all(&folder).expect("cas folder");
            std::fs::copy(tls::private_ca_file(), folder.join("haul-test-ca.pem")).expect("copy the CA");
            folder
        }
        _ => tls::private_ca_file(),
    };
    let value = value.to_str().expect("utf-8 path").to_owned();
    world.start_service_with_env(&[(variable, value.as_str())]);
    world
}

/// `haul add --wait` of a file that must fail at once with `tls_certificate`:
/// exit 1, no part file, `haul info --json` says so. Returns stderr.
fn fails_at_once_as_certificate_error(world: &World, url: &str) -> String {
    let (out, took) = add_wait(world, url);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}\n{}", world.service_log());
    assert!(took < Duration::from_secs(30), "took {took:?}: retried as if transient");
    let job_id = the_job(world)["id"].as_str().expect("job id").to_owned();
    let job = job_json(world, &job_id);
    assert_eq!(
        (job["state"].as_str(), job["error"]["code"].as_str(), job["error"]["context"].as_str()),
        (Some("error"), Some("tls_certificate"), Some("transport")),
        "{job}"
    );
    assert!(temp_files(&world.downloads()).is_empty(), "a part file was left");
    stderr
}

#[test]
fn a_private_ca_in_ssl_cert_file_is_trusted_and_nothing_else_makes_it_so() {
    let server = TlsServer::start_with(LEAF_LOCALHOST);
    // Without the variable the same leaf is refused, for its unknown issuer.
    let mut untrusting = World::new();
    untrusting.start_service();
    let stderr = fails_at_once_as_certificate_error(&untrusting, &server.url("/refused.bin"));
    assert!(stderr.contains("its issuer is not a certificate authority this system trusts"), "{stderr}");
    assert!(stderr.contains("SSL_CERT_FILE"), "{stderr}");

    let world = world_trusting_private_ca("SSL_CERT_FILE");
    let (out, _) = add_wait(&world, &server.url("/trusted.bin"));
    assert_eq!(out.status.code(), Some(0), "{}\n{}", String::from_utf8_lossy(&out.stderr), world.service_log());
    assert_eq!(std::fs::read(world.downloads().join("trusted.bin")).expect("the file"), tls::BODY);
    assert_eq!(the_job(&world)["state"], "acknowledged", "auto-completed");
}

#[test]
fn a_split_file_over_tls_trusts_the_private_ca_and_asks_for_aes_128_on_every_connection() {
    let body = random_bytes(48 << 20, 443);
    let server = TlsServer::start_serving(LEAF_LOCALHOST, body.clone());
    let world = world_trusting_private_ca("SSL_CERT_FILE");
    let (out, _) = add_wait(&world, &server.url("/big.bin"));
    assert_eq!(out.status.code(), Some(0), "{}\n{}", String::from_utf8_lossy(&out.stderr), world.service_log());
    let saved = std::fs::read(world.downloads().join("big.bin")).expect("the file");
    assert!(saved == body, "wrong bytes ({} of {})", saved.len(), body.len());
    assert!(server.ranges_served() >= 2, "not split: {} ranges", server.ranges_served());
    assert_eq!(server.handshakes_failed(), 0);
    // Every connection, reqwest's first and the range client's, asks for
    // AES-128-GCM first, as browsers do (rustls's own first choice is AES-256).
    let suites = server.cipher_suites();
    assert!(suites.len() >= 3, "{suites:?}");
    assert!(suites.iter().all(|s| s == "TLS13_AES_128_GCM_SHA256"), "{suites:?}");
}

#[test]
fn a_private_ca_in_ssl_cert_dir_is_trusted() {
    let server = TlsServer::start_with(LEAF_LOCALHOST);
    let world = world_trusting_private_ca("SSL_CERT_DIR");
    let (out, _) = add_wait(&world, &server.url("/trusted.bin"));
    assert_eq!(out.status.code(), Some(0), "{}\n{}", String::from_utf8_lossy(&out.stderr), world.service_log());
    assert_eq!(std::fs::read(world.downloads().join("trusted.bin")).expect("the file"), tls::BODY);
}

#[test]
fn an_expired_certificate_fails_at_once_and_says_it_expired() {
    let server = TlsServer::start_with(LEAF_EXPIRED);
    let world = world_trusting_private_ca("SSL_CERT_FILE");
    let stderr = fails_at_once_as_certificate_error(&world, &server.url("/old.bin"));
    assert!(stderr.contains("certificate has expired: it was valid until 2020-01-02 00:00 UTC"), "{stderr}");
    assert!(!stderr.contains("trust store"), "an expired certificate is not a trust problem: {stderr}");
    assert!(server.handshakes_failed() >= 1);
}

#[test]
fn a_certificate_for_another_host_fails_at_once_and_names_both() {
    let server = TlsServer::start_with(LEAF_OTHER_HOST);
    let world = world_trusting_private_ca("SSL_CERT_FILE");
    let stderr = fails_at_once_as_certificate_error(&world, &server.url("/elsewhere.bin"));
    assert!(stderr.contains("certificate does not match the host name 127.0.0.1: it is for other.example"), "{stderr}");
    assert!(!stderr.contains("trust store"), "a wrong host is not a trust problem: {stderr}");
}

#[test]
fn a_trust_variable_that_names_no_certificate_stops_the_service_with_its_name() {
    let world = World::new();
    let missing = world.dir.path().join("no-such-ca.pem");
    let out = world.haul().arg("service").env("SSL_CERT_FILE", &missing).output().expect("haul service");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("No CA certificates were loaded"), "{stderr}");
    assert!(stderr.contains(&format!("SSL_CERT_FILE={}", missing.display())), "{stderr}");
    assert!(!world.socket().exists(), "it serves without a certificate to trust");
}
