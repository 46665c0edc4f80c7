//! The toolbar acts on the selected job, in the service.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes};

#[test]
fn clicking_pause_suspends_the_selected_job_in_the_service() {
    let world = World::new();
    let body = random_bytes(8 << 20, 3);
    world.server.set_route("/slow.iso", Route::new(body).throttle_per_connection(256 << 10));
    let job = world.job("slow.iso", "/slow.iso", false);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::Transferring);

    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "Downloading"));
    window.get_by_label("slow.iso").click();
    window.run();
    assert_eq!(window.state().model().selection.single(), Some(job));
    window.get_by_role_and_label(Role::Button, "Pause").click();
    window.run();
    step_until(&mut window, "the service to suspend the job", |_| world.get(job).state == JobState::Suspended);
    step_until(&mut window, "the row to say Paused", |w| shows(w, "Paused"));
    // And back: Resume is now the enabled one.
    window.get_by_role_and_label(Role::Button, "Resume").click();
    window.run();
    step_until(&mut window, "the service to queue the job", |_| world.get(job).state != JobState::Suspended);
}

#[test]
fn keys_select_pause_and_resume() {
    let world = World::new();
    world.server.set_route("/a.iso", Route::new(random_bytes(4 << 20, 5)).throttle_per_connection(128 << 10));
    let job = world.job("a.iso", "/a.iso", false);
    world.block_on(world.other.resume(job)).expect("resume");
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "a.iso"));
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.run();
    assert_eq!(window.state().model().selection.len(), 1);
    window.key_press(Key::Space);
    window.run();
    step_until(&mut window, "Space to suspend", |_| world.get(job).state == JobState::Suspended);
    step_until(&mut window, "the row to say Paused", |w| shows(w, "Paused"));
    window.key_press(Key::Space);
    window.run();
    step_until(&mut window, "Space to resume", |_| world.get(job).state != JobState::Suspended);
}

#[test]
fn settings_change_the_theme_and_auto_complete() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    window.get_by_label("Light").click();
    window.run();
    window.get_by_label("Move the files into place at once (auto-complete)").click();
    window.run();
    assert_eq!(window.state().prefs().theme, haul::gui::Theme::Light);
    assert!(!window.state().prefs().auto_complete);
    assert_eq!(window.ctx.theme(), eframe::egui::Theme::Light);
}

#[test]
fn settings_show_and_change_the_services_limits() {
    let world = World::new();
    let three = haul_core::protocol::Limits { max_active_jobs: Some(3), ..Default::default() };
    let set = world.block_on(world.other.set_limits(three)).expect("set");
    assert_eq!(set.max_active_jobs, Some(3));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(&mut window, "the limits to arrive", |w| w.state().model().limits.is_some());
    window.run();
    let node = window.get_by_label("Downloads at once");
    assert_eq!(node.value().as_deref(), Some("3"), "the service's value is shown");
    node.click();
    window.run();
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.get_by_label("Downloads at once").type_text("4");
    window.run();
    window.key_press(Key::Enter);
    window.run();
    let now = || world.block_on(world.other.get_limits()).expect("get");
    step_until(&mut window, "the service to take the new value", |_| now().max_active_jobs == Some(4));
}
