//! Toasts stay out of the way: one stack folded to the newest two behind
//! "N more", over the job list only (never the details panel), a long name cut
//! before the close button, and nothing moving under the pointer.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul_core::model::JobId;

type Window = crate::support::Window;

/// A download of a file the server does not have, started by the other client.
fn failing(world: &World, name: &str) -> JobId {
    let job = world.job(name, &format!("/missing/{name}"), true);
    world.block_on(world.other.resume(job)).expect("resume");
    job
}

fn toasts(window: &Window) -> usize {
    window.state().model().toasts.list().len()
}

#[test]
fn toasts_fold_stay_off_the_details_and_cut_long_names_before_the_close_button() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let long = format!("{}.iso", "a-very-long-file-name-that-goes-on-".repeat(4));
    for name in ["one.zip", "two.zip", "three.zip", long.as_str()] {
        failing(&world, name);
    }
    step_until(&mut window, "four failure toasts", |w| toasts(w) == 4);
    window.run();
    assert!(shows(&window, "2 more"), "folded behind \"2 more\"");
    assert_eq!(window.query_all_by_role_and_label(Role::Button, "Dismiss").count(), 2, "two shown");
    assert!(!shows(&window, "one.zip failed"), "the oldest waits in the fold");

    // The long name is cut before the close button, and whole on hover.
    let title = window.get_by_label_contains(".iso failed").rect();
    let closes: Vec<_> = window.query_all_by_role_and_label(Role::Button, "Dismiss").map(|n| n.rect()).collect();
    let close = closes.iter().find(|c| c.center().y > title.min.y && c.center().y < title.max.y).expect("its ×");
    assert!(title.max.x <= close.min.x, "the name {title:?} stops before its × {close:?}");

    window.get_by_label("2 more").click();
    window.run();
    assert_eq!(window.query_all_by_role_and_label(Role::Button, "Dismiss").count(), 4, "unfolded");

    // With a job's details open, the stack stays above the panel.
    window.get_by_label("two.zip").click();
    window.run();
    step_until(&mut window, "the details", |w| shows(w, "Moved into place"));
    let panel_top = window.get_by_label("Moved into place").rect().min.y;
    for close in window.query_all_by_role_and_label(Role::Button, "Dismiss") {
        assert!(close.rect().max.y <= panel_top, "a toast {:?} over the details (top {panel_top})", close.rect());
    }
}

#[test]
fn toasts_hold_still_under_the_pointer() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    failing(&world, "first.zip");
    failing(&world, "second.zip");
    step_until(&mut window, "two toasts", |w| toasts(w) == 2);
    window.run();
    window.get_by_label("second.zip failed").hover();
    window.run();
    let before = window.get_by_label("second.zip failed").rect();

    failing(&world, "third.zip");
    step_until(&mut window, "the third failure", |w| toasts(w) == 3);
    window.run();
    assert_eq!(window.get_by_label("second.zip failed").rect(), before, "nothing moved under the pointer");
    assert!(!shows(&window, "third.zip failed"), "the new one waits while the pointer is there");
    assert!(shows(&window, "1 more"));

    // The pointer leaves: the newest come forward.
    window.get_by_label("All").hover();
    window.run();
    assert!(shows(&window, "third.zip failed"));
}
