//! The window shows the network: offline in the status bar; a job waiting for
//! an unmetered network with its reason and "Download now anyway".

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul_core::model::{CostPolicy, JobState, NetworkStatus, WaitReason};
use haul_tests::server::random_bytes;

fn set_network(world: &World, status: NetworkStatus) {
    let manager = world.fixture.manager.clone();
    world.block_on(async move { manager.set_network(status) });
}

#[test]
fn a_job_held_by_a_metered_network_shows_why_and_download_now_anyway_runs_it() {
    let world = World::new();
    world.server.add_file("/held.iso", random_bytes(64 << 10, 7));
    set_network(&world, NetworkStatus { metered: true, ..NetworkStatus::default() });
    let job = world.job("held.iso", "/held.iso", false);
    world.block_on(world.other.resume(job)).expect("resume");
    let held = world.get(job);
    assert_eq!((held.state, held.wait_reason), (JobState::Queued, Some(WaitReason::UnmeteredNetwork)));

    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the status bar to say metered", |w| shows(w, "Metered network"));
    step_until(&mut window, "the row", |w| shows(w, "held.iso"));
    window.get_by_label("held.iso").click();
    window.run();
    step_until(&mut window, "the reason", |w| shows(w, "Waiting for an unmetered network"));
    window.get_by_role_and_label(Role::Button, "Download now anyway").click();
    window.run();
    step_until(&mut window, "the job to download", |_| {
        matches!(world.get(job).state, JobState::Transferred | JobState::Acknowledged)
    });
    assert_eq!(world.get(job).cost_policy, CostPolicy::Any);
    assert!(!shows(&window, "Download now anyway"));
}

#[test]
fn the_status_bar_says_when_the_computer_is_offline() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let offline = "Offline — downloads will resume when you are back online";
    assert!(!shows(&window, offline));
    set_network(&world, NetworkStatus { online: false, ..NetworkStatus::default() });
    step_until(&mut window, "the status bar to say offline", |w| shows(w, offline));
    set_network(&world, NetworkStatus::default());
    step_until(&mut window, "the status bar to forget it", |w| !shows(w, offline));
}
