//! Watching the clipboard (opt-in): off by default; when on, a link to a file
//! copied in another program is offered once in a desktop notification, never
//! while the window has the focus and never added by itself; its button opens
//! the add dialog with the link.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::ViewportId;
use egui_kittest::kittest::Queryable;
use haul::gui::{ClipboardWatcher, ToastAction};

/// Gives the window the keyboard focus, or takes it away (another program has it).
fn set_focus(window: &mut crate::support::Window, focused: bool) {
    let input = window.input_mut();
    input.focused = focused;
    input.viewports.entry(ViewportId::ROOT).or_default().focused = Some(focused);
}

#[test]
fn a_copied_link_is_offered_once_when_the_setting_is_on_and_opens_the_add_dialog() {
    let world = World::new();
    let (watcher, clipboard) = ClipboardWatcher::detached();
    let (mut window, notices) = world.window_with_clipboard(watcher);
    wait_loaded(&mut window);
    let offered = || notices.lock().expect("notices").iter().filter(|n| n.title.contains("with Haul?")).count();

    // Off by default: nothing is read, nothing offered.
    clipboard.send("https://example.com/before.iso".into()).expect("send");
    window.run();
    assert!(!window.state().prefs().watch_clipboard);
    assert_eq!(offered(), 0);

    // Turned on in Settings.
    window.get_by_label("Settings").click();
    window.run();
    window.get_by_label("Offer to download links copied in other programs").click();
    window.run();
    assert!(window.state().prefs().watch_clipboard);
    assert!(shows(&window, "File types:"));

    // What was on the clipboard before is not offered; the user is in
    // another program (the window has no focus).
    set_focus(&mut window, false);
    clipboard.send("https://example.com/first.iso".into()).expect("send");
    step_until(&mut window, "the offer", |_| offered() == 1);
    let notice = notices.lock().expect("notices").iter().find(|n| n.title.contains("with Haul?")).cloned();
    let notice = notice.expect("offer");
    assert_eq!(notice.title, "Download first.iso with Haul?");
    let link = vec!["https://example.com/first.iso".to_string()];
    assert_eq!(notice.actions, [ToastAction::AddLinks(link.clone())]);
    assert!(window.state_mut().add_dialog().is_none(), "nothing is added by itself");

    // Copied again, or a page that is not a file: nothing more.
    clipboard.send("x".into()).expect("send");
    clipboard.send("https://example.com/first.iso".into()).expect("send");
    clipboard.send("https://example.com/page.html".into()).expect("send");
    for _ in 0..5 {
        window.step();
    }
    assert_eq!(offered(), 1);

    // While the window has the focus: quiet.
    set_focus(&mut window, true);
    clipboard.send("https://example.com/inside.zip".into()).expect("send");
    for _ in 0..5 {
        window.step();
    }
    assert_eq!(offered(), 1);

    // The notification's button: the add dialog with the link.
    window.state().notification_clicks().send(ToastAction::AddLinks(link)).expect("click");
    step_until(&mut window, "the add dialog", |w| w.state_mut().add_dialog().is_some());
    let urls = window.state_mut().add_dialog().map(|d| d.urls.clone()).unwrap_or_default();
    assert_eq!(urls.trim(), "https://example.com/first.iso");
}
