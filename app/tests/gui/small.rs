//! A small window (640×360) stays usable: the actions fold into "More", the
//! filter box keeps a usable width, the side bar hides (and comes back on
//! demand), toasts wait behind one button, and the table scrolls sideways
//! instead of cutting columns.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use haul_tests::server::random_bytes;

#[test]
fn at_640_by_360_the_toolbar_folds_the_side_bar_hides_and_the_table_scrolls_sideways() {
    let world = World::new();
    world.server.add_file("/later.iso", random_bytes(10_000, 1));
    world.job("later.iso", "/later.iso", true);
    let (mut window, _) = world.window(None);
    window.set_size(eframe::egui::vec2(640.0, 360.0));
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "later.iso"));
    window.run();

    // The actions wait in "More"; the filter box is still wide enough to type in.
    assert!(window.query_by_label("Pause").is_none(), "Pause is folded away");
    let filter = window.get_by_role_and_label(Role::TextInput, "Filter").rect();
    assert!(filter.width() >= 110.0, "the filter keeps a usable width: {filter:?}");
    let more = window.get_by_label("More actions").rect();
    assert!(more.max.x <= filter.min.x, "More {more:?} and the filter {filter:?} do not overlap");
    window.get_by_label("later.iso").click();
    window.run();
    window.get_by_label("More actions").click();
    window.run();
    let resume = window.get_by_role_and_label(Role::Button, "Resume");
    assert!(!resume.accesskit_node().is_disabled(), "the folded Resume acts on the selection");
    resume.click();
    window.run();
    step_until(&mut window, "the job to start", |_| {
        world.get(world.block_on(world.other.enum_jobs(false, true)).expect("list")[0].id).state
            != haul_core::model::JobState::Suspended
    });

    // The side bar is hidden; the Filters button brings it back.
    assert!(window.query_by_label("Clear finished").is_none(), "no side bar at 640 wide");
    step_until(&mut window, "the window to see it run", |w| {
        w.state().model().jobs().iter().all(|j| j.state != haul_core::model::JobState::Suspended)
    });
    window.get_by_label("Filters").click();
    window.run();
    step_until(&mut window, "the side bar on demand", |w| w.query_by_label("Clear finished").is_some());
    window.get_by_label("Filters").click();
    window.run();

    // Toasts do not cover the few rows: they wait behind one button.
    step_until(&mut window, "the finish, folded", |w| shows(w, "1 notification"));
    assert!(!shows(&window, "later.iso downloaded"), "folded away");
    window.get_by_label("1 notification").click();
    window.run();
    assert!(shows(&window, "later.iso downloaded"), "one click away");

    // The last column is reachable by scrolling sideways.
    window.get_by_label_contains("Added").scroll_to_me();
    window.run();
    let added = window.get_by_label_contains("Added").rect();
    assert!(added.max.x <= 640.0, "the Added column scrolls into view: {added:?}");
}
