//! The real window (egui_kittest, no display needed) against a real service:
//! an in-process service on a temp socket, a loopback HTTP server, and a
//! second client that checks through the protocol what the window did.
//!
//! The window is the `haul` library's (`haul::gui`).

#[path = "gui/support.rs"]
mod support;

#[path = "gui/actions.rs"]
mod actions;
#[path = "gui/add.rs"]
mod add;
#[path = "gui/add_links.rs"]
mod add_links;
#[path = "gui/add_preview.rs"]
mod add_preview;
#[path = "gui/adding.rs"]
mod adding;
#[path = "gui/away.rs"]
mod away;
#[path = "gui/browsers.rs"]
mod browsers;
#[path = "gui/clipboard.rs"]
mod clipboard;
#[path = "gui/credentials.rs"]
mod credentials;
#[path = "gui/details.rs"]
mod details;
#[path = "gui/dropped.rs"]
mod dropped;
#[path = "gui/frame_time.rs"]
mod frame_time;
#[path = "gui/history.rs"]
mod history;
#[path = "gui/network.rs"]
mod network;
#[path = "gui/notification_clicks.rs"]
mod notification_clicks;
#[path = "gui/refresh.rs"]
mod refresh;
#[path = "gui/rpc.rs"]
mod rpc;
#[path = "gui/schedule.rs"]
mod schedule;
#[path = "gui/small.rs"]
mod small;
#[path = "gui/startup.rs"]
mod startup;
#[path = "gui/stream.rs"]
mod stream;
#[path = "gui/toasts.rs"]
mod toasts;
#[path = "gui/tray.rs"]
mod tray;
#[path = "gui/when_done.rs"]
mod when_done;
#[path = "gui/words.rs"]
mod words;
