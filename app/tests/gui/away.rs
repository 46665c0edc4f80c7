//! A download that finishes while the user is not looking (the window
//! minimised, even with the keyboard focus an X11 window manager may leave it)
//! is announced on the desktop, and its toast waits for the user's return.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::ViewportId;
use haul_tests::server::{Route, random_bytes};
use std::time::{Duration, Instant};

type Window = crate::support::Window;

/// Minimises (or restores) the window; it keeps the keyboard focus.
fn minimise(window: &mut Window, minimised: bool) {
    let input = window.input_mut();
    input.focused = true;
    let root = input.viewports.entry(ViewportId::ROOT).or_default();
    root.minimized = Some(minimised);
    root.focused = Some(true);
}

#[test]
fn a_download_finishing_while_minimised_is_announced_and_its_toast_waits() {
    let world = World::new();
    world.server.set_route("/late.bin", Route::new(random_bytes(400_000, 8)).throttle_per_connection(200 << 10));
    let job = world.job("late.bin", "/late.bin", true);
    let (mut window, notices) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "late.bin"));

    minimise(&mut window, true);
    window.step();
    world.block_on(world.other.resume(job)).expect("resume");
    let told = |title: &str| notices.lock().expect("notices").iter().any(|n| n.title == title);
    step_until(&mut window, "a desktop notification naming the file", |_| told("late.bin downloaded"));

    // Frames go on while it is minimised; the toast's time does not run.
    for _ in 0..10 {
        window.step();
    }
    let toast = |w: &Window| w.state().model().toasts.list().iter().find(|t| t.title == "late.bin downloaded").cloned();
    let waiting = toast(&window).expect("the toast is kept for the user's return");
    let full = Instant::now() + Duration::from_secs(5);
    assert!(waiting.expires.is_some_and(|at| at > full), "its time has not started: {waiting:?}");

    minimise(&mut window, false);
    window.run();
    assert!(shows(&window, "late.bin downloaded"), "the toast is on screen when the window is back");
}

#[test]
fn a_download_finishing_while_the_user_looks_is_told_in_the_window_only() {
    let world = World::new();
    world.server.set_route("/seen.bin", Route::new(random_bytes(200_000, 9)).throttle_per_connection(200 << 10));
    let job = world.job("seen.bin", "/seen.bin", true);
    let (mut window, notices) = world.window(None);
    wait_loaded(&mut window);
    minimise(&mut window, false);
    world.block_on(world.other.resume(job)).expect("resume");
    step_until(&mut window, "the toast", |w| shows(w, "seen.bin downloaded"));
    let told: Vec<String> = notices.lock().expect("notices").iter().map(|n| n.title.clone()).collect();
    assert!(told.is_empty(), "no desktop notification while the user looks: {told:?}");
}
