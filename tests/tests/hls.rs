//! HLS streams through the manager and engine against generated playlists:
//! each case ends with the exact published bytes, or the named error, and no
//! hidden part left behind.

use haul_core::model::JobState;
use haul_tests::hls::{Media, segments, serve_master, serve_media};
use haul_tests::server::{Route, TestServer, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::path::Path;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// Whatever hidden Haul files or folders are left in `dir`.
fn hidden(dir: &Path) -> Vec<String> {
    let names = std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok());
    names.map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.contains(".haul-part")).collect()
}

/// Downloads `url` as `name` into a fresh folder, completes the job, and
/// checks the published file holds exactly `expected`.
async fn saves_exactly(url: &str, name: &str, expected: &[u8]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = open_manager(dir.path());
    let target = dir.path().join(name);
    let job_id = job_with_files(&manager, &[(url.to_string(), target.clone())]);
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    assert!(!target.exists(), "nothing is published before Complete");
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&target).expect("published"), sha256_hex(expected));
    assert!(hidden(dir.path()).is_empty(), "parts left: {:?}", hidden(dir.path()));
    manager.shutdown().await;
}

/// Adds `url`, and returns the error code the job stops with.
async fn fails_with(url: &str) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = open_manager(dir.path());
    let target = dir.path().join("video.ts");
    let job_id = job_with_files(&manager, &[(url.to_string(), target.clone())]);
    manager.resume(&alice(), job_id).expect("resume");
    let job = wait_state(&manager, job_id, JobState::Error, LONG).await;
    let error = job.error.expect("an error");
    manager.cancel(&alice(), job_id).expect("cancel");
    assert!(!target.exists());
    assert!(hidden(dir.path()).is_empty(), "parts left: {:?}", hidden(dir.path()));
    manager.shutdown().await;
    (error.code, error.message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vod_ts_playlist_publishes_its_segments_in_order() {
    let server = TestServer::start();
    let served = serve_media(&server, "/v", &segments(25, 40_000, 1), &Media::default());
    saves_exactly(&served.url, "video.ts", &served.expected).await;
    for path in &served.segment_paths {
        assert_eq!(server.requests_for(path).len(), 1, "{path} fetched once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_playlist_known_only_by_its_content_type_is_a_stream() {
    let server = TestServer::start();
    let served = serve_media(&server, "/v", &segments(5, 10_000, 2), &Media::default());
    // The same playlist, in the same folder, at a path that does not say .m3u8.
    let playlist = reqwest_free_get(&server, "/v/index.m3u8");
    server.set_route("/v/play", Route::new(playlist).content_type("application/x-mpegURL"));
    saves_exactly(&server.url("/v/play"), "video.ts", &served.expected).await;
}

/// A GET over a plain socket (the test server's own bytes, to re-serve them).
fn reqwest_free_get(server: &TestServer, path: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(server.addr()).expect("connect");
    write!(socket, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("send");
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).expect("read");
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    answer.split_off(split)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_fmp4_playlist_puts_its_init_section_first() {
    let server = TestServer::start();
    let media = Media { init: Some(b"ftypisom-init-section".repeat(50)), ..Default::default() };
    let served = serve_media(&server, "/f", &segments(8, 30_000, 3), &media);
    saves_exactly(&served.url, "video.mp4", &served.expected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aes_128_is_decrypted_with_explicit_and_implicit_ivs() {
    let server = TestServer::start();
    let explicit = Media { aes: Some(([0x11; 16], Some([0x22; 16]))), ..Default::default() };
    let served = serve_media(&server, "/e", &segments(6, 20_001, 4), &explicit);
    saves_exactly(&served.url, "explicit.ts", &served.expected).await;
    let implicit = Media { aes: Some(([0x33; 16], None)), media_sequence: 1000, ..Default::default() };
    let served = serve_media(&server, "/i", &segments(6, 20_001, 5), &implicit);
    saves_exactly(&served.url, "implicit.ts", &served.expected).await;
    assert_eq!(server.requests_for("/i/key.bin").len(), 1, "the key is fetched once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_ranges_of_one_resource_are_honoured() {
    let server = TestServer::start();
    let media = Media { byte_ranges: true, ..Default::default() };
    let served = serve_media(&server, "/r", &segments(10, 17_000, 6), &media);
    saves_exactly(&served.url, "ranged.ts", &served.expected).await;
    let ranges: Vec<_> =
        server.requests_for("/r/all.ts").iter().filter_map(|r| r.header("range").map(str::to_string)).collect();
    assert_eq!(ranges.len(), 10, "one range request per segment: {ranges:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_playlist_gives_its_highest_variant() {
    let server = TestServer::start();
    let (url, variants) = serve_master(&server, "/m", &[(360, 800_000), (1080, 5_000_000), (480, 1_400_000)]);
    saves_exactly(&url, "video.ts", &variants[1].served.expected).await;
    assert!(server.requests_for("/m/480/seg00000.ts").is_empty(), "other variants are not fetched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_that_fails_twice_is_retried_alone() {
    let server = TestServer::start();
    let served = serve_media(&server, "/t", &segments(6, 10_000, 7), &Media::default());
    let flaky = &served.segment_paths[3];
    let body = reqwest_free_get(&server, flaky);
    server.set_route(flaky, Route::new(body).fail_with(503, 2, None));
    let before = server.requests_for(flaky).len();
    saves_exactly(&served.url, "video.ts", &served.expected).await;
    assert_eq!(server.requests_for(flaky).len() - before, 3, "two failures, then the segment");
    for path in served.segment_paths.iter().filter(|p| *p != flaky) {
        assert_eq!(server.requests_for(path).len(), 1, "{path} fetched once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_drm_and_dash_are_refused_by_name() {
    let server = TestServer::start();
    let live = serve_media(&server, "/live", &segments(3, 1000, 8), &Media { live: true, ..Default::default() });
    let (code, message) = fails_with(&live.url).await;
    assert_eq!(code, "stream_live");
    assert!(message.contains("live stream") && message.contains("EXT-X-ENDLIST"), "{message}");

    let drm = Media {
        other_key: Some("METHOD=SAMPLE-AES,URI=\"skd://k\",KEYFORMAT=\"com.apple.streamingkeydelivery\"".into()),
        ..Default::default()
    };
    let drm = serve_media(&server, "/drm", &segments(3, 1000, 9), &drm);
    let (code, message) = fails_with(&drm.url).await;
    assert_eq!(code, "stream_drm");
    assert!(message.contains("com.apple.streamingkeydelivery"), "{message}");

    server.set_route("/d/manifest.mpd", Route::new(b"<MPD/>".to_vec()).content_type("application/dash+xml"));
    let (code, message) = fails_with(&server.url("/d/manifest.mpd")).await;
    assert_eq!(code, "stream_dash");
    assert!(message.contains("DASH"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marked_segments_are_kept_and_bytes_past_them_cut() {
    let server = TestServer::start();
    let parts = segments(6, 10_000, 10);
    let served = serve_media(&server, "/c", &parts, &Media::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let manager = open_manager(dir.path());
    let target = dir.path().join("video.ts");
    let job_id = job_with_files(&manager, &[(served.url.clone(), target.clone())]);
    // As a kill leaves it: two segments appended and marked, half of a third appended only.
    let temp = manager.enum_files(&alice(), job_id).expect("files")[0].temp_path();
    let marks = haul_core::engine::stream::parts_dir(&temp);
    std::fs::create_dir(&marks).expect("parts folder");
    for (slot, part) in parts.iter().take(2).enumerate() {
        std::fs::write(marks.join(format!("{:06}-{}", slot + 1, part.len())), b"").expect("mark");
    }
    let on_disk = [parts[0].as_slice(), &parts[1], &parts[2][..5000]].concat();
    std::fs::write(&temp, on_disk).expect("temp");
    manager.resume(&alice(), job_id).expect("resume");
    wait_state(&manager, job_id, JobState::Transferred, LONG).await;
    manager.complete(&alice(), job_id).expect("complete");
    assert_eq!(sha256_file(&target).expect("published"), sha256_hex(&served.expected));
    for (n, path) in served.segment_paths.iter().enumerate() {
        assert_eq!(server.requests_for(path).len(), usize::from(n >= 2), "{path}");
    }
    assert!(hidden(dir.path()).is_empty(), "parts left: {:?}", hidden(dir.path()));
    manager.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_probe_says_what_a_stream_would_save() {
    use haul_core::model::RemoteUrl;
    let server = TestServer::start();
    let media = Media { init: Some(b"init".to_vec()), playlist_name: Some("video.m3u8".into()), ..Default::default() };
    let served = serve_media(&server, "/p", &segments(6, 1000, 11), &media);
    let client = haul_core::engine::build_client(Duration::from_secs(5)).expect("client");
    let probe = |url: String| {
        let client = client.clone();
        async move {
            let url = RemoteUrl::parse(&url).expect("url");
            haul_core::engine::probe(&client, &url, &[], Duration::from_secs(5)).await
        }
    };
    let found = probe(served.url.clone()).await.expect("probed");
    assert_eq!(found.file_name, "video.mp4");
    assert_eq!(found.stream.as_deref(), Some("6 segments (24 s)"));
    let live = serve_media(&server, "/pl", &segments(2, 1000, 12), &Media { live: true, ..Default::default() });
    let refused = probe(live.url).await.expect_err("live");
    assert!(refused.to_string().contains("is a live stream"), "{refused}");
}
