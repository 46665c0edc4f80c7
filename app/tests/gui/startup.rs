//! Startup (DESIGN.md §4): what finished and failed while the window was
//! closed shows as one summary, once; the window becomes the sink of every
//! live job, and of jobs created later by anyone; at exit it lets go.

use crate::support::{World, count, shows, step_until, wait_loaded};
use egui_kittest::kittest::Queryable;
use haul_core::model::JobState;
use haul_tests::server::random_bytes;
use std::time::{Duration, Instant};

#[test]
fn what_happened_while_closed_is_told_once_and_every_job_gets_the_window_as_sink() {
    let world = World::new();
    world.server.add_file("/report.pdf", random_bytes(50_000, 1));
    let done = world.job("report.pdf", "/report.pdf", true);
    let failed = world.job("old-link.zip", "/old-link.zip", false);
    let waiting = world.job("later.iso", "/later.iso", false);
    world.block_on(async {
        world.other.resume(done).await.expect("resume");
        world.other.resume(failed).await.expect("resume");
    });
    world.wait_state(done, JobState::Acknowledged);
    world.wait_state(failed, JobState::Error);

    // First start: no saved cursor, so the whole journal is "while you were away".
    let (mut window, notices) = world.window(None);
    wait_loaded(&mut window);
    step_until(&mut window, "the summary toast", |w| shows(w, "While you were away"));
    assert!(shows(&window, "1 download finished, 1 failed"));
    // The registrations replay job_error for the failed job: it belongs to the summary.
    step_until(&mut window, "registration of every live job", |_| {
        world.sink_of(failed) == (true, false) && world.sink_of(waiting) == (true, false)
    });
    let settle = Instant::now() + Duration::from_millis(800);
    while Instant::now() < settle {
        window.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(count(&window, "While you were away"), 1);
    assert!(!shows(&window, "old-link.zip failed"), "a replayed callback made its own toast");
    assert_eq!(window.state().model().toasts.list().len(), 1);
    let sent = notices.lock().expect("notices").clone();
    assert_eq!(sent.len(), 1, "one desktop notification for the summary: {sent:?}");
    assert!(sent[0].summary && sent[0].title == "1 download finished, 1 failed", "{sent:?}");

    // A job created later by someone else gets the window as its sink too.
    let newcomer = world.job("newcomer.bin", "/newcomer.bin", false);
    step_until(&mut window, "registration of the new job", |_| world.sink_of(newcomer) == (true, false));
    step_until(&mut window, "the new job's row", |w| w.state().model().job(newcomer).is_some());

    // "Show them" lists the summary's jobs.
    window.get_by_label("Show them").click();
    window.run();
    assert!(shows(&window, "While you were away (2)"));
    assert!(shows(&window, "report.pdf") && shows(&window, "old-link.zip"));
    assert!(!shows(&window, "later.iso") && !shows(&window, "newcomer.bin"));

    // Exit: the window unregisters and keeps its cursor.
    let cursor = window.state().model().cursor;
    assert!(cursor > 0);
    window.state_mut().shutdown();
    assert_eq!(world.sink_of(failed), (false, false));
    assert_eq!(world.sink_of(newcomer), (false, false));
    drop(window);

    // Next start from that cursor: nothing new, no summary, no notification.
    let (mut window, notices) = world.window(Some(cursor));
    wait_loaded(&mut window);
    step_until(&mut window, "registration", |_| world.sink_of(failed) == (true, false));
    let settle = Instant::now() + Duration::from_millis(800);
    while Instant::now() < settle {
        window.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!shows(&window, "While you were away"));
    assert!(window.state().model().toasts.list().is_empty());
    assert!(notices.lock().expect("notices").is_empty());
}
