//! `aria2.addUri` and what a download reports: the options reach the server
//! and the file, mirrors, a checksum, and the shapes of `tellStatus`,
//! `getFiles`, `getUris`, `getOption` as aria2 1.37's manual gives them.

use crate::client::*;
use haul_tests::server::{TestServer, random_bytes, sha256_file, sha256_hex};
use serde_json::{Value, json};

fn assert_file_entry(entry: &Value, path: &str, length: usize, url: &str) {
    assert_eq!(entry["index"], "1", "{entry}");
    assert_eq!(entry["path"], path, "{entry}");
    assert_eq!(entry["length"], length.to_string(), "{entry}");
    assert_eq!(entry["completedLength"], length.to_string(), "{entry}");
    assert_eq!(entry["selected"], "true", "{entry}");
    assert_eq!(entry["uris"][0]["uri"], url, "{entry}");
    assert!(matches!(entry["uris"][0]["status"].as_str(), Some("used" | "waiting")), "{entry}");
}

#[test]
fn add_uri_with_options_downloads_the_file_as_asked() {
    let server = TestServer::start();
    let body = random_bytes(700_000, 1);
    server.add_file("/files/data.bin", body.clone());
    let url = server.url("/files/data.bin");
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let name = format!("renamed-{transport:?}.bin");
        let agent = format!("aria2-test/{transport:?}");
        let options = json!({
            "dir": ep.dir(), "out": name, "header": ["X-Haul-Test: yes"], "referer": "http://referer.test/",
            "user-agent": agent, "split": "4", "max-connection-per-server": "2", "max-download-limit": "10M",
            "checksum": format!("sha-256={}", sha256_hex(&body)),
        });
        let gid = rpc.ok("aria2.addUri", json!([[url], options]));
        assert!(is_gid(&gid), "{transport:?}: addUri gave {gid}");
        let gid = gid.as_str().unwrap_or_default();

        let status = rpc.wait_status(gid, "complete", DOWNLOAD_TIMEOUT);
        let path = ep.world.downloads().join(&name);
        assert_eq!(sha256_file(&path).ok(), Some(sha256_hex(&body)), "{transport:?}: {}", path.display());
        assert_eq!(status["gid"], gid);
        for key in ["totalLength", "completedLength"] {
            assert_eq!(status[key], body.len().to_string(), "{transport:?} {key}: {status}");
        }
        for key in ["uploadLength", "downloadSpeed", "uploadSpeed", "pieceLength", "numPieces", "connections"] {
            assert!(is_number_string(&status[key]), "{transport:?} {key} is not a number string: {status}");
        }
        assert_eq!((&status["errorCode"], &status["dir"]), (&json!("0"), &json!(ep.dir())), "{status}");
        assert_file_entry(&status["files"][0], &path.display().to_string(), body.len(), &url);

        let requests = server.requests_for("/files/data.bin");
        let mine: Vec<_> = requests.iter().filter(|r| r.header("user-agent") == Some(agent.as_str())).collect();
        assert!(!mine.is_empty(), "{transport:?}: no request had the user-agent {agent}: {requests:?}");
        for request in mine {
            assert_eq!(request.header("x-haul-test"), Some("yes"), "{request:?}");
            assert_eq!(request.header("referer"), Some("http://referer.test/"), "{request:?}");
        }

        let options = rpc.ok("aria2.getOption", json!([gid]));
        assert_eq!(options["dir"], ep.dir(), "{options}");
        assert_eq!(options["out"], name, "{options}");
        assert_eq!(options["max-connection-per-server"], "2", "the smaller of split and max-connection: {options}");
        assert_eq!(options["max-download-limit"], (10 << 20).to_string(), "{options}");

        let files = rpc.ok("aria2.getFiles", json!([gid]));
        assert_eq!(files.as_array().map(Vec::len), Some(1), "{files}");
        assert_file_entry(&files[0], &path.display().to_string(), body.len(), &url);
        let uris = rpc.ok("aria2.getUris", json!([gid]));
        assert_eq!(uris[0]["uri"], url, "{uris}");
        assert!(matches!(uris[0]["status"].as_str(), Some("used" | "waiting")), "{uris}");

        let some = rpc.ok("aria2.tellStatus", json!([gid, ["gid", "status", "totalLength"]]));
        let keys: Vec<&String> = some.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys.len(), 3, "only the keys asked for: {some}");
        assert_eq!(some["status"], "complete");
        ep.assert_no_panic();
    }
}

