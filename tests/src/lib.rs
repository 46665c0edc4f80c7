//! Test support for Haul's end-to-end tests.
//! `server`: loopback HTTP/1.1 test server with fault injection.
//! `support`: in-process manager helpers (recording sink, bounded waits).

pub mod server;
pub mod support;
