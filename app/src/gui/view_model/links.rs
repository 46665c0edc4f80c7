//! The links already on the list, so the add dialog can warn before a second
//! copy (the jobs' files are read when the dialog opens).

use super::ViewModel;
use haul_core::model::{Job, JobId};

impl ViewModel {
    /// A job on the list downloading `url` (among the jobs whose files were read).
    pub fn job_with_url(&self, url: &str) -> Option<&Job> {
        self.files
            .iter()
            .filter(|(_, files)| files.iter().any(|f| f.remote_url == url))
            .filter_map(|(job_id, _)| self.job(*job_id))
            .find(|job| !self.removing.contains(&job.id))
    }

    /// The newest jobs (at most `most`) whose files were not read yet.
    pub fn jobs_without_files(&self, most: usize) -> Vec<JobId> {
        let mut jobs: Vec<&Job> = self.jobs.iter().filter(|j| !self.files.contains_key(&j.id)).collect();
        jobs.sort_by_key(|j| std::cmp::Reverse(j.times.created));
        jobs.into_iter().take(most).map(|j| j.id).collect()
    }
}
