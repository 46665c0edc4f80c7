//! HLS streams through the real `haul` binary and a real service process:
//! `haul add` of a playlist, `--variant`, a SIGKILL mid-stream, a live playlist.

mod common;

use common::*;
use haul_tests::hls::{Media, segments, serve_master, serve_master_with_audio, serve_media};
use haul_tests::server::{TestServer, sha256_file, sha256_hex};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `haul add URL --wait --dir DOWNLOADS ARGS…`.
fn add_wait(world: &World, url: &str, args: &[&str]) -> std::process::Output {
    world.haul().args(["add", url, "--wait", "--dir"]).arg(world.downloads()).args(args).output().expect("run")
}

/// The hidden parts folders in `dir`.
fn parts_dirs(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok()).map(|e| e.path());
    entries.filter(|p| p.to_string_lossy().ends_with(".haul-parts")).collect()
}

/// The segments a parts folder marks as saved (`000004-40000`: slot 4, segment 3, 40,000 bytes).
fn finished_segments(dir: &Path) -> Vec<usize> {
    let names = std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).collect::<Vec<_>>()).unwrap_or_default();
    let slot = |name: &str| name.split_once('-').and_then(|(slot, _)| slot.parse::<usize>().ok());
    names.iter().filter_map(|e| e.file_name().to_str().and_then(slot)).map(|slot| slot - 1).collect()
}

#[test]
fn add_wait_saves_an_fmp4_stream_as_one_mp4() {
    let world = World::new();
    let server = TestServer::start();
    let media =
        Media { init: Some(b"ftyp-init".repeat(40)), playlist_name: Some("video.m3u8".into()), ..Default::default() };
    let served = serve_media(&server, "/s", &segments(30, 25_000, 21), &media);
    let out = add_wait(&world, &served.url, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "haul add --wait failed: {stderr}");
    let target = world.downloads().join("video.mp4");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), target.display().to_string());
    assert!(stderr.contains("video.mp4: 30 segments"), "{stderr}");
    assert_eq!(sha256_file(&target).expect("file"), sha256_hex(&served.expected));
    assert!(temp_files(&world.downloads()).is_empty() && parts_dirs(&world.downloads()).is_empty());
    let list = world.haul().args(["--json", "list", "--all"]).output().expect("list");
    let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(jobs[0]["display_name"], "video.mp4", "{jobs}");
}

#[test]
fn variant_480_picks_that_variant_of_a_master_playlist() {
    let world = World::new();
    let server = TestServer::start();
    let (url, variants) = serve_master(&server, "/m", &[(360, 800_000), (1080, 5_000_000), (480, 1_400_000)]);
    let out = add_wait(&world, &url, &["--variant", "480", "--name", "low"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("853x480, 1.4 Mbit/s, 4 segments"), "{stderr}");
    let saved = world.downloads().join("master.ts");
    assert_eq!(sha256_file(&saved).expect("file"), sha256_hex(&variants[2].served.expected));
    assert!(server.requests_for("/m/1080/seg00000.ts").is_empty());

    let out = add_wait(&world, &url, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let highest = world.downloads().join("master (1).ts");
    assert_eq!(sha256_file(&highest).expect("file"), sha256_hex(&variants[1].served.expected));

    let out = world.haul().args(["add", &url, "--variant", "abc"]).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a variant"));
}

#[test]
fn a_separate_audio_rendition_is_saved_next_to_the_video() {
    let world = World::new();
    let server = TestServer::start();
    let (url, video, audio) = serve_master_with_audio(&server, "/a");
    let out = add_wait(&world, &url, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("its audio is saved next to it as master.audio.ts"), "{stderr}");
    let saved = |name: &str| sha256_file(&world.downloads().join(name)).expect(name);
    assert_eq!(saved("master.ts"), sha256_hex(&video.expected));
    assert_eq!(saved("master.audio.ts"), sha256_hex(&audio.expected));
}

#[test]
fn a_killed_service_keeps_every_finished_segment() {
    let mut world = World::new();
    world.start_service();
    let server = TestServer::start();
    // 40 segments of 40 KB at 80 KB/s each, two at a time: about 10 s in all.
    let media = Media { throttle: Some(80_000), ..Default::default() };
    let served = serve_media(&server, "/k", &segments(40, 40_000, 22), &media);
    let out = world
        .haul()
        .args(["add", &served.url, "--connections", "2", "--dir"])
        .arg(world.downloads())
        .output()
        .expect("add");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job_id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let some_finished = || parts_dirs(&world.downloads()).first().is_some_and(|d| finished_segments(d).len() >= 6);
    assert!(wait_until(Duration::from_secs(30), some_finished), "no segment finished: {}", world.service_log());
    world.kill_service();
    let parts = parts_dirs(&world.downloads());
    let kept = finished_segments(&parts[0]);
    assert!(kept.len() >= 6 && kept.len() < 40, "{kept:?}");
    world.start_service();
    assert!(
        wait_until(Duration::from_secs(60), || job_json(&world, &job_id)["state"] == "acknowledged"),
        "never completed: {} {}",
        job_json(&world, &job_id),
        world.service_log()
    );
    assert_eq!(sha256_file(&world.downloads().join("index.ts")).expect("file"), sha256_hex(&served.expected));
    for segment in kept {
        let path = &served.segment_paths[segment];
        assert_eq!(server.requests_for(path).len(), 1, "{path} was finished before the kill: fetched once");
    }
    assert!(parts_dirs(&world.downloads()).is_empty());
}

#[test]
fn a_live_playlist_fails_with_a_clear_message() {
    let world = World::new();
    let server = TestServer::start();
    let served = serve_media(&server, "/l", &segments(3, 1000, 23), &Media { live: true, ..Default::default() });
    let out = add_wait(&world, &served.url, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("is a live stream") && stderr.contains("EXT-X-ENDLIST"), "{stderr}");
    assert!(std::fs::read_dir(world.downloads()).expect("dir").next().is_none(), "no file, no part");
}
