//! The settings window's aria2 RPC section (AriaNg, browser extensions): the
//! endpoint's status, its URL and the user's secret (masked until Show) with
//! Copy buttons, and the address it listens on with Apply (`set_rpc_listen`).

use eframe::egui;
use haul_core::model::RpcListen;
use haul_core::protocol::RpcInfo;

/// The section's heading.
pub const RPC_HEADING: &str = "aria2 RPC (AriaNg, browser extensions)";
/// What stands for the secret until Show is pressed (its length says nothing).
const MASK: &str = "••••••••••••••••";
/// The width the secret takes, shown or not.
const SECRET_WIDTH: f32 = 252.0;

/// What the window knows of the endpoint, from the service.
#[derive(Debug, Default)]
pub struct RpcView {
    /// The endpoint as last read or changed.
    pub info: Option<RpcInfo>,
    /// Why the last read or change did not work.
    pub error: Option<String>,
    /// A change was sent and is not answered yet.
    pub applying: bool,
}

impl RpcView {
    /// The service answered `get_rpc_info` or `set_rpc_listen`.
    pub fn arrived(&mut self, info: RpcInfo) {
        self.info = Some(info);
        self.error = None;
        self.applying = false;
    }

    /// A read or change failed; `message` says why.
    pub fn failed(&mut self, message: String) {
        self.error = Some(message);
        self.applying = false;
    }
}

/// The section's own state: the address being typed, whether the secret shows.
#[derive(Debug, Default)]
pub struct RpcPanel {
    listen: String,
    edited: bool,
    show_secret: bool,
    copied: Option<&'static str>,
    typo: Option<String>,
}

impl RpcPanel {
    /// As for a newly opened settings window: the secret masked, the address
    /// field following the service's until the user types.
    pub fn reset(&mut self) {
        *self = RpcPanel::default();
    }
}

/// Draws the section, its labels in a column `label_width` wide (as the rest
/// of the window's); returns the address to move the endpoint to when Apply
/// was pressed with a valid one.
pub fn rpc_section_ui(ui: &mut egui::Ui, panel: &mut RpcPanel, view: &RpcView, label_width: f32) -> Option<RpcListen> {
    let info = view.info.as_ref();
    if !panel.edited
        && let Some(listen) = info.and_then(|i| i.listen)
    {
        panel.listen = listen.to_string();
    }
    let mut apply = None;
    ui.strong(RPC_HEADING);
    ui.add_space(4.0);
    let grid = egui::Grid::new("rpc_settings").num_columns(2).spacing([12.0, 8.0]).min_col_width(label_width);
    grid.show(ui, |ui| {
        ui.label("Status");
        status_ui(ui, info);
        ui.end_row();

        ui.label("URL");
        ui.horizontal(|ui| match info.and_then(|i| i.url.as_deref()) {
            Some(url) => {
                ui.monospace(url);
                if ui.button("Copy URL").clicked() {
                    ui.ctx().copy_text(url.to_owned());
                    panel.copied = Some("URL");
                }
                copied_ui(ui, panel, "URL");
            }
            None => {
                ui.weak("—");
            }
        });
        ui.end_row();

        ui.label("Secret");
        ui.horizontal(|ui| match info.and_then(|i| i.secret.as_deref()) {
            Some(secret) => {
                // A fixed width, wrapped: showing the secret does not widen the window.
                let text = egui::RichText::new(if panel.show_secret { secret } else { MASK }).monospace();
                let layout = egui::Layout::left_to_right(egui::Align::Center).with_main_wrap(true);
                let height = ui.spacing().interact_size.y;
                ui.allocate_ui_with_layout(egui::vec2(SECRET_WIDTH, height), layout, |ui| {
                    ui.set_width(SECRET_WIDTH);
                    ui.add(egui::Label::new(text).wrap());
                });
                if ui.button(if panel.show_secret { "Hide" } else { "Show" }).clicked() {
                    panel.show_secret = !panel.show_secret;
                }
                if ui.button("Copy secret").clicked() {
                    ui.ctx().copy_text(secret.to_owned());
                    panel.copied = Some("secret");
                }
                copied_ui(ui, panel, "secret");
            }
            None => {
                ui.weak("—");
            }
        });
        ui.end_row();

        let label = ui.label("Listen on");
        ui.horizontal(|ui| {
            let field = egui::TextEdit::singleline(&mut panel.listen).hint_text("127.0.0.1:6800 or off");
            let field = ui.add_sized([180.0, ui.spacing().interact_size.y], field).labelled_by(label.id);
            if field.changed() {
                panel.edited = true;
                panel.typo = None;
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let button = ui.add_enabled(!view.applying, egui::Button::new("Apply"));
            if button.clicked() || (entered && !view.applying) {
                match RpcListen::parse(&panel.listen) {
                    Ok(listen) => {
                        panel.typo = None;
                        panel.edited = false;
                        apply = Some(listen);
                    }
                    Err(e) => panel.typo = Some(e.to_string()),
                }
            }
            if view.applying {
                ui.spinner();
            }
        });
        ui.end_row();
    });
    if let Some(problem) = panel.typo.as_deref().or(view.error.as_deref()) {
        ui.colored_label(ui.visuals().error_fg_color, problem);
    } else {
        ui.weak("In AriaNg: the URL's address, port and path, and the secret as \"secret token\".");
    }
    apply
}

/// "Listening", "Off", "Failed: why" or "Starting…".
fn status_ui(ui: &mut egui::Ui, info: Option<&RpcInfo>) {
    let Some(info) = info else {
        ui.weak("reading from the service…");
        return;
    };
    match info.status.as_str() {
        "listening" => {
            ui.colored_label(egui::Color32::from_rgb(0x2e, 0xa0, 0x43), "✔ Listening");
        }
        "off" => {
            ui.label("Off");
        }
        "failed" => {
            let why = info.error.as_deref().unwrap_or("no reason given");
            ui.colored_label(ui.visuals().error_fg_color, format!("✖ Failed: {why}"));
        }
        "starting" => {
            ui.label("Starting…");
        }
        other => {
            ui.label(other);
        }
    }
}

fn copied_ui(ui: &mut egui::Ui, panel: &RpcPanel, what: &str) {
    if panel.copied == Some(what) {
        ui.weak("Copied");
    }
}
