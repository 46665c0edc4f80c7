//! The users' windows that open their add dialog when asked (`receive_add_dialogs`),
//! and asking them (`open_add_dialog`): a broadcast of dialogs, and per user a
//! count of the windows listening, kept by a guard each listener holds.

use super::Manager;
use crate::model::Caller;
use crate::protocol::OpenAddDialog;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Dialogs asked for, to every listening window (each keeps its user's).
pub(super) struct Windows {
    dialogs: broadcast::Sender<(u32, OpenAddDialog)>,
    listening: Arc<Mutex<HashMap<u32, usize>>>,
}

impl Default for Windows {
    fn default() -> Self {
        let (dialogs, _) = broadcast::channel(16);
        Windows { dialogs, listening: Arc::default() }
    }
}

/// A window listening for dialogs; dropping it stops counting the window.
pub struct WindowListener {
    /// The dialogs asked for, with the uid they are for.
    pub dialogs: broadcast::Receiver<(u32, OpenAddDialog)>,
    uid: u32,
    listening: Arc<Mutex<HashMap<u32, usize>>>,
}

impl Drop for WindowListener {
    fn drop(&mut self) {
        let mut listening = self.listening.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = listening.get_mut(&self.uid) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                listening.remove(&self.uid);
            }
        }
    }
}

impl Manager {
    /// A window of `caller`'s starts listening for add dialogs.
    pub fn listen_for_add_dialogs(&self, caller: &Caller) -> WindowListener {
        let windows = &self.inner.windows;
        *windows.listening.lock().unwrap_or_else(|p| p.into_inner()).entry(caller.uid).or_insert(0) += 1;
        WindowListener { dialogs: windows.dialogs.subscribe(), uid: caller.uid, listening: windows.listening.clone() }
    }

    /// Asks `caller`'s windows to open their add dialog; false when none listens.
    pub fn open_add_dialog(&self, caller: &Caller, dialog: OpenAddDialog) -> bool {
        let windows = &self.inner.windows;
        let listening = windows.listening.lock().unwrap_or_else(|p| p.into_inner()).get(&caller.uid).copied();
        if listening.unwrap_or(0) == 0 {
            return false;
        }
        windows.dialogs.send((caller.uid, dialog)).is_ok()
    }
}
