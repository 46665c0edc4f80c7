//! 10,000 jobs: the table lays out only the rows in view, so a frame draws as
//! much with 10,000 jobs as with 1,000 (both fill the window). The frame time
//! is printed for the note, not asserted (timings belong in benchmarks).

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use haul::gui::{Bridge, Connection, DesktopNotifier, HaulApp, Prefs, Startup, Update};
use haul_core::model::{Job, JobId, JobState};
use haul_core::protocol::JobProgressView;
use serde_json::json;
use std::time::{Duration, Instant};

fn job(n: usize) -> Job {
    let states = ["suspended", "queued", "transferring", "error", "acknowledged", "transferred"];
    let created = chrono::Utc::now() - chrono::Duration::seconds(n as i64);
    serde_json::from_value(json!({
        "id": JobId::new(), "display_name": format!("file-{n:05}.iso"), "description": "", "type": "download",
        "state": states[n % states.len()], "priority": "normal", "owner": 1000, "creator": 1000,
        "progress": {"bytes_total": 1_000_000_000u64, "bytes_transferred": (n as u64 * 7919) % 1_000_000_000,
                     "files_total": 1, "files_transferred": 0},
        "times": {"created": created, "modified": created, "transfer_completed": null},
        "error": null, "error_count": 0, "notify_flags": ["job_transferred", "job_error"],
        "notify_cmd_line": null, "minimum_retry_delay_s": 60, "no_progress_timeout_s": 1209600,
        "auto_complete": false, "speed_bps": 0.0, "eta_s": null
    }))
    .expect("a valid job")
}

/// Average time of `frames` frames (layout and tessellation), with live
/// progress for the running jobs, and the shapes of the last frame.
fn measure(jobs: usize, frames: u32) -> (Duration, usize) {
    let (bridge, updates) = Bridge::detached();
    let dir = std::env::temp_dir();
    let app = HaulApp::from_parts(bridge, Prefs::default(), 0, dir, DesktopNotifier::off());
    let mut window = Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |_| app);
    let list: Vec<Job> = (0..jobs).map(job).collect();
    let running: Vec<(JobId, u64)> = list
        .iter()
        .filter(|j| j.state == JobState::Transferring)
        .take(50)
        .map(|j| (j.id, j.progress.bytes_transferred))
        .collect();
    let send = |update| updates.send(update).expect("the window listens");
    send(Update::Connection(Connection::Connected("haul/test".into())));
    send(Update::Startup(Box::new(Startup { jobs: list, ..Default::default() })));
    window.run_ok();
    let start = Instant::now();
    let mut shapes = 0;
    for frame in 0..frames {
        let progress = running
            .iter()
            .map(|&(id, done)| JobProgressView {
                id,
                state: JobState::Transferring,
                bytes_transferred: done + u64::from(frame) * 100_000,
                bytes_total: Some(1_000_000_000),
                files_transferred: 0,
                speed_bps: 1e6,
                eta_s: Some(100),
            })
            .collect();
        send(Update::Progress(progress));
        window.step();
        let output = window.output();
        shapes = output.shapes.len();
        let primitives = window.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
        assert!(!primitives.is_empty());
    }
    (start.elapsed() / frames, shapes)
}

#[test]
fn ten_thousand_jobs_draw_no_more_than_a_windowful() {
    let (small, _) = measure(10, 10);
    let (full, full_shapes) = measure(1_000, 10);
    let (large, large_shapes) = measure(10_000, 10);
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    eprintln!(
        "frame time ({build} build, layout + tessellation): 10 jobs {small:?}, 1,000 jobs {full:?}, \
         10,000 jobs {large:?}; shapes {full_shapes} / {large_shapes}"
    );
    // Drawing every row would make 10,000 jobs ten times the shapes of 1,000.
    assert!(large_shapes * 10 < full_shapes * 12, "1,000 jobs: {full_shapes} shapes, 10,000: {large_shapes}");
}

#[test]
fn every_state_icon_and_word_has_its_glyphs() {
    // egui panics on a glyph its fonts lack; draw every state's label once.
    let mut window = Harness::new_ui(|ui| {
        for state in JobState::ALL {
            ui.label(format!("{} {}", haul::gui::state_icon(state), haul::gui::state_word(state)));
        }
        ui.label("⏶ ⏷ ⬇ ➕ ▶ ⏸ ✖ ✔ ⟲ ⚙ 🔍 — ☰ 🗑 …");
    });
    window.run();
}

/// A job of `count` files, selected with its details open; the file names the
/// window lays out, the shapes of a frame and its average time.
fn measure_files(count: usize, frames: u32) -> (usize, usize, Duration) {
    use haul_core::model::JobFile;
    let (bridge, updates) = Bridge::detached();
    let app = HaulApp::from_parts(bridge, Prefs::default(), 0, std::env::temp_dir(), DesktopNotifier::off());
    let mut window = Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |_| app);
    let mut many = job(2);
    many.display_name = "many-files".into();
    many.progress.files_total = count as u32;
    let id = many.id;
    let files: Vec<JobFile> = (0..count)
        .map(|i| JobFile {
            index: i as u32,
            remote_url: format!("http://127.0.0.1/part-{i:05}.bin"),
            local_name: format!("/tmp/many/part-{i:05}.bin").into(),
            temp_name: haul_core::model::TempName::Path(format!("/tmp/many/.part-{i:05}.bin.haul-part").into()),
            bytes_total: Some(16_384),
            bytes_transferred: if i % 3 == 0 { 16_384 } else { 0 },
            transferred: i % 3 == 0,
            completed: false,
            sha256: None,
            restart_reason: None,
            checkpoint: Default::default(),
        })
        .collect();
    let send = |update| updates.send(update).expect("the window listens");
    send(Update::Connection(Connection::Connected("haul/test".into())));
    send(Update::Startup(Box::new(Startup { jobs: vec![many], ..Default::default() })));
    window.run_ok();
    window.get_by_label("many-files").click();
    window.run_ok();
    send(Update::Files(id, files));
    window.run_ok();
    let start = Instant::now();
    let mut shapes = 0;
    for _ in 0..frames {
        window.step();
        shapes = window.output().shapes.len();
    }
    let laid_out = window.query_all_by_label_contains("part-").count();
    (laid_out, shapes, start.elapsed() / frames)
}

#[test]
fn a_job_of_ten_thousand_files_lays_out_no_more_file_rows_than_its_panel_shows() {
    let (few_rows, few_shapes, few_time) = measure_files(100, 5);
    let (many_rows, many_shapes, many_time) = measure_files(10_000, 5);
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    eprintln!(
        "details frame time ({build} build): 100 files {few_time:?} ({few_rows} rows laid out, {few_shapes} shapes), \
         10,000 files {many_time:?} ({many_rows} rows, {many_shapes} shapes)"
    );
    assert!(few_rows > 0, "the panel shows the files");
    // The panel shows a few dozen rows; all 10,000 once made every frame 10,000 rows of work.
    assert!(many_rows <= few_rows, "100 files: {few_rows} rows laid out, 10,000: {many_rows}");
    assert!(many_shapes * 10 < few_shapes * 12, "100 files: {few_shapes} shapes, 10,000: {many_shapes}");
}
