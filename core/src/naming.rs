//! File names for downloads: from `Content-Disposition` or the URL, sanitized
//! so that a file never lands outside the chosen folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The name used when neither the server nor the URL offers one.
pub const FALLBACK_NAME: &str = "download";

/// Makes a single safe file name: no separators, no control characters, no
/// leading dots (hidden files) or trailing dots/spaces, not `.`/`..`, at most
/// 200 bytes.
pub fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim_end_matches(['.', ' ']);
    let mut out = String::new();
    for c in trimmed.chars() {
        if out.len() + c.len_utf8() > 200 {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        return FALLBACK_NAME.to_string();
    }
    if reserved_on_windows(&out) { format!("_{out}") } else { out }
}

/// Names Windows keeps for devices (`CON`, `nul.txt`, `COM1.tar.gz`, any case):
/// a file cannot have them there.
fn reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end().to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

/// The last path segment of a URL, percent-decoded and sanitized.
pub fn from_url(url: &url::Url) -> String {
    let segment =
        url.path_segments().and_then(|mut segments| segments.next_back().map(str::to_string)).unwrap_or_default();
    let decoded = percent_decode(&segment);
    sanitize(&decoded)
}

/// The file name a `Content-Disposition` header offers (`filename*=UTF-8''…`
/// preferred over `filename=`), sanitized.
pub fn from_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in header.split(';').map(str::trim) {
        let Some((key, value)) = part.split_once('=') else { continue };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "filename*" {
            // RFC 5987: charset'lang'percent-encoded
            let encoded = value.splitn(3, '\'').nth(2).unwrap_or(value);
            extended = Some(percent_decode(encoded));
        } else if key == "filename" {
            plain = Some(value.trim_matches('"').to_string());
        }
    }
    extended.or(plain).filter(|n| !n.trim().is_empty()).map(|n| sanitize(&n))
}

/// Whether the URL alone may not name the file well (a script, a query, no
/// extension): then the server's `Content-Disposition` is worth asking for.
pub fn worth_asking(url: &url::Url) -> bool {
    let name = from_url(url);
    url.query().is_some() || name == FALLBACK_NAME || !name.contains('.')
}

