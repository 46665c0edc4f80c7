//! The tray: its menu acts on the service's jobs, its tooltip follows the
//! downloads, and closing the window hides it into the tray only while a tray
//! is on screen. Settings: "keep running in the tray" and "start on login".

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::{Role, Toggled};
use eframe::egui::{ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::kittest::{NodeT, Queryable};
use haul::gui::{Tray, TrayAction};
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes};
use std::sync::atomic::Ordering;

type Window = crate::support::Window;

/// What the window asked of its viewport in the last frame.
fn commands(window: &Window) -> Vec<ViewportCommand> {
    window.output().viewport_output.get(&ViewportId::ROOT).map(|v| v.commands.clone()).unwrap_or_default()
}

/// The window manager's close button, then one frame; returns that frame's commands.
fn close(window: &mut Window) -> Vec<ViewportCommand> {
    window.input_mut().viewports.entry(ViewportId::ROOT).or_default().events.push(ViewportEvent::Close);
    window.step();
    commands(window)
}

#[test]
fn pause_all_and_resume_all_act_on_every_job_in_the_service() {
    let world = World::new();
    world.server.set_route("/a.iso", Route::new(random_bytes(8 << 20, 1)).throttle_per_connection(256 << 10));
    world.server.set_route("/b.iso", Route::new(random_bytes(8 << 20, 2)).throttle_per_connection(256 << 10));
    let a = world.job("a.iso", "/a.iso", false);
    let b = world.job("b.iso", "/b.iso", false);
    let paused = world.job("paused.iso", "/a.iso", false);
    for job in [a, b] {
        world.block_on(world.other.resume(job)).expect("resume");
    }
    let (tray, remote) = Tray::detached();
    let (mut window, _) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);
    step_until(&mut window, "the tooltip to count the downloads", |w| {
        w.state().tray().is_some_and(|t| t.tooltip().starts_with("Haul — 2 downloading"))
    });

    remote.actions.send(TrayAction::PauseAll).expect("send");
    step_until(&mut window, "Pause all to suspend both", |_| {
        [a, b].iter().all(|&job| world.get(job).state == JobState::Suspended)
    });
    step_until(&mut window, "the tooltip to say idle", |w| {
        w.state().tray().is_some_and(|t| t.tooltip() == "Haul — idle")
    });

    remote.actions.send(TrayAction::ResumeAll).expect("send");
    step_until(&mut window, "Resume all to queue every paused job", |_| {
        [a, b, paused].iter().all(|&job| world.get(job).state != JobState::Suspended)
    });
}

#[test]
fn closing_hides_the_window_in_the_tray_and_show_brings_it_back() {
    let world = World::new();
    let (tray, remote) = Tray::detached();
    let (mut window, notices) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);

    let asked = close(&mut window);
    assert!(asked.contains(&ViewportCommand::CancelClose), "the close is cancelled: {asked:?}");
    assert!(asked.contains(&ViewportCommand::Visible(false)), "the window hides: {asked:?}");
    assert!(window.state().is_hidden());
    let told: Vec<String> = notices.lock().expect("notices").iter().map(|n| n.title.clone()).collect();
    assert_eq!(told, ["Haul keeps running in the tray"], "a one-time notice says how to quit");
    assert!(window.state().prefs().tray_notice_given);

    remote.actions.send(TrayAction::Show).expect("send");
    window.step();
    let asked = commands(&window);
    assert!(asked.contains(&ViewportCommand::Visible(true)), "Show shows the window: {asked:?}");
    assert!(asked.contains(&ViewportCommand::Focus));
    assert!(!window.state().is_hidden());

    // The second time there is no notice.
    assert!(close(&mut window).contains(&ViewportCommand::CancelClose));
    assert_eq!(notices.lock().expect("notices").len(), 1);
}

#[test]
fn with_no_tray_on_screen_closing_quits_and_a_hidden_window_comes_back() {
    let world = World::new();
    let (tray, remote) = Tray::detached();
    let (mut window, _) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);
    assert!(close(&mut window).contains(&ViewportCommand::CancelClose));

    // The tray host goes away while the window is hidden: nothing could bring it back.
    remote.shown.store(false, Ordering::Relaxed);
    window.step();
    assert!(commands(&window).contains(&ViewportCommand::Visible(true)));
    assert!(!window.state().is_hidden());

    let asked = close(&mut window);
    assert!(!asked.contains(&ViewportCommand::CancelClose), "closing quits: {asked:?}");
    assert!(!window.state().is_hidden());

    // And with no tray at all.
    let (mut plain, _) = world.window(None);
    wait_loaded(&mut plain);
    assert!(!close(&mut plain).contains(&ViewportCommand::CancelClose));
}

#[test]
fn quit_in_the_tray_closes_the_window_despite_close_to_tray() {
    let world = World::new();
    let (tray, remote) = Tray::detached();
    let (mut window, _) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);
    remote.actions.send(TrayAction::Quit).expect("send");
    window.step();
    assert!(commands(&window).contains(&ViewportCommand::Close), "Quit asks to close");
    // eframe turns that into a close request: this one is not cancelled.
    let asked = close(&mut window);
    assert!(!asked.contains(&ViewportCommand::CancelClose), "{asked:?}");
}

#[test]
fn turning_off_close_to_tray_makes_closing_quit() {
    let world = World::new();
    let (tray, _remote) = Tray::detached();
    let (mut window, _) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    let checkbox = window.get_by_label("Keep running in the tray when the window is closed");
    checkbox.click();
    window.run();
    assert!(!window.state().prefs().close_to_tray);
    assert!(!close(&mut window).contains(&ViewportCommand::CancelClose));
}

#[test]
fn start_on_login_reads_writes_and_removes_the_autostart_entry() {
    let world = World::new();
    // Read back from the folder: an entry made before shows as on.
    let entry = world.autostart_folder().join("haul.desktop");
    std::fs::create_dir_all(world.autostart_folder()).expect("folder");
    std::fs::write(&entry, "[Desktop Entry]\n").expect("entry");
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    let toggled = |w: &Window| w.get_by_label("Start on login").accesskit_node().toggled();
    assert_eq!(toggled(&window), Some(Toggled::True));

    window.get_by_label("Start on login").click();
    window.run();
    assert!(!entry.exists(), "turning it off removes the entry");
    assert_eq!(toggled(&window), Some(Toggled::False));

    window.get_by_label("Start on login").click();
    window.run();
    let written = std::fs::read_to_string(&entry).expect("the entry is written");
    assert!(written.lines().any(|l| l == "Exec=/opt/Haul/haul"), "{written}");
    assert!(written.lines().any(|l| l == "X-GNOME-Autostart-enabled=true"), "{written}");
    assert_eq!(toggled(&window), Some(Toggled::True));
}

#[test]
fn a_folder_that_cannot_be_written_is_told_not_a_panic() {
    let world = World::new();
    let folder = world.autostart_folder();
    std::fs::create_dir_all(folder.parent().expect("config")).expect("config");
    std::fs::write(&folder, "a file where the folder should be").expect("blocker");
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    window.get_by_label("Start on login").click();
    window.run();
    assert!(shows(&window, "Cannot turn on “Start on login”"), "the error is shown");
    let checkbox = window.get_by_label("Start on login");
    assert_eq!(checkbox.accesskit_node().toggled(), Some(Toggled::False));
}