#[test]
fn a_wrong_checksum_or_a_missing_file_is_an_error_with_aria2s_code() {
    let server = TestServer::start();
    server.add_file("/files/data.bin", random_bytes(200_000, 2));
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let wrong = format!("sha-256={}", "0".repeat(64));
        let added =
            rpc.ok("aria2.addUri", json!([[server.url("/files/data.bin")], {"dir": ep.dir(), "checksum": wrong}]));
        let status = rpc.wait_status(added.as_str().unwrap_or_default(), "error", DOWNLOAD_TIMEOUT);
        assert_eq!(status["errorCode"], "32", "aria2's checksum error: {status}");
        assert!(status["errorMessage"].as_str().is_some_and(|m| !m.is_empty()), "{status}");
        assert!(!ep.world.downloads().join("data.bin").exists(), "{transport:?}: a wrong file is not kept");

        let missing = rpc.ok("aria2.addUri", json!([[server.url("/files/none.bin")], {"dir": ep.dir()}]));
        let status = rpc.wait_status(missing.as_str().unwrap_or_default(), "error", DOWNLOAD_TIMEOUT);
        assert_eq!(status["errorCode"], "3", "aria2's resource-not-found: {status}");

        let bad = rpc.fails("aria2.addUri", json!([["magnet:?xt=urn:btih:00"], {"dir": ep.dir()}]));
        assert_eq!(bad.code, 1, "{bad:?}");
        let bad = rpc.fails("aria2.addUri", json!([[server.url("/x")], {"dir": ep.dir(), "checksum": "md5=00"}]));
        assert!(bad.message.contains("sha-256"), "{bad:?}");
        ep.assert_no_panic();
    }
}

#[test]
fn several_uris_are_mirrors_and_a_dead_first_one_falls_back_to_the_next() {
    let server = TestServer::start();
    let body = random_bytes(300_000, 3);
    server.add_file("/files/live.bin", body.clone());
    for transport in TRANSPORTS {
        let ep = Endpoint::start();
        let mut rpc = ep.client(transport);
        let name = format!("mirrored-{transport:?}.bin");
        let uris = json!([server.url("/files/gone.bin"), server.url("/files/live.bin")]);
        let gid = rpc.ok("aria2.addUri", json!([uris, {"dir": ep.dir(), "out": name}]));
        rpc.wait_status(gid.as_str().unwrap_or_default(), "complete", DOWNLOAD_TIMEOUT);
        assert_eq!(sha256_file(&ep.world.downloads().join(&name)).ok(), Some(sha256_hex(&body)));
        assert!(!server.requests_for("/files/gone.bin").is_empty(), "the first mirror was tried first");
        ep.assert_no_panic();
    }
}

#[test]
fn a_mirror_that_refuses_connections_falls_back_to_the_next() {
    let server = TestServer::start();
    let body = random_bytes(100_000, 4);
    server.add_file("/files/live.bin", body.clone());
    let ep = Endpoint::start();
    for transport in TRANSPORTS {
        let mut rpc = ep.client(transport);
        let name = format!("refused-{transport:?}.bin");
        let dead = format!("http://127.0.0.1:{}/files/live.bin", crate::common::free_port());
        let uris = json!([dead, server.url("/files/live.bin")]);
        let gid = rpc.ok("aria2.addUri", json!([uris, {"dir": ep.dir(), "out": name}]));
        rpc.wait_status(gid.as_str().unwrap_or_default(), "complete", DOWNLOAD_TIMEOUT);
        assert_eq!(sha256_file(&ep.world.downloads().join(&name)).ok(), Some(sha256_hex(&body)));
    }
    ep.assert_no_panic();
}

#[test]
fn add_uri_of_an_hls_playlist_saves_its_video() {
    use haul_tests::hls::{Media, segments, serve_media};
    let server = TestServer::start();
    let served = serve_media(&server, "/hls", &segments(12, 9_000, 31), &Media::default());
    let ep = Endpoint::start();
    let mut rpc = ep.client(TRANSPORTS[0]);
    let gid = rpc.ok("aria2.addUri", json!([[served.url], {"dir": ep.dir()}]));
    let gid = gid.as_str().unwrap_or_default();
    rpc.wait_status(gid, "complete", DOWNLOAD_TIMEOUT);
    let path = ep.world.downloads().join("index.ts");
    assert_eq!(sha256_file(&path).ok(), Some(sha256_hex(&served.expected)), "{}", path.display());
}
