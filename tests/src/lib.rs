//! Test support for Haul's end-to-end tests.
//! `server`: loopback HTTP/1.1 test server with fault injection.
//! `support`: in-process manager helpers (recording sink, bounded waits).
//! `hls`: generated HLS playlists and segments served by the test server.
//! `service_fixture`: an in-process Haul service on a temporary socket.
//! `seeds`: seeds for the randomized tests, replayable with `HAUL_FUZZ_SEED`.
//! `frames`: random JSON-RPC frames for the socket fuzzer.
//! `random_server`: a loopback HTTP server whose every answer is drawn at random
//! (`random_answer`: the drawing; `random_lies`: what it lies about).

pub mod frames;
pub mod gate;
pub mod hls;
pub mod random_answer;
pub mod random_lies;
pub mod random_server;
pub mod seeds;
pub mod server;
pub mod service_fixture;
pub mod support;
pub mod tls;
