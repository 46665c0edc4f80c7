//! "Start on login": on Linux an XDG autostart entry (the shipped
//! `haul-autostart.desktop`, pointed at this executable or AppImage), on
//! Windows the `Haul` value of the user's `Run` key. The setting is whatever
//! is there now; nothing is remembered apart from it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The entry the packages ship (`/usr/share/haul/haul-autostart.desktop` in the .deb).
const SHIPPED_ENTRY: &str = include_str!("../../../packaging/linux/haul-autostart.desktop");
/// The entry's file name in the autostart folder.
pub const ENTRY_NAME: &str = "haul.desktop";
/// The user's `Run` key and Haul's value in it (Windows).
#[cfg(windows)]
pub const RUN_KEY: (&str, &str) = (r"Software\Microsoft\Windows\CurrentVersion\Run", "Haul");

/// Where "start on login" lives on this system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Autostart {
    /// The entry `file` (in an XDG autostart folder) starts `program`.
    Xdg {
        /// `…/autostart/haul.desktop`.
        file: PathBuf,
        /// What the entry runs.
        program: PathBuf,
    },
    /// The `Run` key value starts `program`.
    #[cfg(windows)]
    RunKey {
        /// What the value runs.
        program: PathBuf,
    },
    /// Not offered here.
    Unsupported,
}

impl Autostart {
    /// This system's: `$XDG_CONFIG_HOME/autostart` (default `~/.config/autostart`)
    /// on Linux and the BSDs, the `Run` key on Windows.
    pub fn system() -> Autostart {
        let program = program(std::env::var_os("APPIMAGE"), std::env::current_exe().ok());
        #[cfg(windows)]
        {
            Autostart::RunKey { program: windows_gui_program(program) }
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            let home = std::env::var_os("HOME").map(PathBuf::from);
            match config_home(std::env::var_os("XDG_CONFIG_HOME"), home) {
                Some(config) => Autostart::in_folder(&config.join("autostart"), &program),
                None => Autostart::Unsupported,
            }
        }
        #[cfg(not(any(windows, all(unix, not(target_os = "macos")))))]
        {
            let _ = program;
            Autostart::Unsupported
        }
    }

    /// An XDG autostart entry in `folder` that runs `program` (tests use a temp folder).
    pub fn in_folder(folder: &Path, program: &Path) -> Autostart {
        Autostart::Xdg { file: folder.join(ENTRY_NAME), program: program.to_path_buf() }
    }

    /// Whether Haul starts on login now; `None` where it cannot.
    pub fn is_enabled(&self) -> Option<bool> {
        match self {
            Autostart::Xdg { file, .. } => Some(file.is_file()),
            #[cfg(windows)]
            Autostart::RunKey { .. } => Some(run_key::get().is_some()),
            Autostart::Unsupported => None,
        }
    }

    /// Turns starting on login on or off; the error is a sentence for the user.
    pub fn set(&self, on: bool) -> Result<(), String> {
        let verb = if on { "turn on" } else { "turn off" };
        let outcome = match self {
            Autostart::Xdg { file, program } if on => write_entry(file, &desktop_entry(program)),
            Autostart::Xdg { file, .. } => match std::fs::remove_file(file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", file.display())),
                _ => Ok(()),
            },
            #[cfg(windows)]
            Autostart::RunKey { program } => run_key::set(on.then(|| run_command(program))),
            Autostart::Unsupported => Err("this system has no place for it".into()),
        };
        outcome.map_err(|e| format!("Cannot {verb} “Start on login”: {e}"))
    }
}

/// What to start: the AppImage when running from one (the executable is in
/// its temporary extraction), else this executable, else `haul` on the PATH.
pub fn program(appimage: Option<OsString>, current_exe: Option<PathBuf>) -> PathBuf {
    appimage
        .filter(|image| !image.is_empty())
        .map(PathBuf::from)
        .or(current_exe)
        .unwrap_or_else(|| PathBuf::from("haul"))
}

