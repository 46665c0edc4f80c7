//! Watching the clipboard (opt-in, off by default): when a link to a file is
//! copied in another program, Haul offers "Download with Haul" in a desktop
//! notification. It never adds anything itself, offers a link once, leaves
//! out links already on the list, and keeps quiet while its own window has the
//! focus (Ctrl+V works there). Only while the setting is on does a thread read
//! the clipboard, once a second; it wakes the window only when the text changed.

use eframe::egui;
use haul_core::model::RemoteUrl;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// The file types offered unless the user lists others.
pub const DEFAULT_EXTENSIONS: &str = "zip rar 7z tar gz bz2 xz zst iso img dmg exe msi deb rpm appimage apk pdf epub mp4 mkv avi mov webm mp3 flac m4a ogg wav";
/// How often the clipboard is read while watching.
const POLL: Duration = Duration::from_secs(1);
/// Clipboard text longer than this is not looked at (a copied document, not links).
const MOST_TEXT: usize = 64 << 10;
/// At most this many links are offered at once.
const MOST_LINKS: usize = 20;

/// The extensions in a user's list ("zip, .ISO mp4" → zip iso mp4).
pub fn extensions(list: &str) -> Vec<String> {
    list.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

/// The http(s) links in `text` whose file name ends in one of `extensions`,
/// in order, without repeats.
pub fn file_links(text: &str, extensions: &[String]) -> Vec<String> {
    if text.len() > MOST_TEXT {
        return Vec::new();
    }
    let mut links: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | ','));
        let Ok(url) = RemoteUrl::parse(word) else { continue };
        let name = url.url().path_segments().and_then(|mut s| s.next_back()).unwrap_or_default();
        let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        if extension.is_some_and(|e| extensions.contains(&e)) && !links.iter().any(|l| l == url.as_str()) {
            links.push(url.as_str().to_string());
        }
        if links.len() == MOST_LINKS {
            break;
        }
    }
    links
}

/// Which copied links to offer: what was on the clipboard when watching began
/// is not offered, nor what was copied while Haul had the focus, nor a link
/// offered before.
#[derive(Debug, Default)]
pub struct Offers {
    /// The clipboard text last seen (None: nothing read yet).
    last: Option<String>,
    /// Links offered (or copied inside Haul) already.
    offered: HashSet<String>,
}

impl Offers {
    /// The links to offer for the clipboard's `text`; `focused`: Haul's window
    /// has the focus; `listed`: whether a link is already a job's.
    pub fn consider(
        &mut self,
        text: &str,
        focused: bool,
        extensions: &[String],
        listed: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let first = self.last.is_none();
        if self.last.as_deref() == Some(text) {
            return Vec::new();
        }
        self.last = Some(text.to_string());
        let links = file_links(text, extensions);
        let fresh: Vec<String> = links.into_iter().filter(|l| !self.offered.contains(l) && !listed(l)).collect();
        self.offered.extend(fresh.iter().cloned());
        if first || focused { Vec::new() } else { fresh }
    }
}

/// The thread that reads the clipboard while watching is on; dropping the
/// watcher stops it.
pub struct Watcher {
    texts: Receiver<String>,
    stop: Arc<AtomicBool>,
}

impl Watcher {
    /// Reads the system clipboard every second (no thread if it cannot be
    /// opened: then watching says so once in the log).
    pub fn system(waker: egui::Context) -> Option<Watcher> {
        let (sender, texts) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let spawned =
            std::thread::Builder::new().name("haul-clipboard".into()).spawn(move || poll(sender, stopped, waker));
        match spawned {
            Ok(_) => Some(Watcher { texts, stop }),
            Err(e) => {
                tracing::warn!("cannot watch the clipboard: {e}");
                None
            }
        }
    }

    /// A watcher fed by the returned sender instead of the clipboard (tests).
    pub fn detached() -> (Watcher, Sender<String>) {
        let (sender, texts) = std::sync::mpsc::channel();
        (Watcher { texts, stop: Arc::new(AtomicBool::new(false)) }, sender)
    }

    /// Clipboard texts read since the last call, oldest first.
    pub fn texts(&self) -> Vec<String> {
        self.texts.try_iter().collect()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn poll(sender: Sender<String>, stop: Arc<AtomicBool>, waker: egui::Context) {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            tracing::warn!("cannot watch the clipboard: {e}");
            return;
        }
    };
    let mut last: Option<String> = None;
    while !stop.load(Ordering::Acquire) {
        // Not text (an image, nothing): nothing to offer.
        let text = clipboard.get_text().unwrap_or_default();
        if last.as_deref() != Some(text.as_str()) {
            last = Some(text.clone());
            if sender.send(text).is_err() {
                return;
            }
            waker.request_repaint();
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Vec<String> {
        extensions(DEFAULT_EXTENSIONS)
    }

    #[test]
    fn only_links_to_files_of_the_listed_types_are_found() {
        let text = "see https://example.com/a.iso and <http://h.example/dl/Setup.EXE>, \
                    https://example.com/page.html https://example.com/a.iso ftp://x/y.zip plain words";
        assert_eq!(file_links(text, &default()), ["https://example.com/a.iso", "http://h.example/dl/Setup.EXE"]);
        assert_eq!(file_links("https://example.com/archive.tar.gz?token=1", &default()).len(), 1);
        assert!(file_links("https://example.com/", &default()).is_empty());
        assert_eq!(extensions(" .ISO, zip;mp4 "), ["iso", "zip", "mp4"]);
        assert!(file_links(&"https://example.com/a.iso ".repeat(10_000), &default()).is_empty(), "too long");
    }

    #[test]
    fn a_link_is_offered_once_never_while_focused_and_not_at_the_start() {
        let mut offers = Offers::default();
        let none = |_: &str| false;
        let ext = default();
        assert!(offers.consider("https://e.com/old.zip", false, &ext, none).is_empty(), "there before watching");
        assert_eq!(offers.consider("https://e.com/a.zip", false, &ext, none), ["https://e.com/a.zip"]);
        assert!(offers.consider("https://e.com/a.zip", false, &ext, none).is_empty(), "the same text");
        assert!(offers.consider("x https://e.com/a.zip", false, &ext, none).is_empty(), "offered before");
        assert!(offers.consider("https://e.com/b.zip", true, &ext, none).is_empty(), "copied inside Haul");
        assert!(offers.consider("https://e.com/c.zip https://e.com/b.zip", false, &ext, none).len() == 1);
        let listed = |l: &str| l.ends_with("d.zip");
        assert!(offers.consider("https://e.com/d.zip", false, &ext, listed).is_empty(), "already a job's");
        assert!(offers.consider("just words", false, &ext, none).is_empty());
    }
}
