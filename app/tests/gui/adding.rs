//! Rough edges of adding and filtering: Ctrl+Enter starts, a link already on
//! the list warns and offers the existing one, Browse… without a
//! picker says so in the window, the filter never leaves the toolbar acting on
//! a hidden row, and a failed row shows no "0 B" or "?".

use crate::support::{World, open_add_with, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use haul_core::model::JobState;
use haul_tests::server::random_bytes;

#[test]
fn ctrl_enter_starts_the_download_from_the_add_dialog() {
    let world = World::new();
    world.server.add_file("/quick.bin", random_bytes(20_000, 1));
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    open_add_with(&mut window, &world.server.url("/quick.bin"));
    window.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    window.run();
    assert!(window.state_mut().add_dialog().is_none(), "Ctrl+Enter added and closed the dialog");
    step_until(&mut window, "the download", |w| shows(w, "quick.bin downloaded"));
}

#[test]
fn browse_without_a_picker_says_so_in_the_window() {
    let zenity = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("zenity").is_file()));
    if zenity || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        eprintln!("a folder picker may be here: this test needs a desktop without one");
        return;
    }
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    window.get_by_role_and_label(Role::Button, "Add").click();
    window.run();
    window.get_by_role_and_label(Role::Button, "Browse…").click();
    window.run();
    step_until(&mut window, "the reason", |w| shows(w, "No folder picker is available"));
    assert!(shows(&window, "type the folder's path above"), "and what to do instead");
}

#[test]
fn the_filter_does_not_leave_a_hidden_row_selected_and_a_failed_row_shows_no_zero_size() {
    let world = World::new();
    world.server.add_file("/keep.bin", random_bytes(10_000, 2));
    let keep = world.job("keep.bin", "/keep.bin", true);
    world.block_on(world.other.resume(keep)).expect("resume");
    world.wait_state(keep, JobState::Acknowledged);
    let gone = world.job("gone.zip", "/gone.zip", true);
    world.block_on(world.other.resume(gone)).expect("resume");
    world.wait_state(gone, JobState::Error);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the rows", |w| shows(w, "keep.bin") && shows(w, "gone.zip"));
    assert!(!shows(&window, "0 B") && window.query_by_label("?").is_none(), "no zero size for the failure");

    window.get_by_label("keep.bin").click();
    window.run();
    assert!(shows(&window, "1 selected"));
    window.get_by_role_and_label(Role::TextInput, "Filter").click();
    window.run();
    window.get_by_role_and_label(Role::TextInput, "Filter").type_text("gone");
    window.run();
    assert!(window.query_by_label("keep.bin").is_none(), "the filter hides the row (and its details)");
    assert!(!shows(&window, "1 selected"), "and its selection with it");
    let remove = window.get_by_role_and_label(Role::Button, "Remove");
    assert!(remove.accesskit_node().is_disabled(), "the toolbar has nothing hidden to act on");
}

#[test]
fn adding_a_link_already_on_the_list_warns_and_shows_the_existing_one() {
    let world = World::new();
    world.server.add_file("/report.pdf", random_bytes(10_000, 3));
    let first = world.job("report.pdf", "/report.pdf", true);
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the row", |w| shows(w, "report.pdf"));
    open_add_with(&mut window, &world.server.url("/report.pdf"));
    step_until(&mut window, "the warning", |w| shows(w, "“report.pdf” is already on the list"));
    let download = window.get_by_role_and_label(Role::Button, "Download");
    assert!(!download.accesskit_node().is_disabled(), "a second copy stays possible");
    window.get_by_role_and_label(Role::Button, "Show the existing one").click();
    window.run();
    assert!(window.state_mut().add_dialog().is_none(), "the dialog closed");
    assert_eq!(window.state().model().selection.single(), Some(first), "the existing one is selected");
    assert!(shows(&window, "Hide details"), "with its details");
    let jobs = world.block_on(world.other.enum_jobs(false, true)).expect("list");
    assert_eq!(jobs.len(), 1, "nothing added");
}
