//! The add dialog's User name and Password fields (the service gets them, the
//! server lets the download in, the window never shows the password), and the
//! settings window's proxy (applied to the service, shown without its password).

use crate::support::{World, open_add_with, shows, step_until, type_into, wait_loaded};
use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use haul_tests::server::{Route, random_bytes, sha256_file, sha256_hex};

#[test]
fn the_add_dialog_signs_in_with_the_user_name_and_password_typed() {
    let world = World::new();
    let body = random_bytes(200_000, 41);
    world.server.set_route("/members/paper.pdf", Route::new(body.clone()).require_basic("frank", "dialog-pw-3"));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, &world.server.url("/members/paper.pdf"));
    type_into(&mut window, "User name", "frank");
    type_into(&mut window, "Password", "dialog-pw-3");
    assert!(!shows(&window, "dialog-pw-3"), "the password is not shown as typed");
    window.get_by_role_and_label(Role::Button, "Download").click();
    window.run();
    step_until(&mut window, "the success toast", |w| shows(w, "paper.pdf downloaded"));
    let target = world.downloads().join("paper.pdf");
    step_until(&mut window, "the file in place", |_| target.exists());
    assert_eq!(sha256_file(&target).expect("file"), sha256_hex(&body));
    let jobs = world.block_on(world.other.enum_jobs(false, true)).expect("jobs");
    let job = jobs.iter().find(|j| j.display_name == "paper.pdf").expect("the job");
    assert_eq!(job.credentials.as_ref().map(|c| c.user_name.as_str()), Some("frank"));
}

#[test]
fn a_password_without_a_user_name_is_flagged() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, &world.server.url("/a.bin"));
    type_into(&mut window, "Password", "lonely");
    assert!(shows(&window, "A password needs a user name."));
    assert!(window.get_by_role_and_label(Role::Button, "Download").accesskit_node().is_disabled());
}

#[test]
fn settings_apply_a_proxy_and_show_it_without_its_password() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(&mut window, "the limits to arrive", |w| w.state().model().limits.is_some());
    window.run();
    replace_proxy_text(&mut window, "ftp://nope:21");
    assert!(shows(&window, "uses the scheme 'ftp'"), "a wrong proxy is named as typed");
    assert!(window.get_by_role_and_label(Role::Button, "Apply proxy").accesskit_node().is_disabled());
    replace_proxy_text(&mut window, "socks5h://pat:proxy-pw-9@127.0.0.1:1080");
    window.get_by_role_and_label(Role::Button, "Apply proxy").click();
    window.run();
    let proxy = || world.block_on(world.other.get_limits()).expect("limits").proxy.map(|p| p.to_string());
    step_until(&mut window, "the service to take the proxy", |_| {
        proxy().as_deref() == Some("socks5h://pat@127.0.0.1:1080")
    });
    let field_text = |w: &crate::support::Window| w.get_by_label("Proxy").accesskit_node().value().unwrap_or_default();
    step_until(&mut window, "the field to show the proxy without its password", |w| {
        field_text(w) == "socks5h://pat@127.0.0.1:1080"
    });
    assert!(!shows(&window, "proxy-pw-9"));
}

/// Selects all of the Proxy field's text and types `text` over it.
fn replace_proxy_text(window: &mut crate::support::Window, text: &str) {
    window.get_by_label("Proxy").focus();
    window.run();
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.run();
    window.get_by_label("Proxy").type_text(text);
    window.run();
}
