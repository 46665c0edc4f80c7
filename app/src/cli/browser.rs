//! `haul browser install|uninstall`: connects the browser extension (the
//! native messaging host's manifests, per user).

use super::args::BrowserArgs;
use super::output::print_json;
use crate::browser::{self, BROWSERS, Browser};
use crate::exit::{FAILED, Failure, REFUSED};

/// Installs or uninstalls the manifests; prints where.
pub fn run(args: BrowserArgs, json_out: bool) -> Result<(), Failure> {
    let named = args
        .browsers
        .iter()
        .map(|name| {
            Browser::named(name).ok_or_else(|| {
                let known: Vec<&str> = BROWSERS.iter().map(|b| b.name).collect();
                Failure::new(REFUSED, format!("'{name}' is not a browser Haul knows ({})", known.join(", ")))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let installing = args.action == "install";
    let browsers: Vec<Browser> = match (named.is_empty(), installing) {
        (false, _) => named,
        (true, false) => BROWSERS.to_vec(),
        (true, true) => found_browsers(),
    };
    if browsers.is_empty() {
        return Err(Failure::new(
            FAILED,
            "no browser profile found (Chromium, Chrome, Brave, Edge, Vivaldi, Firefox); name one with --browser",
        ));
    }
    let done = if installing {
        let program =
            crate::paths::service_program().map_err(|e| Failure::new(FAILED, format!("cannot find haul: {e}")))?;
        browser::install(&browsers, &program, &args.extension_ids)
    } else {
        browser::uninstall(&browsers)
    }
    .map_err(|e| Failure::new(FAILED, e))?;
    if json_out {
        let changed: Vec<_> =
            done.changed.iter().map(|(name, path)| serde_json::json!({"browser": name, "manifest": path})).collect();
        print_json(&changed);
        return Ok(());
    }
    let verb = if installing { "installed" } else { "removed" };
    for (name, path) in &done.changed {
        outln!("{name:<9} {verb} {}", path.display());
    }
    if done.changed.is_empty() {
        outln!("nothing to remove");
    }
    Ok(())
}

/// The browsers with a profile for this user (on Windows: all of them, whose
/// registry keys cost nothing where the browser is missing).
fn found_browsers() -> Vec<Browser> {
    if cfg!(windows) {
        return BROWSERS.to_vec();
    }
    let Some((config, home)) = browser::user_folders() else { return Vec::new() };
    BROWSERS.iter().copied().filter(|b| browser::has_profile(*b, &config, &home)).collect()
}
