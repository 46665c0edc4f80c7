//! One connection's life (DESIGN.md §4): subscribe, load every job and the
//! journal since the saved cursor, hand the window the picture, register as
//! the sink of every job; then answer callbacks, forward events and progress,
//! run commands, and register for each job created later — until the
//! connection drops or the window closes (then unregister).

use super::context::{Context, Request, UpdateSink, refresh};
use super::messages::{Command, Update};
use super::registration::Registry;
use super::{actions, callbacks, startup};
use haul_core::client::{Client, Incoming};
use haul_core::model::{EventKind, JobId, JobState};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long unregistering may hold up the window's exit.
const UNREGISTER_TIMEOUT: Duration = Duration::from_secs(2);
/// A job someone else creates is left to them this long before the window
/// offers to be its sink (`haul add --wait` registers right after creating).
const REGISTER_LATER: Duration = Duration::from_secs(1);

/// Why a session ended.
pub enum SessionEnd {
    /// The window is closing.
    Shutdown,
    /// The connection was lost (the sentence says how).
    Lost(String),
}

/// Runs one connection until it drops or the window closes; `cursor` is the
/// journal position, advanced as events arrive.
pub async fn run(
    client: Client,
    cursor: &mut u64,
    reconnect: bool,
    requests: &mut mpsc::UnboundedReceiver<Request>,
    cx: Context,
) -> SessionEnd {
    let Some(mut incoming) = client.take_incoming() else {
        return SessionEnd::Lost("the connection's notifications were already taken".into());
    };
    let registry = Registry::new(client.clone());
    let subscribed_at = match client.subscribe().await {
        Ok(seq) => seq,
        Err(e) => return SessionEnd::Lost(e.to_string()),
    };
    // The browser extension's "Ask where to save" comes to the window (an older
    // service does not know the method: then it never comes).
    if let Err(e) = client.receive_add_dialogs().await {
        tracing::debug!("no add dialogs from the service: {e}");
    }
    // Load the picture while draining what arrives meanwhile (a full queue
    // would stall the replies we wait for).
    let mut held = Vec::new();
    let mut inflight = Vec::new();
    let load = startup::load(&client, *cursor, subscribed_at, reconnect);
    tokio::pin!(load);
    let picture = loop {
        tokio::select! {
            loaded = &mut load => match loaded {
                Ok(picture) => break picture,
                Err(e) => return SessionEnd::Lost(e.to_string()),
            },
            item = incoming.recv() => match item {
                Some(item) => held.push(item),
                None => return SessionEnd::Lost("the service closed the connection".into()),
            },
            request = requests.recv() => match request {
                Some(Request::Command(command)) => track(&mut inflight, actions::spawn(command, &client, &cx, &registry)),
                Some(Request::Shutdown(done)) => {
                    finish(&mut inflight).await;
                    client.close();
                    let _ = done.send(());
                    return SessionEnd::Shutdown;
                }
                None => return SessionEnd::Shutdown,
            },
        }
    };
    *cursor = picture.cursor;
    let to_register: Vec<_> =
        picture.jobs.iter().filter(|j| !j.state.is_final()).map(|j| (j.id, j.notify_flags)).collect();
    cx.sink.send(Update::Startup(Box::new(picture)));
    network(&client, cx.clone(), false);
    for item in held {
        handle(item, &client, &cx, &registry, cursor);
    }
    let all = registry.clone();
    tokio::spawn(async move { all.register_all(to_register).await });

    loop {
        tokio::select! {
            item = incoming.recv() => match item {
                Some(item) => handle(item, &client, &cx, &registry, cursor),
                None => return SessionEnd::Lost("the service closed the connection".into()),
            },
            request = requests.recv() => match request {
                Some(Request::Command(command)) => track(&mut inflight, actions::spawn(command, &client, &cx, &registry)),
                Some(Request::Shutdown(done)) => {
                    finish(&mut inflight).await;
                    let _ = tokio::time::timeout(UNREGISTER_TIMEOUT, registry.unregister_all()).await;
                    client.close();
                    let _ = done.send(());
                    return SessionEnd::Shutdown;
                }
                None => {
                    let _ = tokio::time::timeout(UNREGISTER_TIMEOUT, registry.unregister_all()).await;
                    return SessionEnd::Shutdown;
                }
            },
        }
    }
}

