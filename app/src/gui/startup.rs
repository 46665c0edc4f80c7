//! What happened while the window was closed: every job, and the journal since
//! the saved cursor, turned into one summary and the set of outcomes already
//! told — so the callbacks replayed by registering add no toast of their own.

use super::messages::{Startup, Summary};
use super::toast_key::ToastKey;
use haul_core::client::{Client, ClientError};
use haul_core::model::{Event, EventKind, Job, JobId, JobState};
use std::collections::HashMap;

/// Journal entries read per call.
const PAGE: u32 = 1000;
/// Most journal entries read at startup (older news is dropped).
const MAX_EVENTS: usize = 500_000;

/// Reads every job and the journal after `cursor`; `subscribed_at` is the
/// journal position when live events started.
pub async fn load(client: &Client, cursor: u64, subscribed_at: u64, reconnect: bool) -> Result<Startup, ClientError> {
    let jobs = client.enum_jobs(false, true).await?;
    // A journal behind the cursor was reset (a new data folder): read it all.
    let from = if subscribed_at < cursor { 0 } else { cursor };
    let events = read_journal(client, from).await?;
    Ok(build(jobs, &events, subscribed_at, reconnect))
}

/// The outcome entries (transferred, error, acknowledged, cancelled) after `seq`.
async fn read_journal(client: &Client, mut seq: u64) -> Result<Vec<Event>, ClientError> {
    let mut events = Vec::new();
    let mut read = 0;
    loop {
        let page = client.events_since(seq, Some(PAGE)).await?;
        let done = page.events.is_empty() || page.next_seq <= seq;
        read += page.events.len();
        events.extend(page.events.into_iter().filter(|e| is_outcome(e.kind)));
        seq = page.next_seq;
        if done || read >= MAX_EVENTS {
            return Ok(events);
        }
    }
}

fn is_outcome(kind: EventKind) -> bool {
    matches!(kind, EventKind::Transferred | EventKind::Error | EventKind::Acknowledged | EventKind::Cancelled)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Finished,
    Failed,
}

/// Builds the picture. Outcomes journaled up to `subscribed_at` happened
/// while nobody listened: those still true go in the summary, and every
/// outcome of that time counts as told. Later ones are news: their callbacks
/// will make toasts.
pub fn build(jobs: Vec<Job>, events: &[Event], subscribed_at: u64, reconnect: bool) -> Startup {
    let mut outcomes: HashMap<JobId, (u64, Outcome)> = HashMap::new();
    let mut latest: HashMap<JobId, u64> = HashMap::new();
    for event in events {
        latest.insert(event.job_id, event.seq);
        if event.seq > subscribed_at {
            continue;
        }
        match event.kind {
            EventKind::Transferred | EventKind::Acknowledged => {
                outcomes.insert(event.job_id, (event.seq, Outcome::Finished));
            }
            EventKind::Error => {
                outcomes.insert(event.job_id, (event.seq, Outcome::Failed));
            }
            EventKind::Cancelled => {
                outcomes.remove(&event.job_id);
            }
            _ => {}
        }
    }
    let states: HashMap<JobId, JobState> = jobs.iter().map(|j| (j.id, j.state)).collect();
    let mut told: Vec<(u64, JobId, Outcome)> = outcomes
        .into_iter()
        .filter(|(job_id, (_, outcome))| {
            matches!(
                (states.get(job_id), outcome),
                (Some(JobState::Transferred | JobState::Acknowledged), Outcome::Finished)
                    | (Some(JobState::Error), Outcome::Failed)
            )
        })
        .map(|(job_id, (seq, outcome))| (seq, job_id, outcome))
        .collect();
    told.sort_by_key(|(seq, _, _)| *seq);
    let mut summary = Summary::default();
    for (_, job_id, outcome) in told {
        match outcome {
            Outcome::Finished => summary.finished.push(job_id),
            Outcome::Failed => summary.failed.push(job_id),
        }
    }
    let seen = jobs
        .iter()
        .filter(|job| latest.get(&job.id).is_none_or(|&seq| seq <= subscribed_at))
        .filter_map(ToastKey::of)
        .collect();
    let cursor = events.iter().map(|e| e.seq).max().unwrap_or(0).max(subscribed_at);
    Startup { jobs, summary, seen, cursor, reconnect }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::view_model::test_job;

    fn event(seq: u64, job: &Job, kind: EventKind) -> Event {
        Event {
            seq,
            job_id: job.id,
            at: chrono::Utc::now(),
            kind,
            state: job.state,
            error: None,
            owner: 0,
            creator: 0,
            file_index: None,
        }
    }

    #[test]
    fn the_summary_holds_what_happened_while_closed_and_is_still_true() {
        let done = test_job("done", JobState::Acknowledged, 9);
        let failed = test_job("failed", JobState::Error, 8);
        let retried = test_job("failed then resumed", JobState::Transferring, 7);
        let cancelled = test_job("cancelled", JobState::Cancelled, 6);
        let live = test_job("failed after subscribing", JobState::Error, 5);
        let old = test_job("failed long ago", JobState::Error, 4);
        let events = [
            event(11, &done, EventKind::Transferred),
            event(12, &done, EventKind::Acknowledged),
            event(13, &failed, EventKind::Error),
            event(14, &retried, EventKind::Error),
            event(15, &cancelled, EventKind::Transferred),
            event(16, &cancelled, EventKind::Cancelled),
            event(21, &live, EventKind::Error),
        ];
        let jobs = vec![done.clone(), failed.clone(), retried, cancelled, live.clone(), old.clone()];
        let startup = build(jobs, &events, 20, false);
        assert_eq!(startup.summary, Summary { finished: vec![done.id], failed: vec![failed.id] });
        assert_eq!(startup.cursor, 21);
        // Told: the summary's jobs and the old failure; the failure after subscribing is news.
        assert!(startup.seen.contains(&ToastKey::failed(&failed)));
        assert!(startup.seen.contains(&ToastKey::failed(&old)));
        assert!(startup.seen.contains(&ToastKey::finished(&done)));
        assert!(!startup.seen.contains(&ToastKey::failed(&live)));
    }

    #[test]
    fn nothing_new_is_an_empty_summary() {
        let startup = build(vec![test_job("a", JobState::Queued, 1)], &[], 5, true);
        assert!(startup.summary.is_empty());
        assert_eq!(startup.cursor, 5);
        assert!(startup.seen.is_empty());
        assert!(startup.reconnect);
    }
}
