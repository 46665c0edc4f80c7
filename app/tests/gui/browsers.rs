//! A first start with a browser profile and no host manifest: the window
//! offers to connect the extension, once; Connect writes the manifest.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

#[test]
fn a_first_start_with_a_browser_profile_offers_to_connect_it() {
    let world = World::new();
    let config = world.fixture.path("config");
    std::fs::create_dir_all(config.join("chromium")).expect("a chromium profile");
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the offer", |w| shows(w, "Take over downloads from your browser?"));
    assert!(shows(&window, "from chromium"));
    assert!(window.state().prefs().browser_offered, "offered once: remembered");
    window.get_by_role_and_label(Role::Button, "Connect").click();
    window.run();
    step_until(&mut window, "the confirmation", |w| shows(w, "Connected chromium"));
    let manifest = config.join("chromium/NativeMessagingHosts/invalid.example.haul.json");
    let text = std::fs::read_to_string(&manifest).expect("the host manifest");
    assert!(text.contains("chrome-extension://"), "{text}");
}

#[test]
fn without_a_browser_profile_nothing_is_offered() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    for _ in 0..5 {
        window.step();
    }
    assert!(!shows(&window, "Take over downloads from your browser?"));
}

#[test]
fn an_add_dialog_asked_for_by_the_browser_opens_with_the_link_and_its_headers() {
    use haul_core::model::RemoteUrl;
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let link = RemoteUrl::parse("https://files.example/big.iso").expect("url");
    let headers = vec!["Referer: https://files.example/".to_string()];
    // The window listens once its session is up.
    let mut shown = false;
    step_until(&mut window, "the window to listen", |_| {
        shown = world.block_on(world.other.open_add_dialog(vec![link.clone()], headers.clone())).expect("ask");
        shown
    });
    step_until(&mut window, "the add dialog", |w| w.state_mut().add_dialog().is_some());
    let dialog = window.state_mut().add_dialog().map(|d| (d.urls.clone(), d.headers.clone())).expect("open");
    assert_eq!(dialog.0.trim(), "https://files.example/big.iso");
    assert_eq!(dialog.1.trim(), "Referer: https://files.example/");
}
