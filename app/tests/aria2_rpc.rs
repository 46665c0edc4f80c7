//! aria2's JSON-RPC endpoint of a real `haul service` (issue #13), each check
//! over HTTP POST and over a WebSocket: every method, batches and
//! `system.multicall`, secrets (also of a `--system` service), notifications,
//! and bad input, stalled clients and too many connections.

mod common;

#[path = "aria2_rpc/client.rs"]
mod client;

#[path = "aria2_rpc/add.rs"]
mod add;
#[path = "aria2_rpc/batch.rs"]
mod batch;
#[path = "aria2_rpc/control.rs"]
mod control;
#[path = "aria2_rpc/global.rs"]
mod global;
#[path = "aria2_rpc/limits.rs"]
mod limits;
#[path = "aria2_rpc/notices.rs"]
mod notices;
#[path = "aria2_rpc/queue.rs"]
mod queue;
#[path = "aria2_rpc/secrets.rs"]
mod secrets;
