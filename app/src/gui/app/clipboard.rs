//! Links copied in other programs, offered in a notification ("Download with
//! Haul") while the user's setting says so; a click opens the add dialog.

use super::*;
use crate::gui::clipboard_watch::{Offers, Watcher, extensions};

/// The clipboard watcher while the setting is on, and what was offered.
#[derive(Default)]
pub(super) struct Watching {
    /// Reading now (the setting is on).
    active: Option<Watcher>,
    /// The watcher a test gave, used instead of the system clipboard.
    given: Option<Watcher>,
    /// Whether `given` was a test's (kept while off, not dropped).
    test_source: bool,
    offers: Offers,
}

impl Watching {
    /// Watching, off until the setting is on; `given` stands in for the system clipboard.
    pub(super) fn new(given: Option<Watcher>) -> Watching {
        Watching { test_source: given.is_some(), given, ..Default::default() }
    }
}

impl HaulApp {
    /// Starts or stops watching as the setting says, and offers new links.
    pub(super) fn watch_clipboard(&mut self, ctx: &egui::Context, looking: bool) {
        let watching = &mut self.clipboard;
        if !self.prefs.watch_clipboard {
            if let Some(active) = watching.active.take() {
                // Off: the system watcher is dropped (its thread stops); a
                // test's waits for the next time.
                if watching.test_source {
                    watching.given = Some(active);
                }
                watching.offers = Offers::default();
            }
            return;
        }
        if watching.active.is_none() {
            watching.active = watching.given.take().or_else(|| Watcher::system(ctx.clone()));
            // The links already listed, so that copying one again offers nothing.
            for job_id in self.model.jobs_without_files(KNOWN_LINKS) {
                self.bridge.send(Command::LoadFiles(job_id));
            }
        }
        let Some(active) = &watching.active else { return };
        let types = extensions(&self.prefs.clipboard_types);
        let model = &self.model;
        let mut offered = Vec::new();
        for text in active.texts() {
            let links = watching.offers.consider(&text, looking, &types, |link| model.job_with_url(link).is_some());
            if !links.is_empty() {
                offered.push(links);
            }
        }
        for links in offered {
            self.offer(links, looking);
        }
    }

    /// A notification (and, without desktop notifications, a toast) offering `links`.
    fn offer(&mut self, links: Vec<String>, looking: bool) {
        let title = match links.as_slice() {
            [one] => format!("Download {} with Haul?", link_name(one)),
            many => format!("Download {} copied links with Haul?", many.len()),
        };
        let body = links.join("\n");
        let action = ToastAction::AddLinks(links);
        if !self.prefs.desktop_notifications {
            self.model.toasts.push(NewToast {
                level: Level::Info,
                title: title.clone(),
                body: body.clone(),
                actions: vec![action.clone()],
                ttl: Some(Duration::from_secs(30)),
            });
        }
        let notice = Notice {
            title,
            body,
            failed: false,
            summary: false,
            plain: true,
            actions: vec![action.clone()],
            click: Some(action),
        };
        self.notify(notice, looking);
    }

    /// Another program (the browser extension) asked for the add dialog with
    /// these links and headers: it opens (or gets them) and the window comes up.
    pub(super) fn asked_to_add(&mut self, dialog: haul_core::protocol::OpenAddDialog, ctx: &egui::Context) {
        let links: Vec<String> = dialog.links.iter().map(|l| l.as_str().to_string()).collect();
        self.links_to_dialog(&links.join("\n"));
        if let Some(add) = &mut self.add {
            for header in dialog.headers {
                if !add.headers.lines().any(|l| l.trim() == header) {
                    if !add.headers.is_empty() && !add.headers.ends_with('\n') {
                        add.headers.push('\n');
                    }
                    add.headers.push_str(&header);
                }
            }
        }
        self.show_window(ctx);
    }

    /// "Download with Haul": the add dialog with the links (added to an open one).
    pub(super) fn offered_links(&mut self, links: Vec<String>) {
        self.links_to_dialog(&links.join("\n"));
    }
}

/// The file name at the end of a link, for the notification's title.
fn link_name(link: &str) -> &str {
    let path = link.split(['?', '#']).next().unwrap_or(link);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(link)
}
