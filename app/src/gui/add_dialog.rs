//! The add dialog: several URLs (one per line, one download each unless "as
//! one batch" is ticked), the folder (typed or picked with the native dialog
//! on its own thread), name, priority, optional sha256 and headers. Problems
//! are shown inline as they are typed; Download is enabled only when there are none.
//! Each link gets a preview line (name, size, can resume) once its server answers.

use super::add_preview::Previews;
use super::folder_picker::{Picked, pick_folder};
use super::format;
use crate::jobs_add::{NewAccess, NewDownload};
use eframe::egui::{self, RichText, Ui};
use haul_core::model::{AuthScheme, JobId, Priority, RemoteUrl, check_header, check_sha256};
use haul_core::protocol::JobChanges;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

/// What the dialog decided this frame.
#[derive(Debug, PartialEq)]
pub enum AddOutcome {
    /// Still open.
    Open,
    /// Closed without adding.
    Cancelled,
    /// Add these: one per link, or one batch.
    Submit(Vec<NewDownload>),
    /// Close, and show this job already on the list (a link added before).
    ShowExisting(JobId),
}

/// The dialog's fields.
#[derive(Debug, Default)]
pub struct AddDialog {
    /// URLs, one per line.
    pub urls: String,
    /// The target folder.
    pub folder: String,
    /// The job's name (empty: the first file's).
    pub name: String,
    /// Priority.
    pub priority: Priority,
    /// Expected sha256 (empty: none).
    pub sha256: String,
    /// Extra headers, one per line.
    pub headers: String,
    /// The server's user name (empty: none).
    pub user_name: String,
    /// Its password (never shown by `Debug`).
    pub password: Password,
    /// Several links make one download (one job of several files), not one each.
    pub batch: bool,
    /// What the pasted links' servers said.
    pub previews: Previews,
    picking: Option<Receiver<Picked>>,
    /// Why Browse… could not show a picker.
    picker_problem: Option<String>,
    focused: bool,
}

/// A password typed in the dialog; `Debug` shows only whether there is one.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "Password(empty)" } else { "Password(***)" })
    }
}

/// Which job on the list already downloads a URL: its id and name.
pub type Existing<'a> = dyn Fn(&str) -> Option<(JobId, String)> + 'a;

/// The non-empty lines of a field, trimmed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// The fields read and checked.
#[derive(Debug, PartialEq)]
pub struct Checked {
    /// The URLs, trimmed.
    pub urls: Vec<String>,
    /// What is wrong, one sentence each.
    pub problems: Vec<String>,
}

impl AddDialog {
    /// A dialog saving into `folder`, maybe with URLs filled in.
    pub fn new(folder: &Path, urls: Option<String>) -> Self {
        AddDialog { urls: urls.unwrap_or_default(), folder: folder.display().to_string(), ..Default::default() }
    }

    /// Reads the fields and says what is wrong with them (the rules are the
    /// service's own: `model::values`).
    pub fn check(&self) -> Checked {
        let urls: Vec<String> = lines(&self.urls).map(str::to_string).collect();
        let mut problems: Vec<String> =
            urls.iter().filter_map(|url| RemoteUrl::parse(url).err()).map(|e| e.0).collect();
        let folder = Path::new(self.folder.trim());
        if self.folder.trim().is_empty() {
            problems.push("Choose a folder to save into.".into());
        } else if !folder.is_absolute() || !folder.is_dir() {
            problems.push(format!("The folder {} does not exist.", folder.display()));
        }
        let sha256 = self.sha256.trim();
        if !sha256.is_empty() {
            if let Err(e) = check_sha256(sha256) {
                problems.push(e.0);
            } else if urls.len() > 1 {
                problems.push("A SHA-256 applies to a single URL.".into());
            }
        }
        problems.extend(lines(&self.headers).filter_map(|header| check_header(header).err()).map(|e| e.0));
        let user = self.user_name.trim();
        if user.contains(':') {
            problems.push("A user name cannot hold ':'.".into());
        } else if user.is_empty() && !self.password.0.is_empty() {
            problems.push("A password needs a user name.".into());
        }
        Checked { urls, problems }
    }

    /// The headers typed that are valid (sent with the previews' probes).
    pub fn valid_headers(&self) -> Vec<String> {
        lines(&self.headers).filter(|h| check_header(h).is_ok()).map(str::to_string).collect()
    }

    /// The download as one batch (every URL one file of one job), if the
    /// fields are complete and valid.
    pub fn request(&self, auto_complete: bool) -> Option<NewDownload> {
        let checked = self.check();
        if !checked.problems.is_empty() || checked.urls.is_empty() {
            return None;
        }
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let headers: Vec<String> = lines(&self.headers).map(str::to_string).collect();
        Some(NewDownload {
            urls: checked.urls.iter().map(|url| RemoteUrl::parse(url)).collect::<Result<_, _>>().ok()?,
            dir: PathBuf::from(self.folder.trim()),
            name: text(&self.name),
            priority: Some(self.priority),
            sha256: text(&self.sha256).and_then(|hex| check_sha256(&hex).ok()),
            auto_complete,
            settings: JobChanges { custom_headers: (!headers.is_empty()).then_some(headers), ..Default::default() },
            access: self.access(),
            // A stream gets its highest variant.
            variant: None,
        })
    }

