//! Whether the computer has a default route, read from the kernel's route
//! tables (`/proc/net/route`, `/proc/net/ipv6_route`): the state Haul uses
//! where NetworkManager is absent (a pure function, and the reading of it).

use crate::model::{Connectivity, NetworkSource, NetworkStatus};

/// `RTF_UP`: the route is usable.
const RTF_UP: u32 = 0x0001;
/// `RTF_REJECT`: an unreachable route (the kernel's IPv6 table keeps a
/// rejecting default route on `lo`, which is no way out).
const RTF_REJECT: u32 = 0x0200;

/// The IPv4 table's text has a default route: a line whose destination and
/// mask are 0 and whose flags say it is up.
pub fn has_ipv4_default(table: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // Iface Destination Gateway Flags RefCnt Use Metric Mask …
        match (fields.get(1), fields.get(3), fields.get(7)) {
            (Some(destination), Some(flags), Some(mask)) => {
                is_zero_hex(destination) && is_zero_hex(mask) && flags_say_up(flags)
            }
            _ => false,
        }
    })
}

/// The IPv6 table's text has a default route: destination `::/0`, up, not rejecting.
pub fn has_ipv6_default(table: &str) -> bool {
    table.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // destination prefix-length source source-length next-hop metric refcnt use flags iface
        match (fields.first(), fields.get(1), fields.get(8)) {
            (Some(destination), Some(prefix), Some(flags)) => {
                destination.len() == 32 && is_zero_hex(destination) && is_zero_hex(prefix) && flags_say_up(flags)
            }
            _ => false,
        }
    })
}

fn is_zero_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b == b'0')
}

fn flags_say_up(flags: &str) -> bool {
    u32::from_str_radix(flags, 16).is_ok_and(|f| f & RTF_UP != 0 && f & RTF_REJECT == 0)
}

/// The network as the route tables describe it: online when either table
/// has a default route (connectivity beyond it is unknown), offline with
/// `none` when neither has; whether it is metered is not known, so not.
pub fn status_from_routes(ipv4: &str, ipv6: &str) -> NetworkStatus {
    let online = has_ipv4_default(ipv4) || has_ipv6_default(ipv6);
    NetworkStatus {
        online,
        metered: false,
        connectivity: if online { Connectivity::Unknown } else { Connectivity::None },
        source: NetworkSource::Netlink,
    }
}

/// Reads this network namespace's route tables; a table that cannot be read
/// (no IPv6 in the kernel) counts as empty.
#[cfg(target_os = "linux")]
pub fn read_status() -> NetworkStatus {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    status_from_routes(&read("/proc/net/route"), &read("/proc/net/ipv6_route"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    fn ipv4(rows: &[&str]) -> String {
        std::iter::once(HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn an_ipv4_default_route_is_up_with_destination_and_mask_zero() {
        let default = "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0";
        let subnet = "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0";
        let down = "eth0\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0";
        let on_lo = "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0";
        let cases = [
            (ipv4(&[default, subnet]), true),
            (ipv4(&[subnet]), false),
            (ipv4(&[down, subnet]), false),
            (ipv4(&[on_lo]), true),
            (ipv4(&[]), false),
            // The header alone is no route, even if it looked like one.
            ("eth0\t00000000\t0\t0003\t0\t0\t0\t00000000".into(), false),
            (String::new(), false),
            (ipv4(&["eth0 00000000", "garbage", "eth0\t00000000\t0\tzz\t0\t0\t0\t00000000"]), false),
        ];
        for (table, want) in cases {
            assert_eq!(has_ipv4_default(&table), want, "{table}");
        }
    }

    #[test]
    fn an_ipv6_default_route_is_up_and_not_a_rejecting_one() {
        let zero = "00000000000000000000000000000000";
        let default =
            format!("{zero} 00 {zero} 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003 eth0");
        let subnet =
            format!("fd000000000000000000000000000000 40 {zero} 00 {zero} 00000100 00000001 00000000 00000001 eth0");
        let reject = format!("{zero} 00 {zero} 00 {zero} ffffffff 00000001 00000000 00200200 lo");
        let local = format!("{}1 80 {zero} 00 {zero} 00000000 00000003 00000000 80200001 lo", &zero[..31]);
        let cases = [
            (vec![subnet.clone(), default], true),
            (vec![subnet.clone(), local.clone()], false),
            (vec![reject, local], false),
            (vec![format!("{zero} 00 {zero}")], false),
            (vec![format!("0 00 {zero} 00 {zero} 0 0 0 00000001 eth0")], false),
        ];
        for (rows, want) in cases {
            let table = rows.join("\n");
            assert_eq!(has_ipv6_default(&table), want, "{table}");
        }
    }

    #[test]
    fn either_default_route_means_online_and_nothing_says_metered() {
        let v4 = ipv4(&["eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0"]);
        let zero = "00000000000000000000000000000000";
        let v6 = format!("{zero} 00 {zero} 00 {zero} 00000400 00000002 00000000 00000001 wlan0");
        for (ipv4_table, ipv6_table, online) in
            [(&v4[..], "", true), ("", &v6[..], true), (&v4[..], &v6[..], true), ("", "", false)]
        {
            let status = status_from_routes(ipv4_table, ipv6_table);
            assert_eq!(status.online, online, "{ipv4_table:?} {ipv6_table:?}");
            assert!(!status.metered);
            assert_eq!(status.source, NetworkSource::Netlink);
            let connectivity = if online { Connectivity::Unknown } else { Connectivity::None };
            assert_eq!(status.connectivity, connectivity);
        }
    }
}
