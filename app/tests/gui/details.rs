//! The details panel agrees with the row and the bars: a file shows its real
//! state, its bytes follow the job's, the percent is the row's, and a retrying
//! job is "active" in the side bar and the status bar alike.

use crate::support::{World, shows, step_until, wait_loaded};
use egui_kittest::kittest::Queryable;
use haul::units::size;
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes};

type Window = crate::support::Window;

/// Whether some node is labelled exactly `text`.
fn exactly(window: &Window, text: &str) -> bool {
    window.query_all_by_label(text).next().is_some()
}

#[test]
fn a_downloading_file_reads_downloading_with_the_rows_bytes_and_percent() {
    let world = World::new();
    world.server.set_route("/big.iso", Route::new(random_bytes(8 << 20, 1)).throttle_per_connection(256 << 10));
    let job = world.job("big.iso", "/big.iso", true);
    world.block_on(world.other.resume(job)).expect("resume");
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "big.iso"));
    window.get_by_label("big.iso").click();
    window.run();
    step_until(&mut window, "the file's state", |w| exactly(w, "downloading"));
    assert!(!exactly(&window, "pending"), "not pending while it downloads");
    // One frame draws the row and the panel from the same numbers.
    step_until(&mut window, "some bytes", |w| {
        w.state().model().job(job).is_some_and(|j| j.progress.bytes_transferred > 0 && j.progress.bytes_total.is_some())
    });
    let shown = window.state().model().job(job).cloned().expect("the job");
    let percent = haul::gui::percent(&shown);
    assert!(exactly(&window, &format!("{percent}%")), "the row says {percent}%");
    assert!(shows(&window, &format!("({percent}%)")), "the details say {percent}% too");
    let total = shown.progress.bytes_total.map(size).unwrap_or_default();
    let file_bytes = format!("{} / {total}", size(shown.progress.bytes_transferred));
    assert!(exactly(&window, &file_bytes), "the file's bar shows the job's bytes: {file_bytes}");
}

#[test]
fn a_retrying_job_is_active_in_the_side_bar_and_the_status_bar_and_its_file_retrying() {
    let world = World::new();
    world.server.set_route("/flaky.bin", Route::new(random_bytes(50_000, 2)).fail_with(503, 100, None));
    let job = world.job("flaky.bin", "/flaky.bin", true);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::TransientError);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "flaky.bin"));
    assert_eq!(window.state().model().count(haul::gui::StateFilter::Active), 1, "the side bar counts it");
    assert!(shows(&window, "1 active: 1 retrying"), "the status bar counts it the same way");
    assert!(!shows(&window, "0 active"));
    window.get_by_label("flaky.bin").click();
    window.run();
    step_until(&mut window, "the file's state", |w| exactly(w, "retrying"));
    assert!(!exactly(&window, "pending"));
}

/// A finished one-file download named `name`.
fn finished(world: &World, name: &str, seed: u64) -> haul_core::model::JobId {
    world.server.add_file(&format!("/{name}"), random_bytes(30_000, seed));
    let job = world.job(name, &format!("/{name}"), true);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::Acknowledged);
    job
}

#[test]
fn details_tell_source_path_connections_speed_and_time_start_at_the_top_and_fold() {
    use eframe::egui::{self, Event, MouseWheelSource, MouseWheelUnit, TouchPhase};
    let world = World::new();
    finished(&world, "first.bin", 3);
    finished(&world, "second.bin", 4);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the rows", |w| shows(w, "first.bin") && shows(w, "second.bin"));
    window.get_by_label("first.bin").click();
    window.run();
    step_until(&mut window, "the file list", |w| shows(w, "/first.bin"));
    assert!(exactly(&window, &world.server.url("/first.bin")), "the source URL");
    let path = world.downloads().join("first.bin").display().to_string();
    assert!(exactly(&window, &path), "the save path");
    assert!(exactly(&window, "up to 32 at once"), "connections");
    assert!(exactly(&window, "Average speed") && exactly(&window, "Time taken"));

    // Scrolled down in one job, the next starts at the top.
    let top = window.get_by_label("Source").rect().min.y;
    window.get_by_label("Source").hover();
    window.event(Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -80.0),
        phase: TouchPhase::Move,
        source: MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    window.run();
    assert!(window.get_by_label("Source").rect().min.y < top, "the panel scrolled");
    window.get_by_label("second.bin").click();
    window.run();
    assert_eq!(window.get_by_label("Source").rect().min.y, top, "another job starts at the top");

    // Folded and back.
    window.get_by_label("Hide details").click();
    window.run();
    assert!(!exactly(&window, "Source"), "folded");
    window.get_by_label("Show details").click();
    window.run();
    assert!(exactly(&window, "Source"), "shown again");
}

#[test]
fn the_sinks_details_see_each_file_finish_and_no_callback_per_file_is_asked() {
    use haul_core::model::NotifyFlags;
    use haul_core::protocol::CreateJobParams;
    let world = World::new();
    world.server.add_file("/notes.txt", random_bytes(20_000, 5));
    let slow = Route::new(random_bytes(1 << 20, 6)).ranges(false).throttle_per_connection(256 << 10);
    world.server.set_route("/slow.iso", slow);
    let job = world.block_on(async {
        let params = CreateJobParams { display_name: "pair".into(), auto_complete: Some(false), ..Default::default() };
        let job = world.other.create_job(params).await.expect("create_job");
        for name in ["notes.txt", "slow.iso"] {
            let file = haul_tests::support::new_file(
                job,
                &world.server.url(&format!("/{name}")),
                &world.downloads().join(name),
                None,
            );
            world.other.add_file(file).await.expect("add_file");
        }
        job
    });
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "registration", |_| world.sink_of(job) == (true, false));
    world.block_on(world.other.resume(job)).expect("resume");
    step_until(&mut window, "the row", |w| shows(w, "pair"));
    window.get_by_label("pair").click();
    window.run();
    // The first file is done while the second still comes: the panel, not a callback, tells.
    step_until(&mut window, "the first file downloaded", |w| exactly(w, "downloaded"));
    assert!(world.get(job).state.is_running(), "the second file still downloads: {:?}", world.get(job).state);
    // The window is the sink: it completes the job, and both files are in place.
    step_until(&mut window, "both files in place", |w| w.query_all_by_label("in place").count() == 2);
    assert_eq!(world.get(job).state, JobState::Acknowledged);
    let flags = world.get(job).notify_flags;
    assert!(flags.contains(NotifyFlags::JOB_TRANSFERRED | NotifyFlags::JOB_ERROR), "{flags:?}");
    // A job of 10,000 files would wait for 10,000 round trips before its job_transferred.
    assert!(!flags.contains(NotifyFlags::FILE_TRANSFERRED), "the window asked for file_transferred: {flags:?}");
}
