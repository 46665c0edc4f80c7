//! Drawing the toasts: one stack in the bottom-right corner of the job list
//! (never over the details panel), newest at the bottom, folded to the newest
//! two behind an "N more" button (on a very small window, all of them behind
//! "N notifications"). While the pointer is over the stack it holds
//! still: the same toasts in the same places, none expiring, new ones counted
//! in "N more" until the pointer leaves.

use super::view_model::{FOLDED_SHOWN, Level, Toast, Toasts, stack};
use super::widgets::{UiAction, level_color};
use eframe::egui::{self, Align2, RichText};

/// A job list shorter than this folds every toast behind one button.
const SHORT_LIST: f32 = 200.0;
/// The widest a toast gets.
const TOAST_WIDTH: f32 = 340.0;

/// What the stack remembers between frames (egui's memory).
#[derive(Clone, Debug, Default)]
struct StackState {
    expanded: bool,
    /// The ids shown when the pointer came over the stack.
    frozen: Option<Vec<u64>>,
}

/// The toasts inside `within` (the job list's rect); true while the pointer
/// is over them (their time then stands still).
pub fn toasts_ui(ctx: &egui::Context, toasts: &Toasts, within: egui::Rect, actions: &mut Vec<UiAction>) -> bool {
    let area_id = egui::Id::unique("haul-toasts");
    let state_id = area_id.with("state");
    let mut state: StackState = ctx.data(|d| d.get_temp(state_id)).unwrap_or_default();
    if toasts.list().is_empty() {
        ctx.data_mut(|d| d.remove::<StackState>(state_id));
        return false;
    }
    let last_rect = ctx.memory(|m| m.area_rect(area_id));
    let hovered = match (last_rect, ctx.pointer_hover_pos()) {
        (Some(rect), Some(pointer)) => rect.contains(pointer),
        _ => false,
    };
    if !hovered {
        state.frozen = None;
    }
    // A very small window keeps its few rows visible: all behind one button.
    let folded = if within.height() < SHORT_LIST { 0 } else { FOLDED_SHOWN };
    let (shown, more) = stack(toasts.list(), state.expanded, folded, state.frozen.as_deref());
    if hovered && state.frozen.is_none() {
        state.frozen = Some(shown.iter().map(|t| t.id).collect());
    }
    let dark = ctx.global_style().visuals.dark_mode;
    let width = TOAST_WIDTH.min(within.width() - 24.0).max(120.0);
    egui::Area::new(area_id)
        .pivot(Align2::RIGHT_BOTTOM)
        .fixed_pos(within.right_bottom() + egui::vec2(-12.0, -8.0))
        .constrain_to(within)
        .order(egui::Order::Foreground)
        .interactable(true)
        .show(ctx, |ui| {
            // One width whatever is shown, so nothing shifts sideways.
            ui.set_width(width + 16.0);
            let fold = match (more, state.expanded) {
                (0, false) => None,
                (n, false) if shown.is_empty() => {
                    Some(format!("{n} {}", if n == 1 { "notification" } else { "notifications" }))
                }
                (n, false) => Some(format!("{n} more")),
                (n, true) if n > 0 => Some(format!("{n} more")),
                (_, true) => Some("Show fewer".to_string()),
            };
            if let Some(text) = fold {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
                    if ui.button(text).on_hover_text("Show or fold the older notifications").clicked() {
                        state.expanded = !state.expanded || more > 0;
                        state.frozen = None;
                    }
                });
            }
            let max_height = (within.height() - 60.0).max(80.0);
            egui::ScrollArea::vertical().max_height(max_height).stick_to_bottom(true).show(ui, |ui| {
                for toast in shown {
                    toast_ui(ui, toast, width, dark, actions);
                    ui.add_space(6.0);
                }
            });
        });
    ctx.data_mut(|d| d.insert_temp(state_id, state));
    hovered
}

/// One toast: its title (cut with "…", whole on hover) beside its close
/// button, its words, its buttons.
fn toast_ui(ui: &mut egui::Ui, toast: &Toast, width: f32, dark: bool, actions: &mut Vec<UiAction>) {
    let ok = match toast.level {
        Level::Success => Some(true),
        Level::Error => Some(false),
        Level::Info => None,
    };
    let color = level_color(ok, dark);
    egui::Frame::popup(ui.style()).stroke(egui::Stroke::new(1.5, color)).show(ui, |ui| {
        ui.set_width(width);
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let close = ui.add(egui::Button::new("✖").frame(false)).on_hover_text("Dismiss");
                close.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Button, true, "Dismiss"));
                if close.clicked() {
                    actions.push(UiAction::DismissToast(toast.id));
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    // A cut title shows itself whole on hover (egui's default for elided labels).
                    let title = egui::Label::new(RichText::new(&toast.title).strong().color(color)).truncate();
                    ui.add(title.show_tooltip_when_elided(true));
                });
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
}
