//! The add dialog's preview: for each pasted link, the name, size and whether
//! it can resume, asked of the service (`probe_url`) in the background once
//! the URL field has stopped changing for a moment.

use crate::units;
use eframe::egui::{self, RichText, Ui};
use haul_core::model::RemoteUrl;
use haul_core::naming;
use haul_core::protocol::ProbeResult;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long the URL field must stay unchanged before its links are asked about.
pub const SETTLE: Duration = Duration::from_millis(500);
/// The most links previewed (the first ones of the field).
pub const MOST: usize = 20;

/// What is known of one link.
#[derive(Clone, Debug, PartialEq)]
pub enum Preview {
    /// Asked; no answer yet.
    Asking,
    /// The server's answer.
    Ready(ProbeResult),
    /// Why the server could not tell (one sentence).
    Failed(String),
}

/// What the dialog should do about previews this frame.
#[derive(Debug, PartialEq)]
pub enum Due {
    /// Nothing.
    Idle,
    /// Draw again after this long (the field is still settling).
    Wait(Duration),
    /// Ask about these links: each as typed, and parsed.
    Ask(Vec<(String, RemoteUrl)>),
}

/// The previews of one dialog, keyed by the link as typed.
#[derive(Debug, Default)]
pub struct Previews {
    seen: String,
    changed_at: Option<Instant>,
    known: HashMap<String, Preview>,
}

impl Previews {
    /// Notes the URL field as it is `now`; once it has settled, hands out the
    /// valid links (among the first [`MOST`]) not asked about yet.
    pub fn due(&mut self, field: &str, now: Instant) -> Due {
        if field != self.seen {
            self.seen = field.to_string();
            self.changed_at = Some(now);
        }
        let Some(changed_at) = self.changed_at else { return Due::Idle };
        let waited = now.saturating_duration_since(changed_at);
        if waited < SETTLE {
            return Due::Wait(SETTLE - waited);
        }
        self.changed_at = None;
        let mut ask = Vec::new();
        for link in links(field) {
            if self.known.contains_key(link) || ask.iter().any(|(asked, _)| asked == link) {
                continue;
            }
            if let Ok(url) = RemoteUrl::parse(link) {
                ask.push((link.to_string(), url));
            }
        }
        for (link, _) in &ask {
            self.known.insert(link.clone(), Preview::Asking);
        }
        if ask.is_empty() { Due::Idle } else { Due::Ask(ask) }
    }

    /// The answer for `link` (dropped unless it was asked about).
    pub fn arrived(&mut self, link: String, outcome: Result<ProbeResult, String>) {
        if let Some(slot) = self.known.get_mut(&link) {
            *slot = match outcome {
                Ok(result) => Preview::Ready(result),
                Err(why) => Preview::Failed(why),
            };
        }
    }

    /// What is known of `link`, if it was asked about.
    pub fn get(&self, link: &str) -> Option<&Preview> {
        self.known.get(link)
    }

    /// One line per link asked about, in the field's order.
    pub fn ui(&self, ui: &mut Ui, field: &str) {
        let dark = ui.visuals().dark_mode;
        let mut first = true;
        for link in links(field) {
            let Some(preview) = self.known.get(link) else { continue };
            if std::mem::take(&mut first) {
                ui.add_space(2.0);
            }
            let text = line(link, preview);
            let text = match preview {
                Preview::Asking => RichText::new(text).weak(),
                Preview::Ready(_) => RichText::new(text),
                Preview::Failed(_) => RichText::new(text).color(super::widgets::level_color(Some(false), dark)),
            };
            ui.add(egui::Label::new(text).truncate()).on_hover_text(link);
        }
    }
}

/// The first [`MOST`] distinct links of the field, trimmed.
fn links(field: &str) -> impl Iterator<Item = &str> {
    let mut seen = Vec::new();
    field
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(move |l| {
            let new = !seen.contains(l);
            if new {
                seen.push(*l);
            }
            new
        })
        .take(MOST)
}

