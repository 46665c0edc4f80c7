//! aria2's download options, read into what Haul does with them: a folder, a
//! name, headers, connections, a speed limit, a checksum, paused or not, and
//! Haul's own `haul-cost` (the job's cost policy).
//! BitTorrent, Metalink, FTP and proxy options are refused with a sentence;
//! any other unknown option is ignored as aria2 ignores it (debug log).

use super::Aria2Error;
use crate::model::{CostPolicy, check_header};
use crate::protocol::JobChanges;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// What an `addUri` or `changeOption` asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// `dir`.
    pub dir: Option<PathBuf>,
    /// `out`: the file's name.
    pub out: Option<String>,
    /// `pause`: add it paused.
    pub pause: bool,
    /// `checksum=sha-256=HEX`.
    pub sha256: Option<String>,
    /// Headers (`header`, `referer`, `user-agent`), limit and connections.
    pub changes: JobChanges,
}

/// Haul's own option: the job's cost policy (`any` or `unmetered`), which
/// aria2 has no word for.
pub const HAUL_COST: &str = "haul-cost";

/// Option prefixes of features Haul does not have.
const UNSUPPORTED_PREFIXES: [&str; 6] = ["bt-", "seed-", "metalink-", "ftp-", "follow-", "dht-"];
/// Whole options Haul does not support (yet), refused rather than ignored.
const UNSUPPORTED: [&str; 9] = [
    "all-proxy",
    "http-proxy",
    "https-proxy",
    "select-file",
    "index-out",
    "torrent-file",
    "listen-port",
    "enable-dht",
    "http-user",
];

/// A value as text: aria2 sends strings, clients sometimes numbers or booleans.
fn text(key: &str, value: &Value) -> Result<String, Aria2Error> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(Aria2Error::new(format!("the option {key} must be a string"))),
    }
}

