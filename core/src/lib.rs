//! Haul's core: every rule of the BITS / Delivery Optimization job model.
//!
//! - `model`: ids, states, priorities, notify flags, jobs, files, errors, events
//! - `transition`: the legal state changes, in one place
//! - `access`: who may act on a job
//! - `store`: SQLite persistence of jobs, files and the event journal
//! - `engine`: HTTP transfers, failure classification, the scheduling rule
//! - `notify`: notification sinks and delivery queues
//! - `manager`: the job manager that ties them together
//! - `error`: the errors clients get back
//! - `protocol`: the JSON-RPC messages shared by the service and its clients
//! - `service`: the socket server: one task per connection, each a notification sink
//! - `client`: the async client used by the GUI, the CLI and the tests
//! - `aria2`: aria2's JSON-RPC over HTTP and WebSocket, for AriaNg, aria2p and browser extensions
//! - `network`: online/offline and metered, from NetworkManager over D-Bus
//! - `power`: suspend or power off through logind, when the queue empties
//! - `secrets`: passwords and cookies in the system keyring (or an opt-in 0600 file)
//! - `naming`: safe file names from URLs and Content-Disposition
//! - `users`: local users: file ownership and folder rights for a system service

pub mod access;
pub mod aria2;
pub mod client;
pub mod engine;
pub mod error;
pub mod manager;
pub mod model;
pub mod naming;
pub mod network;
pub mod notify;
pub mod power;
#[cfg(test)]
mod props;
pub mod protocol;
pub mod secrets;
pub mod service;
pub mod store;
pub mod transition;
#[cfg_attr(windows, path = "users_windows.rs")]
pub mod users;

pub use error::Error;
pub use manager::{Config, Manager};
