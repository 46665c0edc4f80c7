//! Test support.
//! `server`: loopback HTTP/1.1 test server with fault injection.

pub mod server;
