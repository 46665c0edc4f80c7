//! The loopback test server as a program, for the shell smoke tests
//! (`tests/smoke/`): serves each `PATH=BYTES[@BYTES_PER_SECOND]` argument
//! (random bytes, throttled per connection when a rate is given) on
//! 127.0.0.1, prints its base URL on one line, and serves until killed.

use haul_tests::server::{Route, TestServer, random_bytes};
use std::io::Write;

fn main() {
    let server = TestServer::start();
    for (seed, spec) in std::env::args().skip(1).enumerate() {
        let Some((path, size)) = spec.split_once('=') else {
            eprintln!("haul-test-server: expected PATH=BYTES[@BYTES_PER_SECOND], got {spec:?}");
            std::process::exit(2);
        };
        let (size, rate) = size.split_once('@').map_or((size, None), |(s, r)| (s, Some(r)));
        let parsed = (size.parse::<usize>(), rate.map(str::parse::<u64>).transpose());
        let (Ok(size), Ok(rate)) = parsed else {
            eprintln!("haul-test-server: {spec:?}: sizes and rates are whole numbers of bytes");
            std::process::exit(2);
        };
        let route = Route::new(random_bytes(size, seed as u64));
        let route = match rate {
            Some(rate) => route.throttle_per_connection(rate),
            None => route,
        };
        server.set_route(path, route);
    }
    let mut out = std::io::stdout();
    if writeln!(out, "http://{}", server.addr()).and_then(|()| out.flush()).is_err() {
        std::process::exit(1);
    }
    loop {
        std::thread::park();
    }
}
