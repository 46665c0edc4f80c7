//! Notification sinks (`SetNotifyInterface`) and the per-job delivery queues.
//! Sinks live only as long as the connection that registered them; never persisted.

mod registry;
mod sink;

pub use registry::{Pending, Registry};
pub use sink::{Sink, SinkError, SinkFuture, next_sink_id};
