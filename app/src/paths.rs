//! Where Haul keeps things: data dir, download folder, socket; and logging setup.

use std::path::PathBuf;

/// The data directory: `$HAUL_DATA_DIR`, else the platform's data dir for Haul.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HAUL_DATA_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "haul")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("haul-data"))
}

/// The user's download folder (falls back to ~/Downloads, then the current dir).
pub fn download_dir() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|dirs| dirs.download_dir().map(PathBuf::from).or_else(|| Some(dirs.home_dir().join("Downloads"))))
        .filter(|dir| dir.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Logs to stderr (filtered by `RUST_LOG`, default warnings for the CLI and
/// info for the service); the service adds a log file in `service_cmd`.
pub fn init_tracing(service: bool) {
    if service {
        return; // the service sets up its own subscriber with a file
    }
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The program that runs `haul service` for this one. From an AppImage it is
/// the image itself (`$APPIMAGE`): the running binary lives in the image's
/// mount (official runtime) or cache, and the service must outlive the window
/// that started it; else the running executable.
pub fn service_program() -> std::io::Result<PathBuf> {
    service_program_from(std::env::var_os("APPIMAGE"))
}

fn service_program_from(appimage: Option<std::ffi::OsString>) -> std::io::Result<PathBuf> {
    match appimage.map(PathBuf::from) {
        Some(image) if image.is_absolute() && image.is_file() => Ok(image),
        _ => std::env::current_exe(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_runs_from_the_appimage_when_there_is_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let image = dir.path().join("Haul-0.1.0-x86_64.AppImage");
        std::fs::write(&image, b"image").expect("write");
        assert_eq!(service_program_from(Some(image.clone().into_os_string())).expect("program"), image);
        let exe = std::env::current_exe().expect("exe");
        // Not a file, or not absolute: the running executable.
        assert_eq!(service_program_from(Some(dir.path().join("gone").into_os_string())).expect("program"), exe);
        assert_eq!(service_program_from(Some("Haul.AppImage".into())).expect("program"), exe);
        assert_eq!(service_program_from(None).expect("program"), exe);
    }
}
