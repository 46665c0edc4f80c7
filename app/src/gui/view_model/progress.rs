//! Numbers and states that the window shows in more than one place, computed
//! once: what counts as active (side bar, status bar, tray), a job's percent
//! (row and details), and each file's state and bytes (details), which follow
//! the job's live progress rather than the last file list read.

use super::table::{StateFilter, fraction};
use haul_core::model::{Job, JobFile, JobState};

/// The active jobs by what they do; `total()` is the side bar's "Active".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Activity {
    /// Connecting or downloading.
    pub downloading: usize,
    /// Queued, waiting for their turn or a network.
    pub waiting: usize,
    /// About to try again after an error.
    pub retrying: usize,
    /// The downloading jobs' speeds, summed (bytes per second).
    pub speed_bps: f64,
}

impl Activity {
    /// The jobs of `jobs` that the side bar's "Active" admits, by kind.
    pub fn of<'a>(jobs: impl IntoIterator<Item = &'a Job>) -> Activity {
        let mut activity = Activity::default();
        for job in jobs.into_iter().filter(|j| StateFilter::Active.admits(j.state)) {
            match job.state {
                JobState::TransientError => activity.retrying += 1,
                JobState::Queued => activity.waiting += 1,
                _ => {
                    activity.downloading += 1;
                    activity.speed_bps += job.speed_bps;
                }
            }
        }
        activity
    }

    /// Every active job: the side bar's count.
    pub fn total(&self) -> usize {
        self.downloading + self.waiting + self.retrying
    }
}

/// The whole percent done, rounded down (99 % until the last byte), as both
/// the row and the details panel show it.
pub fn percent(job: &Job) -> u32 {
    (fraction(job) * 100.0).floor() as u32
}

/// One file of a job, as the details panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct FileView {
    /// Its bytes so far (for the file in progress: what the job's live progress implies).
    pub bytes_done: u64,
    /// Its size, when known.
    pub bytes_total: Option<u64>,
    /// "in place", "downloaded", "downloading", "retrying", "failed", "paused", "waiting".
    pub status: &'static str,
}

impl FileView {
    /// The fraction done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        match self.bytes_total {
            Some(0) => 1.0,
            Some(total) => (self.bytes_done as f64 / total as f64).clamp(0.0, 1.0) as f32,
            None => 0.0,
        }
    }
}

/// Each file's state and bytes. The file list is read about once a second,
/// the job's progress arrives continuously: the file the job works on takes
/// the job's bytes not accounted for by the others, so its numbers never lag
/// the row's; it shows the job's state (downloading, retrying, failed, paused).
pub fn file_views(job: &Job, files: &[JobFile]) -> Vec<FileView> {
    let current = files.iter().position(|f| !f.transferred && !f.completed);
    let others: u64 =
        files.iter().enumerate().filter(|(i, _)| Some(*i) != current).map(|(_, f)| f.bytes_transferred).sum();
    let live = job.progress.bytes_transferred.saturating_sub(others);
    files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let is_current = Some(i) == current;
            let status = if file.completed {
                "in place"
            } else if file.transferred {
                "downloaded"
            } else if !is_current {
                "waiting"
            } else {
                match job.state {
                    JobState::Connecting | JobState::Transferring => "downloading",
                    JobState::TransientError => "retrying",
                    JobState::Error => "failed",
                    JobState::Suspended => "paused",
                    _ => "waiting",
                }
            };
            // The job's bytes are the one source: a file list read a moment
            // before or after them must not make the file disagree with the row.
            let mut bytes_done = if is_current { live } else { file.bytes_transferred };
            if file.transferred || file.completed {
                bytes_done = file.bytes_total.unwrap_or(bytes_done);
            }
            if let Some(total) = file.bytes_total {
                bytes_done = bytes_done.min(total);
            }
            FileView { bytes_done, bytes_total: file.bytes_total, status }
        })
        .collect()
}

/// The file with this index: files come in index order, so where its index
/// says (a job of 10,000 files finishes 10,000 of them), else by a search.
pub(super) fn file_at(files: &mut [JobFile], index: u32) -> Option<&mut JobFile> {
    let at = usize::try_from(index).ok().filter(|&i| files.get(i).is_some_and(|f| f.index == index));
    match at {
        Some(i) => files.get_mut(i),
        None => files.iter_mut().find(|f| f.index == index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::view_model::test_job;

    #[test]
    fn a_retrying_job_is_active_everywhere() {
        let jobs = [test_job("a", JobState::TransientError, 1), test_job("b", JobState::Suspended, 1)];
        let activity = Activity::of(&jobs);
        assert_eq!((activity.total(), activity.retrying, activity.downloading), (1, 1, 0));
    }

    #[test]
    fn percent_rounds_down_the_same_for_everyone() {
        let mut job = test_job("a", JobState::Transferring, 1);
        job.progress.bytes_total = Some(1000);
        job.progress.bytes_transferred = 436;
        assert_eq!(percent(&job), 43);
        job.progress.bytes_transferred = 999;
        assert_eq!(percent(&job), 99, "not 100 before the last byte");
    }
}