    /// The credentials typed, for the service's secret store.
    fn access(&self) -> NewAccess {
        let user = self.user_name.trim();
        let login = (!user.is_empty()).then(|| (user.to_string(), self.password.0.clone(), AuthScheme::Any));
        NewAccess { login, ..Default::default() }
    }

    /// What Download adds: one download per link, or one batch when asked
    /// (or when there is a single link). Empty while a field is wrong.
    pub fn requests(&self, auto_complete: bool) -> Vec<NewDownload> {
        let Some(batch) = self.request(auto_complete) else {
            return Vec::new();
        };
        if self.batch || batch.urls.len() == 1 {
            return vec![batch];
        }
        // One row per link, each named after its own file.
        let one = |url: &RemoteUrl| NewDownload { urls: vec![url.clone()], name: None, ..batch.clone() };
        batch.urls.iter().map(one).collect()
    }

    /// Draws the dialog; `existing` names the job already downloading a URL, if any.
    pub fn ui(&mut self, ctx: &egui::Context, auto_complete: bool, existing: &Existing<'_>) -> AddOutcome {
        if let Some(picking) = &self.picking
            && let Ok(picked) = picking.try_recv()
        {
            match picked {
                Ok(Some(folder)) => self.folder = folder.display().to_string(),
                Ok(None) => {}
                Err(why) => self.picker_problem = Some(why),
            }
            self.picking = None;
        }
        // Ctrl+Enter adds from anywhere in the dialog, before the URL field
        // takes the Enter as a new line.
        let shortcut = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Enter);
        let start_now = ctx.input_mut(|i| i.consume_shortcut(&shortcut));
        let mut outcome = AddOutcome::Open;
        let modal = egui::Modal::new(egui::Id::unique("haul-add")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("Add downloads");
            ui.add_space(4.0);
            outcome = self.fields_ui(ui, auto_complete, start_now, existing);
        });
        if modal.should_close() && outcome == AddOutcome::Open {
            outcome = AddOutcome::Cancelled;
        }
        outcome
    }

    fn fields_ui(&mut self, ui: &mut Ui, auto_complete: bool, start_now: bool, existing: &Existing<'_>) -> AddOutcome {
        let label = ui.label("URLs, one per line");
        let urls = egui::TextEdit::multiline(&mut self.urls)
            .hint_text("https://example.com/file.iso")
            .desired_rows(4)
            .desired_width(f32::INFINITY);
        let urls = ui.add(urls).labelled_by(label.id);
        if !self.focused {
            urls.request_focus();
            self.focused = true;
        }
        self.previews.ui(ui, &self.urls);
        let checked = self.check();
        let error_color = super::widgets::level_color(Some(false), ui.visuals().dark_mode);
        for problem in &checked.problems {
            ui.label(RichText::new(problem).color(error_color));
        }
        let mut outcome = AddOutcome::Open;
        let warn_color =
            super::widgets::state_color(haul_core::model::JobState::TransientError, ui.visuals().dark_mode);
        for (job_id, name) in checked.urls.iter().filter_map(|url| existing(url)) {
            ui.horizontal_wrapped(|ui| {
                let text = format!("“{name}” is already on the list; Download adds a second copy.");
                ui.label(RichText::new(text).color(warn_color));
                if ui.button("Show the existing one").clicked() {
                    outcome = AddOutcome::ShowExisting(job_id);
                }
            });
        }
        ui.add_space(6.0);
        egui::Grid::new("add-fields").num_columns(2).spacing([10.0, 6.0]).show(ui, |ui| {
            let label = ui.label("Save to");
            ui.horizontal(|ui| {
                let edit = egui::TextEdit::singleline(&mut self.folder).desired_width(360.0);
                ui.add(edit).labelled_by(label.id);
                let browse = ui.add_enabled(self.picking.is_none(), egui::Button::new("Browse…"));
                if browse.on_hover_text("Choose the folder").clicked() {
                    self.picker_problem = None;
                    self.picking = Some(pick_folder(ui.ctx().clone(), PathBuf::from(self.folder.trim())));
                }
            });
            ui.end_row();
            if let Some(problem) = &self.picker_problem {
                ui.label("");
                ui.add(egui::Label::new(RichText::new(problem).color(error_color)).wrap());
                ui.end_row();
            }
            let label = ui.label("Name");
            let several = checked.urls.len() > 1;
            let named = !several || self.batch;
            let hint = if named { "the first file's name" } else { "each download is named after its file" };
            let edit = egui::TextEdit::singleline(&mut self.name).hint_text(hint);
            ui.add_enabled(named, edit.desired_width(f32::INFINITY)).labelled_by(label.id);
            ui.end_row();
            if several {
                ui.label("Links");
                let text = format!("Download the {} links as one batch (one row)", checked.urls.len());
                ui.checkbox(&mut self.batch, text)
                    .on_hover_text("Unticked: one download per link, each with its own row, progress and retry");
                ui.end_row();
            }
            ui.label("Priority");
            ui.horizontal(|ui| {
                for priority in [Priority::Foreground, Priority::High, Priority::Normal, Priority::Low] {
                    ui.selectable_value(&mut self.priority, priority, format::priority(priority));
                }
            });
            ui.end_row();
            let label = ui.label("SHA-256");
            let edit = egui::TextEdit::singleline(&mut self.sha256).hint_text("optional, checked when done");
            ui.add(edit.desired_width(f32::INFINITY)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Headers");
            let edit = egui::TextEdit::multiline(&mut self.headers).hint_text("Name: value, one per line");
            ui.add(edit.desired_rows(2).desired_width(f32::INFINITY)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("User name");
            let edit = egui::TextEdit::singleline(&mut self.user_name).hint_text("optional, for sites that ask");
            ui.add(edit.desired_width(f32::INFINITY)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Password");
            let edit =
                egui::TextEdit::singleline(&mut self.password.0).password(true).hint_text("kept in the system keyring");
            ui.add(edit.desired_width(f32::INFINITY)).labelled_by(label.id);
            ui.end_row();
        });
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let ready = checked.problems.is_empty() && !checked.urls.is_empty();
            let hint = match (ready, checked.urls.len()) {
                (false, _) => "Fix the fields above first".to_string(),
                (true, 1) => "Download the file (Ctrl+Enter)".into(),
                (true, n) if self.batch => format!("Download the {n} files as one download (Ctrl+Enter)"),
                (true, n) => format!("Add {n} downloads, one per link (Ctrl+Enter)"),
            };
            let submit = ui.add_enabled(ready, egui::Button::new("Download")).on_hover_text(hint);
            let requests =
                if submit.clicked() || (ready && start_now) { self.requests(auto_complete) } else { Vec::new() };
            if !requests.is_empty() {
                outcome = AddOutcome::Submit(requests);
            }
            if ui.button("Cancel").clicked() {
                outcome = AddOutcome::Cancelled;
            }
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_with_the_request_and_never_show_in_debug() {
        let mut dialog = AddDialog::new(&std::env::temp_dir(), Some("http://a/x.iso".into()));
        dialog.user_name = " ann ".into();
        dialog.password = Password("hunter2".into());
        let request = dialog.request(true).expect("valid");
        assert_eq!(request.access.login, Some(("ann".into(), "hunter2".into(), AuthScheme::Any)));
        for shown in [format!("{dialog:?}"), format!("{request:?}")] {
            assert!(!shown.contains("hunter2") && shown.contains("ann"), "{shown}");
        }
        dialog.user_name = "a:b".into();
        assert!(dialog.check().problems.iter().any(|p| p.contains("':'")));
    }

    #[test]
    fn invalid_fields_are_flagged_before_submit() {
        let dir = std::env::temp_dir();
        let mut dialog = AddDialog::new(&dir, Some("http://a/x.iso\n\n  https://b/y.zip  \nftp://c/z".into()));
        let checked = dialog.check();
        assert_eq!(checked.urls.len(), 3);
        assert_eq!(checked.problems.len(), 1);
        assert!(checked.problems[0].contains("only http and https"), "{:?}", checked.problems);
        assert!(dialog.request(true).is_none());
        dialog.urls = "http://a/x.iso\nhttps://b/y.zip".into();
        dialog.sha256 = "abc".into();
        dialog.headers = "X-Token: 1\nbroken".into();
        assert_eq!(dialog.check().problems.len(), 2);
        dialog.sha256.clear();
        dialog.headers = "X-Token: 1".into();
        dialog.name = " My files ".into();
        let request = dialog.request(false).expect("valid");
        let urls: Vec<&str> = request.urls.iter().map(RemoteUrl::as_str).collect();
        assert_eq!(urls, ["http://a/x.iso", "https://b/y.zip"]);
        assert_eq!(request.name.as_deref(), Some("My files"));
        assert_eq!(request.settings.custom_headers, Some(vec!["X-Token: 1".to_string()]));
        assert!(!request.auto_complete);
        let each = dialog.requests(false);
        assert_eq!(each.len(), 2, "one download per link");
        assert!(each.iter().all(|d| d.urls.len() == 1 && d.name.is_none()));
        dialog.batch = true;
        assert_eq!(dialog.requests(false), vec![request], "one batch when asked");
        dialog.folder = "/no/such/folder/anywhere".into();
        assert!(dialog.check().problems[0].contains("does not exist"));
    }
}
