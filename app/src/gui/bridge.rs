//! The window's background client: a thread with its own tokio runtime that
//! connects (starting the service if needed), reconnects when the service
//! goes away, and trades `Command`s and `Update`s with the window through
//! channels. Every update wakes the window with `request_repaint`.

use super::context::{Context, Request, UpdateSink};
use super::messages::{Command, Connection, Update};
use super::session::{self, SessionEnd};
use haul_core::client::{Client, ClientError, StartService};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// The client name the service sees.
pub const CLIENT_NAME: &str = concat!("haul-gui/", env!("CARGO_PKG_VERSION"));
/// Longest wait between reconnection attempts.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// Where the service is, and how to start it when nobody answers.
#[derive(Clone, Debug)]
pub struct ServiceAddress {
    /// The socket.
    pub socket: PathBuf,
    /// How to start the service (`None`: only connect, e.g. in tests).
    pub start: Option<StartService>,
}

/// The window's end of the background client.
pub struct Bridge {
    requests: Option<mpsc::UnboundedSender<Request>>,
    updates: std::sync::mpsc::Receiver<Update>,
    thread: Option<std::thread::JoinHandle<()>>,
    auto_complete: Arc<AtomicBool>,
}

impl Bridge {
    /// Starts the background thread; it connects at once.
    pub fn start(address: ServiceAddress, cursor: u64, auto_complete: bool, ctx: eframe::egui::Context) -> Bridge {
        let (requests_tx, requests_rx) = mpsc::unbounded_channel();
        let (tx, updates) = std::sync::mpsc::channel();
        let sink = UpdateSink::new(tx, ctx);
        let auto_complete = Arc::new(AtomicBool::new(auto_complete));
        let shared = auto_complete.clone();
        let thread = std::thread::Builder::new().name("haul-client".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    sink.send(Update::Connection(Connection::Reconnecting(format!("no async runtime: {e}"))));
                    return;
                }
            };
            runtime.block_on(run(address, cursor, auto_complete, requests_rx, sink));
        });
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(e) => {
                tracing::error!("cannot start the client thread: {e}");
                None
            }
        };
        Bridge { requests: Some(requests_tx), updates, thread, auto_complete: shared }
    }

    /// A bridge with no client behind it: the returned sender plays the
    /// service (tests and the frame-time measurement).
    pub fn detached() -> (Bridge, std::sync::mpsc::Sender<Update>) {
        let (tx, updates) = std::sync::mpsc::channel();
        (Bridge { requests: None, updates, thread: None, auto_complete: Arc::new(AtomicBool::new(false)) }, tx)
    }

    /// Whether the window completes the transferred jobs it is the sink of.
    pub fn set_auto_complete(&self, on: bool) {
        self.auto_complete.store(on, Ordering::Relaxed);
    }

    /// Sends a command (dropped when there is no client).
    pub fn send(&self, command: Command) {
        if let Some(requests) = &self.requests {
            let _ = requests.send(Request::Command(command));
        }
    }

    /// The updates that arrived since the last frame.
    pub fn drain(&self) -> impl Iterator<Item = Update> + '_ {
        self.updates.try_iter()
    }

    /// Unregisters from the service's jobs and stops the client, waiting at most `timeout`.
    pub fn shutdown(&mut self, timeout: Duration) {
        let Some(requests) = self.requests.take() else {
            return;
        };
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        if requests.send(Request::Shutdown(done_tx)).is_ok() {
            // Done, or the thread is gone (the sender dropped), or time is up.
            let _ = done_rx.recv_timeout(timeout);
        }
        drop(requests);
        if let Some(thread) = self.thread.take()
            && thread.is_finished()
        {
            let _ = thread.join();
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.shutdown(Duration::from_secs(2));
    }
}

/// Connects, runs sessions, reconnects, until the window shuts down.
async fn run(
    address: ServiceAddress,
    mut cursor: u64,
    auto_complete: Arc<AtomicBool>,
    mut requests: mpsc::UnboundedReceiver<Request>,
    sink: UpdateSink,
) {
    let mut first = true;
    let mut delay = Duration::from_millis(250);
    loop {
        let connecting = async {
            match &address.start {
                Some(start) => Client::connect_or_start(&address.socket, start).await,
                None => Client::connect_as(&address.socket, CLIENT_NAME).await,
            }
        };
        let connected = tokio::select! {
            connected = connecting => connected,
            stop = wait_for_shutdown(&mut requests, &sink) => {
                let _ = stop.map(|done| done.send(()));
                return;
            }
        };
        let reason = match connected {
            Ok(client) => {
                delay = Duration::from_millis(250);
                sink.send(Update::Connection(Connection::Connected(client.hello().server.clone())));
                let context = Context {
                    sink: sink.clone(),
                    auto_complete: auto_complete.clone(),
                    socket: address.socket.clone(),
                };
                match session::run(client, &mut cursor, !first, &mut requests, context).await {
                    SessionEnd::Shutdown => return,
                    SessionEnd::Lost(reason) => reason,
                }
            }
            Err(e) => describe(&e),
        };
        first = false;
        tracing::info!("the Haul service is not reachable: {reason}");
        sink.send(Update::Connection(Connection::Reconnecting(reason)));
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            stop = wait_for_shutdown(&mut requests, &sink) => {
                let _ = stop.map(|done| done.send(()));
                return;
            }
        }
        delay = (delay * 2).min(MAX_RETRY_DELAY);
    }
}

/// While disconnected: refuses commands until asked to shut down (or the window is gone).
async fn wait_for_shutdown(
    requests: &mut mpsc::UnboundedReceiver<Request>,
    sink: &UpdateSink,
) -> Option<std::sync::mpsc::Sender<()>> {
    loop {
        match requests.recv().await {
            None => return None,
            Some(Request::Shutdown(done)) => return Some(done),
            Some(Request::Command(command)) => session::refuse_offline(&command, sink),
        }
    }
}

/// A connection failure in one sentence.
fn describe(error: &ClientError) -> String {
    match error {
        ClientError::Io { source, .. } => format!("cannot connect ({source})"),
        other => other.to_string(),
    }
}