/// A link's preview as a user reads it: "name — 3.0 MB — can resume".
pub fn line(link: &str, preview: &Preview) -> String {
    match preview {
        Preview::Asking => {
            let name = url::Url::parse(link).map(|u| naming::from_url(&u)).unwrap_or_else(|_| link.to_string());
            format!("{name} — checking…")
        }
        Preview::Ready(found) if found.stream.is_some() => {
            format!("{} — stream: {}", found.file_name, found.stream.as_deref().unwrap_or_default())
        }
        Preview::Ready(found) => {
            let size = found.size.map_or_else(|| "size unknown".to_string(), units::size);
            let resume =
                if found.resumable { "can resume" } else { "cannot resume (the server does not support ranges)" };
            format!("{} — {size} — {resume}", found.file_name)
        }
        Preview::Failed(why) => why.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(size: Option<u64>, resumable: bool) -> ProbeResult {
        ProbeResult {
            final_url: "http://h/a.iso".into(),
            file_name: "a.iso".into(),
            size,
            resumable,
            content_type: None,
            stream: None,
        }
    }

    #[test]
    fn links_are_asked_about_once_the_field_settles() {
        let mut previews = Previews::default();
        let start = Instant::now();
        let field = "http://h/a.iso\nnot a link\nhttp://h/a.iso\nhttp://h/b.iso";
        assert!(matches!(previews.due(field, start), Due::Wait(_)));
        assert!(matches!(previews.due(field, start + SETTLE / 2), Due::Wait(_)));
        let Due::Ask(asked) = previews.due(field, start + SETTLE) else { panic!("due once settled") };
        let links: Vec<&str> = asked.iter().map(|(link, _)| link.as_str()).collect();
        assert_eq!(links, ["http://h/a.iso", "http://h/b.iso"], "valid links, each once");
        assert_eq!(previews.due(field, start + SETTLE * 3), Due::Idle, "asked once");
        let longer = format!("{field}\nhttp://h/c.iso");
        assert!(matches!(previews.due(&longer, start + SETTLE * 3), Due::Wait(_)));
        let Due::Ask(asked) = previews.due(&longer, start + SETTLE * 5) else { panic!("the new link") };
        assert_eq!(asked.len(), 1, "only the link not asked about yet");
    }

    #[test]
    fn at_most_the_first_links_are_asked_about() {
        let mut previews = Previews::default();
        let field: String = (0..50).map(|n| format!("http://h/{n}.iso\n")).collect();
        let start = Instant::now();
        previews.due(&field, start);
        let Due::Ask(asked) = previews.due(&field, start + SETTLE) else { panic!("due") };
        assert_eq!(asked.len(), MOST);
    }

    #[test]
    fn lines_read_as_a_user_would_say_them() {
        let mut previews = Previews::default();
        let start = Instant::now();
        previews.due("http://h/a.iso", start);
        previews.due("http://h/a.iso", start + SETTLE);
        assert_eq!(line("http://h/a.iso", previews.get("http://h/a.iso").expect("asked")), "a.iso — checking…");
        previews.arrived("http://h/a.iso".into(), Ok(found(Some(3_000_000), true)));
        previews.arrived("http://h/other".into(), Err("never asked".into()));
        assert_eq!(previews.get("http://h/other"), None);
        let ready = previews.get("http://h/a.iso").expect("answered");
        assert_eq!(line("http://h/a.iso", ready), "a.iso — 3.0 MB — can resume");
        let plain = Preview::Ready(found(None, false));
        assert_eq!(line("x", &plain), "a.iso — size unknown — cannot resume (the server does not support ranges)");
        let stream =
            ProbeResult { file_name: "v.mp4".into(), stream: Some("6 segments (24 s)".into()), ..found(None, true) };
        assert_eq!(line("x", &Preview::Ready(stream)), "v.mp4 — stream: 6 segments (24 s)");
    }
}
