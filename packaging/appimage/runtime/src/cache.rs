//! The per-version cache: `$XDG_CACHE_HOME/appimage-extract/<name>-<key>`
//! (else `~/.cache/…`, else a private `/tmp/appimage-extract-<uid>`), filled
//! once through a temp folder renamed into place, touched on every start, and
//! pruned of other entries of the same name unused for a day.

use crate::extract;
use std::fs::{self, DirBuilder, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Entries of the same name unused for this long are removed.
const PRUNE_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Temp folders of an extraction that died are removed after this long.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// The uid of this process (the owner of `/proc/self`).
fn uid() -> io::Result<u32> {
    Ok(fs::metadata("/proc/self")?.uid())
}

/// What identifies this image: the squashfs superblock, the offset, the
/// AppImage's size and modification time (FNV-1a, 64 bits).
pub fn key(image: &Path, offset: u64) -> io::Result<String> {
    let mut file = File::open(image)?;
    let meta = file.metadata()?;
    let mut superblock = [0u8; 96];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut superblock)?;
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(&superblock);
    feed(&offset.to_le_bytes());
    feed(&meta.len().to_le_bytes());
    feed(&meta.mtime().to_le_bytes());
    feed(&meta.mtime_nsec().to_le_bytes());
    Ok(format!("{hash:016x}"))
}

/// The app's name for its cache entries, from the AppImage's file name:
/// `Haul-0.1.0-x86_64.AppImage` → `Haul`.
pub fn app_name(image: &Path) -> String {
    let file = image.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String =
        file.split(['-', '_', '.']).next().unwrap_or("").chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if name.is_empty() { "appimage".into() } else { name }
}

/// The folder that holds the cache entries, created if needed.
pub fn root() -> io::Result<PathBuf> {
    let home_cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| Path::new(v).is_absolute())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache")));
    if let Some(base) = home_cache {
        let root = base.join("appimage-extract");
        if DirBuilder::new().recursive(true).mode(0o700).create(&root).is_ok() && writable(&root) {
            return Ok(root);
        }
    }
    private_tmp()
}

/// `/tmp/appimage-extract-<uid>`, 0700 and ours, or an error.
fn private_tmp() -> io::Result<PathBuf> {
    let uid = uid()?;
    let root = std::env::temp_dir().join(format!("appimage-extract-{uid}"));
    match DirBuilder::new().mode(0o700).create(&root) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = fs::symlink_metadata(&root)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not a private folder of this user; refusing to use it", root.display()),
        ));
    }
    Ok(root)
}

fn writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".probe-{}", std::process::id()));
    let ok = File::create(&probe).is_ok();
    let _ = fs::remove_file(&probe);
    ok
}

/// The extracted AppDir for this image: reused when there, else extracted now.
pub fn ensure(image: &Path, offset: u64) -> io::Result<PathBuf> {
    let root = root()?;
    let name = app_name(image);
    let entry = format!("{name}-{}", key(image, offset)?);
    let dir = root.join(&entry);
    if dir.join("AppRun").exists() {
        touch(&dir);
        return Ok(dir);
    }
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let temp = root.join(format!(".{entry}.tmp-{}-{nanos}", std::process::id()));
    DirBuilder::new().mode(0o700).create(&temp)?;
    let filled = extract::open(image, offset).and_then(|fs| extract::extract(&fs, &temp, &|_| true, &mut |_| {}));
    if let Err(e) = filled {
        let _ = fs::remove_dir_all(&temp);
        return Err(e);
    }
    // An entry without AppRun is damaged (someone deleted files in it): replace it.
    if dir.exists() && !dir.join("AppRun").exists() {
        let _ = fs::remove_dir_all(&dir);
    }
    if let Err(e) = fs::rename(&temp, &dir) {
        let _ = fs::remove_dir_all(&temp);
        // Another start of the same image won the race: use its copy.
        if !dir.join("AppRun").exists() {
            return Err(e);
        }
    }
    prune(&root, &name, &entry);
    Ok(dir)
}

/// Marks an entry as used now (pruning looks at this).
fn touch(dir: &Path) {
    if let Ok(file) = File::open(dir) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Removes other entries of this app unused for [`PRUNE_AFTER`], and temp
/// folders left by extractions that died. Errors are ignored: it is tidying.
fn prune(root: &Path, name: &str, keep: &str) {
    let Ok(entries) = fs::read_dir(root) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let age = entry
            .metadata()
            .ok()
            .filter(|m| m.is_dir())
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok());
        let Some(age) = age else { continue };
        let other_version = file_name.starts_with(&format!("{name}-")) && file_name != keep && age > PRUNE_AFTER;
        let dead_temp = file_name.starts_with(&format!(".{name}-")) && file_name.contains(".tmp-") && age > STALE_TEMP;
        if other_version || dead_temp {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_file_name() {
        assert_eq!(app_name(Path::new("/x/Haul-0.1.0-x86_64.AppImage")), "Haul");
        assert_eq!(app_name(Path::new("/x/haul.AppImage")), "haul");
        assert_eq!(app_name(Path::new("/x/-.AppImage")), "appimage");
    }
}
