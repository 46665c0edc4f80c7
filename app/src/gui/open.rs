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

/// Shows `file` selected in the desktop's file manager: FileManager1 over
/// D-Bus on Linux (Nautilus, Dolphin, Thunar, Nemo, …), `explorer /select,` on
/// Windows, `open -R` on macOS; else opens its folder. Call inside tokio.
pub fn reveal_path(file: &Path) -> Result<(), String> {
    let Some(folder) = file.parent() else { return open_path(file) };
    if !file.exists() {
        return open_path(folder);
    }
    #[cfg(target_os = "linux")]
    {
        let (file, folder) = (file.to_path_buf(), folder.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let shown = zbus::blocking::Connection::session()
                .map_err(|e| e.to_string())
                .and_then(|bus| show_items(&bus, &file));
            if let Err(e) = shown {
                tracing::debug!("no FileManager1 to select {} ({e}); opening its folder", file.display());
                let _ = std::process::Command::new(OPENER)
                    .arg(&folder)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .map(|mut child| child.wait());
            }
        });
        Ok(())
    }
    #[cfg(target_os = "windows")]
    {
        let mut select = std::ffi::OsString::from("/select,");
        select.push(file);
        spawn_reaped(tokio::process::Command::new(OPENER).arg(select), file)
    }
    #[cfg(target_os = "macos")]
    {
        spawn_reaped(tokio::process::Command::new(OPENER).arg("-R").arg(file), file)
    }
    #[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
    {
        open_path(folder)
    }
}

/// Asks the session's file manager to show `file` selected.
#[cfg(target_os = "linux")]
fn show_items(bus: &zbus::blocking::Connection, file: &Path) -> Result<(), String> {
    let uri = url::Url::from_file_path(file).map_err(|()| format!("{} is not an absolute path", file.display()))?;
    bus.call_method(
        Some("org.freedesktop.FileManager1"),
        "/org/freedesktop/FileManager1",
        Some("org.freedesktop.FileManager1"),
        "ShowItems",
        &(vec![uri.as_str()], ""),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[cfg(any(target_os = "windows", target_os = "macos"))]
fn spawn_reaped(command: &mut tokio::process::Command, file: &Path) -> Result<(), String> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("Cannot show {} ({OPENER}: {e})", file.display()))?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A private session bus, killed on drop.
    struct Bus(std::process::Child, String);

    impl Drop for Bus {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn private_bus() -> Option<Bus> {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take()?), &mut line).ok()?;
        Some(Bus(child, line.trim().to_string()))
    }

    struct FileManager(mpsc::Sender<Vec<String>>);

    #[zbus::interface(name = "org.freedesktop.FileManager1")]
    impl FileManager {
        #[zbus(name = "ShowItems")]
        fn show_items(&self, uris: Vec<String>, _startup_id: String) {
            let _ = self.0.send(uris);
        }
    }

    #[test]
    fn show_in_folder_selects_the_file_in_the_file_manager() {
        let Some(bus) = private_bus() else {
            eprintln!("SKIPPED: no dbus-daemon");
            return;
        };
        let (tx, rx) = mpsc::channel();
        let _manager = zbus::blocking::connection::Builder::address(bus.1.as_str())
            .and_then(|b| b.name("org.freedesktop.FileManager1"))
            .and_then(|b| b.serve_at("/org/freedesktop/FileManager1", FileManager(tx)))
            .and_then(|b| b.build())
            .expect("stand-in file manager on the private bus");
        let client = zbus::blocking::connection::Builder::address(bus.1.as_str())
            .and_then(|b| b.build())
            .expect("client connection");
        let file = Path::new("/tmp/Haul downloads/report #1.pdf");
        show_items(&client, file).expect("ShowItems answered");
        let uris = rx.recv_timeout(Duration::from_secs(5)).expect("the file manager was asked");
        assert_eq!(uris, vec!["file:///tmp/Haul%20downloads/report%20%231.pdf".to_string()]);
    }

    #[test]
    fn without_a_file_manager_on_the_bus_show_items_fails_so_the_folder_opens_instead() {
        let Some(bus) = private_bus() else {
            eprintln!("SKIPPED: no dbus-daemon");
            return;
        };
        let client = zbus::blocking::connection::Builder::address(bus.1.as_str())
            .and_then(|b| b.build())
            .expect("client connection");
        assert!(show_items(&client, Path::new("/tmp/x.bin")).is_err());
    }
}