/// The name a download of `url` gets, given the server's `Content-Disposition`
/// header if it was asked: the header's name when the URL says too little
/// ([`worth_asking`]), else the URL's. Adding a job and `probe_url` both use it.
pub fn download_name(url: &url::Url, disposition: Option<&str>) -> String {
    let offered = disposition.filter(|_| worth_asking(url)).and_then(from_disposition);
    offered.unwrap_or_else(|| from_url(url))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `dir/name`, or `dir/name (1)`, `dir/name (2)`, … when taken (or in `taken`).
pub fn unique_path(dir: &Path, name: &str, taken: &HashSet<PathBuf>) -> PathBuf {
    let candidate = dir.join(name);
    if !candidate.exists() && !taken.contains(&candidate) {
        return candidate;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
        _ => (name.to_string(), String::new()),
    };
    (1..10_000)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists() && !taken.contains(p))
        .unwrap_or_else(|| dir.join(format!("{stem} ({}){ext}", uuid::Uuid::new_v4())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_never_escape_the_folder() {
        for (input, want) in [
            ("../../etc/passwd", "_.._etc_passwd"),
            ("..", FALLBACK_NAME),
            ("", FALLBACK_NAME),
            (".bashrc", "bashrc"),
            ("a/b\\c", "a_b_c"),
            ("report.pdf", "report.pdf"),
            ("name. ", "name"),
            ("tab\there", "tab_here"),
            ("CON", "_CON"),
            ("nul.txt", "_nul.txt"),
            ("com1.tar.gz", "_com1.tar.gz"),
            ("COM0", "COM0"),
            ("console.log", "console.log"),
        ] {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
    }

    #[test]
    fn url_names() {
        let url = |s: &str| url::Url::parse(s).expect("url");
        assert_eq!(from_url(&url("http://h/dir/file%20name.iso?x=1")), "file name.iso");
        assert_eq!(from_url(&url("http://h/")), FALLBACK_NAME);
        assert_eq!(from_url(&url("http://h/a/%2e%2e%2fetc")), "_etc");
        assert_eq!(from_url(&url("http://h/a/%é%4")), "%é%4");
    }

    #[test]
    fn disposition_names() {
        assert_eq!(from_disposition("attachment; filename=\"a b.zip\"").as_deref(), Some("a b.zip"));
        assert_eq!(
            from_disposition("attachment; filename=\"x\"; filename*=UTF-8''%C3%A9t%C3%A9.txt").as_deref(),
            Some("été.txt")
        );
        assert_eq!(from_disposition("attachment; filename=\"../../x\"").as_deref(), Some("_.._x"));
        assert_eq!(from_disposition("inline").as_deref(), None);
    }

    #[test]
    fn the_server_names_only_what_the_url_does_not() {
        let url = |s: &str| url::Url::parse(s).expect("url");
        let offered = Some("attachment; filename=\"report.pdf\"");
        assert_eq!(download_name(&url("http://h/get.php?id=7"), offered), "report.pdf");
        assert_eq!(download_name(&url("http://h/get/12"), offered), "report.pdf");
        assert_eq!(download_name(&url("http://h/files/a.iso"), offered), "a.iso");
        assert_eq!(download_name(&url("http://h/get/12"), None), "12");
        assert_eq!(download_name(&url("http://h/"), Some("inline")), FALLBACK_NAME);
    }

    #[test]
    fn unique_paths_count_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.txt"), b"x").expect("write");
        let none = HashSet::new();
        assert_eq!(unique_path(dir.path(), "a.txt", &none), dir.path().join("a (1).txt"));
        let taken = HashSet::from([dir.path().join("a (1).txt")]);
        assert_eq!(unique_path(dir.path(), "a.txt", &taken), dir.path().join("a (2).txt"));
        assert_eq!(unique_path(dir.path(), "b", &none), dir.path().join("b"));
    }

    /// Whatever a server or a URL offers, the name stays in the folder, is
    /// not empty, hidden, `.`/`..` or a name Windows keeps for devices.
    #[test]
    fn no_offered_name_escapes_the_folder_or_is_unusable() {
        use proptest::prelude::*;
        let check_name = |name: &str| -> Result<(), TestCaseError> {
            prop_assert!(!name.is_empty() && name.len() <= 200, "{name:?}");
            prop_assert!(!name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']), "{name:?}");
            prop_assert!(!name.chars().any(char::is_control), "{name:?}");
            prop_assert!(!name.starts_with('.') && !name.ends_with(['.', ' ']), "{name:?}");
            prop_assert!(!reserved_on_windows(name), "{name:?}");
            let dir = Path::new("/downloads");
            let joined = dir.join(name);
            prop_assert_eq!(joined.parent(), Some(dir));
            Ok(())
        };
        let device = "(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9]) ?(\\.[a-z]{0,3}){0,2}";
        crate::props::check(prop_oneof![any::<String>(), device.prop_map(String::from)], |text| {
            check_name(&sanitize(&text))
        });
        crate::props::check("[ -~]{0,80}", |header| {
            let header = format!("attachment; filename*=UTF-8''{header}; filename=\"{header}\"");
            match from_disposition(&header) {
                Some(name) => check_name(&name),
                None => Ok(()),
            }
        });
        crate::props::check("(%[0-9A-Fa-f]{2}|[a-zA-Z0-9._~/-]|%2[eEfF]){0,60}", |path| {
            let Ok(url) = url::Url::parse(&format!("https://example.com/{path}")) else { return Ok(()) };
            check_name(&from_url(&url))?;
            check_name(&download_name(&url, Some("attachment; filename=\"../../x\"")))
        });
    }
}
