//! The HTTP clients transfers share: reqwest for each file's first request,
//! and the lean range client for the extra connections of a split file.

use super::range_client::RangeClient;
use std::time::Duration;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The HTTP client every transfer shares (connection reuse, HTTP/2 where offered).
pub fn build_client(read_timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    // Installing twice is harmless: the second call reports the first provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("haul/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(read_timeout)
        .redirect(reqwest::redirect::Policy::limited(10))
        // Idle connections keep their read buffers (up to ~0.4 MiB each): keep
        // enough for the files of a job in a row, and not for long.
        .pool_max_idle_per_host(16)
        .pool_idle_timeout(Duration::from_secs(15))
        .build()
}

/// The clients transfers share: reqwest for each file's first request
/// (redirects, proxies, cookies-free but complete HTTP), and a lean client for
/// the extra connections of a split file.
#[derive(Clone, Debug)]
pub struct Clients {
    /// The first request of every file.
    pub main: reqwest::Client,
    /// The extra range requests of split files.
    pub(super) ranges: RangeClient,
}

/// Why the HTTP clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// reqwest refused its configuration.
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    /// The TLS setup (certificate verifier) failed.
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
}

impl Clients {
    /// Both clients, reading with `read_timeout`.
    pub fn new(read_timeout: Duration) -> Result<Clients, ClientError> {
        let main = build_client(read_timeout)?;
        let ranges = RangeClient::new(read_timeout, CONNECT_TIMEOUT)?;
        Ok(Clients { main, ranges })
    }
}
