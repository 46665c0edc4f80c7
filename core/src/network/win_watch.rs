//! Follows Windows's network state through WinRT's `NetworkInformation`
//! (the network list manager's connectivity and cost, without `unsafe`):
//! read at the start and at each `NetworkStatusChanged` event, or every few
//! seconds where the event cannot be subscribed to. Where Windows cannot
//! tell at all (no WinRT, as under some wine versions), online is assumed.

use super::win_state::{WindowsProfile, status_from_windows};
use crate::model::NetworkStatus;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use windows::Networking::Connectivity::{NetworkInformation, NetworkStatusChangedEventHandler};

/// Without the event, the state is read this often.
const POLL_EVERY: Duration = Duration::from_secs(5);

/// Reads the internet connection profile; `Ok(None)` level when there is none.
fn read_profile() -> windows::core::Result<WindowsProfile> {
    let profile = match NetworkInformation::GetInternetConnectionProfile() {
        Ok(profile) => profile,
        // A null profile: nothing reaches the internet.
        Err(e) if e.code() == windows::core::Error::empty().code() => return Ok(WindowsProfile::default()),
        Err(e) => return Err(e),
    };
    let cost = profile.GetConnectionCost()?;
    Ok(WindowsProfile {
        level: Some(profile.GetNetworkConnectivityLevel()?.0),
        cost_type: cost.NetworkCostType()?.0,
        roaming: cost.Roaming()?,
        over_data_limit: cost.OverDataLimit()? || cost.ApproachingDataLimit()?,
    })
}

/// The state now, read off the async threads (WinRT calls block briefly).
async fn read() -> windows::core::Result<NetworkStatus> {
    match tokio::task::spawn_blocking(read_profile).await {
        Ok(profile) => profile.map(|p| status_from_windows(&p)),
        Err(e) => Err(windows::core::Error::new(windows::core::HRESULT(-1), e.to_string())),
    }
}

/// Starts following the network until `stop`; returns with the first state.
pub async fn start(stop: CancellationToken) -> watch::Receiver<NetworkStatus> {
    // Not yet run on a real Windows; under wine the WinRT calls hang the
    // service's start. Until tried there, it is opt-in (HAUL_WINDOWS_NETWORK=1).
    if std::env::var_os("HAUL_WINDOWS_NETWORK").is_none_or(|v| v != "1") {
        tracing::info!(
            "following Windows's network state is off (HAUL_WINDOWS_NETWORK=1 turns it on): assuming online"
        );
        return watch::channel(NetworkStatus::default()).1;
    }
    let first = match read().await {
        Ok(status) => status,
        Err(e) => {
            tracing::info!(
                "Windows does not tell the network state ({e}): assuming the computer is online and the network unmetered"
            );
            return watch::channel(NetworkStatus::default()).1;
        }
    };
    let (tx, rx) = watch::channel(first);
    let (wake, mut woken) = mpsc::channel::<()>(1);
    let handler = NetworkStatusChangedEventHandler::new(move |_| {
        // Full: a wake-up is already waiting, which covers this one.
        let _ = wake.try_send(());
        Ok(())
    });
    let cookie = match NetworkInformation::NetworkStatusChanged(&handler) {
        Ok(cookie) => Some(cookie),
        Err(e) => {
            tracing::info!("cannot subscribe to Windows's network changes ({e}): reading them every few seconds");
            None
        }
    };
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = woken.recv(), if cookie.is_some() => {}
                _ = tokio::time::sleep(POLL_EVERY), if cookie.is_none() => {}
            }
            match read().await {
                Ok(status) => {
                    tx.send_if_modified(|current| std::mem::replace(current, status) != status);
                }
                Err(e) => tracing::debug!("cannot read Windows's network state: {e}"),
            }
        }
        if let Some(cookie) = cookie
            && let Err(e) = NetworkInformation::RemoveNetworkStatusChanged(cookie)
        {
            tracing::debug!("cannot unsubscribe from Windows's network changes: {e}");
        }
    });
    rx
}
