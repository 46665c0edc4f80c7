//! Local users on Windows, where every service is per user (there is no
//! `--system` service): the service's user owns every job and its files.

use std::path::Path;

/// The uid the service runs as (see [`crate::protocol::current_uid`]).
pub fn service_uid() -> u32 {
    crate::protocol::current_uid()
}

/// No /etc/passwd: no group to report.
pub fn primary_gid(_uid: u32) -> Option<u32> {
    None
}

/// Whether files can be created in `dir`: it is a folder that is not read-only.
pub fn may_write(_uid: u32, dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|meta| meta.is_dir() && !meta.permissions().readonly())
}

/// Files always belong to the service's own user.
pub fn file_owner(_owner: u32) -> Option<(u32, u32)> {
    None
}
