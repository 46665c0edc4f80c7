//! The view model's part of the action when the queue empties: the power
//! action counting down, and the desktop notification that says so.

use super::{Notice, ViewModel};

impl ViewModel {
    /// A power action started counting down: a desktop notification says so
    /// (the countdown window has Cancel).
    pub(super) fn when_done(&mut self, pending: Option<haul_core::model::WhenDonePending>) -> Option<Notice> {
        let notice = pending.as_ref().map(|p| Notice {
            title: "All downloads are done".into(),
            body: format!(
                "Haul will {} at {} — “Cancel the countdown” in Haul's window",
                p.action.words(),
                p.at.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
            failed: false,
            summary: false,
            plain: true,
            actions: Vec::new(),
            click: None,
        });
        self.when_done_pending = pending;
        notice
    }
}