/// A speed such as `0`, `500K`, `2M` (aria2: K and M are 1024 and 1024²).
pub fn parse_speed(key: &str, value: &str) -> Result<u64, Aria2Error> {
    let value = value.trim();
    let (number, factor) = match value.char_indices().last() {
        Some((i, 'K' | 'k')) => (&value[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&value[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&value[..i], 1 << 30),
        _ => (value, 1),
    };
    let number: u64 = number.parse().map_err(|_| Aria2Error::new(format!("{key}: '{value}' is not a speed")))?;
    Ok(number.saturating_mul(factor))
}

fn connections(key: &str, value: &str) -> Result<u32, Aria2Error> {
    value.trim().parse::<u32>().ok().filter(|n| (1..=crate::model::MAX_CONNECTIONS_LIMIT).contains(n)).ok_or_else(
        || Aria2Error::new(format!("{key}: '{value}' must be from 1 to {}", crate::model::MAX_CONNECTIONS_LIMIT)),
    )
}

fn headers_of(key: &str, value: &Value) -> Result<Vec<String>, Aria2Error> {
    let list = match value {
        Value::Array(items) => items.iter().map(|v| text(key, v)).collect::<Result<Vec<_>, _>>()?,
        other => vec![text(key, other)?],
    };
    for header in &list {
        check_header(header).map_err(|e| Aria2Error::new(e.0))?;
    }
    Ok(list)
}

/// Reads an options struct.
pub fn parse(options: &Map<String, Value>) -> Result<Options, Aria2Error> {
    let mut parsed = Options::default();
    let mut headers: Vec<String> = Vec::new();
    for (key, value) in options {
        if UNSUPPORTED.contains(&key.as_str()) || UNSUPPORTED_PREFIXES.iter().any(|p| key.starts_with(p)) {
            return Err(Aria2Error::new(format!("the option {key} is not supported by Haul")));
        }
        match key.as_str() {
            "dir" => parsed.dir = Some(PathBuf::from(text(key, value)?)),
            "out" => parsed.out = Some(text(key, value)?),
            "pause" => parsed.pause = text(key, value)? == "true",
            "header" => headers.extend(headers_of(key, value)?),
            "referer" => headers.push(format!("Referer: {}", text(key, value)?)),
            "user-agent" => headers.push(format!("User-Agent: {}", text(key, value)?)),
            "split" | "max-connection-per-server" => {
                let n = connections(key, &text(key, value)?)?;
                // Both bound the connections of one file: the smaller wins.
                parsed.changes.max_connections = Some(parsed.changes.max_connections.map_or(n, |m| m.min(n)));
            }
            "max-download-limit" => parsed.changes.speed_limit_bps = Some(parse_speed(key, &text(key, value)?)?),
            "checksum" => parsed.sha256 = Some(sha256_of(&text(key, value)?)?),
            HAUL_COST => parsed.changes.cost_policy = Some(cost_of(&text(key, value)?)?),
            other => tracing::debug!("aria2 option {other} ignored (Haul has no such setting)"),
        }
    }
    for header in &headers {
        check_header(header).map_err(|e| Aria2Error::new(e.0))?;
    }
    if !headers.is_empty() {
        parsed.changes.custom_headers = Some(headers);
    }
    Ok(parsed)
}

/// `any` or `unmetered` → the cost policy; anything else is an error naming the option.
fn cost_of(name: &str) -> Result<CostPolicy, Aria2Error> {
    CostPolicy::parse(name.trim())
        .ok_or_else(|| Aria2Error::new(format!("the option {HAUL_COST} must be any or unmetered, not '{name}'")))
}

/// `sha-256=HEX` → the digest; other algorithms are not supported.
fn sha256_of(checksum: &str) -> Result<String, Aria2Error> {
    let Some((algorithm, hex)) = checksum.split_once('=') else {
        return Err(Aria2Error::new(format!("checksum '{checksum}' is not of the form TYPE=DIGEST")));
    };
    if !algorithm.eq_ignore_ascii_case("sha-256") {
        return Err(Aria2Error::new(format!("checksum type {algorithm} is not supported by Haul; use sha-256")));
    }
    crate::model::check_sha256(hex).map_err(|e| Aria2Error::new(e.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(options: Value) -> Result<Options, String> {
        let Value::Object(map) = options else { return Err("not an object".into()) };
        parse(&map).map_err(|e| e.message)
    }

    #[test]
    fn options_become_the_jobs_settings() {
        let hex = "ab".repeat(32);
        let options = parsed(json!({
            "dir": "/tmp/d", "out": "a.iso", "header": ["X-A: 1", "Cookie: s=2"], "referer": "http://r/",
            "user-agent": "UA/1", "split": "8", "max-connection-per-server": 4, "max-download-limit": "500K",
            "checksum": format!("sha-256={hex}"), "pause": "true", "continue": "true",
        }))
        .expect("valid");
        assert_eq!(options.dir, Some(PathBuf::from("/tmp/d")));
        assert_eq!(options.out.as_deref(), Some("a.iso"));
        assert!(options.pause);
        assert_eq!(options.sha256, Some(hex));
        assert_eq!(options.changes.max_connections, Some(4));
        assert_eq!(options.changes.speed_limit_bps, Some(500 << 10));
        let headers = options.changes.custom_headers.unwrap_or_default();
        assert_eq!(headers, ["X-A: 1", "Cookie: s=2", "Referer: http://r/", "User-Agent: UA/1"]);
    }

    #[test]
    fn what_haul_cannot_do_is_refused_not_ignored() {
        for options in [
            json!({"all-proxy": "socks5://127.0.0.1:1080"}),
            json!({"bt-tracker": "udp://t"}),
            json!({"checksum": "md5=abc"}),
            json!({"header": "no colon"}),
            json!({"split": "0"}),
            json!({"max-download-limit": "fast"}),
            json!({"haul-cost": "cheap"}),
            json!({"haul-cost": 1}),
        ] {
            assert!(parsed(options.clone()).is_err(), "{options}");
        }
    }

    #[test]
    fn haul_cost_is_the_cost_policy_and_a_bad_value_names_the_option() {
        for (value, want) in
            [("any", CostPolicy::Any), ("unmetered", CostPolicy::Unmetered), (" any ", CostPolicy::Any)]
        {
            let options = parsed(json!({ "haul-cost": value })).expect("valid");
            assert_eq!(options.changes.cost_policy, Some(want), "{value}");
        }
        assert_eq!(parsed(json!({})).map(|o| o.changes.cost_policy), Ok(None));
        let refused = parsed(json!({"haul-cost": "metered"})).err().unwrap_or_default();
        assert!(refused.contains("haul-cost") && refused.contains("metered"), "{refused}");
    }

    #[test]
    fn speeds_use_aria2s_units() {
        assert_eq!(parse_speed("k", "0").ok(), Some(0));
        assert_eq!(parse_speed("k", "2M").ok(), Some(2 << 20));
        assert_eq!(parse_speed("k", "1048576").ok(), Some(1 << 20));
        assert!(parse_speed("k", "1.5M").is_err());
    }
}
