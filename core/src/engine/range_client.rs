//! The client for a split file's extra connections.
//!
//! reqwest leaves hyper's read buffer at its default: it grows to ~400 KiB
//! whenever a read fills it, which a throttled connection does all the time.
//! At 64 connections that was 32 MiB of the service's memory. The extra range
//! requests of a split file go to the URL its first response came from
//! (redirects already followed, validators already known), so they need no
//! redirect or cookie handling: this hyper client with small read buffers
//! serves them, with the same certificate check as reqwest (the platform's
//! verifier). It speaks HTTP/1.1 only, even to a server that offers HTTP/2:
//! each range then has a TCP connection of its own, as with aria2 and IDM.
//! Over HTTP/2 every range was a stream of one connection, read and decrypted
//! by one task under one flow-control window: 1 GiB over TLS cost 1.24 CPU s
//! against 0.83 over HTTP/1.1 (bench (d2) and (d1)). The file's first request
//! (reqwest) still takes HTTP/2 where offered. A URL a proxy from the
//! environment (or, on Windows and macOS, the system's settings) applies to stays on reqwest.

use super::TransferError;
use super::classify::error_chain;
use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::Arc;
use std::time::Duration;

/// hyper's read buffer grows to at most this (its default is 400 KiB).
const READ_BUFFER: usize = 64 << 10;

/// A client for range requests to already resolved URLs.
#[derive(Clone)]
pub struct RangeClient {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    proxies: Arc<Matcher>,
    read_timeout: Duration,
}

impl std::fmt::Debug for RangeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangeClient").field("read_timeout", &self.read_timeout).finish_non_exhaustive()
    }
}

/// Where a split file's extra ranges go.
#[derive(Clone, Debug)]
pub struct Target {
    /// The URL the file's first answer came from (after redirects).
    pub url: String,
    /// That URL is on another host than the job's: the job's credentials stay
    /// behind, as reqwest drops them on a redirect to another host.
    pub drop_credentials: bool,
}

/// A response body read one chunk at a time, each read bounded by the read timeout.
pub struct RangeBody {
    body: Incoming,
    read_timeout: Duration,
}

impl RangeClient {
    /// Connects within 15 s, reads within `read_timeout`; idle connections as reqwest's pool keeps them.
    pub fn new(read_timeout: Duration, connect_timeout: Duration) -> Result<RangeClient, rustls::Error> {
        let provider = rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(super::clients::tls_provider()));
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_max_idle_per_host(16)
            .pool_idle_timeout(Duration::from_secs(15))
            .http1_max_buf_size(READ_BUFFER)
            .build(https);
        Ok(RangeClient { client, proxies: Arc::new(Matcher::from_system()), read_timeout })
    }

    /// Where the extra ranges of a file at `job_url`, whose first answer came
    /// from `resolved`, go over this client; None when reqwest must ask them.
    pub fn target(&self, job_url: &str, resolved: &str) -> Option<Target> {
        (self.serves(job_url) && self.serves(resolved))
            .then(|| Target { url: resolved.to_string(), drop_credentials: !same_host(job_url, resolved) })
    }

    /// Whether this client fetches `url`: no proxy from the environment
    /// applies to it, and it carries no user name or password (reqwest turns
    /// those into an `Authorization` header).
    fn serves(&self, url: &str) -> bool {
        let plain = url::Url::parse(url).is_ok_and(|u| u.username().is_empty() && u.password().is_none());
        plain && url.parse::<http::Uri>().is_ok_and(|uri| self.proxies.intercept(&uri).is_none())
    }

    /// `GET url` with `headers`; waits for the response head at most the read timeout.
    pub async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<http::Response<RangeBody>, TransferError> {
        let failed = |detail: String| TransferError::Network { url: url.to_string(), detail, code: "network_error" };
        let mut request = http::Request::get(url)
            .header(header::USER_AGENT, concat!("haul/", env!("CARGO_PKG_VERSION")))
            .header(header::ACCEPT, "*/*")
            .body(Empty::new())
            .map_err(|e| failed(format!("cannot build the request: {e}")))?;
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| failed(format!("the header name {name:?} is invalid: {e}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|e| failed(format!("the value of the header {name} is invalid: {e}")))?;
            request.headers_mut().insert(name, value);
        }
        let response = match tokio::time::timeout(self.read_timeout, self.client.request(request)).await {
            Err(_) => return Err(timed_out(url, self.read_timeout)),
            Ok(Err(e)) => {
                let code = if e.is_connect() { "connection_refused" } else { "network_error" };
                return Err(TransferError::Network { url: url.to_string(), detail: error_chain(&e), code });
            }
            Ok(Ok(response)) => response,
        };
        let read_timeout = self.read_timeout;
        Ok(response.map(|body| RangeBody { body, read_timeout }))
    }
}

/// The headers reqwest drops when a redirect leaves the host (scheme, host or
/// port changes): credentials stay with the host they were given for.
pub fn is_credential(name: &str) -> bool {
    ["authorization", "cookie", "cookie2", "proxy-authorization", "www-authenticate"]
        .iter()
        .any(|sensitive| name.eq_ignore_ascii_case(sensitive))
}

/// Whether `a` and `b` have the same scheme, host and port.
pub(super) fn same_host(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

impl RangeBody {
    /// The next chunk of the body; None at its end.
    pub async fn chunk(&mut self, url: &str) -> Result<Option<Bytes>, TransferError> {
        loop {
            let frame = match tokio::time::timeout(self.read_timeout, self.body.frame()).await {
                Err(_) => return Err(timed_out(url, self.read_timeout)),
                Ok(None) => return Ok(None),
                Ok(Some(Err(e))) => {
                    return Err(TransferError::Network {
                        url: url.to_string(),
                        detail: error_chain(&e),
                        code: "connection_reset",
                    });
                }
                Ok(Some(Ok(frame))) => frame,
            };
            // Trailers carry no bytes of the file.
            if let Ok(data) = frame.into_data() {
                return Ok(Some(data));
            }
        }
    }
}

fn timed_out(url: &str, after: Duration) -> TransferError {
    TransferError::Network {
        url: url.to_string(),
        detail: format!("no data for {:.1} s", after.as_secs_f64()),
        code: "timeout",
    }
}
