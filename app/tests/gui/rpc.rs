//! Settings' aria2 RPC section against a service running the endpoint: the
//! URL is shown, the secret only after Show but copied whole by its button,
//! and Apply moves the endpoint (a bad address is named, nothing moves).

use crate::support::*;
use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use haul_core::protocol::RpcInfo;

/// The endpoint as the other client sees it, once it listens.
fn listening(world: &World) -> RpcInfo {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let info = world.block_on(world.other.get_rpc_info()).expect("get_rpc_info");
        if info.status == "listening" {
            return info;
        }
        assert!(std::time::Instant::now() < deadline, "the endpoint never listened: {info:?}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Whether one of the last frames asked egui to copy `text`.
fn copied(window: &Window) -> Vec<String> {
    let commands = &window.output().platform_output.commands;
    commands
        .iter()
        .filter_map(|c| match c {
            eframe::egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Clicks the button labelled `label` and returns what the frames after it copied.
fn click_and_collect_copies(window: &mut Window, label: &str) -> Vec<String> {
    window.get_by_label(label).click();
    let mut texts = Vec::new();
    for _ in 0..6 {
        window.step();
        texts.extend(copied(window));
    }
    texts
}

fn open_settings(window: &mut Window, url: &str) {
    wait_loaded(window);
    window.get_by_role_and_label(Role::Button, "Settings").click();
    window.run();
    step_until(window, "the endpoint's URL in Settings", |w| shows(w, url));
}

#[test]
fn settings_show_the_endpoint_and_copy_the_secret_that_stays_masked() {
    let world = World::with_rpc();
    let info = listening(&world);
    let (url, secret) = (info.url.clone().expect("url"), info.secret.clone().expect("secret"));
    let (mut window, _) = world.window(None);
    open_settings(&mut window, &url);
    assert!(shows(&window, "aria2 RPC (AriaNg, browser extensions)"));
    assert!(shows(&window, "Listening"));
    assert!(!shows(&window, &secret), "the secret is masked until Show");

    let copies = click_and_collect_copies(&mut window, "Copy secret");
    assert_eq!(copies, vec![secret.clone()], "Copy puts the real secret on the clipboard");
    assert!(!shows(&window, &secret), "copying does not show it");
    let copies = click_and_collect_copies(&mut window, "Copy URL");
    assert_eq!(copies, vec![url.clone()]);

    window.get_by_label("Show").click();
    window.run();
    assert!(shows(&window, &secret), "Show shows it");
    window.get_by_label("Hide").click();
    window.run();
    assert!(!shows(&window, &secret), "Hide masks it again");
}

#[test]
fn apply_in_settings_moves_the_endpoint_and_names_a_bad_address() {
    let world = World::with_rpc();
    let info = listening(&world);
    let url = info.url.clone().expect("url");
    let (mut window, _) = world.window(None);
    open_settings(&mut window, &url);

    let field = window.get_by_label("Listen on");
    assert_eq!(field.value().as_deref(), info.listen.map(|l| l.to_string()).as_deref(), "the address is filled in");
    field.click();
    window.run();
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.get_by_label("Listen on").type_text("somewhere");
    window.run();
    window.get_by_label("Apply").click();
    window.run();
    assert!(shows(&window, "'somewhere' is not ADDR:PORT"), "the typo is named");
    assert_eq!(listening(&world).url, Some(url.clone()), "nothing moved");

    let port = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind").local_addr().expect("addr").port();
    let new_url = format!("http://127.0.0.1:{port}/jsonrpc");
    window.get_by_label("Listen on").click();
    window.run();
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.get_by_label("Listen on").type_text(&format!("127.0.0.1:{port}"));
    window.run();
    window.get_by_label("Apply").click();
    window.run();
    step_until(&mut window, "the new URL in Settings", |w| shows(w, &new_url));
    assert_eq!(listening(&world).url, Some(new_url), "the service moved it");
    assert!(!shows(&window, "not ADDR:PORT"), "the old complaint is gone");
}
