//! Local users, for a service that serves several: whose files are whose, and
//! who may write where.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The uid the service runs as.
pub fn service_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The primary gid of `uid`, from /etc/passwd.
pub fn primary_gid(uid: u32) -> Option<u32> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[2].parse() == Ok(uid)).then(|| fields[3].parse().ok()).flatten()
    })
}

/// Whether `uid` may create files in `dir`, judged from its owner and mode
/// (the service may be another user, e.g. root serving everyone). Group
/// membership other than the primary group is not consulted.
pub fn may_write(uid: u32, dir: &Path) -> bool {
    if uid == 0 {
        return true;
    }
    let Ok(meta) = std::fs::metadata(dir) else { return false };
    let mode = meta.mode();
    if meta.uid() == uid {
        return mode & 0o300 == 0o300;
    }
    if primary_gid(uid) == Some(meta.gid()) {
        return mode & 0o030 == 0o030;
    }
    mode & 0o003 == 0o003
}

/// The (uid, gid) the service must give a job's files, when it is not the
/// owner itself (a system service running as root).
pub fn file_owner(owner: u32) -> Option<(u32, u32)> {
    let service = service_uid();
    (service == 0 && owner != 0).then(|| (owner, primary_gid(owner).unwrap_or(owner)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_has_gid_zero_and_modes_are_read() {
        assert_eq!(primary_gid(0), Some(0));
        let dir = tempfile::tempdir().expect("tempdir");
        let me = service_uid();
        assert!(may_write(me, dir.path()) || me != std::fs::metadata(dir.path()).expect("meta").uid());
        // tempfile makes 0700 folders: nobody else may write there.
        assert!(!may_write(65534, dir.path()));
    }
}
