//! Haul's AppImage runtime: the executable part of a type-2 AppImage (ELF with
//! `AI\x02` at offset 8, a squashfs appended) that needs no FUSE. Instead of
//! mounting the image it extracts it once into a per-version cache folder
//! (`cache.rs`) and execs its `AppRun`, with the environment the official
//! runtime sets (`APPIMAGE`, `APPDIR`, `ARGV0`, `OWD`).
//!
//! Options, as the official runtime has them: `--appimage-help`,
//! `--appimage-version`, `--appimage-offset`, `--appimage-extract [PATTERN]`,
//! `--appimage-extract-and-run`, `--appimage-updateinformation`,
//! `--appimage-signature`, `--appimage-portable-home`, `--appimage-portable-config`.

mod cache;
mod elf;
mod extract;

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("AppImage: {e}");
            ExitCode::from(127)
        }
    }
}

fn run(args: &[OsString]) -> io::Result<ExitCode> {
    // The official runtime lets $TARGET_APPIMAGE name the image to run.
    let image = match std::env::var_os("TARGET_APPIMAGE") {
        Some(target) => std::fs::canonicalize(target)?,
        None => std::env::current_exe()?,
    };
    let offset = elf::payload_offset(&mut File::open(&image)?)?;
    let option = args.get(1).and_then(|a| a.to_str()).filter(|a| a.starts_with("--appimage-"));
    match option {
        None | Some("--appimage-extract-and-run") => {
            let rest = if option.is_some() { &args[2..] } else { args.get(1..).unwrap_or(&[]) };
            Err(exec_app_run(&image, offset, args.first(), rest))
        }
        Some("--appimage-help") => {
            eprintln!("{}", help());
            Ok(ExitCode::SUCCESS)
        }
        Some("--appimage-version") => {
            let app = extract::open(&image, offset).ok().and_then(|fs| extract::read_top_level(&fs, ".desktop"));
            let app_version = app.as_deref().and_then(|d| desktop_key(d, "X-AppImage-Version"));
            eprintln!("Version: haul-appimage-runtime {VERSION} (extracts to a cache and runs; no FUSE)");
            if let Some(v) = app_version {
                eprintln!("App version: {v}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("--appimage-offset") => {
            println!("{offset}");
            Ok(ExitCode::SUCCESS)
        }
        Some("--appimage-extract") => {
            let pattern = args.get(2).map(|p| p.to_string_lossy().into_owned());
            extract_here(&image, offset, pattern.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        // No update or signature sections are embedded: nothing to print.
        Some("--appimage-updateinformation" | "--appimage-updateinfo" | "--appimage-signature") => {
            Ok(ExitCode::SUCCESS)
        }
        Some("--appimage-portable-home") => portable(&image, "home"),
        Some("--appimage-portable-config") => portable(&image, "config"),
        Some("--appimage-mount") => {
            eprintln!("--appimage-mount: this runtime never mounts (no FUSE); use --appimage-extract");
            Ok(ExitCode::FAILURE)
        }
        Some(other) => {
            eprintln!("{other} is not implemented in this runtime (haul-appimage-runtime {VERSION})\n\n{}", help());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn help() -> String {
    format!(
        "AppImage options (haul-appimage-runtime {VERSION}, no FUSE: the image is extracted once into\n\
         $XDG_CACHE_HOME/appimage-extract and run from there):\n\n\
         \x20 --appimage-extract [PATTERN]  extract the contents (or the paths matching PATTERN) into ./squashfs-root\n\
         \x20 --appimage-extract-and-run    run the app (what starting it without options does)\n\
         \x20 --appimage-help               this text\n\
         \x20 --appimage-offset             the byte offset of the squashfs in the AppImage\n\
         \x20 --appimage-portable-home      create <AppImage>.home and use it as $HOME from now on\n\
         \x20 --appimage-portable-config    create <AppImage>.config and use it as $XDG_CONFIG_HOME\n\
         \x20 --appimage-version            the runtime's version (and the app's, from its .desktop file)"
    )
}

/// Extracts (if not cached) and replaces this process with AppRun; returns only on failure.
fn exec_app_run(image: &Path, offset: u64, argv0: Option<&OsString>, args: &[OsString]) -> io::Error {
    let appdir = match cache::ensure(image, offset) {
        Ok(dir) => dir,
        Err(e) => return io::Error::new(e.kind(), format!("cannot extract {}: {e}", image.display())),
    };
    let app_run = appdir.join("AppRun");
    let mut command = Command::new(&app_run);
    command.args(args).env("APPIMAGE", image).env("APPDIR", &appdir);
    command.env("ARGV0", argv0.cloned().unwrap_or_else(|| image.as_os_str().to_owned()));
    if let Ok(owd) = std::env::current_dir() {
        command.env("OWD", owd);
    }
    for (suffix, variable) in [("home", "HOME"), ("config", "XDG_CONFIG_HOME")] {
        let portable = sibling(image, suffix);
        if portable.is_dir() {
            command.env(variable, portable);
        }
    }
    let e = command.exec();
    io::Error::new(e.kind(), format!("cannot run {}: {e}", app_run.display()))
}

/// `--appimage-extract`: into `./squashfs-root`, printing each path.
fn extract_here(image: &Path, offset: u64, pattern: Option<&str>) -> io::Result<()> {
    let fs = extract::open(image, offset)?;
    let dest = PathBuf::from("squashfs-root");
    std::fs::create_dir_all(&dest)?;
    let wanted = |path: &Path| pattern.is_none_or(|p| extract::glob(p, &path.to_string_lossy()));
    extract::extract(&fs, &dest, &wanted, &mut |path| println!("{}", dest.join(path).display()))
}

/// `<AppImage>.home` / `<AppImage>.config`, next to the image.
fn sibling(image: &Path, suffix: &str) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    PathBuf::from(name)
}

fn portable(image: &Path, suffix: &str) -> io::Result<ExitCode> {
    let dir = sibling(image, suffix);
    std::fs::create_dir_all(&dir)?;
    eprintln!("Portable {suffix} directory created at {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// The value of `key` in a .desktop file's `[Desktop Entry]` group.
fn desktop_key(desktop: &str, key: &str) -> Option<String> {
    let mut in_entry = false;
    for line in desktop.lines().map(str::trim) {
        if line.starts_with('[') {
            in_entry = line == "[Desktop Entry]";
        } else if in_entry
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_keys_are_read_from_the_entry_group() {
        let desktop = "[Desktop Entry]\nName=Haul\nX-AppImage-Version=0.1.0\n[Desktop Action x]\nName=Other\n";
        assert_eq!(desktop_key(desktop, "X-AppImage-Version").as_deref(), Some("0.1.0"));
        assert_eq!(desktop_key(desktop, "Name").as_deref(), Some("Haul"));
        assert_eq!(desktop_key(desktop, "Exec"), None);
    }

    #[test]
    fn portable_folders_sit_next_to_the_image() {
        assert_eq!(sibling(Path::new("/a/Haul.AppImage"), "home"), PathBuf::from("/a/Haul.AppImage.home"));
    }
}
