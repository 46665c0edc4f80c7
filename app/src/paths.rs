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
