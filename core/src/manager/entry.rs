//! A job as the manager holds it, with the sums kept in step with its files.

use super::Run;
use crate::model::{Job, JobFile};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// A job as the manager holds it: the job, its files and what a run of it needs.
pub(super) struct Entry {
    pub(super) job: Job,
    pub(super) files: Vec<JobFile>,
    /// Hashes of the files' local names, once the job has [`NAMES_FROM`]
    /// files: adding a file checks for a clash without comparing against
    /// every file (quadratic in a job of many). Smaller jobs compare.
    pub(super) names: HashSet<u64>,
    /// The files' sizes, summed as they change (see [`Entry::update_file`]).
    pub(super) sizes: Sizes,
    pub(super) queue_order: i64,
    pub(super) run: Run,
}

/// The sum of the known file sizes, and how many are not known yet.
#[derive(Default)]
pub(super) struct Sizes {
    known: u64,
    unknown: usize,
}

impl Sizes {
    fn add(&mut self, size: Option<u64>) {
        match size {
            Some(size) => self.known += size,
            None => self.unknown += 1,
        }
    }

    fn remove(&mut self, size: Option<u64>) {
        match size {
            Some(size) => self.known = self.known.saturating_sub(size),
            None => self.unknown = self.unknown.saturating_sub(1),
        }
    }

    /// The job's size: known once every file's is.
    fn total(&self) -> Option<u64> {
        (self.unknown == 0).then_some(self.known)
    }
}

impl Entry {
    pub(super) fn new(job: Job, mut files: Vec<JobFile>, queue_order: i64) -> Entry {
        // A vector grown by one push holds four files: 700 bytes unused in
        // each one-file job (7 MB with 10,000 jobs).
        files.shrink_to_fit();
        let names = match files.len() >= NAMES_FROM {
            true => files.iter().map(|f| name_key(&f.local_name)).collect(),
            false => HashSet::new(),
        };
        let mut sizes = Sizes::default();
        files.iter().for_each(|f| sizes.add(f.bytes_total));
        let run = Run::new();
        Entry { job, files, names, sizes, queue_order, run }
    }

    /// Changes one file and keeps the job's progress in step with it, without
    /// summing every file again (a cost per file, quadratic in a job of many).
    /// Every change of a file's size goes through here.
    pub(super) fn update_file<T>(&mut self, index: u32, change: impl FnOnce(&mut JobFile) -> T) -> Option<T> {
        let file = self.files.get_mut(index as usize)?;
        let before = (file.bytes_total, file.bytes_transferred, u32::from(file.transferred));
        let out = change(file);
        let after = (file.bytes_total, file.bytes_transferred, u32::from(file.transferred));
        let progress = &mut self.job.progress;
        progress.bytes_transferred = progress.bytes_transferred.saturating_sub(before.1) + after.1;
        progress.files_transferred = progress.files_transferred.saturating_sub(before.2) + after.2;
        self.sizes.remove(before.0);
        self.sizes.add(after.0);
        progress.bytes_total = self.sizes.total();
        Some(out)
    }

    /// Whether a file of this job is saved as `local_name`.
    pub(super) fn has_local_name(&self, local_name: &Path) -> bool {
        (self.files.len() < NAMES_FROM || self.names.contains(&name_key(local_name)))
            && self.files.iter().any(|f| f.local_name.as_os_str() == local_name.as_os_str())
    }

    pub(super) fn push_file(&mut self, file: JobFile) {
        match self.files.len() + 1 {
            NAMES_FROM => self.names = self.files.iter().chain([&file]).map(|f| name_key(&f.local_name)).collect(),
            n if n > NAMES_FROM => _ = self.names.insert(name_key(&file.local_name)),
            _ => {}
        }
        self.sizes.add(file.bytes_total);
        let progress = &mut self.job.progress;
        progress.files_total += 1;
        progress.bytes_transferred += file.bytes_transferred;
        progress.files_transferred += u32::from(file.transferred);
        progress.bytes_total = self.sizes.total();
        self.files.push(file);
    }
}

/// Jobs with this many files keep a set of their names (see [`Entry::names`]):
/// a job of one file costs 80 bytes less (10,000 such jobs: 0.8 MB).
const NAMES_FROM: usize = 16;

fn name_key(path: &Path) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    path.as_os_str().hash(&mut hasher);
    hasher.finish()
}
