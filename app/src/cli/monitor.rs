//! `haul monitor` (live events) and `haul events` (the journal).

use super::args::EventsArgs;
use super::connect::connect;
use super::output::print_json;
use crate::exit::{FAILED, Failure};
use haul_core::client::Incoming;
use haul_core::model::Event;

fn line(event: &Event) -> String {
    let error = event.error.as_ref().map(|e| format!(" — {}", e.message)).unwrap_or_default();
    format!(
        "{:>6}  {}  {}  {:<16}  {}{error}",
        event.seq,
        event.at.format("%F %T"),
        event.job_id,
        event.kind.as_str(),
        event.state
    )
}

/// `haul monitor`: prints live events until Ctrl-C.
pub async fn monitor(json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let mut incoming = client
        .take_incoming()
        .ok_or_else(|| Failure::new(FAILED, "the connection's notifications were already taken"))?;
    client.subscribe().await?;
    eprintln!("Watching your jobs; Ctrl-C to stop.");
    loop {
        let message = tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            message = incoming.recv() => message,
        };
        match message {
            None => return Err(Failure::new(crate::exit::NO_SERVICE, "the Haul service closed the connection")),
            Some(Incoming::Event(event)) if json_out => print_json(&event),
            Some(Incoming::Event(event)) => outln!("{}", line(&event)),
            Some(Incoming::Callback { responder, .. }) => responder.ok(),
            Some(Incoming::Progress(_) | Incoming::AddDialog(_)) => {}
            Some(Incoming::Network(status)) if json_out => print_json(&status),
            Some(Incoming::Network(status)) => outln!("network: {}", super::network::words(&status)),
            Some(Incoming::WhenDone(pending)) if json_out => print_json(&pending),
            Some(Incoming::WhenDone(Some(pending))) => outln!(
                "queue empty: {} at {} (haul limits --when-done cancel)",
                pending.action.words(),
                pending.at.with_timezone(&chrono::Local).format("%H:%M:%S")
            ),
            Some(Incoming::WhenDone(None)) => outln!("queue empty: the countdown stopped"),
        }
    }
}

/// `haul events`: prints the event journal.
pub async fn events(args: EventsArgs, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let mut seq = args.since;
    let mut all = Vec::new();
    loop {
        let page = client.events_since(seq, Some(1000)).await?;
        let (events, next) = (page.events, page.next_seq);
        let done = events.is_empty() || next == seq;
        all.extend(events);
        seq = next;
        if done || all.len() >= 1_000_000 {
            break;
        }
    }
    if json_out {
        print_json(&all);
    } else {
        for event in &all {
            outln!("{}", line(event));
        }
    }
    Ok(())
}
