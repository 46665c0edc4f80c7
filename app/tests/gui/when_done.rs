//! Settings' "when all downloads are done" and the countdown window: the
//! action chosen in the window reaches the service; when the queue empties a
//! power action counts down in a window (and a desktop notification), and
//! its Cancel, or the notification's, stops it in the service.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul::gui::ToastAction;
use haul_core::model::{JobState, WhenDone, WhenDoneAction};
use haul_core::protocol::Limits;
use haul_tests::server::{Route, random_bytes};

#[test]
fn settings_choose_the_action_and_the_countdown_window_cancels_it() {
    let world = World::new();
    let (mut window, notices) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(&mut window, "the limits to arrive", |w| w.state().model().limits.is_some());
    window.run();
    window.get_by_role_and_label(Role::ComboBox, "Then").click();
    window.run();
    window.get_by_label("Suspend the computer").click();
    window.run();
    window.get_by_role_and_label(Role::Button, "Apply action").click();
    window.run();
    let when_done = || world.block_on(world.other.get_limits()).expect("get").when_done.unwrap_or_default();
    step_until(&mut window, "the service to take the action", |_| when_done().action == WhenDoneAction::Suspend);
    assert!(!when_done().permanent, "once, unless asked");

    // Every time, so the countdown's Cancel is what stops it (not "once").
    let every_time = WhenDone { action: WhenDoneAction::Suspend, permanent: true };
    world.block_on(world.other.set_limits(Limits { when_done: Some(every_time), ..Default::default() })).expect("set");
    world.server.set_route("/done.bin", Route::new(random_bytes(50_000, 5)));
    let job = world.job("done.bin", "/done.bin", false);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::Transferred);
    step_until(&mut window, "the countdown window", |w| shows(w, "Haul will suspend the computer at"));
    let said = notices.lock().map(|n| n.iter().any(|n| n.body.contains("suspend the computer"))).unwrap_or(false);
    assert!(said, "a desktop notification says what will happen");
    let countdown_notice =
        || notices.lock().ok().and_then(|n| n.iter().rev().find(|n| n.title == "All downloads are done").cloned());
    let actions = countdown_notice().map(|n| n.actions).unwrap_or_default();
    assert_eq!(actions, [ToastAction::CancelCountdown], "the notification has Cancel");
    let pending = || world.block_on(world.other.get_limits()).expect("get").when_done_pending;
    assert!(pending().is_some());
    window.get_by_role_and_label(Role::Button, "Cancel the countdown").click();
    window.run();
    step_until(&mut window, "the service to cancel", |_| pending().is_none());
    assert!(!shows(&window, "Haul will suspend"), "the countdown window is gone");
    assert_eq!(when_done().action, WhenDoneAction::Suspend, "a permanent action stays");

    // The next countdown is cancelled from the desktop notification's button.
    if let Ok(mut sent) = notices.lock() {
        sent.clear();
    }
    world.server.set_route("/again.bin", Route::new(random_bytes(50_000, 6)));
    let again = world.job("again.bin", "/again.bin", false);
    world.block_on(world.other.resume(again)).expect("resume");
    world.wait_state(again, JobState::Transferred);
    step_until(&mut window, "the second countdown", |w| pending().is_some() && shows(w, "Haul will suspend"));
    step_until(&mut window, "its notification", |_| countdown_notice().is_some());
    window.state().notification_clicks().send(ToastAction::CancelCountdown).expect("click");
    window.step();
    step_until(&mut window, "the service to cancel", |_| pending().is_none());
    assert!(!shows(&window, "Haul will suspend"), "the countdown window is gone with it");
}
