//! Which jobs the table shows and in what order: the state filter, the text
//! filter, an optional fixed list (the summary's jobs), and the sort column.

use haul_core::model::{Job, JobId, JobState};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashSet;

/// The filters of the side bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StateFilter {
    /// Everything.
    #[default]
    All,
    /// Waiting, connecting, downloading, retrying.
    Active,
    /// Paused by someone.
    Paused,
    /// Done.
    Finished,
    /// Failed.
    Failed,
}

impl StateFilter {
    /// Every filter, in side-bar order.
    pub const ALL: [StateFilter; 5] =
        [StateFilter::All, StateFilter::Active, StateFilter::Paused, StateFilter::Finished, StateFilter::Failed];

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            StateFilter::All => "All",
            StateFilter::Active => "Active",
            StateFilter::Paused => "Paused",
            StateFilter::Finished => "Finished",
            StateFilter::Failed => "Failed",
        }
    }

    /// Whether a job in `state` passes.
    pub fn admits(self, state: JobState) -> bool {
        match self {
            StateFilter::All => state != JobState::Cancelled,
            StateFilter::Active => {
                matches!(
                    state,
                    JobState::Queued | JobState::Connecting | JobState::Transferring | JobState::TransientError
                )
            }
            StateFilter::Paused => state == JobState::Suspended,
            StateFilter::Finished => matches!(state, JobState::Transferred | JobState::Acknowledged),
            StateFilter::Failed => state == JobState::Error,
        }
    }
}

/// The table's columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortColumn {
    /// Display name.
    Name,
    /// State.
    State,
    /// Fraction done.
    Progress,
    /// Total size.
    Size,
    /// Bytes done.
    Transferred,
    /// Current speed.
    Speed,
    /// Time left.
    Eta,
    /// Priority.
    Priority,
    /// Creation time.
    #[default]
    Added,
}

impl SortColumn {
    /// Every column, in table order.
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Name,
        SortColumn::State,
        SortColumn::Progress,
        SortColumn::Size,
        SortColumn::Transferred,
        SortColumn::Speed,
        SortColumn::Eta,
        SortColumn::Priority,
        SortColumn::Added,
    ];

    /// The header's text.
    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::State => "State",
            SortColumn::Progress => "Progress",
            SortColumn::Size => "Size",
            SortColumn::Transferred => "Transferred",
            SortColumn::Speed => "Speed",
            SortColumn::Eta => "ETA",
            SortColumn::Priority => "Priority",
            SortColumn::Added => "Added",
        }
    }
}

/// Sort column and direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Smallest first.
    pub ascending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        // Newest first: what was just added is in view.
        Sort { column: SortColumn::Added, ascending: false }
    }
}

/// What the table shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// By state.
    pub state: StateFilter,
    /// Case-insensitive text in the name or id.
    pub text: String,
    /// Only these jobs (the "while you were away" list), with its title.
    pub only: Option<(String, HashSet<JobId>)>,
}

impl Filter {
    /// Whether a job passes.
    pub fn admits(&self, job: &Job, lowercase_text: &str) -> bool {
        if let Some((_, only)) = &self.only {
            if !only.contains(&job.id) {
                return false;
            }
        } else if !self.state.admits(job.state) {
            return false;
        }
        lowercase_text.is_empty()
            || job.display_name.to_lowercase().contains(lowercase_text)
            || job.id.to_string().starts_with(lowercase_text)
    }
}

/// Fraction done, 0..=1 (unknown size counts as 0 unless finished).
pub fn fraction(job: &Job) -> f32 {
    if matches!(job.state, JobState::Transferred | JobState::Acknowledged) {
        return 1.0;
    }
    match job.progress.bytes_total {
        Some(0) => 1.0,
        Some(total) => (job.progress.bytes_transferred as f64 / total as f64).clamp(0.0, 1.0) as f32,
        None => 0.0,
    }
}

