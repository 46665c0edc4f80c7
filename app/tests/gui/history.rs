//! Finished downloads are a history the user tidies, in the service: remove
//! one (Delete), several (toolbar), "Clear finished", each with Undo until its
//! toast goes; "Remove and delete the file" asks, naming the file; Cancel says
//! what it deleted; Complete on an unfinished job says what it keeps.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::accesskit::Role;
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use haul_core::model::{JobId, JobState};
use haul_tests::server::{Route, random_bytes};

type Window = crate::support::Window;

/// Finished downloads (files in place), one per name.
fn finished(world: &World, names: &[&str]) -> Vec<JobId> {
    let jobs: Vec<JobId> = names
        .iter()
        .enumerate()
        .map(|(seed, name)| {
            world.server.set_route(&format!("/{name}"), Route::new(random_bytes(20_000, seed as u64)));
            let job_id = world.job(name, &format!("/{name}"), true);
            world.block_on(world.other.resume(job_id)).expect("resume");
            job_id
        })
        .collect();
    for &job_id in &jobs {
        world.wait_state(job_id, JobState::Acknowledged);
    }
    jobs
}

/// The window, past the journal so far (no "while you were away" toast).
fn window_now(world: &World) -> Window {
    let now = world.block_on(world.other.events_since(0, Some(10_000))).expect("events").next_seq;
    let (mut window, _) = world.window(Some(now));
    wait_loaded(&mut window);
    window
}

/// Whether the table has a row named exactly `name` (or the details panel shows it).
fn row(window: &Window, name: &str) -> bool {
    window.query_all_by_label(name).next().is_some()
}

fn forgotten(world: &World, job_id: JobId) -> bool {
    world.block_on(world.other.get_job(job_id)).is_err()
}

/// The row's menu, "Finish now" (the service's Complete).
fn finish_now(window: &mut Window) {
    // Nothing selected: the row is the only thing named so.
    window.key_press(Key::Escape);
    window.run();
    window.get_by_label("one.txt").click_secondary();
    window.run();
    window.get_by_label("Finish now").click();
    window.run();
}

fn click_button(window: &mut Window, label: &str) {
    window.get_by_role_and_label(Role::Button, label).click();
    window.run();
}

#[test]
fn remove_takes_rows_off_with_undo_and_the_service_forgets_them_when_undo_is_gone() {
    let world = World::new();
    let jobs = finished(&world, &["a.bin", "b.bin", "c.bin"]);
    let mut window = window_now(&world);
    step_until(&mut window, "the rows", |w| row(w, "a.bin") && row(w, "c.bin"));

    // One, with the Delete key; Undo brings it back and the service never heard of it.
    window.get_by_label("a.bin").click();
    window.run();
    window.key_press(Key::Delete);
    window.run();
    assert!(!row(&window, "a.bin"), "the row is off the list at once");
    assert!(shows(&window, "Removed a.bin"));
    click_button(&mut window, "Undo");
    assert!(row(&window, "a.bin"), "Undo puts it back");
    assert_eq!(world.get(jobs[0]).state, JobState::Acknowledged);

    // Again; closing the toast ends Undo: the service forgets it, the file stays.
    window.get_by_label("a.bin").click();
    window.run();
    click_button(&mut window, "Remove");
    click_button(&mut window, "Dismiss");
    step_until(&mut window, "the service to forget a.bin", |_| forgotten(&world, jobs[0]));
    assert!(!row(&window, "a.bin"));
    assert!(world.downloads().join("a.bin").exists(), "Remove keeps the file on the disk");

    // Several at once (Ctrl+A, the toolbar's Remove); closing the window ends their Undo.
    window.key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.run();
    click_button(&mut window, "Remove");
    assert!(shows(&window, "Removed 2 downloads"));
    assert!(!row(&window, "b.bin") && !row(&window, "c.bin"));
    assert!(shows(&window, "No downloads yet"), "the list is empty");
    window.state_mut().shutdown();
    assert!(forgotten(&world, jobs[1]) && forgotten(&world, jobs[2]), "closing commits the removal");
}

#[test]
fn clear_finished_takes_only_the_finished_downloads() {
    let world = World::new();
    let done = finished(&world, &["x.bin", "y.bin"]);
    world.server.set_route("/later.iso", Route::new(random_bytes(20_000, 7)));
    let paused = world.job("later.iso", "/later.iso", true);
    let mut window = window_now(&world);
    step_until(&mut window, "the rows", |w| row(w, "x.bin") && row(w, "later.iso"));

    click_button(&mut window, "Clear finished");
    assert!(shows(&window, "Cleared 2 finished downloads"));
    assert!(!row(&window, "x.bin") && !row(&window, "y.bin"));
    assert!(row(&window, "later.iso"), "a paused download stays");
    let clear = window.get_by_role_and_label(Role::Button, "Clear finished");
    assert!(clear.accesskit_node().is_disabled(), "nothing finished is left to clear");
    click_button(&mut window, "Undo");
    assert!(row(&window, "x.bin") && row(&window, "y.bin"));

    click_button(&mut window, "Clear finished");
    click_button(&mut window, "Dismiss");
    step_until(&mut window, "the service to forget them", |_| done.iter().all(|&j| forgotten(&world, j)));
    assert_eq!(world.get(paused).state, JobState::Suspended);
    assert!(row(&window, "later.iso"));
}

