//! `haul network`: whether the service is online and whether the network is metered.

use super::connect::connect;
use super::output::print_json;
use crate::exit::Failure;
use haul_core::model::{Connectivity, NetworkSource, NetworkStatus};

/// The network state in plain words, e.g. "online, metered (NetworkManager)".
pub fn words(status: &NetworkStatus) -> String {
    let reach = match (status.online, status.connectivity) {
        (false, Connectivity::Portal) => "offline (the network asks for a sign-in first)",
        (false, _) => "offline — downloads will resume when you are back online",
        (true, Connectivity::Limited) => "online (local network only)",
        (true, _) => "online",
    };
    let cost = if status.metered { ", metered: background downloads wait for an unmetered network" } else { "" };
    let source = match status.source {
        NetworkSource::NetworkManager => "NetworkManager",
        NetworkSource::Netlink => "the routes: no NetworkManager",
        NetworkSource::Windows => "Windows",
        NetworkSource::Assumed => "assumed: nothing reports the network state",
    };
    format!("{reach}{cost} ({source})")
}

/// `haul network`.
pub async fn network(json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let status = client.get_network().await?;
    if json_out {
        print_json(&status);
    } else {
        outln!("Network    {}", words(&status));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words() {
        let assumed = NetworkStatus::default();
        assert_eq!(words(&assumed), "online (assumed: nothing reports the network state)");
        let offline = NetworkStatus {
            online: false,
            connectivity: Connectivity::None,
            source: NetworkSource::NetworkManager,
            ..assumed
        };
        assert_eq!(words(&offline), "offline — downloads will resume when you are back online (NetworkManager)");
        let metered = NetworkStatus { metered: true, connectivity: Connectivity::Full, ..assumed };
        assert!(words(&metered).starts_with("online, metered"), "{}", words(&metered));
        let routes = NetworkStatus { online: false, source: NetworkSource::Netlink, ..assumed };
        assert!(words(&routes).ends_with("online (the routes: no NetworkManager)"), "{}", words(&routes));
    }
}
