//! Drawing the toasts: stacked in the bottom-right corner, newest at the
//! bottom, each with its buttons and a close button.

use super::view_model::{Level, Toasts};
use super::widgets::{UiAction, level_color};
use eframe::egui::{self, Align2, RichText};

/// The toasts over everything else.
pub fn toasts_ui(ctx: &egui::Context, toasts: &Toasts, actions: &mut Vec<UiAction>) {
    if toasts.list().is_empty() {
        return;
    }
    let dark = ctx.global_style().visuals.dark_mode;
    egui::Area::new(egui::Id::unique("haul-toasts"))
        .anchor(Align2::RIGHT_BOTTOM, [-12.0, -34.0])
        .order(egui::Order::Foreground)
        .interactable(true)
        .show(ctx, |ui| {
            ui.set_max_width(360.0);
            for toast in toasts.list() {
                let ok = match toast.level {
                    Level::Success => Some(true),
                    Level::Error => Some(false),
                    Level::Info => None,
                };
                let color = level_color(ok, dark);
                egui::Frame::popup(ui.style()).stroke(egui::Stroke::new(1.5, color)).show(ui, |ui| {
                    ui.set_width(340.0);
                    ui.horizontal(|ui| {
                        ui.add(egui::Label::new(RichText::new(&toast.title).strong().color(color)).wrap());
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                            let close = ui.add(egui::Button::new("✖").frame(false)).on_hover_text("Dismiss");
                            close.widget_info(|| {
                                egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, "Dismiss")
                            });
                            if close.clicked() {
                                actions.push(UiAction::DismissToast(toast.id));
                            }
                        });
                    });
                    if !toast.body.is_empty() {
                        ui.add(egui::Label::new(&toast.body).wrap());
                    }
                    if !toast.actions.is_empty() {
                        ui.horizontal(|ui| {
                            for action in &toast.actions {
                                if ui.button(action.label()).clicked() {
                                    actions.push(UiAction::Toast(toast.id, action.clone()));
                                }
                            }
                        });
                    }
                });
                ui.add_space(6.0);
            }
        });
}
