//! The HTTP clients transfers share: reqwest for each file's first request,
//! and the lean range client for the extra connections of a split file.

use super::range_client::RangeClient;
use std::time::Duration;

/// How long a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// The HTTP client every transfer shares (connection reuse, HTTP/2 where offered).
pub fn build_client(read_timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    build_client_via(read_timeout, &ProxySetup::System, PARALLEL_FILES)
}

/// Where a client's connections go.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum ProxySetup {
    /// Straight to the servers.
    None,
    /// The environment's proxies (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`).
    System,
    /// Through this proxy (the URL may hold its user name and password).
    Manual(url::Url),
}

impl std::fmt::Debug for ProxySetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySetup::None => f.write_str("None"),
            ProxySetup::System => f.write_str("System"),
            ProxySetup::Manual(url) => write!(f, "Manual({})", address(url)),
        }
    }
}

/// `scheme://host:port` of a proxy URL: how errors name it (never with its password).
pub fn address(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// The TLS provider of every connection: *ring*'s, with its cipher suites in
/// the order browsers offer them (Chrome's and Firefox's: AES-128-GCM first).
/// Servers mostly follow the client's order (nginx's default), and AES-128
/// costs both ends less than rustls's first choice, AES-256 (ring decrypts it
/// ~13 % faster here; no weaker in practice, and what most of the web negotiates).
pub(super) fn tls_provider() -> rustls::crypto::CryptoProvider {
    use rustls::crypto::ring::{cipher_suite as suite, default_provider};
    rustls::crypto::CryptoProvider {
        cipher_suites: vec![
            suite::TLS13_AES_128_GCM_SHA256,
            suite::TLS13_AES_256_GCM_SHA384,
            suite::TLS13_CHACHA20_POLY1305_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        ..default_provider()
    }
}

/// The files of a job fetched at once, unless the service is told otherwise.
pub const PARALLEL_FILES: usize = 32;

/// A client like [`build_client`]'s whose connections go as `proxy` says,
/// keeping up to `idle_per_host` idle connections to each server.
pub fn build_client_via(
    read_timeout: Duration,
    proxy: &ProxySetup,
    idle_per_host: usize,
) -> Result<reqwest::Client, reqwest::Error> {
    // Installing twice is harmless: the second call reports the first provider.
    let _ = tls_provider().install_default();
    let builder = match proxy {
        ProxySetup::System => reqwest::Client::builder(),
        ProxySetup::None => reqwest::Client::builder().no_proxy(),
        ProxySetup::Manual(url) => reqwest::Client::builder().no_proxy().proxy(reqwest::Proxy::all(url.as_str())?),
    };
    builder
        .user_agent(concat!("haul/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(read_timeout)
        .redirect(reqwest::redirect::Policy::limited(10))
        // Idle connections keep their read buffers (up to ~0.4 MiB each): keep
        // enough for the files of a job in a row, and not for long. As many as
        // the files a job runs at once (the caller's `idle_per_host`): with fewer, a job of small files closes
        // and opens a connection every few files (10,000 × 16 KiB: ~1,500
        // connections instead of 32). A job's next file takes a connection at
        // once; one idle for seconds waits for a job that may never come
        // (32 idle after 200 × 2 MiB held ~3 MiB into the next job for 15 s).
        .pool_max_idle_per_host(idle_per_host)
        .pool_idle_timeout(Duration::from_secs(4))
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
    /// The proxy every connection goes through, `scheme://host:port`, when
    /// one is set by hand (the range client then stays unused).
    pub(super) proxy: Option<String>,
    /// Whether the range client may serve: connections go as the environment says.
    pub(super) lean: bool,
    /// The idle connections kept to each server: the files a job runs at once.
    idle_per_host: usize,
}

/// Why the HTTP clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// reqwest refused its configuration (its certificate verifier's error included).
    #[error("{}{}", super::classify::error_chain(.0), trust_variables())]
    Reqwest(#[from] reqwest::Error),
    /// The TLS setup (certificate verifier) failed.
    #[error("TLS: {}{}", .0, trust_variables())]
    Tls(#[from] rustls::Error),
}

/// The OpenSSL-style variables that choose the trusted certificates, when set:
/// a verifier that loaded no certificate from them cannot be built, so the error names them.
fn trust_variables() -> String {
    let set: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .into_iter()
        .filter_map(|name| std::env::var_os(name).map(|value| format!("{name}={}", value.to_string_lossy())))
        .collect();
    match set.is_empty() {
        true => String::new(),
        false => {
            format!(" ({}: the certificates to trust are read from there instead of the system's)", set.join(", "))
        }
    }
}

impl Clients {
    /// Both clients, reading with `read_timeout`, for jobs that fetch up to
    /// `parallel_files` files at once (their connections are kept for the next files).
    pub fn new(read_timeout: Duration, parallel_files: usize) -> Result<Clients, ClientError> {
        let idle_per_host = parallel_files.max(1);
        let main = build_client_via(read_timeout, &ProxySetup::System, idle_per_host)?;
        let ranges = RangeClient::new(read_timeout, CONNECT_TIMEOUT)?;
        Ok(Clients { main, ranges, proxy: None, lean: true, idle_per_host })
    }

    /// Clients whose connections go as `proxy` says (the lean range client is
    /// shared, and used only where the environment decides).
    pub fn via(&self, read_timeout: Duration, proxy: &ProxySetup) -> Result<Clients, ClientError> {
        let main = build_client_via(read_timeout, proxy, self.idle_per_host)?;
        let proxy_address = match proxy {
            ProxySetup::Manual(url) => Some(address(url)),
            _ => None,
        };
        Ok(Clients {
            main,
            ranges: self.ranges.clone(),
            proxy: proxy_address,
            lean: *proxy == ProxySetup::System,
            idle_per_host: self.idle_per_host,
        })
    }

    /// The proxy's address, when connections go through one set by hand.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }
}
