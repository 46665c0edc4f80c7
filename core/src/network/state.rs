//! NetworkManager's `Connectivity`, `State` and `Metered` properties, and the
//! one rule that turns them into a [`NetworkStatus`].

use crate::model::{Connectivity, NetworkSource, NetworkStatus};

/// The NetworkManager properties Haul follows; `None` until read (or when a
/// peer sent a value of the wrong type).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NmProperties {
    /// `Connectivity`: 0 unknown, 1 none, 2 portal, 3 limited, 4 full.
    pub connectivity: Option<u32>,
    /// `State`: 10 asleep, 20 disconnected, 30 disconnecting, 40 connecting,
    /// 50 connected (local), 60 connected (site), 70 connected (global).
    pub state: Option<u32>,
    /// `Metered`: 0 unknown, 1 yes, 2 no, 3 guess yes, 4 guess no.
    pub metered: Option<u32>,
}

impl NmProperties {
    /// Takes the value of one property, if it is one of ours; a value of
    /// another type than `u32` forgets what was known of that property.
    pub fn set(&mut self, name: &str, value: Option<u32>) {
        match name {
            "Connectivity" => self.connectivity = value,
            "State" => self.state = value,
            "Metered" => self.metered = value,
            _ => {}
        }
    }
}

/// The network as NetworkManager describes it. Offline: no connectivity, a
/// captive portal (every request would get its sign-in page, which a download
/// would take for the file), or, when connectivity is unknown, a state before
/// "connected". Metered: `Metered` is yes or guess-yes.
pub fn status_from_network_manager(props: &NmProperties) -> NetworkStatus {
    let connectivity = match props.connectivity {
        Some(1) => Connectivity::None,
        Some(2) => Connectivity::Portal,
        Some(3) => Connectivity::Limited,
        Some(4) => Connectivity::Full,
        _ => Connectivity::Unknown,
    };
    let online = match connectivity {
        Connectivity::None | Connectivity::Portal => false,
        Connectivity::Limited | Connectivity::Full => true,
        Connectivity::Unknown => !props.state.is_some_and(|s| (10..50).contains(&s)),
    };
    NetworkStatus {
        online,
        metered: matches!(props.metered, Some(1 | 3)),
        connectivity,
        source: NetworkSource::NetworkManager,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(connectivity: Option<u32>, state: Option<u32>, metered: Option<u32>) -> (bool, bool, Connectivity) {
        let s = status_from_network_manager(&NmProperties { connectivity, state, metered });
        (s.online, s.metered, s.connectivity)
    }

    #[test]
    fn connectivity_decides_when_known() {
        use Connectivity::{Full, Limited, Portal};
        let no = Connectivity::None;
        // (connectivity, state, metered) → (online, metered, connectivity)
        let cases = [
            ((Some(4), Some(70), Some(2)), (true, false, Full)),
            ((Some(3), Some(50), None), (true, false, Limited)),
            ((Some(2), Some(70), None), (false, false, Portal)),
            ((Some(1), Some(20), None), (false, false, no)),
            // connectivity says more than a contradicting state
            ((Some(1), Some(70), None), (false, false, no)),
            ((Some(4), Some(20), None), (true, false, Full)),
        ];
        for ((c, s, m), want) in cases {
            assert_eq!(status(c, s, m), want, "{c:?} {s:?} {m:?}");
        }
    }

    #[test]
    fn the_state_decides_when_connectivity_is_unknown() {
        for (state, online) in [
            (None, true),
            (Some(0), true),
            (Some(10), false),
            (Some(20), false),
            (Some(30), false),
            (Some(40), false),
            (Some(50), true),
            (Some(60), true),
            (Some(70), true),
            (Some(999), true),
        ] {
            assert_eq!(status(Some(0), state, None).0, online, "state {state:?}");
            assert_eq!(status(None, state, None).0, online, "state {state:?}, no connectivity");
            assert_eq!(status(Some(77), state, None).0, online, "state {state:?}, unknown connectivity value");
        }
    }

    #[test]
    fn metered_is_yes_or_guess_yes() {
        for (metered, want) in [
            (None, false),
            (Some(0), false),
            (Some(1), true),
            (Some(2), false),
            (Some(3), true),
            (Some(4), false),
            (Some(5), false),
        ] {
            assert_eq!(status(Some(4), Some(70), metered).1, want, "metered {metered:?}");
        }
    }

    #[test]
    fn only_our_properties_are_taken() {
        let mut props = NmProperties::default();
        props.set("Metered", Some(1));
        props.set("Connectivity", Some(4));
        props.set("WirelessEnabled", Some(1));
        props.set("State", Some(70));
        assert_eq!(props, NmProperties { connectivity: Some(4), state: Some(70), metered: Some(1) });
        props.set("Metered", None);
        assert_eq!(props.metered, None);
        assert_eq!(status_from_network_manager(&props).source, NetworkSource::NetworkManager);
    }
}
