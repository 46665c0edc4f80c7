//! Where the service's socket lives (PROTOCOL.md "Transport"): a Unix socket,
//! or on Windows the named pipe `\\.\pipe\haul-<user name>`.

use std::path::PathBuf;

/// The real uid of this process.
#[cfg(unix)]
pub fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The uid every caller has on Windows. The pipe carries its user's name and
/// only that user may write to it, so there is one user per service: a fixed
/// id that is never the administrator's 0.
#[cfg(windows)]
pub const WINDOWS_UID: u32 = 1000;

/// This process's uid: on Windows always [`WINDOWS_UID`] (see there).
#[cfg(windows)]
pub fn current_uid() -> u32 {
    WINDOWS_UID
}

/// The socket path: `$HAUL_SOCKET` if set; else `/run/haul/haul.sock` for the
/// system service; else `$XDG_RUNTIME_DIR/haul/haul.sock`; else `/tmp/haul-<uid>/haul.sock`.
#[cfg(unix)]
pub fn socket_path(system: bool) -> PathBuf {
    if let Some(path) = std::env::var_os("HAUL_SOCKET").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    if system {
        return PathBuf::from("/run/haul/haul.sock");
    }
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|p| !p.is_empty()) {
        return PathBuf::from(dir).join("haul").join("haul.sock");
    }
    PathBuf::from(format!("/tmp/haul-{}", current_uid())).join("haul.sock")
}

/// The pipe: `$HAUL_SOCKET` if set; else `\\.\pipe\haul-<user name>` (from
/// `USERNAME`), or `\\.\pipe\haul-system` for `--system` (which Windows refuses).
#[cfg(windows)]
pub fn socket_path(system: bool) -> PathBuf {
    if let Some(path) = std::env::var_os("HAUL_SOCKET").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    if system {
        return PathBuf::from(r"\\.\pipe\haul-system");
    }
    let user = std::env::var("USERNAME").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "user".into());
    // A pipe's name may hold any character but a backslash.
    PathBuf::from(format!(r"\\.\pipe\haul-{}", user.replace('\\', "_")))
}
