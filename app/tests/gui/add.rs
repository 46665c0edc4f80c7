//! The add dialog creates a job that downloads from the loopback server; the
//! window tells success and failure with toasts.

use crate::support::{Window, World, count, open_add_with, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use haul_tests::server::{random_bytes, sha256_file, sha256_hex};

fn add_through_the_dialog(window: &mut Window, url: &str) {
    open_add_with(window, url);
    window.get_by_role_and_label(Role::Button, "Download").click();
    window.run();
    assert!(window.state_mut().add_dialog().is_none(), "the dialog closed");
}

#[test]
fn the_add_dialog_downloads_a_file_and_says_so() {
    let world = World::new();
    let body = random_bytes(300_000, 4);
    world.server.add_file("/files/report.pdf", body.clone());
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    assert!(shows(&window, "No downloads yet"), "the empty state");
    add_through_the_dialog(&mut window, &world.server.url("/files/report.pdf"));
    step_until(&mut window, "the success toast", |w| shows(w, "report.pdf downloaded"));
    let target = world.downloads().join("report.pdf");
    step_until(&mut window, "the file in place", |_| target.exists());
    assert_eq!(sha256_file(&target).expect("file"), sha256_hex(&body));
    assert!(shows(&window, "Show in folder"), "the toast offers its actions");
    step_until(&mut window, "the row to say Done", |w| shows(w, "Done"));
}

#[test]
fn a_missing_file_shows_an_error_toast_with_the_reason() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    add_through_the_dialog(&mut window, &world.server.url("/gone.zip"));
    step_until(&mut window, "the error toast", |w| shows(w, "gone.zip failed"));
    assert_eq!(count(&window, "The file is not on the server (404)"), 1, "the reason, once");
    assert!(!shows(&window, "the server answered"), "not the service's own words again");
    let toast = &window.state().model().toasts.list().iter().find(|t| t.title == "gone.zip failed").cloned();
    assert!(toast.as_ref().is_some_and(|t| t.expires.is_none()), "errors stay");
}

#[test]
fn invalid_urls_are_flagged_before_submit() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, "ftp://example.invalid/x");
    assert!(shows(&window, "only http and https are supported"));
    let download = window.get_by_role_and_label(Role::Button, "Download");
    assert!(download.accesskit_node().is_disabled(), "Download stays disabled");
}

#[test]
fn another_clients_job_keeps_its_sink_and_is_still_announced() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    world.server.add_file("/theirs.bin", random_bytes(100_000, 6));
    // Like `haul add --wait`: create, register as the sink at once, resume.
    let job = world.job("theirs.bin", "/theirs.bin", false);
    world.block_on(world.other.set_notify_interface(job, true)).expect("register");
    world.block_on(world.other.resume(job)).expect("resume");
    step_until(&mut window, "the toast from the journal", |w| shows(w, "theirs.bin downloaded"));
    // The window offered itself only after a moment, and left the job to its creator.
    let settle = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    while std::time::Instant::now() < settle {
        window.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(world.sink_of(job), (true, true), "the creator is still the sink");
}
