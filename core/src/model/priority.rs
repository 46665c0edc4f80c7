//! Job priority: foreground jobs run at once, the others by priority.

use serde::{Deserialize, Serialize};

/// BITS job priorities, highest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Runs at once, alongside everything else.
    Foreground,
    /// Background, before normal and low.
    High,
    /// The default.
    #[default]
    Normal,
    /// Background, after everything else.
    Low,
}

impl Priority {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Foreground => "foreground",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// Parses a protocol name.
    pub fn parse(name: &str) -> Option<Self> {
        [Priority::Foreground, Priority::High, Priority::Normal, Priority::Low].into_iter().find(|p| p.as_str() == name)
    }
}
