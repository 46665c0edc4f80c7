//! Follows NetworkManager over D-Bus: its `Connectivity`, `State` and
//! `Metered` properties (read once, then from `PropertiesChanged`), and its
//! presence on the bus. Without a bus or without NetworkManager, Linux
//! follows the route tables over netlink (`super::netlink`); elsewhere, or
//! if netlink fails too, the service assumes it is online and unmetered.
//! Each situation is said once in the log.

use super::state::{NmProperties, status_from_network_manager};
use crate::model::NetworkStatus;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio_util::sync::CancellationToken;
use zbus::names::{BusName, InterfaceName};
use zbus::zvariant::{OwnedValue, Value};

/// The D-Bus address to find NetworkManager on instead of the system bus.
/// For tests only: a stand-in NetworkManager on a private bus.
pub const BUS_ADDRESS_VAR: &str = "HAUL_NM_BUS_ADDRESS";

const NM_NAME: &str = "org.freedesktop.NetworkManager";
const NM_PATH: &str = "/org/freedesktop/NetworkManager";
/// How long [`start`] waits for the first reading before assuming.
const FIRST_READ_TIMEOUT: Duration = Duration::from_secs(3);
/// After a failed conversation with the bus, the next try waits this long.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// Starts following the network until `stop`; returns once the first state
/// is known (or after a few seconds, online assumed), so the scheduler never
/// starts a job the network forbids.
pub async fn start(stop: CancellationToken) -> watch::Receiver<NetworkStatus> {
    let (tx, mut rx) = watch::channel(NetworkStatus::default());
    let first = Arc::new(Notify::new());
    let told = first.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = stop.cancelled() => {}
            _ = follow_forever(&tx, &told) => {}
        }
    });
    if tokio::time::timeout(FIRST_READ_TIMEOUT, first.notified()).await.is_err() {
        tracing::info!("the network state is not known yet: assuming online and unmetered meanwhile");
    }
    rx.mark_changed();
    rx
}

/// Why following NetworkManager stopped.
enum Ended {
    /// It is not on the bus: wait on this stream for it to arrive.
    Absent(Box<zbus::fdo::NameOwnerChangedStream>),
    /// It left the bus.
    Left,
}

/// Follows NetworkManager for good; `first` is told once the first state is known.
async fn follow_forever(tx: &watch::Sender<NetworkStatus>, first: &Notify) {
    let connection = match connect().await {
        Ok(connection) => connection,
        Err(e) => {
            tracing::info!("no D-Bus system bus to ask NetworkManager ({e})");
            without_network_manager(tx, first).await;
            return;
        }
    };
    // Each situation is logged once, not at every retry.
    let mut said = String::new();
    let mut say = |text: String| {
        if said != text {
            tracing::info!("{text}");
            said = text;
        }
    };
    loop {
        match follow(&connection, tx, first).await {
            Ok(Ended::Absent(mut owners)) => {
                say("NetworkManager is not running".into());
                // Until a new owner of the name appears (or the bus closes).
                let arrived = async {
                    while let Some(owner) = owners.next().await {
                        if owner.args().is_ok_and(|a| a.new_owner.is_some()) {
                            break;
                        }
                    }
                };
                tokio::select! {
                    () = without_network_manager(tx, first) => {}
                    () = arrived => {}
                }
            }
            Ok(Ended::Left) => say("NetworkManager left the bus".into()),
            Err(e) => {
                say(format!("cannot follow NetworkManager: {e}"));
                let _ = tokio::time::timeout(RETRY_DELAY, without_network_manager(tx, first)).await;
            }
        }
    }
}

/// The network state while NetworkManager cannot tell it, for good (until
/// dropped): the route tables over netlink on Linux, else assumed online and
/// unmetered. `first` is told once a state is published.
async fn without_network_manager(tx: &watch::Sender<NetworkStatus>, first: &Notify) {
    #[cfg(target_os = "linux")]
    {
        let followed = match super::netlink::Changes::open() {
            Ok(mut changes) => {
                tracing::info!("following the route tables over netlink: online while there is a default route");
                super::netlink::follow(&mut changes, tx, first).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = followed {
            tracing::info!("cannot follow the routes over netlink ({e})");
        }
    }
    tracing::info!("assuming the computer is online and the network unmetered");
    publish(tx, NetworkStatus::default());
    first.notify_one();
    std::future::pending::<()>().await;
}

async fn connect() -> zbus::Result<zbus::Connection> {
    match std::env::var(BUS_ADDRESS_VAR) {
        Ok(address) if !address.is_empty() => zbus::connection::Builder::address(address.as_str())?.build().await,
        _ => zbus::Connection::system().await,
    }
}

/// Sends `status` if it differs from the last one sent.
pub(super) fn publish(tx: &watch::Sender<NetworkStatus>, status: NetworkStatus) {
    tx.send_if_modified(|current| {
        let changed = *current != status;
        *current = status;
        changed
    });
}

/// Follows NetworkManager's properties while it is on the bus.
async fn follow(
    connection: &zbus::Connection,
    tx: &watch::Sender<NetworkStatus>,
    first: &Notify,
) -> zbus::Result<Ended> {
    let bus = zbus::fdo::DBusProxy::new(connection).await?;
    // Subscribed before asking, so an arrival or departure in between is seen.
    let mut owners = bus.receive_name_owner_changed_with_args(&[(0, NM_NAME)]).await?;
    if !bus.name_has_owner(BusName::try_from(NM_NAME)?).await? {
        return Ok(Ended::Absent(Box::new(owners)));
    }
    let properties = zbus::fdo::PropertiesProxy::builder(connection)
        .destination(NM_NAME)?
        .path(NM_PATH)?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let mut changes = properties.receive_properties_changed().await?;
    let mut props = NmProperties::default();
    take_all(&mut props, &properties.get_all(InterfaceName::try_from(NM_NAME)?).await?);
    publish(tx, status_from_network_manager(&props));
    first.notify_one();
    let closed = || zbus::Error::Failure("the bus connection closed".into());
    loop {
        tokio::select! {
            change = changes.next() => {
                let change = change.ok_or_else(closed)?;
                let Ok(args) = change.args() else {
                    tracing::debug!("an unreadable PropertiesChanged from NetworkManager: ignored");
                    continue;
                };
                if args.interface_name.as_str() != NM_NAME {
                    continue;
                }
                for (name, value) in args.changed_properties.iter() {
                    props.set(name, as_u32(value));
                }
                publish(tx, status_from_network_manager(&props));
            }
            owner = owners.next() => {
                let owner = owner.ok_or_else(closed)?;
                if owner.args().is_ok_and(|a| a.new_owner.is_none()) {
                    return Ok(Ended::Left);
                }
            }
        }
    }
}

fn take_all(props: &mut NmProperties, values: &HashMap<String, OwnedValue>) {
    for (name, value) in values {
        props.set(name, as_u32(value));
    }
}

/// A `u32` property's value; anything else (a misbehaving peer) is `None`.
fn as_u32(value: &Value<'_>) -> Option<u32> {
    match value {
        Value::U32(n) => Some(*n),
        Value::Value(inner) => as_u32(inner),
        _ => None,
    }
}
