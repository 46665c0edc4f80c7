//! On a first start where a browser profile is found and the extension's host
//! is not installed for it, a toast offers to connect the browser (once);
//! Connect writes the native messaging host's manifests (`haul browser install`).

use super::*;
use crate::browser::{self, BROWSERS, Browser};

/// How long the offer stays.
const OFFER_TTL: Duration = Duration::from_secs(60);

impl HaulApp {
    /// The browsers with a profile but without Haul's host manifest.
    fn unconnected_browsers(&self) -> Vec<Browser> {
        let Some((config, home)) = &self.browser_folders else { return Vec::new() };
        let host = format!("{}.json", browser::HOST_NAME);
        BROWSERS
            .iter()
            .copied()
            .filter(|b| browser::has_profile(*b, config, home))
            .filter(|b| !browser::user_manifest_dir(*b, config, home).join(&host).exists())
            .collect()
    }

    /// Offers to connect the browsers, once, after the first job list arrived.
    pub(super) fn offer_browsers(&mut self) {
        if self.prefs.browser_offered || !self.model.loaded || cfg!(windows) {
            return;
        }
        self.prefs.browser_offered = true;
        let found = self.unconnected_browsers();
        if found.is_empty() {
            return;
        }
        let names: Vec<&str> = found.iter().map(|b| b.name).collect();
        self.model.toasts.push(NewToast {
            level: Level::Info,
            title: "Take over downloads from your browser?".into(),
            body: format!(
                "Connect lets Haul's browser extension reach Haul from {}. Then load the extension (see docs/BROWSER.md).",
                names.join(", ")
            ),
            actions: vec![ToastAction::ConnectBrowsers],
            ttl: Some(OFFER_TTL),
        });
    }

    /// Connect: the host's manifests for the browsers found, and a toast saying so.
    pub(super) fn connect_browsers(&mut self) {
        let found = self.unconnected_browsers();
        let Some((config, home)) = self.browser_folders.clone() else { return };
        let outcome = crate::paths::service_program()
            .map_err(|e| format!("cannot find haul: {e}"))
            .and_then(|program| browser::install_in(&found, &program, &config, &home));
        let toast = match outcome {
            Ok(done) => {
                let names: Vec<&str> = done.changed.iter().map(|(name, _)| *name).collect();
                NewToast::success(format!("Connected {}", names.join(", ")), Vec::new())
            }
            Err(e) => NewToast::error("Could not connect the browser".into(), e, Vec::new()),
        };
        self.model.toasts.push(toast);
    }
}
