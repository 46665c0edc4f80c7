//! Unpacking the squashfs payload into a folder (pure Rust, no FUSE, no mount).

use backhand::{FilesystemReader, InnerNode};
use std::fs::{self, File, Permissions};
use std::io::{self, BufReader, BufWriter, Read};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Component, Path, PathBuf};

/// Opens the squashfs that starts at `offset` in the file at `image`.
pub fn open(image: &Path, offset: u64) -> io::Result<FilesystemReader<'static>> {
    let file = BufReader::new(File::open(image)?);
    FilesystemReader::from_reader_with_offset(file, offset)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("cannot read the squashfs: {e}")))
}

/// Writes every entry whose path (relative, e.g. `usr/bin/haul`) `wanted` accepts
/// into `dest`, which must exist; calls `each` with each path written.
pub fn extract(
    fs: &FilesystemReader<'_>,
    dest: &Path,
    wanted: &dyn Fn(&Path) -> bool,
    each: &mut dyn FnMut(&Path),
) -> io::Result<()> {
    for node in fs.files() {
        let Some(relative) = relative(&node.fullpath) else { continue };
        if relative.as_os_str().is_empty() || !wanted(&relative) {
            continue;
        }
        let path = dest.join(&relative);
        // Never setuid/setgid/sticky; the owner may always change and remove its copy.
        let mode = u32::from(node.header.permissions) & 0o777;
        match &node.inner {
            InnerNode::Dir(_) => {
                fs::create_dir_all(&path)?;
                fs::set_permissions(&path, Permissions::from_mode(mode | 0o700))?;
            }
            InnerNode::File(file) => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                let mut reader = fs.file(file).reader();
                let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
                io::copy(&mut reader, &mut out)?;
                out.into_inner().map_err(|e| e.into_error())?.set_permissions(Permissions::from_mode(mode | 0o600))?;
            }
            InnerNode::Symlink(link) => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                match fs::symlink_metadata(&path) {
                    Ok(_) => fs::remove_file(&path)?,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
                symlink(&link.link, &path)?;
            }
            // Devices, pipes and sockets have no place in an AppDir.
            _ => continue,
        }
        each(&relative);
    }
    Ok(())
}

/// `/usr/bin/haul` → `usr/bin/haul`; `None` for anything that could leave the folder.
fn relative(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::RootDir | Component::CurDir => {}
            Component::Normal(part) => out.push(part),
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Reads one file of the image (e.g. the top-level `.desktop` file), if it is there.
pub fn read_top_level(fs: &FilesystemReader<'_>, suffix: &str) -> Option<String> {
    fs.files().find_map(|node| {
        let relative = relative(&node.fullpath)?;
        let is_top = relative.components().count() == 1;
        match &node.inner {
            InnerNode::File(file) if is_top && relative.to_string_lossy().ends_with(suffix) => {
                let mut text = String::new();
                fs.file(file).reader().read_to_string(&mut text).ok()?;
                Some(text)
            }
            _ => None,
        }
    })
}

/// Shell-style matching with `*` (any run, `/` included, as fnmatch without FNM_PATHNAME) and `?`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_fnmatch() {
        assert!(glob("*.desktop", "haul.desktop"));
        assert!(glob("usr/bin/*", "usr/bin/haul"));
        assert!(glob("usr/*/haul", "usr/share/x/haul"));
        assert!(glob("h?ul", "haul"));
        assert!(!glob("*.png", "haul.svg"));
        assert!(!glob("usr", "usr/bin"));
    }

    #[test]
    fn paths_never_leave_the_folder() {
        assert_eq!(relative(Path::new("/usr/bin/haul")), Some(PathBuf::from("usr/bin/haul")));
        assert_eq!(relative(Path::new("/")), Some(PathBuf::new()));
        assert_eq!(relative(Path::new("/../etc/passwd")), None);
    }
}