/// The order of two jobs by a column (ties broken by creation time, then id).
pub fn compare(a: &Job, b: &Job, column: SortColumn) -> Ordering {
    let by = match column {
        SortColumn::Name => a.display_name.to_lowercase().cmp(&b.display_name.to_lowercase()),
        SortColumn::State => state_rank(a.state).cmp(&state_rank(b.state)),
        SortColumn::Progress => fraction(a).total_cmp(&fraction(b)),
        SortColumn::Size => a.progress.bytes_total.cmp(&b.progress.bytes_total),
        SortColumn::Transferred => a.progress.bytes_transferred.cmp(&b.progress.bytes_transferred),
        SortColumn::Speed => a.speed_bps.total_cmp(&b.speed_bps),
        SortColumn::Eta => a.eta_s.unwrap_or(u64::MAX).cmp(&b.eta_s.unwrap_or(u64::MAX)),
        SortColumn::Priority => a.priority.cmp(&b.priority),
        SortColumn::Added => Ordering::Equal,
    };
    by.then(a.times.created.cmp(&b.times.created)).then(a.id.cmp(&b.id))
}

/// Busy states first, finished last.
fn state_rank(state: JobState) -> u8 {
    match state {
        JobState::Transferring => 0,
        JobState::Connecting => 1,
        JobState::TransientError => 2,
        JobState::Queued => 3,
        JobState::Error => 4,
        JobState::Suspended => 5,
        JobState::Transferred => 6,
        JobState::Acknowledged => 7,
        JobState::Cancelled => 8,
    }
}

/// The indices of `jobs` that pass `filter`, in `sort` order.
pub fn visible(jobs: &[Job], filter: &Filter, sort: Sort) -> Vec<usize> {
    let text = filter.text.trim().to_lowercase();
    let mut rows: Vec<usize> = (0..jobs.len()).filter(|&i| filter.admits(&jobs[i], &text)).collect();
    rows.sort_by(|&a, &b| {
        let order = compare(&jobs[a], &jobs[b], sort.column);
        if sort.ascending { order } else { order.reverse() }
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::view_model::test_job;

    #[test]
    fn filters_by_state_text_and_list() {
        let jobs = vec![
            test_job("ubuntu.iso", JobState::Transferring, 10),
            test_job("report.pdf", JobState::Acknowledged, 20),
            test_job("old-link.zip", JobState::Error, 30),
            test_job("dataset.tar", JobState::Suspended, 40),
            test_job("gone", JobState::Cancelled, 50),
        ];
        let names = |filter: &Filter| -> Vec<String> {
            visible(&jobs, filter, Sort { column: SortColumn::Name, ascending: true })
                .into_iter()
                .map(|i| jobs[i].display_name.clone())
                .collect()
        };
        let mut filter = Filter::default();
        assert_eq!(names(&filter), ["dataset.tar", "old-link.zip", "report.pdf", "ubuntu.iso"]);
        filter.state = StateFilter::Active;
        assert_eq!(names(&filter), ["ubuntu.iso"]);
        filter.state = StateFilter::Finished;
        assert_eq!(names(&filter), ["report.pdf"]);
        filter.state = StateFilter::Failed;
        assert_eq!(names(&filter), ["old-link.zip"]);
        filter.state = StateFilter::All;
        filter.text = " .ISO".into();
        assert_eq!(names(&filter), ["ubuntu.iso"]);
        filter.text.clear();
        filter.only = Some(("x".into(), [jobs[1].id, jobs[2].id].into_iter().collect()));
        filter.state = StateFilter::Active; // ignored while a list is shown
        assert_eq!(names(&filter), ["old-link.zip", "report.pdf"]);
    }

    #[test]
    fn sorts_by_any_column_both_ways() {
        let mut jobs = vec![
            test_job("b", JobState::Transferring, 10),
            test_job("a", JobState::Queued, 20),
            test_job("c", JobState::Acknowledged, 30),
        ];
        jobs[0].progress.bytes_total = Some(100);
        jobs[0].progress.bytes_transferred = 50;
        jobs[1].progress.bytes_total = Some(100);
        let filter = Filter::default();
        let order = |column, ascending| -> String {
            visible(&jobs, &filter, Sort { column, ascending })
                .into_iter()
                .map(|i| jobs[i].display_name.clone())
                .collect()
        };
        assert_eq!(order(SortColumn::Name, true), "abc");
        assert_eq!(order(SortColumn::Name, false), "cba");
        assert_eq!(order(SortColumn::Added, false), "bac");
        assert_eq!(order(SortColumn::Progress, true), "abc");
        assert_eq!(order(SortColumn::State, true), "bac");
        for column in SortColumn::ALL {
            assert_eq!(order(column, true).len(), 3);
        }
    }
}
