//! The add dialog's preview: each pasted link's name, size and whether it can
//! resume, from the service's `probe_url`, shown once the server answers; the
//! errors in words; Download never waits for it.

use crate::support::{World, open_add_with, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul_tests::server::{Route, random_bytes};
use std::time::Duration;

#[test]
fn pasting_a_link_previews_its_name_size_and_resume() {
    let world = World::new();
    world.server.add_file("/iso/big.iso", random_bytes(3_000_000, 3));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, &world.server.url("/iso/big.iso"));
    assert!(!shows(&window, "can resume"), "nothing is claimed before the server answers");
    step_until(&mut window, "the preview", |w| shows(w, "big.iso — 3.0 MB — can resume"));
}

#[test]
fn several_links_each_get_a_line_and_errors_say_what_went_wrong() {
    let world = World::new();
    world.server.set_route("/plain.bin", Route::new(random_bytes(1_500, 4)).ranges(false));
    world.server.add_file("/ok.iso", random_bytes(2_000_000, 5));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Add").click();
    window.run();
    let links = ["/plain.bin", "/missing.zip", "/ok.iso"].map(|path| world.server.url(path));
    window.state_mut().add_dialog().expect("the dialog is open").urls = links.join("\n");
    step_until(&mut window, "three answers", |w| {
        shows(w, "plain.bin — 1.5 KB — cannot resume (the server does not support ranges)")
            && shows(w, "The server answered 404 Not Found")
            && shows(w, "ok.iso — 2.0 MB — can resume")
    });
    let asked = world.server.requests_for("/ok.iso");
    assert_eq!(asked.len(), 1, "each link is asked about once, not every frame");
}

#[test]
fn download_does_not_wait_for_a_slow_preview() {
    let world = World::new();
    let slow = Route::new(random_bytes(10_000, 6)).latency(Duration::from_secs(3));
    world.server.set_route("/slow.bin", slow);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, &world.server.url("/slow.bin"));
    step_until(&mut window, "the probe to be asked", |w| shows(w, "slow.bin — checking…"));
    window.get_by_role_and_label(Role::Button, "Download").click();
    window.run();
    assert!(window.state_mut().add_dialog().is_none(), "Download added and closed the dialog at once");
    step_until(&mut window, "the row", |w| shows(w, "slow.bin"));
}
