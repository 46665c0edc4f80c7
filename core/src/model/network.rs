//! The network as the service sees it (online? metered?), and what it means
//! for a job: why a queued job waits, the "no network" error.

use super::{ErrorContext, JobError, Priority};
use serde::{Deserialize, Serialize};

/// The error code of a transfer stopped because the network went away.
pub const NO_NETWORK: &str = "no_network";

/// The transient error of a job whose transfer stopped because the computer
/// went offline; it neither counts as a failure nor runs the no-progress clock.
pub fn no_network_error() -> JobError {
    JobError::new(
        ErrorContext::Transport,
        NO_NETWORK,
        "no network: the computer is offline; the download resumes when it is back online",
    )
}

/// Reachability as NetworkManager reports it (`Connectivity`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// Not known (no NetworkManager, or it does not check).
    #[default]
    Unknown,
    /// No network at all.
    None,
    /// Behind a captive portal: every request gets its sign-in page.
    Portal,
    /// Connected, but the internet is not reachable.
    Limited,
    /// Connected to the internet.
    Full,
}

/// Where the network state comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkSource {
    /// Nothing watches the network: the service assumes it is online and free.
    #[default]
    Assumed,
    /// NetworkManager's D-Bus properties.
    NetworkManager,
    /// Linux without NetworkManager: the kernel's route tables, re-read at
    /// each route or address change that netlink announces (online = a
    /// default route; metered unknown, so not).
    Netlink,
    /// Windows's internet connection profile (WinRT `NetworkInformation`):
    /// its connectivity level and cost.
    Windows,
}

/// The network's state (`get_network`, the `network` notification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStatus {
    /// Whether transfers may run at all.
    pub online: bool,
    /// Whether the connection costs money (metered or roaming): jobs whose
    /// cost policy is `unmetered` wait.
    pub metered: bool,
    /// Reachability in more detail.
    pub connectivity: Connectivity,
    /// Where this comes from.
    pub source: NetworkSource,
}

impl Default for NetworkStatus {
    /// Online and unmetered, assumed.
    fn default() -> Self {
        NetworkStatus {
            online: true,
            metered: false,
            connectivity: Connectivity::Unknown,
            source: NetworkSource::Assumed,
        }
    }
}

/// Why a queued job is not started although it is its turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// The computer is offline.
    Network,
    /// The network is metered and the job's cost policy is `unmetered`.
    UnmeteredNetwork,
    /// A schedule window pauses background jobs now (until the job's `wait_until`).
    Schedule,
}

impl WaitReason {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitReason::Network => "network",
            WaitReason::UnmeteredNetwork => "unmetered_network",
            WaitReason::Schedule => "schedule",
        }
    }

    /// The reason in plain words, for the window and `haul info`.
    pub fn words(self) -> &'static str {
        match self {
            WaitReason::Network => "Waiting for the network",
            WaitReason::UnmeteredNetwork => "Waiting for an unmetered network",
            WaitReason::Schedule => "Waiting for the schedule",
        }
    }
}

/// Which networks a job may use (BITS's cost flags, in two words).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostPolicy {
    /// Any network, metered and roaming ones too.
    Any,
    /// Only networks that cost nothing per byte: waits while the network is metered.
    #[default]
    Unmetered,
}

impl CostPolicy {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            CostPolicy::Any => "any",
            CostPolicy::Unmetered => "unmetered",
        }
    }

    /// Parses a protocol name.
    pub fn parse(name: &str) -> Option<Self> {
        [CostPolicy::Any, CostPolicy::Unmetered].into_iter().find(|c| c.as_str() == name)
    }

    /// A new job's policy: foreground jobs (someone waits for them) use any
    /// network, background jobs `background` (the service's default, `unmetered`
    /// unless changed with `set_limits`).
    pub fn default_for(priority: Priority, background: CostPolicy) -> Self {
        if priority == Priority::Foreground { CostPolicy::Any } else { background }
    }
}
