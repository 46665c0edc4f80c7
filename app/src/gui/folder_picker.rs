//! The native folder picker (rfd: the XDG desktop portal, else zenity) on its
//! own thread. When neither is there it answers at once with why, so the add
//! dialog can say so and point to the folder field instead of doing nothing.

use eframe::egui;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// What the picker answered: a folder, nothing (closed), or why there is no picker.
pub type Picked = Result<Option<PathBuf>, String>;

/// What the window says when no picker can be shown.
pub const NO_PICKER: &str =
    "No folder picker is available (it needs xdg-desktop-portal or zenity): type the folder's path above.";

/// Opens the picker at `start` on its own thread; the answer arrives on the receiver.
pub fn pick_folder(ctx: egui::Context, start: PathBuf) -> Receiver<Picked> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("haul-folder-picker".into()).spawn(move || {
        let answer = match available() {
            Ok(()) => {
                let mut dialog = rfd::FileDialog::new().set_title("Save downloads to");
                if start.is_dir() {
                    dialog = dialog.set_directory(&start);
                }
                Ok(dialog.pick_folder())
            }
            Err(why) => {
                tracing::info!("no folder picker: {why}");
                Err(NO_PICKER.to_string())
            }
        };
        let _ = tx.send(answer);
        ctx.request_repaint();
    });
    if let Err(e) = spawned {
        tracing::warn!("cannot open the folder picker: {e}");
        let (tx, rx) = std::sync::mpsc::channel();
        let _ = tx.send(Err(NO_PICKER.to_string()));
        return rx;
    }
    rx
}

/// Whether rfd has something to show: a desktop portal on the session bus
/// (running or activatable), or zenity on the `PATH`.
#[cfg(target_os = "linux")]
fn available() -> Result<(), String> {
    const PORTAL: &str = "org.freedesktop.portal.Desktop";
    let zenity = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("zenity").is_file()));
    if zenity {
        return Ok(());
    }
    let bus = zbus::blocking::Connection::session().map_err(|e| format!("no session bus ({e}) and no zenity"))?;
    let dbus = zbus::blocking::fdo::DBusProxy::new(&bus).map_err(|e| e.to_string())?;
    let name = zbus::names::BusName::try_from(PORTAL).map_err(|e| e.to_string())?;
    let running = dbus.name_has_owner(name).unwrap_or(false);
    let activatable = dbus.list_activatable_names().is_ok_and(|names| names.iter().any(|n| n.as_str() == PORTAL));
    if running || activatable { Ok(()) } else { Err("no desktop portal on the session bus and no zenity".into()) }
}

/// Other systems have their own native picker.
#[cfg(not(target_os = "linux"))]
fn available() -> Result<(), String> {
    Ok(())
}