/// `$XDG_CONFIG_HOME` when set to an absolute path, else `$HOME/.config` (the XDG base-dir spec).
#[cfg(any(test, all(unix, not(target_os = "macos"))))]
pub fn config_home(xdg_config_home: Option<OsString>, home: Option<PathBuf>) -> Option<PathBuf> {
    xdg_config_home
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| home.filter(|h| h.is_absolute()).map(|h| h.join(".config")))
}

/// The shipped entry with `Exec` and `TryExec` pointing at `program`.
pub fn desktop_entry(program: &Path) -> String {
    let path = program.to_string_lossy();
    let mut entry = String::new();
    for line in SHIPPED_ENTRY.lines() {
        if line.starts_with("Exec=") {
            entry.push_str(&format!("Exec={}\n", exec_quote(&path)));
        } else if line.starts_with("TryExec=") {
            entry.push_str(&format!("TryExec={}\n", escape_string(&path)));
        } else {
            entry.push_str(line);
            entry.push('\n');
        }
    }
    entry
}

/// One `Exec` argument: quoted when it has reserved characters, with `"`, `` ` ``,
/// `$` and `\` escaped inside the quotes and `%` doubled (the desktop entry
/// spec); then escaped once more as a string value.
pub fn exec_quote(argument: &str) -> String {
    const RESERVED: &[char] =
        &[' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')', '`'];
    let argument = argument.replace('%', "%%");
    let quoted = if argument.contains(RESERVED) {
        let mut quoted = String::from("\"");
        for c in argument.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        quoted
    } else {
        argument
    };
    escape_string(&quoted)
}

/// A desktop entry string value: backslash, newline, tab and return escaped.
fn escape_string(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t").replace('\r', "\\r")
}

/// Writes the entry next to its final place, then renames it there.
fn write_entry(file: &Path, content: &str) -> Result<(), String> {
    let folder = file.parent().ok_or_else(|| format!("{} has no folder", file.display()))?;
    std::fs::create_dir_all(folder).map_err(|e| format!("cannot make the folder {}: {e}", folder.display()))?;
    let temp = folder.join(format!(".{ENTRY_NAME}.tmp"));
    std::fs::write(&temp, content).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, file).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {e}", file.display())
    })
}

/// On Windows `haul.exe` opens a console; its twin `haul-gui.exe` (the MSI
/// installs both side by side) does not, so login starts that one.
#[cfg(windows)]
fn windows_gui_program(program: PathBuf) -> PathBuf {
    let twin = program.with_file_name("haul-gui.exe");
    let is_console = program.file_name().is_some_and(|n| n.eq_ignore_ascii_case("haul.exe"));
    if is_console && twin.is_file() { twin } else { program }
}

/// The `Run` value: the program, quoted.
#[cfg(windows)]
fn run_command(program: &Path) -> String {
    format!("\"{}\"", program.display())
}

#[cfg(windows)]
mod run_key {
    use super::RUN_KEY;
    use winreg::RegKey;
    use winreg::enums::{HKEY_CURRENT_USER, KEY_READ, KEY_SET_VALUE};

    /// Haul's value in the `Run` key, if it is there.
    pub fn get() -> Option<String> {
        let key = RegKey::predef(HKEY_CURRENT_USER).open_subkey_with_flags(RUN_KEY.0, KEY_READ).ok()?;
        key.get_value::<String, _>(RUN_KEY.1).ok()
    }

    /// Sets Haul's value to `command`, or removes it (`None`).
    pub fn set(command: Option<String>) -> Result<(), String> {
        let user = RegKey::predef(HKEY_CURRENT_USER);
        let (key, _) = user
            .create_subkey_with_flags(RUN_KEY.0, KEY_SET_VALUE)
            .map_err(|e| format!("cannot open HKCU\\{}: {e}", RUN_KEY.0))?;
        match command {
            Some(command) => key.set_value(RUN_KEY.1, &command).map_err(|e| format!("cannot set {}: {e}", RUN_KEY.1)),
            None => match key.delete_value(RUN_KEY.1) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("cannot remove {}: {e}", RUN_KEY.1)),
                _ => Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_follows_xdg_config_home_else_home() {
        let home = Some(PathBuf::from("/home/ann"));
        assert_eq!(config_home(Some("/cfg".into()), home.clone()), Some(PathBuf::from("/cfg")));
        assert_eq!(config_home(None, home.clone()), Some(PathBuf::from("/home/ann/.config")));
        // The spec ignores a relative value.
        assert_eq!(config_home(Some("rel".into()), home), Some(PathBuf::from("/home/ann/.config")));
        assert_eq!(config_home(None, None), None);
    }

    #[test]
    fn an_appimage_is_started_rather_than_its_extracted_executable() {
        let exe = PathBuf::from("/tmp/.cache/appimage-extract/x/usr/bin/haul");
        let image = PathBuf::from("/home/ann/Haul.AppImage");
        assert_eq!(program(Some(image.clone().into()), Some(exe.clone())), image);
        assert_eq!(program(Some("".into()), Some(exe.clone())), exe);
        assert_eq!(program(None, Some(exe.clone())), exe);
        assert_eq!(program(None, None), PathBuf::from("haul"));
    }

    #[test]
    fn exec_arguments_are_quoted_as_the_spec_says() {
        assert_eq!(exec_quote("/usr/bin/haul"), "/usr/bin/haul");
        assert_eq!(exec_quote("/opt/My Apps/Haul.AppImage"), "\"/opt/My Apps/Haul.AppImage\"");
        assert_eq!(exec_quote("/a/100%/haul"), "/a/100%%/haul");
        // `$` is escaped inside the quotes, and that backslash once more as a string.
        assert_eq!(exec_quote("/a/$x/haul"), "\"/a/\\\\$x/haul\"");
    }

    #[test]
    fn the_entry_is_the_shipped_one_pointed_at_this_program() {
        assert!(SHIPPED_ENTRY.lines().any(|l| l.starts_with("Exec=")), "the shipped entry has an Exec line");
        let entry = desktop_entry(Path::new("/home/ann/Apps/Haul x86.AppImage"));
        assert!(entry.starts_with("[Desktop Entry]\n"));
        assert!(entry.contains("\nExec=\"/home/ann/Apps/Haul x86.AppImage\"\n"), "{entry}");
        assert!(entry.contains("\nTryExec=/home/ann/Apps/Haul x86.AppImage\n"), "{entry}");
        for kept in ["Name=Haul", "Icon=haul", "X-GNOME-Autostart-enabled=true", "Type=Application"] {
            assert!(entry.lines().any(|l| l == kept), "{kept} is kept");
        }
        assert_eq!(entry.lines().filter(|l| l.starts_with("Exec=")).count(), 1);
    }

    #[test]
    fn turning_it_on_writes_the_entry_and_off_removes_it() {
        let config = tempfile::tempdir().expect("temp dir");
        let autostart = Autostart::in_folder(&config.path().join("autostart"), Path::new("/usr/bin/haul"));
        assert_eq!(autostart.is_enabled(), Some(false));
        autostart.set(true).expect("on");
        assert_eq!(autostart.is_enabled(), Some(true));
        let file = config.path().join("autostart").join(ENTRY_NAME);
        let written = std::fs::read_to_string(&file).expect("entry");
        assert!(written.contains("\nExec=/usr/bin/haul\n"));
        autostart.set(true).expect("on again");
        assert_eq!(std::fs::read_dir(config.path().join("autostart")).expect("folder").count(), 1, "no temp left");
        autostart.set(false).expect("off");
        assert_eq!(autostart.is_enabled(), Some(false));
        autostart.set(false).expect("off when already off");
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_an_error_not_a_panic() {
        let config = tempfile::tempdir().expect("temp dir");
        // A file where the folder should be: fails even for root, unlike permissions.
        std::fs::write(config.path().join("autostart"), "").expect("blocker");
        let autostart = Autostart::in_folder(&config.path().join("autostart"), Path::new("/usr/bin/haul"));
        let error = autostart.set(true).expect_err("cannot write");
        assert!(error.starts_with("Cannot turn on “Start on login”: cannot make the folder"), "{error}");
        assert_eq!(autostart.is_enabled(), Some(false));
    }
}
