//! One desktop notification to send: what `desktop_notify` makes of a burst of
//! notices, and what `notification_actions` puts buttons on.

use super::view_model::ToastAction;

/// One notification to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Its summary.
    pub title: String,
    /// Its body.
    pub body: String,
    /// Its buttons (a single download's only).
    pub actions: Vec<ToastAction>,
    /// What clicking it does.
    pub click: Option<ToastAction>,
}
