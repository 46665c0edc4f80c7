//! Frame time with 10,000 jobs: the table lays out only the rows in view, so
//! a frame costs about the same with 10 or 10,000 jobs.

use crate::gui::{Bridge, Connection, DesktopNotifier, HaulApp, Prefs, Startup, Update};
use egui_kittest::Harness;
use haul_core::manager::JobProgressView;
use haul_core::model::{Job, JobId, JobState};
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

/// Average time of `frames` frames (layout and tessellation), with live progress for the running jobs.
fn measure(jobs: usize, frames: u32) -> Duration {
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
        let primitives = window.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
        assert!(!primitives.is_empty());
    }
    start.elapsed() / frames
}

#[test]
fn ten_thousand_jobs_cost_about_what_ten_do() {
    let small = measure(10, 30);
    let large = measure(10_000, 30);
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    eprintln!("frame time ({build} build, layout + tessellation): 10 jobs {small:?}, 10,000 jobs {large:?}");
    assert!(large < small * 6 + Duration::from_millis(50), "10,000 jobs: {large:?}, 10 jobs: {small:?}");
}

#[test]
fn every_state_icon_and_word_has_its_glyphs() {
    // egui panics on a glyph its fonts lack; draw every state's label once.
    let mut window = Harness::new_ui(|ui| {
        for state in JobState::ALL {
            ui.label(format!("{} {}", crate::gui::state_icon(state), crate::gui::state_word(state)));
        }
        ui.label("⏶ ⏷ ⬇ ➕ ▶ ⏸ ✖ ✔ ⟲ ⚙ 🔍 —");
    });
    window.run();
}
