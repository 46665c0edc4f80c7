//! Buttons on desktop notifications: a lone download's notification carries
//! the toast's buttons, and a click on one does what the toast's button does.

use crate::support::{Notices, World, step_until, wait_loaded};
use eframe::egui::{ViewportCommand, ViewportEvent, ViewportId};
use haul::gui::Notice;
use haul_core::model::JobState;
use haul_tests::server::{Route, random_bytes};

fn sent(notices: &Notices, title: &str) -> Option<Notice> {
    notices.lock().expect("notices").iter().find(|n| n.title == title).cloned()
}

/// Closes the window into the tray.
fn close(window: &mut crate::support::Window) {
    window.input_mut().viewports.entry(ViewportId::ROOT).or_default().events.push(ViewportEvent::Close);
    window.step();
    assert!(window.state().is_hidden());
}

#[test]
fn retry_on_a_failed_downloads_notification_brings_the_window_up_and_resumes_it() {
    use haul::gui::{ToastAction, Tray};
    let world = World::new();
    let job_id = world.job("gone.zip", "/gone.zip", true);
    let (tray, _remote) = Tray::detached();
    let (mut window, notices) = world.window_with(None, Some(tray));
    wait_loaded(&mut window);
    close(&mut window);
    assert!(window.state().is_hidden());

    world.block_on(world.other.resume(job_id)).expect("resume");
    step_until(&mut window, "the failure's notification", |_| sent(&notices, "gone.zip failed").is_some());
    let notice = sent(&notices, "gone.zip failed").expect("notice");
    assert_eq!(notice.actions, [ToastAction::Retry(job_id)], "the failure offers Retry");
    assert_eq!(notice.click, Some(ToastAction::Details(job_id)));
    step_until(&mut window, "the job to wait in error", |_| world.get(job_id).state == JobState::Error);

    // The file is there now; Retry is clicked on the notification.
    // (Slow enough to be hidden again before it ends.)
    world.server.set_route("/gone.zip", Route::new(random_bytes(20_000, 7)).throttle_per_connection(10 << 10));
    window.state().notification_clicks().send(ToastAction::Retry(job_id)).expect("click");
    window.step();
    let asked = window.output().viewport_output.get(&ViewportId::ROOT).map(|v| v.commands.clone()).unwrap_or_default();
    assert!(asked.contains(&ViewportCommand::Visible(true)), "the window comes up: {asked:?}");
    assert!(!window.state().is_hidden());
    close(&mut window);
    step_until(&mut window, "Retry to download it", |_| {
        matches!(world.get(job_id).state, JobState::Transferred | JobState::Acknowledged)
    });

    // Its success carries Open and Show in folder; clicking the notification opens.
    step_until(&mut window, "the success's notice", |_| sent(&notices, "gone.zip downloaded").is_some());
    let done = sent(&notices, "gone.zip downloaded").expect("notice");
    assert_eq!(done.actions, [ToastAction::Open(job_id), ToastAction::ShowInFolder(job_id)]);
    assert_eq!(done.click, Some(ToastAction::Open(job_id)));
}
