//! Human formatting: sizes, speeds, durations, and JSON printing.

use haul_core::model::Progress;

pub use crate::units::size;

/// "45%" or "12.0 MiB" when the total is unknown.
pub fn progress(progress: &Progress) -> String {
    let done = progress.bytes_transferred;
    match progress.bytes_total {
        Some(0) => "100%".into(),
        Some(total) => format!("{}%", (done as f64 * 100.0 / total as f64).floor() as u64),
        None => size(done),
    }
}

/// Parses a rate such as `500K`, `2M`, `1.5MiB`, `800k/s` or `0` into bytes per second
/// (K, M, G are powers of 1024).
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.trim_end_matches("/s").trim_end_matches("ps").trim_end_matches('b').trim_end_matches('i');
    let (number, unit) = match lower.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => lower.split_at(i),
        None => (lower, ""),
    };
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("'{text}' is not a rate; use a number with K, M or G, e.g. 2M")),
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("'{text}' is not a rate; use e.g. 500K or 2M"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("'{text}' is not a rate"));
    }
    Ok((value * factor).round() as u64)
}

/// JSON on one line of stdout.
pub fn print_json_line(value: &impl serde::Serialize) {
    match serde_json::to_string(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("haul: cannot print JSON: {e}"),
    }
}

/// Pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("haul: cannot print JSON: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("0"), Ok(0));
        assert_eq!(parse_rate("500K"), Ok(512_000));
        assert_eq!(parse_rate("2M"), Ok(2 << 20));
        assert_eq!(parse_rate("1.5MiB"), Ok(1_572_864));
        assert_eq!(parse_rate("800k/s"), Ok(819_200));
        assert_eq!(parse_rate("1000"), Ok(1000));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("-1M").is_err());
    }
}
