//! The settings window's proxy row: the service's proxy as it keeps it
//! (`none`, `system`, or a URL without its password) in a field the user can
//! edit, checked as typed, and Apply (`set_proxy`; a password typed in the URL
//! goes to the system keyring, and the field shows it without).

use eframe::egui;
use haul_core::model::ProxyChoice;

/// The row's own state: the text being typed.
#[derive(Debug, Default)]
pub struct ProxyPanel {
    text: String,
    edited: bool,
}

impl ProxyPanel {
    /// As for a newly opened settings window: the field follows the service's.
    pub fn reset(&mut self) {
        *self = ProxyPanel::default();
    }
}

/// Draws the row's value cell (its label is the caller's); the text to send
/// to `set_proxy` when Apply is pressed.
pub fn proxy_row_ui(
    ui: &mut egui::Ui,
    label: egui::Id,
    panel: &mut ProxyPanel,
    current: Option<&ProxyChoice>,
) -> Option<String> {
    let current = current.map_or_else(|| "system".to_string(), ToString::to_string);
    if !panel.edited {
        panel.text.clone_from(&current);
    }
    let mut apply = None;
    ui.vertical(|ui| {
        let problem = ProxyChoice::parse(&panel.text).err();
        ui.horizontal(|ui| {
            let edit = egui::TextEdit::singleline(&mut panel.text)
                .hint_text("none, system or socks5h://user:password@host:1080")
                .desired_width(260.0);
            if ui.add(edit).labelled_by(label).changed() {
                panel.edited = true;
            }
            let changed = panel.text.trim() != current;
            let button = ui.add_enabled(problem.is_none() && changed, egui::Button::new("Apply proxy"));
            if button.on_hover_text("Send downloads through this proxy").clicked() {
                apply = Some(panel.text.trim().to_string());
                panel.edited = false;
            }
        });
        if let Some(problem) = &problem {
            ui.colored_label(ui.visuals().error_fg_color, &problem.0);
        }
        ui.weak(
            "none: direct; system: the http_proxy/https_proxy/all_proxy variables. A password goes to the keyring.",
        );
    });
    apply
}
