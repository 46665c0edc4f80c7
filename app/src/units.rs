//! Sizes and speeds as people read them, in decimal units (1 KB = 1,000 bytes,
//! as file managers and browsers count): one way for the window and the
//! command line alike.

/// 1536 → "1.5 KB"; "84 MB"; "5.9 GB".
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value < 10.0 => format!("{value:.1} {}", UNITS[unit]),
        _ => format!("{value:.0} {}", UNITS[unit]),
    }
}

/// Bytes per second → "8.4 MB/s"; "—" below 1 B/s.
pub fn speed(bytes_per_second: f64) -> String {
    if bytes_per_second < 1.0 { "—".into() } else { format!("{}/s", size(bytes_per_second as u64)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_speeds_are_decimal() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_500), "1.5 KB");
        assert_eq!(size(84_000_000), "84 MB");
        assert_eq!(size(64 << 20), "67 MB");
        assert_eq!(size(5_900_000_000), "5.9 GB");
        assert_eq!(speed(0.2), "—");
        assert_eq!(speed(84_000_000.0), "84 MB/s");
    }
}
