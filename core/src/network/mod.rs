//! Whether the computer is online and whether its connection costs money:
//! `state` turns NetworkManager's properties into a [`NetworkStatus`] (pure);
//! `watch` follows NetworkManager over D-Bus and reports each change; where
//! NetworkManager is absent on Linux, `netlink` follows route changes and
//! `routes` reads the route tables (pure, but for the reading). On Windows
//! `win_state` turns the connection profile into a status (pure) and
//! `win_watch` follows it through WinRT's `NetworkInformation`.

#[cfg(target_os = "linux")]
mod netlink;
#[cfg(any(test, target_os = "linux"))]
mod routes;
mod state;
#[cfg(unix)]
mod watch;
#[cfg(any(test, windows))]
mod win_state;
#[cfg(windows)]
mod win_watch;

#[cfg(target_os = "linux")]
pub use routes::read_status as status_from_route_tables;
pub use state::{NmProperties, status_from_network_manager};
#[cfg(unix)]
pub use watch::{BUS_ADDRESS_VAR, start};

#[cfg(windows)]
pub use win_watch::start;

#[cfg(not(any(unix, windows)))]
/// Without a network watcher the service assumes it is online and unmetered.
pub async fn start(
    _stop: tokio_util::sync::CancellationToken,
) -> tokio::sync::watch::Receiver<crate::model::NetworkStatus> {
    tracing::info!("no network watcher on this system: assuming the computer is online and the network unmetered");
    tokio::sync::watch::channel(crate::model::NetworkStatus::default()).1
}
