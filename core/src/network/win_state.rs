//! Windows's view of the network (the connection profile that reaches the
//! internet: its connectivity level and its cost, the data behind BITS's
//! cost flags) and the one rule that turns it into a [`NetworkStatus`].

use crate::model::{Connectivity, NetworkSource, NetworkStatus};

/// What Windows says of the internet connection profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowsProfile {
    /// `NetworkConnectivityLevel`: 0 none, 1 local access, 2 constrained
    /// internet access (a captive portal, typically), 3 internet access;
    /// `None` when no profile reaches the internet.
    pub level: Option<i32>,
    /// `NetworkCostType`: 0 unknown, 1 unrestricted, 2 fixed, 3 variable.
    pub cost_type: i32,
    /// The connection is roaming.
    pub roaming: bool,
    /// The data plan's limit is reached (or nearly): as costly as metered.
    pub over_data_limit: bool,
}

/// The network as Windows describes it. Offline: no internet profile, no
/// connectivity, or a constrained one (as a captive portal is on Linux).
/// Metered as BITS counts cost: a fixed or variable plan, roaming, or a data
/// limit reached.
pub fn status_from_windows(profile: &WindowsProfile) -> NetworkStatus {
    let connectivity = match profile.level {
        None | Some(0) => Connectivity::None,
        Some(1) => Connectivity::Limited,
        Some(2) => Connectivity::Portal,
        Some(3) => Connectivity::Full,
        Some(_) => Connectivity::Unknown,
    };
    let online = !matches!(connectivity, Connectivity::None | Connectivity::Portal);
    let metered = online && (matches!(profile.cost_type, 2 | 3) || profile.roaming || profile.over_data_limit);
    NetworkStatus { online, metered, connectivity, source: NetworkSource::Windows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(level: Option<i32>, cost_type: i32, roaming: bool) -> (bool, bool, Connectivity) {
        let s = status_from_windows(&WindowsProfile { level, cost_type, roaming, over_data_limit: false });
        (s.online, s.metered, s.connectivity)
    }

    #[test]
    fn the_connectivity_level_decides_online() {
        use Connectivity::{Full, Limited, Portal, Unknown};
        let no = Connectivity::None;
        let cases = [
            (None, (false, false, no)),
            (Some(0), (false, false, no)),
            (Some(1), (true, false, Limited)),
            (Some(2), (false, false, Portal)),
            (Some(3), (true, false, Full)),
            (Some(99), (true, false, Unknown)),
            (Some(-1), (true, false, Unknown)),
        ];
        for (level, want) in cases {
            assert_eq!(status(level, 1, false), want, "{level:?}");
        }
    }

    #[test]
    fn fixed_variable_roaming_or_over_the_limit_is_metered() {
        for (cost_type, roaming, metered) in [
            (0, false, false),
            (1, false, false),
            (2, false, true),
            (3, false, true),
            (1, true, true),
            (7, false, false),
        ] {
            assert_eq!(status(Some(3), cost_type, roaming).1, metered, "{cost_type} {roaming}");
        }
        let over = WindowsProfile { level: Some(3), cost_type: 1, roaming: false, over_data_limit: true };
        assert!(status_from_windows(&over).metered);
        assert!(!status(None, 3, true).1, "offline is not metered");
        assert_eq!(status_from_windows(&over).source, NetworkSource::Windows);
    }
}
