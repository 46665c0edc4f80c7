//! Local disk failures: a full disk and a read-only folder end in a clear
//! `local_file` error, and the job finishes once the cause is fixed, from its
//! checkpoint. The folder is a small tmpfs mounted for the test, which needs
//! root (as CI runs); without it the tests say so and skip.

use haul_core::manager::Manager;
use haul_core::model::{ErrorContext, Job, JobId, JobState};
use haul_core::protocol::{CreateJobParams, JobChanges};
use haul_tests::server::{Route, TestServer, random_bytes, sha256_file, sha256_hex};
use haul_tests::support::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LONG: Duration = Duration::from_secs(60);

/// A tmpfs mounted at `path`, unmounted on drop.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "2m"); `None` when this user may not mount.
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(path).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(Tmpfs { path: path.to_path_buf() }),
            _ => {
                eprintln!("SKIPPED: cannot mount a tmpfs at {} (needs root)", path.display());
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .status()
            .expect("run mount");
        assert!(status.success(), "remount {options} failed");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// One file from the test server into a small tmpfs, as a job not yet resumed.
struct Scene {
    // Fields drop in order: the tmpfs is unmounted before its folder goes.
    disk: Tmpfs,
    _dir: tempfile::TempDir,
    server: TestServer,
    manager: Manager,
    body: Vec<u8>,
    url: String,
    target: PathBuf,
    job_id: JobId,
}

impl Scene {
    /// A tmpfs of `disk_size` and a job for `name` of `len` random bytes;
    /// `None` when this user may not mount.
    fn new(disk_size: &str, name: &str, len: usize, seed: u64) -> Option<Scene> {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Tmpfs::mount(&dir.path().join("small-disk"), disk_size)?;
        let server = TestServer::start();
        let body = random_bytes(len, seed);
        let path = format!("/{name}");
        server.set_route(&path, Route::new(body.clone()));
        let manager = open_manager(dir.path());
        let (url, target) = (server.url(&path), disk.path.join(name));
        let job_id = job_with_files(&manager, &[(url.clone(), target.clone())]);
        Some(Scene { disk, _dir: dir, server, manager, body, url, target, job_id })
    }

    /// Waits for the job's error: a `local_file` one with `code`, naming a
    /// file on the tmpfs, with nothing under the file's real name.
    async fn local_error(&self, code: &str) -> Job {
        let job = wait_state(&self.manager, self.job_id, JobState::Error, LONG).await;
        let error = job.error.clone().expect("the job says why");
        assert_eq!((error.context, error.code.as_str()), (ErrorContext::LocalFile, code), "{error:?}");
        let folder = self.disk.path.display().to_string();
        assert!(error.message.contains(&folder), "names the file: {}", error.message);
        assert!(!self.target.exists(), "nothing half-written under the real name");
        job
    }

    /// Resumes the job and checks it ends with the right file.
    async fn finishes(&self) {
        let (manager, job_id) = (&self.manager, self.job_id);
        manager.resume(&alice(), job_id).expect("resume");
        wait_state(manager, job_id, JobState::Transferred, LONG).await;
        manager.complete(&alice(), job_id).expect("complete");
        assert_eq!(sha256_file(&self.target).expect("file"), sha256_hex(&self.body));
        manager.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_a_local_file_error_and_the_job_resumes_after_space_is_freed() {
    let Some(scene) = Scene::new("2m", "big.bin", 8 << 20, 71) else { return };
    let (manager, job_id) = (&scene.manager, scene.job_id);
    // On one connection the file is written as it comes (a split file
    // reserves its space first: the next test).
    let single = JobChanges { max_connections: Some(1), ..Default::default() };
    manager.set_job(&alice(), job_id, single).expect("one connection");
    manager.resume(&alice(), job_id).expect("resume");

    let kept = scene.local_error("disk_full").await.progress.bytes_transferred;
    assert!(kept > 0 && kept < scene.body.len() as u64, "the bytes that fitted are kept: {kept}");

    scene.disk.remount("size=32m");
    let asked_before = scene.server.requests_for("/big.bin").len();
    scene.finishes().await;
    // Resumed from the checkpoint, not from zero: every request after the
    // resume asks for a part with If-Range, and none for the whole file.
    let resumed = &scene.server.requests_for("/big.bin")[asked_before..];
    assert!(!resumed.is_empty());
    for request in resumed {
        assert!(request.header("if-range").is_some(), "a resumed request without If-Range: {request:?}");
        assert!(request.header("range").is_some_and(|r| r != "bytes=0-"), "a request from zero: {request:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_split_file_that_does_not_fit_fails_before_a_byte_is_written() {
    let Some(scene) = Scene::new("2m", "big.bin", 8 << 20, 73) else { return };
    scene.manager.resume(&alice(), scene.job_id).expect("resume");

    let job = scene.local_error("disk_full").await;
    assert_eq!(job.progress.bytes_transferred, 0, "the space is reserved before the bytes come");

    scene.disk.remount("size=32m");
    scene.finishes().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_became_read_only_is_a_local_file_error_until_it_is_writable() {
    let Some(scene) = Scene::new("16m", "doc.pdf", 1 << 20, 72) else { return };
    let manager = &scene.manager;

    scene.disk.remount("ro");
    manager.resume(&alice(), scene.job_id).expect("resume");
    scene.local_error("read_only").await;
    // A new file for that folder is refused up front, with the reason.
    let other = CreateJobParams { display_name: "other".into(), ..Default::default() };
    let refused = manager.create_job(&alice(), other).and_then(|other| {
        let local = scene.disk.path.join("other.bin");
        let added = manager.add_file(&alice(), &new_file(other, &scene.url, &local, None));
        let _ = manager.cancel(&alice(), other);
        added
    });
    let message = refused.expect_err("a read-only folder is refused").to_string();
    assert!(message.contains("not writable"), "{message}");

    scene.disk.remount("rw");
    scene.finishes().await;
}
