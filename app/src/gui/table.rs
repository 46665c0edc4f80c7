//! The queue table: one virtualised row per shown job (only the rows in view
//! are laid out, so 10,000 jobs scroll smoothly), sortable headers, multi-select
//! and the row context menu.

use super::format;
use super::view_model::{SortColumn, ViewModel, fraction};
use super::widgets::{UiAction, state_color};
use eframe::egui::{self, Align, Layout, RichText, Sense, Ui};
use egui_extras::{Column, TableBuilder};
use haul_core::model::{Job, JobState, Priority};

/// Row height in points.
const ROW_HEIGHT: f32 = 22.0;

/// The table, or the empty state when there is nothing to show.
pub fn table_ui(ui: &mut Ui, model: &mut ViewModel, actions: &mut Vec<UiAction>) {
    model.visible();
    if model.rows().is_empty() {
        return empty_ui(ui, model, actions);
    }
    let dark = ui.visuals().dark_mode;
    let now = chrono::Utc::now();
    let sort = model.sort;
    let modifiers = ui.input(|i| i.modifiers);
    let model = &*model;
    // A narrow window scrolls the table sideways rather than cutting columns.
    egui::ScrollArea::horizontal().id_salt("jobs-sideways").show(ui, |ui| {
        rows_ui(ui, model, sort, dark, now, modifiers, actions);
    });
}

