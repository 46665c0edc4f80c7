//! Where the payload starts: right after this runtime's own ELF file, i.e. the
//! end of its section header table or of its last section, whichever is later
//! (as the official runtime computes it).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

/// The squashfs magic at the start of the payload.
pub const SQUASHFS_MAGIC: &[u8; 4] = b"hsqs";

/// The size of the 64-bit little-endian ELF at the start of `file`.
pub fn elf_size(file: &mut File) -> io::Result<u64> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("not an AppImage runtime: {what}"));
    let mut header = [0u8; 64];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut header)?;
    if &header[..4] != b"\x7fELF" {
        return Err(bad("no ELF header"));
    }
    if header[4] != 2 || header[5] != 1 {
        return Err(bad("not a 64-bit little-endian ELF"));
    }
    let shoff = u64_at(&header, 0x28);
    let shentsize = u64::from(u16_at(&header, 0x3a));
    let shnum = u64::from(u16_at(&header, 0x3c));
    if shoff == 0 || shnum == 0 || shentsize < 0x28 {
        return Err(bad("the ELF has no section headers"));
    }
    let mut end = shoff + shnum * shentsize;
    let mut table = vec![0u8; usize::try_from(shnum * shentsize).map_err(|_| bad("section table too big"))?];
    file.seek(SeekFrom::Start(shoff))?;
    file.read_exact(&mut table)?;
    for section in table.chunks_exact(usize::try_from(shentsize).unwrap_or(64)) {
        const SHT_NOBITS: u32 = 8;
        if u32_at(section, 4) != SHT_NOBITS {
            end = end.max(u64_at(section, 0x18) + u64_at(section, 0x20));
        }
    }
    Ok(end)
}

/// The payload's offset, checked to hold a squashfs.
pub fn payload_offset(file: &mut File) -> io::Result<u64> {
    let offset = elf_size(file)?;
    let mut magic = [0u8; 4];
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(&mut magic).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("nothing follows the runtime (offset {offset}): not an AppImage"),
        )
    })?;
    if &magic != SQUASHFS_MAGIC {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("no squashfs at offset {offset}")));
    }
    Ok(offset)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}
