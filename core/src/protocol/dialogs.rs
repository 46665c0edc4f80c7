//! Asking the user's window to open its add dialog (the browser extension's
//! "Ask where to save"): `receive_add_dialogs` makes a connection (the window)
//! one that gets `add_dialog` notifications; `open_add_dialog` sends one to
//! the caller's windows and says whether any was there.

use super::Method;
use super::method;
use super::results::Empty;
use crate::model::RemoteUrl;
use serde::{Deserialize, Serialize};

/// `receive_add_dialogs`: this connection is a window of the caller's, which
/// opens its add dialog on an `add_dialog` notification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveAddDialogs {}

/// `open_add_dialog`, and the `add_dialog` notification it becomes: links for
/// the add dialog, with the headers they need (a site's cookies, say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenAddDialog {
    /// The links.
    pub links: Vec<RemoteUrl>,
    /// Headers (`Name: value`) for the dialog's header field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
}

/// Whether a window of the caller's got the links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenAddDialogResult {
    /// False when none of the caller's windows is connected.
    pub shown: bool,
}

impl Method for ReceiveAddDialogs {
    const NAME: &'static str = method::RECEIVE_ADD_DIALOGS;
    type Output = Empty;
}

impl Method for OpenAddDialog {
    const NAME: &'static str = method::OPEN_ADD_DIALOG;
    type Output = OpenAddDialogResult;
}
