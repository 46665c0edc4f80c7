//! What the service does when the queue empties (every job transferred,
//! failed or waiting on the user): nothing, a command, or suspend or power off
//! the computer (after a 60-second countdown that can be cancelled).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The action itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum WhenDoneAction {
    /// Nothing (the default).
    #[default]
    Nothing,
    /// Run this command line with `sh -c` (as the service's user).
    Command {
        /// The command line.
        command: String,
    },
    /// Suspend the computer (logind `Suspend`).
    Suspend,
    /// Power the computer off (logind `PowerOff`).
    Poweroff,
}

impl WhenDoneAction {
    /// Whether it waits out a countdown first (it stops the computer).
    pub fn is_power(&self) -> bool {
        matches!(self, WhenDoneAction::Suspend | WhenDoneAction::Poweroff)
    }

    /// In plain words: "do nothing", "run `make install`", "suspend", "power off".
    pub fn words(&self) -> String {
        match self {
            WhenDoneAction::Nothing => "do nothing".into(),
            WhenDoneAction::Command { command } => format!("run `{command}`"),
            WhenDoneAction::Suspend => "suspend the computer".into(),
            WhenDoneAction::Poweroff => "power off the computer".into(),
        }
    }
}

/// The chosen action and whether it stays after firing once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhenDone {
    /// What to do.
    #[serde(flatten)]
    pub action: WhenDoneAction,
    /// Keep the action after it fired (else it goes back to nothing).
    #[serde(default)]
    pub permanent: bool,
}

/// A power action counting down (`get_limits`'s `when_done_pending`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhenDonePending {
    /// What will happen.
    #[serde(flatten)]
    pub action: WhenDoneAction,
    /// When, unless cancelled.
    pub at: DateTime<Utc>,
}
