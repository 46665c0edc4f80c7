//! Connecting the browser extension: the native messaging host's manifests
//! (which tell each browser that `haul` is the host named [`HOST_NAME`] and
//! which extensions may start it), written per user by `haul browser install`
//! and removed by `uninstall`; on Windows the browsers find them through
//! HKCU registry keys. System-wide copies come with the packages.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The host's name, as the extension calls it.
pub const HOST_NAME: &str = "invalid.example.haul";
/// The Chromium extension's id: fixed by the `key` in packaging/browser/manifest.json.
pub const CHROMIUM_EXTENSION_ID: &str = "phbdjombigmedokaidohbfmeplphnhej";
/// The Firefox extension's id (its manifest's `browser_specific_settings.gecko.id`).
pub const FIREFOX_EXTENSION_ID: &str = "haul@example.invalid";

/// A browser whose manifests Haul writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Browser {
    /// The name `--browser` takes.
    pub name: &'static str,
    /// Its profile folder under the user's config folder (Linux), or None for Firefox.
    linux_config: Option<&'static str>,
    /// Its HKCU key for native messaging hosts (Windows).
    #[cfg_attr(not(windows), allow(dead_code))]
    windows_key: &'static str,
}

/// Every browser Haul knows, Chromium's family first.
pub const BROWSERS: [Browser; 6] = [
    Browser {
        name: "chromium",
        linux_config: Some("chromium"),
        windows_key: r"Software\Chromium\NativeMessagingHosts",
    },
    Browser {
        name: "chrome",
        linux_config: Some("google-chrome"),
        windows_key: r"Software\Google\Chrome\NativeMessagingHosts",
    },
    Browser {
        name: "brave",
        linux_config: Some("BraveSoftware/Brave-Browser"),
        windows_key: r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts",
    },
    Browser {
        name: "edge",
        linux_config: Some("microsoft-edge"),
        windows_key: r"Software\Microsoft\Edge\NativeMessagingHosts",
    },
    Browser { name: "vivaldi", linux_config: Some("vivaldi"), windows_key: r"Software\Vivaldi\NativeMessagingHosts" },
    Browser { name: "firefox", linux_config: None, windows_key: r"Software\Mozilla\NativeMessagingHosts" },
];

impl Browser {
    /// Firefox, rather than one of Chromium's family.
    pub fn is_firefox(self) -> bool {
        self.linux_config.is_none()
    }

    /// Looks a browser up by its `--browser` name.
    pub fn named(name: &str) -> Option<Browser> {
        BROWSERS.iter().copied().find(|b| b.name.eq_ignore_ascii_case(name.trim()))
    }
}

/// The manifest for `browser`: `program` is the host, started by the browser
/// with the extension's origin; `extra_ids` are more Chromium extensions allowed.
pub fn manifest(browser: Browser, program: &Path, extra_ids: &[String]) -> Value {
    let mut manifest = json!({
        "name": HOST_NAME,
        "description": "Haul, a download manager: takes over downloads from the browser",
        "path": program,
        "type": "stdio",
    });
    if browser.is_firefox() {
        manifest["allowed_extensions"] = json!([FIREFOX_EXTENSION_ID]);
    } else {
        let ids = std::iter::once(CHROMIUM_EXTENSION_ID.to_string()).chain(extra_ids.iter().cloned());
        manifest["allowed_origins"] = ids.map(|id| format!("chrome-extension://{id}/")).collect();
    }
    manifest
}

/// Where the user's manifest for `browser` goes on Linux (and other Unixes):
/// `CONFIG/<browser>/NativeMessagingHosts`, or `~/.mozilla/native-messaging-hosts`.
pub fn user_manifest_dir(browser: Browser, config: &Path, home: &Path) -> PathBuf {
    match browser.linux_config {
        Some(folder) => config.join(folder).join("NativeMessagingHosts"),
        None => home.join(".mozilla").join("native-messaging-hosts"),
    }
}

/// Whether the user has a profile of `browser` (its folder exists).
pub fn has_profile(browser: Browser, config: &Path, home: &Path) -> bool {
    match browser.linux_config {
        Some(folder) => config.join(folder).is_dir(),
        None => home.join(".mozilla").is_dir(),
    }
}

/// The user's config folder (`$XDG_CONFIG_HOME`, else `~/.config`) and home.
pub fn user_folders() -> Option<(PathBuf, PathBuf)> {
    let dirs = directories::BaseDirs::new()?;
    Some((dirs.config_dir().to_path_buf(), dirs.home_dir().to_path_buf()))
}

