//! A job as the manager holds it, with the sums kept in step with its files.

use super::Run;
use crate::model::{FileProgress, Job, JobFile};
use crate::store::progress_of;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::path::Path;

/// A job as the manager holds it: the job, its files and what a run of it needs.
pub(super) struct Entry {
    pub(super) job: Job,
    pub(super) files: Vec<JobFile>,
    /// Hashes of the files' local names, once the job has [`NAMES_FROM`]
    /// files: adding a file checks for a clash without comparing against
    /// every file (quadratic in a job of many). Smaller jobs compare.
    #[expect(clippy::box_collection, reason = "8 bytes in each job rather than 48: most jobs have no set")]
    pub(super) names: Option<Box<HashSet<u64>>>,
    /// The files' sizes, summed as they change (see [`Entry::update_file`]).
    pub(super) sizes: Sizes,
    pub(super) queue_order: i64,
    pub(super) run: LazyRun,
}

/// A job's [`Run`], made when it is first changed: most jobs of a long list
/// never run (10,000 suspended jobs: 1.2 MB less).
#[derive(Default)]
pub(super) struct LazyRun(Option<Box<Run>>);

/// What a job that never ran has.
static IDLE: Run = Run::new();

impl Deref for LazyRun {
    type Target = Run;
    fn deref(&self) -> &Run {
        self.0.as_deref().unwrap_or(&IDLE)
    }
}

impl LazyRun {
    /// The run, made if the job has none yet.
    pub(super) fn make_mut(&mut self) -> &mut Run {
        self.0.get_or_insert_with(|| Box::new(Run::new()))
    }

    /// The run, if the job has one (a job without one has nothing to change).
    pub(super) fn get_mut(&mut self) -> Option<&mut Run> {
        self.0.as_deref_mut()
    }
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
    /// A job without files yet.
    pub(super) fn new(job: Job, queue_order: i64) -> Entry {
        Entry { job, files: Vec::new(), names: None, sizes: Sizes::default(), queue_order, run: LazyRun::default() }
    }

    /// Gives a job read from the store its files (more of them, were it
    /// given some already); its progress is summed from them.
    pub(super) fn add_loaded_files(&mut self, files: Vec<JobFile>) {
        if self.files.is_empty() {
            self.files = files;
        } else {
            self.files.extend(files);
        }
        if self.files.len() >= NAMES_FROM {
            self.names = Some(Box::new(self.files.iter().map(|f| name_key(&f.local_name)).collect()));
        }
        self.sizes = Sizes::default();
        self.files.iter().for_each(|f| self.sizes.add(f.bytes_total));
        self.job.progress = progress_of(&self.files);
        if self.job.state.is_final() {
            self.settle();
        }
    }

    /// Lets go of what a final job no longer needs: it takes no more files
    /// (no name set) and never resumes (no checkpoints), and its list is cut
    /// to its length. A finished job of 10,000 files otherwise holds ~7 MiB
    /// until the service stops.
    pub(super) fn settle(&mut self) {
        self.names = None;
        for file in &mut self.files {
            file.checkpoint = FileProgress::default();
        }
        self.files.shrink_to_fit();
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
        (self.files.len() < NAMES_FROM || self.names.as_ref().is_none_or(|names| names.contains(&name_key(local_name))))
            && self.files.iter().any(|f| f.local_name.as_os_str() == local_name.as_os_str())
    }

    pub(super) fn push_file(&mut self, file: JobFile) {
        match self.files.len() + 1 {
            NAMES_FROM => {
                self.names = Some(Box::new(self.files.iter().chain([&file]).map(|f| name_key(&f.local_name)).collect()))
            }
            n if n > NAMES_FROM => _ = self.names.get_or_insert_default().insert(name_key(&file.local_name)),
            _ => {}
        }
        self.sizes.add(file.bytes_total);
        let progress = &mut self.job.progress;
        progress.files_total += 1;
        progress.bytes_transferred += file.bytes_transferred;
        progress.files_transferred += u32::from(file.transferred);
        progress.bytes_total = self.sizes.total();
        // A first push would make room for four files: most jobs have one.
        if self.files.capacity() == 0 {
            self.files.reserve_exact(1);
        }
        self.files.push(file);
    }
}

/// Jobs with this many files keep a set of their names (see [`Entry::names`]):
/// a job of one file costs 120 bytes less (10,000 such jobs: 1.2 MB).
const NAMES_FROM: usize = 16;

fn name_key(path: &Path) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    path.as_os_str().hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RangeSet;
    use crate::model::test_job;
    use std::path::PathBuf;

    /// 40 transferred files of 100 bytes, each with a checkpoint, in a list
    /// with room for more.
    fn files() -> Vec<JobFile> {
        let mut files = Vec::with_capacity(64);
        files.extend((0..40u32).map(|index| JobFile {
            index,
            remote_url: format!("http://127.0.0.1/{index}.bin"),
            local_name: PathBuf::from(format!("/downloads/{index}.bin")),
            temp_name: crate::model::TempName::Path(PathBuf::from(format!("/downloads/.{index}.bin.haul"))),
            bytes_total: Some(100),
            bytes_transferred: 100,
            transferred: true,
            completed: true,
            sha256: None,
            restart_reason: None,
            checkpoint: FileProgress {
                done: RangeSet::prefix(100),
                etag: Some("\"an-etag\"".into()),
                last_modified: Some("Thu, 01 Jan 2026 00:00:00 GMT".into()),
                html: false,
            },
        }));
        files
    }

    #[test]
    fn a_final_job_keeps_its_files_and_totals_but_nothing_it_needed_to_run() {
        for state in ["acknowledged", "cancelled"] {
            let mut entry = Entry::new(test_job(state), 0);
            entry.add_loaded_files(files());
            assert_eq!(entry.files.len(), 40, "{state}");
            assert_eq!(entry.files.capacity(), 40, "{state}: the list is cut to its length");
            assert!(entry.names.is_none(), "{state}: no name set for a job that takes no more files");
            assert!(entry.files.iter().all(|f| f.checkpoint == FileProgress::default()), "{state}");
            assert_eq!((entry.job.progress.bytes_transferred, entry.job.progress.files_transferred), (4000, 40));
            assert!(entry.files.iter().all(|f| f.bytes_total == Some(100) && f.transferred), "{state}");
            assert!(entry.has_local_name(Path::new("/downloads/39.bin")), "{state}: names are still found");
            assert!(!entry.has_local_name(Path::new("/downloads/40.bin")), "{state}");
        }
    }

    #[test]
    fn a_job_that_may_still_run_keeps_its_checkpoints_and_name_set() {
        let mut entry = Entry::new(test_job("suspended"), 0);
        entry.add_loaded_files(files());
        assert!(entry.names.is_some());
        assert!(entry.files.iter().all(|f| f.checkpoint.etag.is_some() && f.checkpoint.done.covered() == 100));
    }
}
