//! Opening a file or folder with the desktop's default program, without waiting for it.

use std::path::Path;
use std::process::Stdio;

/// The desktop's opener.
#[cfg(target_os = "windows")]
const OPENER: &str = "explorer";
#[cfg(target_os = "macos")]
const OPENER: &str = "open";
#[cfg(not(any(target_os = "windows", target_os = "macos")))]
const OPENER: &str = "xdg-open";

/// Opens `path`; the opener is reaped in the background. Call inside tokio.
pub fn open_path(path: &Path) -> Result<(), String> {
    let mut child = tokio::process::Command::new(OPENER)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(false)
        .spawn()
        .map_err(|e| format!("Cannot open {} ({OPENER}: {e})", path.display()))?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok(())
}
