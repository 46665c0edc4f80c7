//! Links in files dropped onto the window (winit delivers dropped files, not
//! dragged text): Internet Shortcuts (`.url`), link desktop entries
//! (`.desktop`, `Type=Link`), `.webloc` and small plain-text files.

use std::io::Read;
use std::path::Path;

/// Text files larger than this are not read for links.
pub const MAX_TEXT: u64 = 1 << 20;

/// The http(s) links in a dropped file named `name` holding `bytes`, in
/// order, once each. Files of other kinds hold none.
pub fn links_in(name: &str, bytes: &[u8]) -> Vec<String> {
    let extension = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let text = String::from_utf8_lossy(bytes);
    let found = match extension.as_deref() {
        Some("url") => key_values(&text, "InternetShortcut")
            .filter(|(k, _)| k.eq_ignore_ascii_case("URL"))
            .map(|(_, v)| v)
            .collect(),
        Some("desktop") => {
            let entry: Vec<(&str, &str)> = key_values(&text, "Desktop Entry").collect();
            let is_link = entry.iter().any(|(k, v)| *k == "Type" && *v == "Link");
            entry.into_iter().filter(|(k, _)| is_link && *k == "URL").map(|(_, v)| v).collect()
        }
        Some("webloc" | "txt" | "text" | "list") | None => scan(&text),
        Some(_) => Vec::new(),
    };
    let mut links: Vec<String> = Vec::new();
    for link in found.into_iter().filter(|l| is_http(l)) {
        if !links.iter().any(|l| l == link) {
            links.push(link.to_string());
        }
    }
    links
}

/// Whether a dropped file named `name` may hold links worth reading.
pub fn may_hold_links(name: &str) -> bool {
    let extension = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(extension.as_deref(), Some("url" | "desktop" | "webloc" | "txt" | "text" | "list") | None)
}

/// Reads the links in the dropped file at `path` (at most [`MAX_TEXT`] of it).
pub fn links_in_file(path: &Path) -> Vec<String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !may_hold_links(&name) {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(MAX_TEXT).read_to_end(&mut bytes));
    if let Err(e) = read {
        tracing::info!("cannot read the dropped {}: {e}", path.display());
        return Vec::new();
    }
    links_in(&name, &bytes)
}

/// The `key=value` lines of an ini-style `[section]`.
fn key_values<'a>(text: &'a str, section: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    let mut inside = false;
    text.lines().map(str::trim).filter_map(move |line| {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name == section;
            return None;
        }
        let (key, value) = line.split_once('=')?;
        inside.then(|| (key.trim(), value.trim()))
    })
}

/// The http(s) links anywhere in `text`, without the punctuation around them.
fn scan(text: &str) -> Vec<&str> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(candidate.len());
        let link = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        links.push(link);
        rest = &candidate[end.max(1)..];
    }
    links
}

/// Where the next `http://` or `https://` starts (any case).
fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    [lower.find("http://"), lower.find("https://")].into_iter().flatten().min()
}

fn is_http(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_by_kind_of_file() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "Ubuntu.url",
                "[InternetShortcut]\r\nURL=https://releases.ubuntu.com/ubuntu.iso\r\nIconIndex=0\r\n",
                &["https://releases.ubuntu.com/ubuntu.iso"],
            ),
            ("lower.URL", "[InternetShortcut]\nurl=http://a.example/x\n", &["http://a.example/x"]),
            ("ftp.url", "[InternetShortcut]\nURL=ftp://a.example/x\n", &[]),
            ("other-section.url", "[Other]\nURL=https://a.example/x\n", &[]),
            (
                "link.desktop",
                "[Desktop Entry]\nType=Link\nName=ISO\nURL=https://a.example/a.iso\n",
                &["https://a.example/a.iso"],
            ),
            (
                "app.desktop",
                "[Desktop Entry]\nType=Application\nExec=x https://a.example/\nURL=https://a.example/b\n",
                &[],
            ),
            (
                "page.webloc",
                "<plist><dict><key>URL</key><string>https://a.example/w.zip</string></dict></plist>",
                &["https://a.example/w.zip"],
            ),
            (
                "links.txt",
                "Get https://a.example/1.zip, then (https://a.example/2.zip).\nhttps://a.example/1.zip again\nHTTP://B.example/3\n",
                &["https://a.example/1.zip", "https://a.example/2.zip", "HTTP://B.example/3"],
            ),
            (
                "README",
                "see <https://a.example/r?x=1&y=2> or \"http://a.example/q\"",
                &["https://a.example/r?x=1&y=2", "http://a.example/q"],
            ),
            ("notes.txt", "nothing here, http:// alone, mailto:a@example.com", &[]),
            ("movie.mkv", "https://a.example/in-binary", &[]),
        ];
        for (name, text, expected) in cases {
            assert_eq!(links_in(name, text.as_bytes()), *expected, "{name}");
        }
    }

    #[test]
    fn only_text_like_files_are_read() {
        assert!(may_hold_links("a.url") && may_hold_links("a.TXT") && may_hold_links("LINKS"));
        assert!(!may_hold_links("a.iso") && !may_hold_links("photo.png"));
    }

    #[test]
    fn big_files_are_read_only_in_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.txt");
        let mut text = String::from("https://a.example/first\n");
        text.push_str(&" ".repeat(MAX_TEXT as usize));
        text.push_str("https://a.example/beyond\n");
        std::fs::write(&path, text).expect("write");
        assert_eq!(links_in_file(&path), ["https://a.example/first"]);
        assert!(links_in_file(&dir.path().join("missing.txt")).is_empty());
    }
}