/// Keeps the handle of a running command (and drops those that ended).
fn track(inflight: &mut Vec<tokio::task::JoinHandle<()>>, task: tokio::task::JoinHandle<()>) {
    inflight.retain(|t| !t.is_finished());
    inflight.push(task);
}

/// Lets the commands the user gave before closing finish (e.g. the removals
/// whose Undo the closing ended), for at most [`UNREGISTER_TIMEOUT`].
async fn finish(inflight: &mut Vec<tokio::task::JoinHandle<()>>) {
    let _ = tokio::time::timeout(UNREGISTER_TIMEOUT, futures_util::future::join_all(inflight.drain(..))).await;
}

/// One message from the service.
fn handle(item: Incoming, client: &Client, cx: &Context, registry: &Registry, cursor: &mut u64) {
    match item {
        Incoming::Callback { callback, responder } => callbacks::handle(*callback, responder, client, cx),
        Incoming::Progress(progress) => cx.sink.send(Update::Progress(progress)),
        Incoming::WhenDone(pending) => cx.sink.send(Update::WhenDone(pending)),
        Incoming::AddDialog(dialog) => cx.sink.send(Update::AddDialog(dialog)),
        Incoming::Network(status) => {
            cx.sink.send(Update::Network(status));
            // Queued jobs' wait reasons changed with it, without an event.
            network(client, cx.clone(), true);
        }
        Incoming::Event(event) => {
            *cursor = (*cursor).max(event.seq);
            let (job_id, kind) = (event.job_id, event.kind);
            cx.sink.send(Update::Event(Box::new(event)));
            if kind == EventKind::Created {
                let registry = registry.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(REGISTER_LATER).await;
                    registry.register(job_id, None).await
                });
            }
            match kind {
                // The progress stream counts finished files (and, where this
                // window is the sink, the callback brings the job): a job of
                // 10,000 files would otherwise be read 10,000 times.
                EventKind::Cancelled | EventKind::FileTransferred => {}
                // Another client is this job's sink: the journal tells the outcome instead.
                EventKind::Transferred | EventKind::Error if !registry.holds(job_id) => announce(job_id, client, cx),
                // The event says the state; the job says everything else.
                _ => refresh(job_id, client, cx),
            }
        }
    }
}

/// Reads the network state (at start), or every live job again (after the
/// network changed: their wait reasons changed without an event).
fn network(client: &Client, cx: Context, jobs_too: bool) {
    let client = client.clone();
    tokio::spawn(async move {
        if jobs_too {
            match client.enum_jobs(false, false).await {
                Ok(jobs) => jobs.into_iter().for_each(|job| cx.sink.send(Update::Job(Box::new(job)))),
                Err(e) => tracing::debug!("enum_jobs: {e}"),
            }
        } else {
            match client.get_network().await {
                Ok(status) => cx.sink.send(Update::Network(status)),
                Err(e) => tracing::debug!("get_network: {e}"),
            }
        }
    });
}

/// Fetches a job that finished or failed without telling the window (it is
/// another client's) and hands it over as if its callback had come.
fn announce(job_id: JobId, client: &Client, cx: &Context) {
    let (client, sink) = (client.clone(), cx.sink.clone());
    tokio::spawn(async move {
        let job = match client.get_job(job_id).await {
            Ok(job) => job,
            Err(e) => return tracing::debug!("get_job {job_id}: {e}"),
        };
        match (job.state, job.error.as_deref().cloned()) {
            (JobState::Error, Some(error)) => sink.send(Update::Failed(Box::new(job), error)),
            (JobState::Transferred | JobState::Acknowledged, _) => sink.send(Update::Finished(Box::new(job))),
            _ => sink.send(Update::Job(Box::new(job))),
        }
    });
}

/// A command while there is no connection: tell the user instead of dropping it.
pub fn refuse_offline(command: &Command, sink: &UpdateSink) {
    if let Command::Probe(links, _) = command {
        for (link, _) in links {
            sink.send(Update::Probed(link.clone(), Err("Haul is not connected to its service right now.".into())));
        }
    } else if matches!(command, Command::GetRpcInfo | Command::SetRpcListen(_)) {
        // The settings window says it where the endpoint is shown.
        sink.send(Update::RpcFailed("Haul is not connected to its service right now.".into()));
    } else if !matches!(command, Command::LoadFiles(_)) {
        sink.send(Update::ActionFailed(
            "Haul is not connected to its service right now; try again in a moment.".into(),
        ));
    }
}
