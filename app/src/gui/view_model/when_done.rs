//! The view model's part of the action when the queue empties: the power
//! action counting down, and the desktop notification that says so.

use super::{Notice, ViewModel};

impl ViewModel {
    /// A power action started counting down: a desktop notification says so,
    /// with a Cancel button (as the countdown window has).
    pub(super) fn when_done(&mut self, pending: Option<haul_core::model::WhenDonePending>) -> Option<Notice> {
        let notice = pending.as_ref().map(|p| Notice {
            title: "All downloads are done".into(),
            body: format!(
                "Haul will {} at {} unless you cancel it, here or in Haul's window",
                p.action.words(),
                p.at.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
            failed: false,
            summary: false,
            plain: true,
            actions: vec![super::ToastAction::CancelCountdown],
            click: None,
        });
        self.when_done_pending = pending;
        notice
    }
}
