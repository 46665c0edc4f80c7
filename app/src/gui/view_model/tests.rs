//! The view model's rules: one summary at startup, one toast per event,
//! live state from events and progress.

use super::*;
use crate::gui::messages::Summary;
use haul_core::model::ErrorContext;

fn failed_job(name: &str, count: u32) -> (Job, JobError) {
    let mut job = test_job(name, JobState::Error, 5);
    let error = JobError::new(ErrorContext::RemoteFile, "http_404", "HTTP 404 Not Found for http://127.0.0.1/x");
    job.error = Some(Box::new(error.clone()));
    job.error_count = count;
    (job, error)
}

fn done_job(name: &str) -> Job {
    let mut job = test_job(name, JobState::Transferred, 5);
    job.times.transfer_completed = Some(chrono::Utc::now());
    job
}

#[test]
fn startup_shows_one_summary_and_swallows_the_replays() {
    let done = done_job("a.iso");
    let (failed, error) = failed_job("b.zip", 1);
    let mut model = ViewModel::default();
    let startup = Startup {
        jobs: vec![done.clone(), failed.clone(), test_job("c", JobState::Queued, 1)],
        summary: Summary { finished: vec![done.id], failed: vec![failed.id] },
        seen: vec![ToastKey::finished(&done), ToastKey::failed(&failed)],
        cursor: 42,
        reconnect: false,
    };
    let notice = model.apply(Update::Startup(Box::new(startup))).expect("a summary notice");
    assert!(notice.summary && notice.failed);
    assert_eq!(notice.title, "1 download finished, 1 failed");
    assert_eq!(model.toasts.list().len(), 1);
    assert!(model.toasts.list()[0].title.starts_with("While you were away"));
    assert_eq!(model.cursor, 42);
    // The registrations replay both callbacks: no new toast, no notification.
    assert!(model.apply(Update::Finished(Box::new(done))).is_none());
    assert!(model.apply(Update::Failed(Box::new(failed.clone()), error.clone())).is_none());
    assert_eq!(model.toasts.list().len(), 1);
    // A new failure of the same job is news.
    let (mut again, error) = failed_job("b.zip", 2);
    again.id = failed.id;
    let notice = model.apply(Update::Failed(Box::new(again.clone()), error.clone())).expect("news");
    assert_eq!(notice.body, "The file is not on the server (404)");
    assert!(model.apply(Update::Failed(Box::new(again), error)).is_none(), "the same event twice");
    assert_eq!(model.toasts.list().len(), 2);
    let toast = &model.toasts.list()[1];
    assert!(toast.body.contains("404") && toast.expires.is_none());
    assert_eq!(toast.actions, vec![ToastAction::Retry(failed.id), ToastAction::Details(failed.id)]);
}

#[test]
fn an_empty_summary_says_nothing() {
    let mut model = ViewModel::default();
    let startup = Startup { jobs: vec![test_job("a", JobState::Queued, 1)], ..Default::default() };
    assert!(model.apply(Update::Startup(Box::new(startup))).is_none());
    assert!(model.toasts.list().is_empty());
    assert!(model.loaded);
}

#[test]
fn events_and_progress_move_rows() {
    let job = test_job("a", JobState::Queued, 1);
    let job_id = job.id;
    let mut model = ViewModel::default();
    model.apply(Update::Startup(Box::new(Startup { jobs: vec![job.clone()], ..Default::default() })));
    let event = |seq, kind, state| Event {
        seq,
        job_id,
        at: chrono::Utc::now(),
        kind,
        state,
        error: None,
        owner: 0,
        creator: 0,
        file_index: None,
    };
    model.apply(Update::Event(Box::new(event(7, EventKind::StateChanged, JobState::Transferring))));
    assert_eq!(model.job(job_id).map(|j| j.state), Some(JobState::Transferring));
    assert_eq!(model.cursor, 7);
    model.apply(Update::Progress(vec![JobProgressView {
        id: job_id,
        state: JobState::Transferring,
        bytes_transferred: 50,
        bytes_total: Some(100),
        files_transferred: 0,
        speed_bps: 1000.0,
        eta_s: Some(1),
    }]));
    assert!(model.is_busy());
    assert_eq!(model.totals(), (1, 0, 1000.0));
    assert_eq!(fraction(model.job(job_id).expect("job")), 0.5);
    model.selection.select_only(job_id);
    model.apply(Update::Event(Box::new(event(8, EventKind::Cancelled, JobState::Cancelled))));
    assert!(model.job(job_id).is_none());
    assert!(model.selection.is_empty());
    assert!(model.visible().is_empty());
}

#[test]
fn a_finished_file_updates_its_own_row_in_the_files_shown() {
    let job = test_job("many", JobState::Transferring, 1);
    let job_id = job.id;
    let file = |index: u32| JobFile {
        index,
        remote_url: format!("http://127.0.0.1/{index}"),
        local_name: format!("/tmp/{index}").into(),
        temp_name: haul_core::model::TempName::Path(format!("/tmp/.{index}.haul").into()),
        bytes_total: Some(10),
        bytes_transferred: 0,
        transferred: false,
        completed: false,
        sha256: None,
        restart_reason: None,
        checkpoint: Default::default(),
    };
    let done = |index: u32| JobFile { bytes_transferred: 10, transferred: true, ..file(index) };
    let mut model = ViewModel::default();
    model.apply(Update::Startup(Box::new(Startup { jobs: vec![job], ..Default::default() })));
    let transferred = |model: &ViewModel| -> Vec<u32> {
        model.files(job_id).expect("files").iter().filter(|f| f.transferred).map(|f| f.index).collect()
    };
    // In index order, as the service lists them.
    model.apply(Update::Files(job_id, (0..5).map(file).collect()));
    model.apply(Update::FileDone(job_id, Box::new(done(3))));
    assert_eq!(transferred(&model), [3]);
    // Out of order (a list the window sorted, or one with gaps): still the right row.
    model.apply(Update::Files(job_id, vec![file(4), file(0), file(3), file(9)]));
    model.apply(Update::FileDone(job_id, Box::new(done(0))));
    model.apply(Update::FileDone(job_id, Box::new(done(9))));
    assert_eq!(transferred(&model), [0, 9]);
    // A file the list does not hold changes nothing.
    model.apply(Update::FileDone(job_id, Box::new(done(7))));
    assert_eq!(transferred(&model), [0, 9]);
}

#[test]
fn show_only_lists_the_summary_jobs() {
    let jobs: Vec<Job> = (0..4).map(|n| test_job(&format!("j{n}"), JobState::Acknowledged, n)).collect();
    let mut model = ViewModel::default();
    model.apply(Update::Startup(Box::new(Startup { jobs: jobs.clone(), ..Default::default() })));
    assert_eq!(model.visible().len(), 4);
    model.show_only("While you were away".into(), vec![jobs[0].id, jobs[2].id]);
    assert_eq!(model.visible().len(), 2);
    assert_eq!(model.count(StateFilter::Finished), 4);
}
