//! Settings' schedule editor: a window added, applied (the service has it),
//! removed and applied again (the service has none).

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn settings_add_and_remove_a_schedule_window_in_the_service() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(&mut window, "the limits to arrive", |w| w.state().model().limits.is_some());
    window.run();
    assert!(shows(&window, "Background downloads now: no speed limit"), "the schedule's state is shown");
    window.get_by_role_and_label(Role::Button, "Add window").click();
    window.run();
    window.get_by_role_and_label(Role::Button, "Apply schedule").click();
    window.run();
    let schedule = || world.block_on(world.other.get_limits()).expect("get").schedule.unwrap_or_default();
    step_until(&mut window, "the service to take the window", |_| schedule().len() == 1);
    let taken = schedule()[0];
    assert_eq!(
        (taken.from.to_string(), taken.to.to_string(), taken.speed_limit_bps),
        ("09:00".into(), "17:00".into(), 512 * 1024)
    );
    assert_eq!(taken.days.to_string(), "Mon-Fri");
    window.get_by_role_and_label(Role::Button, "Remove window").click();
    window.run();
    window.get_by_role_and_label(Role::Button, "Apply schedule").click();
    window.run();
    step_until(&mut window, "the service to drop the window", |_| schedule().is_empty());
}