fn rows_ui(
    ui: &mut Ui,
    model: &ViewModel,
    sort: super::view_model::Sort,
    dark: bool,
    now: chrono::DateTime<chrono::Utc>,
    modifiers: egui::Modifiers,
    actions: &mut Vec<UiAction>,
) {
    let rows = model.rows();
    let table = TableBuilder::new(ui)
        .id_salt("jobs")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::remainder().at_least(140.0).clip(true))
        .column(Column::initial(130.0).at_least(80.0).clip(true))
        .column(Column::initial(130.0).at_least(60.0))
        .column(Column::initial(72.0).at_least(48.0))
        .column(Column::initial(84.0).at_least(48.0))
        .column(Column::initial(76.0).at_least(48.0))
        .column(Column::initial(58.0).at_least(40.0))
        .column(Column::initial(80.0).at_least(48.0))
        .column(Column::initial(92.0).at_least(48.0).clip(true))
        .min_scrolled_height(0.0);
    table
        .header(ROW_HEIGHT, |mut header| {
            for column in SortColumn::ALL {
                header.col(|ui| {
                    let arrow = match (sort.column == column, sort.ascending) {
                        (false, _) => "",
                        (true, true) => " ⏶",
                        (true, false) => " ⏷",
                    };
                    let text = RichText::new(format!("{}{arrow}", column.label())).strong();
                    let clicked = ui
                        .add(egui::Button::selectable(sort.column == column, text).frame(false))
                        .on_hover_text(format!("Sort by {}", column.label().to_lowercase()))
                        .clicked();
                    if clicked {
                        actions.push(UiAction::Sort(column));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let job = model.job_at(rows[row.index()]);
                let selected = model.selection.contains(job.id);
                row.set_selected(selected);
                cells_ui(&mut row, job, dark, now);
                let response = row.response();
                if response.clicked() {
                    actions.push(UiAction::Click {
                        job_id: job.id,
                        toggle: modifiers.command,
                        extend: modifiers.shift,
                    });
                }
                if response.double_clicked() {
                    actions.push(UiAction::Open);
                }
                if response.secondary_clicked() && !selected {
                    actions.push(UiAction::SelectOnly(job.id));
                }
                response.context_menu(|ui| context_menu_ui(ui, job, actions));
            });
        });
}

fn cells_ui(row: &mut egui_extras::TableRow<'_, '_>, job: &Job, dark: bool, now: chrono::DateTime<chrono::Utc>) {
    row.col(|ui| {
        ui.add(egui::Label::new(&job.display_name).truncate().selectable(false));
    });
    row.col(|ui| {
        let (text, hover) = state_text(job, now);
        let label = ui.add(
            egui::Label::new(RichText::new(text).color(state_color(job.state, dark))).truncate().selectable(false),
        );
        if let Some(hover) = hover {
            label.on_hover_text(hover);
        }
    });
    row.col(|ui| {
        let done = fraction(job);
        let bar = egui::ProgressBar::new(done).desired_height(ROW_HEIGHT - 6.0).text(progress_text(job));
        ui.add(bar.fill(bar_fill(done, state_color(job.state, dark))));
    });
    row.col(|ui| {
        ui.label(size_text(job));
    });
    row.col(|ui| {
        ui.label(transferred_text(job));
    });
    row.col(|ui| {
        ui.label(if job.state.is_running() { format::speed(job.speed_bps) } else { "—".into() });
    });
    row.col(|ui| {
        ui.label(if job.state.is_running() { format::eta(job.eta_s) } else { "—".into() });
    });
    row.col(|ui| {
        ui.label(format::priority(job.priority));
    });
    row.col(|ui| {
        ui.label(format::ago(job.times.created, now)).on_hover_text(job.times.created.to_rfc2822());
    });
}

/// The progress bar's fill: none at all at 0 % (egui would draw a round blob).
pub fn bar_fill(done: f32, color: egui::Color32) -> egui::Color32 {
    if done <= 0.0 { egui::Color32::TRANSPARENT } else { color.gamma_multiply(0.8) }
}

/// The progress cell's words: the percent, or the bytes while the size is
/// unknown, or "—" for a failure that got nothing.
fn progress_text(job: &Job) -> String {
    match job.progress.bytes_total {
        None if job.state == JobState::Error && job.progress.bytes_transferred == 0 => "—".into(),
        None if !matches!(job.state, JobState::Transferred | JobState::Acknowledged) => {
            format::size(job.progress.bytes_transferred)
        }
        _ => format!("{}%", super::view_model::percent(job)),
    }
}

/// The size, or "unknown" ("—" once failed: it will not be learned).
fn size_text(job: &Job) -> String {
    match job.progress.bytes_total {
        Some(total) => format::size(total),
        None if job.state == JobState::Error => "—".into(),
        None => "unknown".into(),
    }
}

/// The bytes so far ("—" for a failure that got none).
fn transferred_text(job: &Job) -> String {
    if job.state == JobState::Error && job.progress.bytes_transferred == 0 {
        "—".into()
    } else {
        format::size(job.progress.bytes_transferred)
    }
}

/// The state cell: icon, word and detail; the reason on hover.
fn state_text(job: &Job, now: chrono::DateTime<chrono::Utc>) -> (String, Option<String>) {
    let icon = format::state_icon(job.state);
    let word = format::state_word(job.state);
    let reason = job.error.as_deref().map(format::error_words);
    match job.state {
        JobState::TransientError => {
            let due = job.times.modified + chrono::Duration::seconds(job.minimum_retry_delay_s as i64);
            let left = (due - now).num_seconds();
            let text = if left > 0 { format!("{icon} {word} in {left} s") } else { format!("{icon} {word}") };
            (text, reason)
        }
        JobState::Error => {
            let status = job.error.as_ref().and_then(|e| e.http_status).map(|s| format!(" ({s})")).unwrap_or_default();
            (format!("{icon} {word}{status}"), reason)
        }
        JobState::Transferred => {
            (format!("{icon} {word}"), Some("Downloaded; Finish now (right click) moves the files into place".into()))
        }
        _ => (format!("{icon} {word}"), None),
    }
}

/// The right-click menu; it acts on the selection.
fn context_menu_ui(ui: &mut Ui, job: &Job, actions: &mut Vec<UiAction>) {
    let mut item = |ui: &mut Ui, text: &str, enabled: bool, action: UiAction| {
        if ui.add_enabled(enabled, egui::Button::new(text)).clicked() {
            actions.push(action);
            ui.close();
        }
    };
    let state = job.state;
    let live = !state.is_final();
    item(ui, "Open", state == JobState::Acknowledged, UiAction::Open);
    item(ui, "Show in folder", true, UiAction::Reveal);
    item(ui, "Copy URL", true, UiAction::CopyUrl);
    ui.separator();
    item(ui, "Resume", matches!(state, JobState::Suspended), UiAction::Resume);
    item(ui, "Pause", super::widgets::can_pause(state), UiAction::Suspend);
    item(ui, "Retry", matches!(state, JobState::Error | JobState::TransientError), UiAction::Retry);
    item(ui, "Finish now", live, UiAction::AskComplete);
    item(ui, "Cancel", live, UiAction::AskCancel);
    ui.separator();
    item(ui, "Remove", true, UiAction::Remove);
    item(ui, "Remove and delete the file…", state == JobState::Acknowledged, UiAction::AskDeleteFiles);
    ui.separator();
    ui.add_enabled_ui(live, |ui| {
        ui.menu_button("Priority", |ui| {
            for priority in [Priority::Foreground, Priority::High, Priority::Normal, Priority::Low] {
                if ui.radio(job.priority == priority, format::priority(priority)).clicked() {
                    actions.push(UiAction::SetPriority(priority));
                    ui.close();
                }
            }
        });
    });
}

/// No rows: say why, and what to do.
fn empty_ui(ui: &mut Ui, model: &ViewModel, actions: &mut Vec<UiAction>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.3);
        if !model.loaded {
            ui.heading("Connecting to the Haul service…");
            ui.label("Your downloads appear here as soon as the service answers.");
        } else if model.count(super::view_model::StateFilter::All) == 0 {
            ui.heading("No downloads yet");
            ui.label("Paste or drop a link, or press Ctrl+N.");
            ui.add_space(8.0);
            if super::widgets::icon_button(ui, "➕", "Add download", true, "Add downloads (Ctrl+N)").clicked() {
                actions.push(UiAction::OpenAdd(None));
            }
        } else {
            ui.heading("Nothing matches");
            ui.label("No download matches this filter.");
            if ui.button("Show all").clicked() {
                actions.push(UiAction::ClearList);
                actions.push(UiAction::Filter(super::view_model::StateFilter::All));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::view_model::test_job;

    #[test]
    fn no_blob_at_zero_and_a_failure_shows_no_zero_bytes() {
        assert_eq!(bar_fill(0.0, egui::Color32::RED), egui::Color32::TRANSPARENT);
        assert_ne!(bar_fill(0.01, egui::Color32::RED), egui::Color32::TRANSPARENT);
        let mut failed = test_job("gone.zip", JobState::Error, 1);
        assert_eq!(
            (progress_text(&failed), size_text(&failed), transferred_text(&failed)),
            ("—".into(), "—".into(), "—".into())
        );
        failed.progress.bytes_total = Some(2_000_000);
        failed.progress.bytes_transferred = 500_000;
        assert_eq!((progress_text(&failed), size_text(&failed)), ("25%".into(), "2.0 MB".into()));
    }
}
