//! A job whose link expired halfway: the details offer a field for a fresh
//! link; a bad one is refused in words, a good one resumes the job and keeps
//! the saved bytes.

use crate::support::{World, shows, step_until, type_into, wait_loaded};
use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes, sha256_file, sha256_hex};

#[test]
fn an_expired_link_is_refreshed_from_the_details_and_keeps_its_bytes() {
    let world = World::new();
    let body = random_bytes(2 << 20, 51);
    let half = body.len() as u64 / 2;
    world.server.set_route("/expiring.bin", Route::new(body.clone()).drop_after(half, 1).fail_after_first(403));
    let job = world.job("expiring.bin", "/expiring.bin", false);
    world.block_on(world.other.resume(job)).expect("resume");
    world.wait_state(job, JobState::TransientError);
    world.block_on(world.other.resume(job)).expect("retry");
    world.wait_state(job, JobState::Error);

    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "expiring.bin"));
    window.query_all_by_label("expiring.bin").next().expect("the row").click();
    window.run();
    step_until(&mut window, "the refresh field", |w| shows(w, "The link may have expired — paste a fresh one"));

    // A link that is not http(s) is refused where it was typed.
    type_into(&mut window, "New link:", "ftp://example.invalid/x");
    window.get_by_role_and_label(Role::Button, "Use this link").click();
    window.run();
    step_until(&mut window, "the refusal", |w| shows(w, "ftp"));
    assert_eq!(world.get(job).state, JobState::Error);

    world.server.add_file("/fresh.bin", body.clone());
    window.get_by_label("New link:").focus();
    window.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    window.key_press(egui::Key::Backspace);
    window.run();
    step_until(&mut window, "the refusal to go once the text changed", |w| !shows(w, "ftp"));
    let field = window.get_by_label("New link:");
    field.type_text(&world.server.url("/fresh.bin"));
    window.run();
    window.get_by_role_and_label(Role::Button, "Use this link").click();
    window.run();
    step_until(&mut window, "the job to download", |_| {
        matches!(world.get(job).state, JobState::Transferred | JobState::Acknowledged)
    });
    let files = world.block_on(world.other.enum_files(job)).expect("files");
    assert!(files[0].remote_url.ends_with("/fresh.bin"), "{files:?}");
    let path = if files[0].completed { files[0].local_name.clone() } else { files[0].temp_path() };
    assert_eq!(sha256_file(&path).expect("the file"), sha256_hex(&body));
    let served = world.server.bytes_served();
    assert!(served < body.len() as u64 * 3 / 2, "the server sent {served} bytes: the saved bytes were not kept");
    step_until(&mut window, "the field to go", |w| !shows(w, "The link may have expired"));
}
