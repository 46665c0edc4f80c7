//! A stream's hidden parts next to its temp file: a hidden folder named after
//! the temp file holding one finished file per piece (`init`, `000000`, …),
//! each written under a `.partial` name and renamed when whole, so what is
//! there after a kill is exactly the finished pieces; then joined in order.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The hidden folder of a stream file's parts, next to its temp file.
pub fn parts_dir(temp: &Path) -> PathBuf {
    let mut name = temp.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push("s");
    temp.with_file_name(name)
}

/// Piece `slot`'s finished file: slot 0 is the init section, segment `n` is slot `n + 1`.
pub(super) fn piece_path(dir: &Path, slot: usize) -> PathBuf {
    match slot {
        0 => dir.join("init"),
        n => dir.join(format!("{:06}", n - 1)),
    }
}

/// The size of piece `slot` if it is finished.
pub(super) fn finished_size(dir: &Path, slot: usize) -> Option<u64> {
    fs::metadata(piece_path(dir, slot)).ok().filter(|m| m.is_file()).map(|m| m.len())
}

/// Writes piece `slot` whole: under a `.partial` name, then renamed.
pub(super) fn write_piece(dir: &Path, slot: usize, bytes: &[u8]) -> io::Result<()> {
    let path = piece_path(dir, slot);
    let partial = path.with_extension("partial");
    let mut file = File::create(&partial)?;
    file.write_all(bytes)?;
    drop(file);
    fs::rename(&partial, &path)
}

/// Joins the pieces `slots` in order into `temp` (emptied first); returns its size.
pub(super) fn assemble(dir: &Path, slots: &[usize], temp: &Path) -> io::Result<u64> {
    let mut out = io::BufWriter::with_capacity(1 << 20, File::create(temp)?);
    let mut total = 0;
    for &slot in slots {
        let mut piece = File::open(piece_path(dir, slot))?;
        total += io::copy(&mut piece, &mut out)?;
    }
    out.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_in_order_and_only_whole_ones_count() {
        let folder = tempfile::tempdir().expect("tempdir");
        let temp = folder.path().join(".v.mp4.1234-0.haul-part");
        let dir = parts_dir(&temp);
        assert_eq!(dir.file_name().and_then(|n| n.to_str()), Some(".v.mp4.1234-0.haul-parts"));
        fs::create_dir(&dir).expect("dir");
        write_piece(&dir, 2, b"cd").expect("write");
        write_piece(&dir, 0, b"I").expect("write");
        write_piece(&dir, 1, b"ab").expect("write");
        fs::write(piece_path(&dir, 3).with_extension("partial"), b"half").expect("partial");
        assert_eq!(finished_size(&dir, 1), Some(2));
        assert_eq!(finished_size(&dir, 3), None);
        assert_eq!(assemble(&dir, &[0, 1, 2], &temp).expect("assemble"), 5);
        assert_eq!(fs::read(&temp).expect("read"), b"Iabcd");
    }
}
