//! Keyboard shortcuts (UX.md "Respect"): Ctrl+N add, Space pause/resume,
//! Delete remove, Enter open, Ctrl+F filter, Ctrl+A select all, and Ctrl+V
//! with a link on the clipboard opens the add dialog filled in.

use super::widgets::UiAction;
use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};

/// The actions asked for by this frame's keys. Keys that a focused text field
/// or button uses are left to it.
pub fn shortcuts(ctx: &egui::Context, actions: &mut Vec<UiAction>) {
    let ctrl = |key| KeyboardShortcut::new(Modifiers::COMMAND, key);
    ctx.input_mut(|input| {
        if input.consume_shortcut(&ctrl(Key::N)) {
            actions.push(UiAction::OpenAdd(None));
        }
        if input.consume_shortcut(&ctrl(Key::F)) {
            actions.push(UiAction::FocusFilter);
        }
    });
    let typing = ctx.egui_wants_keyboard_input();
    let focused = ctx.memory(|m| m.focused().is_some());
    if typing {
        return;
    }
    ctx.input_mut(|input| {
        if input.consume_shortcut(&ctrl(Key::A)) {
            actions.push(UiAction::SelectAll);
        }
        if !focused && input.consume_key(Modifiers::NONE, Key::Space) {
            actions.push(UiAction::TogglePause);
        }
        if !focused && input.consume_key(Modifiers::NONE, Key::Enter) {
            actions.push(UiAction::Open);
        }
        if input.consume_key(Modifiers::NONE, Key::Escape) {
            actions.push(UiAction::ClearSelection);
        }
        if input.consume_key(Modifiers::NONE, Key::Delete) {
            actions.push(UiAction::Remove);
        }
        let pasted = input.events.iter().find_map(|event| match event {
            egui::Event::Paste(text) if looks_like_links(text) => Some(text.clone()),
            _ => None,
        });
        if let Some(text) = pasted {
            actions.push(UiAction::OpenAdd(Some(links(&text).join("\n"))));
        }
    });
}

/// The http(s) links in a text.
pub fn links(text: &str) -> Vec<&str> {
    text.split_whitespace().filter(|w| w.starts_with("http://") || w.starts_with("https://")).collect()
}

fn looks_like_links(text: &str) -> bool {
    !links(text).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_in_pasted_text() {
        assert_eq!(links("see https://a/x.iso and\nhttp://b/y"), ["https://a/x.iso", "http://b/y"]);
        assert!(links("no links here").is_empty());
    }
}
