//! Suspends or powers off the computer through logind
//! (`org.freedesktop.login1.Manager.Suspend`/`PowerOff`, not interactive) on
//! the system bus, or on `HAUL_LOGIND_BUS_ADDRESS` in tests.

/// The D-Bus address to find logind on instead of the system bus.
/// For tests only: a stand-in logind on a private bus.
pub const BUS_ADDRESS_VAR: &str = "HAUL_LOGIND_BUS_ADDRESS";

/// What to ask logind for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerAction {
    /// `Suspend(false)`.
    Suspend,
    /// `PowerOff(false)`.
    PowerOff,
}

impl PowerAction {
    fn method(self) -> &'static str {
        match self {
            PowerAction::Suspend => "Suspend",
            PowerAction::PowerOff => "PowerOff",
        }
    }
}

/// Asks logind to do `action` (`interactive` false: no password prompt; polkit decides).
#[cfg(unix)]
pub async fn request(action: PowerAction) -> Result<(), String> {
    let connection = match std::env::var(BUS_ADDRESS_VAR) {
        Ok(address) if !address.is_empty() => {
            zbus::connection::Builder::address(address.as_str()).map_err(|e| e.to_string())?.build().await
        }
        _ => zbus::Connection::system().await,
    }
    .map_err(|e| format!("cannot reach the system bus: {e}"))?;
    let call = connection.call_method(
        Some("org.freedesktop.login1"),
        "/org/freedesktop/login1",
        Some("org.freedesktop.login1.Manager"),
        action.method(),
        &(false,),
    );
    match tokio::time::timeout(std::time::Duration::from_secs(30), call).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("logind refused {}: {e}", action.method())),
        Err(_) => Err(format!("logind did not answer {} within 30 s", action.method())),
    }
}

/// Asks the system to do `action`: not offered here yet.
#[cfg(not(unix))]
pub async fn request(action: PowerAction) -> Result<(), String> {
    Err(format!("{} is offered only through logind (Linux)", action.method()))
}
