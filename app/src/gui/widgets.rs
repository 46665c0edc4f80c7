//! Small shared pieces: buttons whose accessible name is the plain word (not
//! the icon), state colours, and the actions every widget may ask for.

use super::view_model::{SortColumn, StateFilter, ToastAction};
use eframe::egui::{self, Color32, Response, Ui};
use haul_core::model::{JobId, JobState, Priority, RemoteUrl};

/// What a widget asks the window to do (carried out after the frame is drawn).
#[derive(Clone, Debug, PartialEq)]
pub enum UiAction {
    /// Open the add dialog, maybe with URLs filled in.
    OpenAdd(Option<String>),
    /// Resume the selected jobs.
    Resume,
    /// Suspend the selected jobs.
    Suspend,
    /// Space: suspend what runs, else resume.
    TogglePause,
    /// Cancel the selected jobs (asks first).
    AskCancel,
    /// Take the selected jobs off the list (finished ones at once, with Undo;
    /// the others after a question, as they stop and lose their bytes).
    Remove,
    /// Take the selected finished jobs off the list and delete their files (asks first).
    AskDeleteFiles,
    /// Take every finished job off the list, with Undo.
    ClearFinished,
    /// Complete the selected jobs (asks first when files would be dropped).
    AskComplete,
    /// Resume the selected failed jobs.
    Retry,
    /// Open the selected job's file.
    Open,
    /// Open its folder.
    Reveal,
    /// Copy its URL.
    CopyUrl,
    /// Change the selected jobs' priority.
    SetPriority(Priority),
    /// Ctrl+A.
    SelectAll,
    /// Escape.
    ClearSelection,
    /// A click on a row.
    Click {
        /// The row's job.
        job_id: JobId,
        /// Ctrl held.
        toggle: bool,
        /// Shift held.
        extend: bool,
    },
    /// Select one row (right click on an unselected row).
    SelectOnly(JobId),
    /// Sort by a column (again: the other way).
    Sort(SortColumn),
    /// Side-bar filter.
    Filter(StateFilter),
    /// Leave the summary's list.
    ClearList,
    /// A toast's button.
    Toast(u64, ToastAction),
    /// A toast's close button.
    DismissToast(u64),
    /// The settings window.
    OpenSettings,
    /// Ctrl+F.
    FocusFilter,
    /// "Download now anyway": let this job use metered networks (cost policy `any`).
    DownloadAnyway(JobId),
    /// Point a file of a failed job at a fresh link and resume it.
    RefreshLink {
        /// The job.
        job_id: JobId,
        /// The file.
        file_index: u32,
        /// The new link.
        url: RemoteUrl,
    },
    /// Show (`true`) or fold (`false`) the details panel.
    ShowDetails(bool),
    /// Show or hide the side bar (hidden by itself on a narrow window).
    ToggleSidebar,
}

/// A button showing an icon and a word, named by the word alone for screen
/// readers and tests (the accessible name "Suspend", not "⏸ Suspend").
pub fn icon_button(ui: &mut Ui, icon: &str, word: &str, enabled: bool, hint: &str) -> Response {
    let response = ui.add_enabled(enabled, egui::Button::new(format!("{icon} {word}")));
    response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, enabled, word));
    response.on_hover_text(hint).on_disabled_hover_text(hint)
}

/// Whether Pause applies to a job in `state`: it waits, connects, downloads
/// or is about to retry (a failed or paused one has nothing to pause).
pub fn can_pause(state: JobState) -> bool {
    matches!(state, JobState::Queued | JobState::Connecting | JobState::Transferring | JobState::TransientError)
}

/// The colour a state is shown in.
pub fn state_color(state: JobState, dark: bool) -> Color32 {
    let (light, dim) = match state {
        JobState::Transferring => (Color32::from_rgb(0x1f, 0x6f, 0xd1), Color32::from_rgb(0x5a, 0xa2, 0xff)),
        JobState::Connecting | JobState::Queued => {
            (Color32::from_rgb(0x55, 0x66, 0x80), Color32::from_rgb(0x9a, 0xab, 0xc4))
        }
        JobState::Suspended => (Color32::from_rgb(0x70, 0x70, 0x70), Color32::from_rgb(0xa8, 0xa8, 0xa8)),
        JobState::TransientError => (Color32::from_rgb(0xb3, 0x6b, 0x00), Color32::from_rgb(0xf0, 0xa5, 0x30)),
        JobState::Error => (Color32::from_rgb(0xc6, 0x28, 0x28), Color32::from_rgb(0xff, 0x6b, 0x6b)),
        JobState::Transferred | JobState::Acknowledged => {
            (Color32::from_rgb(0x2e, 0x7d, 0x32), Color32::from_rgb(0x66, 0xd1, 0x6b))
        }
        JobState::Cancelled => (Color32::from_rgb(0x70, 0x70, 0x70), Color32::from_rgb(0x90, 0x90, 0x90)),
    };
    if dark { dim } else { light }
}

/// Success green / error red / info blue for toasts and the status dot.
pub fn level_color(ok: Option<bool>, dark: bool) -> Color32 {
    match ok {
        Some(true) => state_color(JobState::Acknowledged, dark),
        Some(false) => state_color(JobState::Error, dark),
        None => state_color(JobState::Transferring, dark),
    }
}