/// What an install or uninstall did, per browser.
#[derive(Debug, Default)]
pub struct Done {
    /// (browser, where) for each manifest written or removed.
    pub changed: Vec<(&'static str, PathBuf)>,
}

/// Writes the manifests for `browsers`, the host being `program`.
pub fn install(browsers: &[Browser], program: &Path, extra_ids: &[String]) -> Result<Done, String> {
    let places = browsers.iter().map(|b| place(*b).map(|p| (*b, p))).collect::<Result<Vec<_>, _>>()?;
    write_manifests(&places, program, extra_ids)
}

/// Like [`install`], for the user whose config folder and home are given (Linux).
pub fn install_in(browsers: &[Browser], program: &Path, config: &Path, home: &Path) -> Result<Done, String> {
    let file = format!("{HOST_NAME}.json");
    let places: Vec<_> = browsers.iter().map(|b| (*b, user_manifest_dir(*b, config, home).join(&file))).collect();
    write_manifests(&places, program, &[])
}

fn write_manifests(places: &[(Browser, PathBuf)], program: &Path, extra_ids: &[String]) -> Result<Done, String> {
    let mut done = Done::default();
    for (browser, path) in places {
        let text = serde_json::to_string_pretty(&manifest(*browser, program, extra_ids))
            .map_err(|e| format!("cannot write the manifest: {e}"))?;
        let path = path.clone();
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        }
        std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        #[cfg(windows)]
        registry::set(*browser, Some(&path))?;
        done.changed.push((browser.name, path));
    }
    Ok(done)
}

/// Removes the manifests for `browsers` (those that are there).
pub fn uninstall(browsers: &[Browser]) -> Result<Done, String> {
    let mut done = Done::default();
    for browser in browsers {
        let path = place(*browser)?;
        match std::fs::remove_file(&path) {
            Ok(()) => done.changed.push((browser.name, path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot remove {}: {e}", path.display())),
        }
        #[cfg(windows)]
        registry::set(*browser, None)?;
    }
    Ok(done)
}

/// Where `browser`'s manifest for this user goes.
fn place(browser: Browser) -> Result<PathBuf, String> {
    let file = format!("{HOST_NAME}.json");
    if cfg!(windows) {
        let folder = crate::paths::data_dir().join("native-messaging");
        let kind = if browser.is_firefox() { "firefox" } else { browser.name };
        return Ok(folder.join(kind).join(file));
    }
    let (config, home) = user_folders().ok_or("cannot find your home folder")?;
    Ok(user_manifest_dir(browser, &config, &home).join(file))
}

#[cfg(windows)]
mod registry {
    use super::{Browser, HOST_NAME};
    use std::path::Path;
    use winreg::RegKey;
    use winreg::enums::HKEY_CURRENT_USER;

    /// Points the browser's key at `manifest`, or removes it (`None`).
    pub fn set(browser: Browser, manifest: Option<&Path>) -> Result<(), String> {
        let user = RegKey::predef(HKEY_CURRENT_USER);
        let key = format!(r"{}\{HOST_NAME}", browser.windows_key);
        match manifest {
            Some(path) => {
                let (entry, _) = user.create_subkey(&key).map_err(|e| format!("cannot create HKCU\\{key}: {e}"))?;
                entry.set_value("", &path.display().to_string()).map_err(|e| format!("cannot set HKCU\\{key}: {e}"))
            }
            None => match user.delete_subkey(&key) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove HKCU\\{key}: {e}")),
                _ => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_the_host_and_allow_only_haul_s_extension() {
        let chromium = manifest(BROWSERS[0], Path::new("/usr/bin/haul"), &["abc".to_string()]);
        assert_eq!(chromium["name"], HOST_NAME);
        assert_eq!(chromium["path"], "/usr/bin/haul");
        assert_eq!(chromium["type"], "stdio");
        assert_eq!(
            chromium["allowed_origins"],
            json!([format!("chrome-extension://{CHROMIUM_EXTENSION_ID}/"), "chrome-extension://abc/"])
        );
        let firefox = manifest(Browser::named("Firefox").expect("known"), Path::new("/usr/bin/haul"), &[]);
        assert_eq!(firefox["allowed_extensions"], json!([FIREFOX_EXTENSION_ID]));
        assert!(firefox.get("allowed_origins").is_none());
        let (config, home) = (Path::new("/h/.config"), Path::new("/h"));
        assert_eq!(
            user_manifest_dir(Browser::named("brave").expect("known"), config, home),
            Path::new("/h/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts")
        );
        assert_eq!(user_manifest_dir(BROWSERS[5], config, home), Path::new("/h/.mozilla/native-messaging-hosts"));
        assert!(Browser::named("netscape").is_none());
    }

    /// The manifests the packages install are the ones `haul browser install` writes.
    #[test]
    fn the_packages_manifests_are_the_ones_haul_writes() {
        let packaging = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging");
        let read = |path: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(packaging.join(path)).expect("a manifest")).expect("JSON")
        };
        let chromium = BROWSERS[0];
        let firefox = Browser::named("firefox").expect("known");
        let usr_bin = Path::new("/usr/bin/haul");
        assert_eq!(read("linux/native-messaging/chromium.json"), manifest(chromium, usr_bin, &[]));
        assert_eq!(read("linux/native-messaging/firefox.json"), manifest(firefox, usr_bin, &[]));
        // On Windows the path is relative to the manifest, which sits beside haul.exe.
        assert_eq!(read("windows/native-messaging/haul-chromium.json"), manifest(chromium, Path::new("haul.exe"), &[]));
        assert_eq!(read("windows/native-messaging/haul-firefox.json"), manifest(firefox, Path::new("haul.exe"), &[]));
    }
}