#[test]
fn remove_and_delete_the_file_asks_naming_it_and_keeps_it_by_default() {
    let world = World::new();
    let job = finished(&world, &["report.pdf"])[0];
    let file = world.downloads().join("report.pdf");
    assert!(file.exists());
    let mut window = window_now(&world);
    step_until(&mut window, "the row", |w| row(w, "report.pdf"));

    let ask = |window: &mut Window| {
        // Nothing selected: the row is the only thing named so.
        window.key_press(Key::Escape);
        window.run();
        window.get_by_label("report.pdf").click_secondary();
        window.run();
        window.get_by_label("Remove and delete the file…").click();
        window.run();
        assert!(shows(window, "Delete “report.pdf” from the disk?"), "the question names the file");
    };
    ask(&mut window);
    assert!(window.get_by_role_and_label(Role::Button, "Keep them").is_focused(), "keeping is the default");
    window.key_press(Key::Enter);
    window.run();
    assert!(!shows(&window, "from the disk?"), "Enter answered");
    assert!(file.exists() && row(&window, "report.pdf"), "Enter keeps the file");

    ask(&mut window);
    click_button(&mut window, "Delete the file");
    step_until(&mut window, "the file to go", |_| !file.exists() && forgotten(&world, job));
    step_until(&mut window, "the toast", |w| shows(w, "Deleted report.pdf from the disk"));
    assert!(!row(&window, "report.pdf"));
}

#[test]
fn cancel_says_what_it_deleted_and_leaves_no_part_file() {
    let world = World::new();
    world.server.set_route("/big.iso", Route::new(random_bytes(8 << 20, 4)).throttle_per_connection(256 << 10));
    let job = world.job("big.iso", "/big.iso", true);
    world.block_on(world.other.resume(job)).expect("resume");
    let mut window = window_now(&world);
    step_until(&mut window, "bytes on disk", |w| {
        w.state().model().job(job).is_some_and(|j| j.progress.bytes_transferred > 0)
    });
    window.get_by_label("big.iso").click();
    window.run();
    click_button(&mut window, "Cancel");
    assert!(shows(&window, "Cancel “big.iso”?"));
    click_button(&mut window, "Cancel downloads");
    step_until(&mut window, "the toast", |w| shows(w, "Cancelled big.iso — the partial file was deleted"));
    assert!(!row(&window, "big.iso"));
    assert_eq!(world.get(job).state, JobState::Cancelled);
    assert!(haul_tests::support::temp_files(&world.downloads()).is_empty(), "no part file is left");
}

#[test]
fn complete_on_an_unfinished_job_says_what_it_keeps_and_keeps_downloading_by_default() {
    let world = World::new();
    world.server.set_route("/one.txt", Route::new(random_bytes(10_000, 5)));
    world.server.set_route("/two.iso", Route::new(random_bytes(8 << 20, 6)).throttle_per_connection(128 << 10));
    let job = world.job("one.txt", "/one.txt", false);
    let second =
        haul_tests::support::new_file(job, &world.server.url("/two.iso"), &world.downloads().join("two.iso"), None);
    world.block_on(world.other.add_file(second)).expect("add_file");
    world.block_on(world.other.resume(job)).expect("resume");
    let first_done = || world.get(job).progress.files_transferred == 1;
    let deadline = std::time::Instant::now() + crate::support::WAIT;
    while !first_done() {
        assert!(std::time::Instant::now() < deadline, "the first file never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    world.block_on(world.other.suspend(job)).expect("suspend");
    let mut window = window_now(&world);
    step_until(&mut window, "the row", |w| row(w, "one.txt"));

    let keep = "Keep the 1 finished file and discard the rest";
    finish_now(&mut window);
    assert!(shows(&window, "1 of 2 files downloaded"), "the question says what is done");
    assert!(window.query_by_label(keep).is_some(), "the button says what it does");
    assert!(window.get_by_role_and_label(Role::Button, "Keep downloading").is_focused());
    window.key_press(Key::Enter);
    window.run();
    assert!(window.query_by_label(keep).is_none(), "Enter answered");
    assert_eq!(world.get(job).state, JobState::Suspended, "Enter keeps downloading");

    finish_now(&mut window);
    click_button(&mut window, keep);
    step_until(&mut window, "the job to complete", |_| world.get(job).state == JobState::Acknowledged);
    assert!(world.downloads().join("one.txt").exists(), "the finished file is kept");
    assert!(!world.downloads().join("two.iso").exists());
    assert!(haul_tests::support::temp_files(&world.downloads()).is_empty(), "the rest is discarded");
}
