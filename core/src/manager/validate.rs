//! Checks on what clients send that need the service: names, local paths; and the
//! hidden temp file name next to a target.

use crate::error::Error;
use crate::model::{Caller, JobId};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a folder found writable is not probed again.
const WRITABLE_FOR: Duration = Duration::from_secs(10);

pub(super) fn validate_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::InvalidArgument("display_name must not be empty".into()));
    }
    if name.chars().count() > 256 {
        return Err(Error::InvalidArgument("display_name is longer than 256 characters".into()));
    }
    Ok(())
}

/// Checks a local name: absolute, no `..`, a file name, an existing folder the
/// caller may write to.
/// `writable` remembers the folders a job's files were found writable in, so
/// a job of 1,000 files probes its folder once (a probe creates and deletes a
/// file), while every new job's folder is checked afresh.
pub(super) fn validate_local(
    local_name: &Path,
    caller: &Caller,
    system: bool,
    job_id: JobId,
    writable: &mut HashMap<(JobId, PathBuf), Instant>,
) -> Result<(), Error> {
    let shown = local_name.display();
    if !local_name.is_absolute() {
        return Err(Error::InvalidArgument(format!("local name '{shown}' is not an absolute path")));
    }
    if local_name.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(Error::InvalidArgument(format!("local name '{shown}' contains '..'")));
    }
    let (Some(parent), Some(_)) = (local_name.parent(), local_name.file_name()) else {
        return Err(Error::InvalidArgument(format!("local name '{shown}' names no file")));
    };
    let now = Instant::now();
    let key = (job_id, parent.to_path_buf());
    // Probed a moment ago: the folder existed and was writable.
    let fresh = writable.get(&key).is_some_and(|checked| now.duration_since(*checked) < WRITABLE_FOR);
    if !fresh && !parent.is_dir() {
        return Err(Error::InvalidArgument(format!("the folder {} does not exist", parent.display())));
    }
    if local_name.is_dir() {
        return Err(Error::InvalidArgument(format!("local name '{shown}' is a folder")));
    }
    if system && !crate::users::may_write(caller.uid, parent) {
        return Err(Error::InvalidArgument(format!(
            "the folder {} is not writable by uid {}",
            parent.display(),
            caller.uid
        )));
    }
    if fresh {
        return Ok(());
    }
    writable.retain(|_, checked| now.duration_since(*checked) < WRITABLE_FOR);
    let probe = parent.join(format!(".haul-probe-{}", uuid::Uuid::new_v4()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            writable.insert(key, now);
            Ok(())
        }
        Err(e) => Err(Error::InvalidArgument(format!("the folder {} is not writable: {e}", parent.display()))),
    }
}
