//! `events_since` (the journal after a cursor) and `subscribe` (live events and progress).

use super::{Answer, reply};
use crate::protocol::{EventsSinceParams, EventsSinceResult, RpcError, Subscribe, SubscribeResult, parse_params};
use crate::service::Session;
use crate::service::subscription::Subscription;
use serde_json::Value;

/// `events_since` without a limit returns at most this many events…
const DEFAULT_LIMIT: u32 = 1000;
/// …and never more than this many.
const MAX_LIMIT: u32 = 10_000;

pub(super) fn events_since(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let p: EventsSinceParams = parse_params(params)?;
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let events = session.manager.events_since(&session.caller, p.seq, limit)?;
    let next_seq = events.last().map_or(p.seq, |e| e.seq);
    reply(EventsSinceResult { events, next_seq })
}

pub(super) fn subscribe(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let Subscribe { kinds } = parse_params(params)?;
    // Subscribe before reading the cursor so that no event falls in between.
    let events = session.manager.subscribe();
    let next_seq = session.manager.last_seq()?;
    if !session.subscribed {
        session.subscribed = true;
        let subscription = Subscription {
            manager: session.manager.clone(),
            caller: session.caller,
            after_seq: next_seq,
            kinds,
            events,
            out: session.notices.clone(),
            closed: session.closed.clone(),
        };
        tokio::spawn(subscription.run());
    }
    reply(SubscribeResult { next_seq })
}
