//! Files dropped onto the window: the links in them fill the add dialog;
//! a file with none says so in a toast.

use crate::support::{World, shows, step_until, wait_loaded};
use eframe::egui::DroppedFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file dropped from the desktop, as winit hands it over (a path).
#[derive(Debug)]
struct FromDesktop(PathBuf);

impl DroppedFile for FromDesktop {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_files(window: &mut crate::support::Window, paths: &[PathBuf]) {
    for path in paths {
        window.input_mut().dropped_files.push(Arc::new(FromDesktop(path.clone())));
    }
    window.step();
}

#[test]
fn dropped_shortcuts_and_text_files_open_the_add_dialog_with_their_links() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let dir = world.fixture.path("dropped");
    std::fs::create_dir_all(&dir).expect("dir");
    let shortcut = dir.join("Ubuntu.url");
    std::fs::write(&shortcut, "[InternetShortcut]\r\nURL=https://releases.example/ubuntu.iso\r\n").expect("write");
    let list = dir.join("links.txt");
    std::fs::write(&list, "first https://a.example/1.zip\nthen https://a.example/2.zip.\n").expect("write");

    drop_files(&mut window, &[shortcut, list]);
    let urls = window.state_mut().add_dialog().map(|d| d.urls.clone());
    assert_eq!(
        urls.as_deref(),
        Some("https://releases.example/ubuntu.iso\nhttps://a.example/1.zip\nhttps://a.example/2.zip"),
        "one link a line, as the clipboard fills it"
    );
    window.run();
    assert!(shows(&window, "URLs, one per line"), "the dialog is on screen");

    // Another drop while the dialog is open adds to it.
    let entry = dir.join("mirror.desktop");
    std::fs::write(&entry, "[Desktop Entry]\nType=Link\nName=Mirror\nURL=https://mirror.example/u.iso\n")
        .expect("write");
    drop_files(&mut window, &[entry]);
    let urls = window.state_mut().add_dialog().map(|d| d.urls.clone()).unwrap_or_default();
    assert!(urls.ends_with("https://a.example/2.zip\nhttps://mirror.example/u.iso"), "{urls}");
}

#[test]
fn a_dropped_file_without_links_says_so() {
    let world = World::new();
    let (mut window, _) = world.window(None);
    wait_loaded(&mut window);
    let dir = world.fixture.path("dropped");
    std::fs::create_dir_all(&dir).expect("dir");
    let photo = dir.join("holiday.png");
    std::fs::write(&photo, b"\x89PNG https://not.read/").expect("write");
    let note = dir.join("note.txt");
    std::fs::write(&note, "no links here").expect("write");

    drop_files(&mut window, &[photo, note]);
    step_until(&mut window, "the toast", |w| shows(w, "No link to download"));
    assert!(shows(&window, "holiday.png, note.txt holds no http or https link."));
    assert!(window.state_mut().add_dialog().is_none(), "no empty dialog");
}
