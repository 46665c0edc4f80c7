//! The window speaks the user's language: Pause, Retry, Cancel, Finish now;
//! a failure reads "Failed: the file is not on the server (404)" once; the
//! service's own terms wait under "Advanced"; counts agree in number.

use crate::support::{World, count, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use haul_core::model::JobState;

#[test]
fn a_failed_download_reads_in_plain_words_and_bits_terms_stay_under_advanced() {
    let world = World::new();
    let job = world.job("gone.zip", "/gone.zip", true);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::Error);
    let now = world.block_on(world.other.events_since(0, Some(10_000))).expect("events").next_seq;
    let (mut window, _) = world.window(Some(now));
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "gone.zip"));
    assert!(shows(&window, "1 download") && !shows(&window, "1 downloads"), "one download, singular");

    window.get_by_label("gone.zip").click();
    window.run();
    assert!(shows(&window, "Failed: the file is not on the server (404)"), "the details say it plainly");
    for leak in ["(error)", "RemoteFile", "http_404", "the server answered", "1209600", "Notify flags"] {
        assert!(!shows(&window, leak), "{leak:?} is not shown outside Advanced");
    }
    let toolbar = |label: &str| window.get_by_role_and_label(Role::Button, label).accesskit_node().is_disabled();
    assert!(!toolbar("Retry"), "a failed download can be retried");
    assert!(toolbar("Pause") && toolbar("Resume"), "nothing to pause or resume");
    assert!(window.query_by_label("Suspend").is_none() && window.query_by_label("Retry now").is_none());

    window.get_by_label("Advanced").scroll_to_me();
    window.run();
    window.get_by_label("Advanced").click();
    window.run();
    assert!(shows(&window, "RemoteFile / http_404"), "the service's terms, under Advanced");
    assert!(shows(&window, "gives up after 14 days without progress"), "not 1209600 s");
    assert_eq!(count(&window, "Failed: the file is not on the server (404)"), 1);
}

#[test]
fn the_row_menu_says_pause_retry_finish_now_and_the_speed_limit_is_in_mb_per_s() {
    let world = World::new();
    world.server.add_file("/later.iso", haul_tests::server::random_bytes(10_000, 2));
    world.job("later.iso", "/later.iso", true);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "later.iso"));
    window.get_by_label("later.iso").click_secondary();
    window.run();
    // The toolbar has the same words: the menu adds a second of each.
    for item in ["Resume", "Pause", "Retry", "Cancel", "Remove"] {
        assert_eq!(window.query_all_by_label(item).count(), 2, "the menu offers {item}");
    }
    assert!(window.query_by_label("Finish now").is_some(), "Complete reads Finish now");
    for leak in ["Suspend", "Complete", "Cancel…", "Foreground"] {
        assert!(window.query_by_label(leak).is_none(), "the menu does not say {leak}");
    }
    window.key_press(eframe::egui::Key::Escape);
    window.run();
    world
        .block_on(
            world
                .other
                .set_limits(haul_core::protocol::Limits { speed_limit_bps: Some(2_500_000), ..Default::default() }),
        )
        .expect("set_limits");
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(&mut window, "the limits to arrive", |w| {
        w.state().model().limits.as_ref().is_some_and(|l| l.speed_limit_bps == Some(2_500_000))
    });
    window.run();
    let limit = window.get_by_label("Total speed limit (MB/s, 0 = none)");
    assert_eq!(limit.value().as_deref(), Some("2.5"), "2.5 MB/s, decimal like every other speed");
}
