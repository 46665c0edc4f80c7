//! Several links in the add dialog: one download (row, job) per link, unless
//! "as one batch" is ticked; cancelling a batch whose files partly finished
//! says those files go too.

use crate::support::{Window, World, open_add_with, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes};

/// Opens the dialog and types `urls`; `batch` ticks "as one batch".
fn add_links(window: &mut Window, urls: &[String], batch: bool) {
    open_add_with(window, &urls.join("\n"));
    let batch_box = format!("Download the {} links as one batch (one row)", urls.len());
    if batch {
        window.get_by_label(&batch_box).click();
        window.run();
    }
    window.get_by_role_and_label(Role::Button, "Download").click();
    window.run();
    assert!(window.state_mut().add_dialog().is_none(), "the dialog closed");
}

#[test]
fn two_links_make_two_rows_and_as_one_batch_makes_one() {
    let world = World::new();
    world.server.add_file("/a.bin", random_bytes(20_000, 1));
    world.server.add_file("/b.bin", random_bytes(20_000, 2));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    add_links(&mut window, &[world.server.url("/a.bin"), world.server.url("/b.bin")], false);
    step_until(&mut window, "two rows", |w| w.state().model().jobs().len() == 2);
    let jobs = world.block_on(world.other.enum_jobs(false, true)).expect("list");
    assert_eq!(jobs.len(), 2, "one job per link");
    assert!(jobs.iter().all(|j| j.progress.files_total == 1));
    step_until(&mut window, "both named rows", |w| shows(w, "a.bin") && shows(w, "b.bin"));

    world.server.add_file("/c.bin", random_bytes(20_000, 3));
    world.server.add_file("/d.bin", random_bytes(20_000, 4));
    add_links(&mut window, &[world.server.url("/c.bin"), world.server.url("/d.bin")], true);
    step_until(&mut window, "a third row", |w| w.state().model().jobs().len() == 3);
    let jobs = world.block_on(world.other.enum_jobs(false, true)).expect("list");
    let batch = jobs.iter().find(|j| j.display_name == "c.bin").expect("the batch, named after its first file");
    assert_eq!(batch.progress.files_total, 2, "one job of two files");
}

#[test]
fn cancelling_a_batch_says_its_finished_file_goes_too() {
    let world = World::new();
    world.server.add_file("/small.txt", random_bytes(10_000, 5));
    world.server.set_route("/big.iso", Route::new(random_bytes(8 << 20, 6)).throttle_per_connection(128 << 10));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    add_links(&mut window, &[world.server.url("/small.txt"), world.server.url("/big.iso")], true);
    step_until(&mut window, "the first file to finish", |w| {
        w.state().model().jobs().first().is_some_and(|j| j.progress.files_transferred == 1)
    });
    let job = window.state().model().jobs()[0].id;
    window.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    window.run();
    window.get_by_role_and_label(Role::Button, "Cancel").click();
    window.run();
    assert!(shows(&window, "Its 1 finished file is deleted too"), "the question says the finished file goes");
    window.get_by_role_and_label(Role::Button, "Keep them").click();
    window.run();
    assert_ne!(world.get(job).state, JobState::Cancelled, "keeping is possible");
}
