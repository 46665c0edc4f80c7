//! A stream's record of finished pieces: a hidden folder next to its temp file
//! (`<temp>s/`) holding one empty marker per piece appended to the temp file,
//! named by slot and size (`000041-530112`). Pieces are appended in order and
//! marked after, so after a kill the marked pieces are exactly the temp
//! file's first bytes (anything past them is cut), and no piece is written twice.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The hidden folder of a stream file's markers, next to its temp file.
pub fn parts_dir(temp: &Path) -> PathBuf {
    let mut name = temp.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push("s");
    temp.with_file_name(name)
}

/// Marks piece `slot` (slot 0 is the init section, segment `n` is slot
/// `n + 1`) as appended, `len` bytes long.
pub(super) fn mark(dir: &Path, slot: usize, len: u64) -> io::Result<()> {
    File::create(dir.join(format!("{slot:06}-{len}"))).map(drop)
}

/// The pieces of `slots` (in order) that are marked, from the first one on
/// without a gap, with their sizes.
pub(super) fn marked(dir: &Path, slots: &[usize]) -> io::Result<Vec<u64>> {
    let mut sizes = std::collections::HashMap::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let Some((slot, len)) = name.to_str().and_then(|n| n.split_once('-')) else { continue };
        if let (Ok(slot), Ok(len)) = (slot.parse::<usize>(), len.parse::<u64>()) {
            sizes.insert(slot, len);
        }
    }
    Ok(slots.iter().map_while(|slot| sizes.get(slot).copied()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marked_pieces_from_the_first_count() {
        let folder = tempfile::tempdir().expect("tempdir");
        let temp = folder.path().join(".v.mp4.1234-0.haul-part");
        let dir = parts_dir(&temp);
        assert_eq!(dir.file_name().and_then(|n| n.to_str()), Some(".v.mp4.1234-0.haul-parts"));
        fs::create_dir(&dir).expect("dir");
        assert_eq!(marked(&dir, &[0, 1, 2]).expect("read"), Vec::<u64>::new());
        mark(&dir, 0, 7).expect("mark");
        mark(&dir, 1, 100).expect("mark");
        mark(&dir, 3, 50).expect("mark");
        fs::write(dir.join("junk"), b"").expect("junk");
        assert_eq!(marked(&dir, &[0, 1, 2, 3]).expect("read"), [7, 100]);
        assert_eq!(marked(&dir, &[1, 2, 3]).expect("read"), [100]);
    }
}
