//! Where a file's bytes go until complete: the hidden temp file's name, held
//! short when it is the one the service gives.

use super::JobId;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where a file's bytes go until complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TempName {
    /// `.<name>.<job>-<index>.haul-part` beside the local name, `job` being
    /// the first 8 characters of the job's id: how the service names each
    /// file it adds, held as those 8 bytes rather than as a path (the path
    /// was ~100 bytes of each of 10,000 jobs in memory).
    Beside([u8; 8]),
    /// Any other path: one an older version saved, or one a client read.
    Path(PathBuf),
}

impl TempName {
    /// How the service names the temp files of job `job_id`'s files.
    pub fn beside(job_id: JobId) -> TempName {
        let mut short = [b'0'; 8];
        for (to, from) in short.iter_mut().zip(job_id.to_string().bytes()) {
            *to = from;
        }
        TempName::Beside(short)
    }

    /// `path` as saved for file `index` of job `job_id` at `local_name`:
    /// [`TempName::Beside`] if that is what it names.
    pub fn saved(path: PathBuf, local_name: &Path, job_id: JobId, index: u32) -> TempName {
        let beside = TempName::beside(job_id);
        match beside.path(local_name, index) == path {
            true => beside,
            false => TempName::Path(path),
        }
    }

    /// The temp file's path for file `index` at `local_name`.
    pub fn path(&self, local_name: &Path, index: u32) -> PathBuf {
        match self {
            TempName::Beside(short) => {
                let name = local_name.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                let short = String::from_utf8_lossy(short);
                local_name.with_file_name(format!(".{name}.{short}-{index}.haul-part"))
            }
            TempName::Path(path) => path.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for TempName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TempName, D::Error> {
        PathBuf::deserialize(deserializer).map(TempName::Path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FileProgress, JobFile};

    fn file(job_id: JobId) -> JobFile {
        JobFile {
            index: 7,
            remote_url: "https://example.invalid/a.iso".into(),
            local_name: "/d/a.iso".into(),
            temp_name: TempName::beside(job_id),
            bytes_total: None,
            bytes_transferred: 0,
            transferred: false,
            completed: false,
            sha256: None,
            restart_reason: None,
            checkpoint: FileProgress::default(),
        }
    }

    #[test]
    fn a_temp_file_held_as_its_jobs_8_characters_is_the_hidden_file_beside_the_local_name() {
        let job_id: JobId = "3f2a1b4c-0000-4000-8000-000000000000".parse().expect("id");
        let file = file(job_id);
        let path = PathBuf::from("/d/.a.iso.3f2a1b4c-7.haul-part");
        assert_eq!(file.temp_path(), path);
        // Clients read the path, as before.
        let json = serde_json::to_value(&file).expect("json");
        assert_eq!(json["temp_name"], "/d/.a.iso.3f2a1b4c-7.haul-part");
        assert!(json.get("restart_reason").is_none() && json.get("checkpoint").is_none(), "{json}");
        let read: JobFile = serde_json::from_value(json).expect("read back");
        assert_eq!(read.temp_name, TempName::Path(path.clone()));
        assert_eq!(read, file, "the same file, however each holds the path");
        // A saved path is kept short only when it is the one the service gives.
        assert_eq!(TempName::saved(path, &file.local_name, job_id, 7), file.temp_name);
        let other = PathBuf::from("/d/.a.iso.part");
        assert_eq!(TempName::saved(other.clone(), &file.local_name, job_id, 7), TempName::Path(other.clone()));
        let elsewhere = JobFile { temp_name: TempName::Path(other), ..file.clone() };
        assert_ne!(elsewhere, file);
    }
}
