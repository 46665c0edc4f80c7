//! Human formatting: sizes, speeds, durations, and JSON printing.

use serde_json::Value;

/// 1536 → "1.5 KiB".
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// "45%" or "12.0 MiB" when the total is unknown.
pub fn progress(job: &Value) -> String {
    let done = job["progress"]["bytes_transferred"].as_u64().unwrap_or(0);
    match job["progress"]["bytes_total"].as_u64() {
        Some(0) => "100%".into(),
        Some(total) => format!("{}%", (done as f64 * 100.0 / total as f64).floor() as u64),
        None => size(done),
    }
}

/// Pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("haul: cannot print JSON: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(64 << 20), "64.0 MiB");
    }
}
