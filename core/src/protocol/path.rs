//! Where the service's socket lives (PROTOCOL.md "Transport").

use std::path::PathBuf;

/// The real uid of this process.
pub fn current_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The socket path: `$HAUL_SOCKET` if set; else `/run/haul/haul.sock` for the
/// system service; else `$XDG_RUNTIME_DIR/haul/haul.sock`; else `/tmp/haul-<uid>/haul.sock`.
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
