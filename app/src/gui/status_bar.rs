//! The status bar: the connection to the service, the network (offline,
//! metered), active and waiting counts, and the total speed.

use super::format;
use super::messages::Connection;
use super::view_model::ViewModel;
use super::widgets::level_color;
use eframe::egui::{self, Ui};

/// One line along the bottom.
pub fn status_bar_ui(ui: &mut Ui, model: &ViewModel) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        let (ok, text) = match &model.connection {
            Connection::Connecting => (None, "connecting…".to_string()),
            Connection::Connected(server) => (Some(true), format!("connected to {server}")),
            Connection::Reconnecting(reason) => (Some(false), format!("reconnecting… ({reason})")),
        };
        let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
        ui.painter().circle_filled(dot.center(), 4.5, level_color(ok, dark));
        ui.label(text);
        if let Some(words) = model.network.as_ref().and_then(network_words) {
            ui.separator();
            ui.label(egui::RichText::new(words).color(level_color(Some(false), dark)));
        }
        if model.loaded {
            // The side bar's "Active", split the same way everywhere.
            let activity = model.activity();
            let parts: Vec<String> =
                [(activity.downloading, "downloading"), (activity.waiting, "waiting"), (activity.retrying, "retrying")]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
            ui.separator();
            let active = format!("{} active", activity.total());
            ui.label(if parts.is_empty() { active } else { format!("{active}: {}", parts.join(", ")) });
            ui.separator();
            ui.label(format!("⬇ {}", format::speed(activity.speed_bps)));
            ui.separator();
            let all = model.count(super::view_model::StateFilter::All);
            ui.label(format!("{all} {}", if all == 1 { "download" } else { "downloads" }));
        }
        if !model.selection.is_empty() {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{} selected", model.selection.len()));
            });
        }
    });
}

/// What the status bar says of the network, when it is not simply online.
pub fn network_words(status: &haul_core::model::NetworkStatus) -> Option<&'static str> {
    if !status.online {
        Some("Offline — downloads will resume when you are back online")
    } else if status.metered {
        Some("Metered network — background downloads wait for an unmetered one")
    } else {
        None
    }
}
