//! Asking a server what a download would be before it starts: one GET for the
//! first byte (`Range: bytes=0-0`), redirects followed, the body left unread.

use super::http;
use super::stream::{self, VariantPick};
use crate::model::RemoteUrl;
use crate::naming;
use crate::protocol::ProbeResult;
use reqwest::StatusCode;
use reqwest::header;
use std::time::Duration;

/// Why a server could not tell what a URL holds.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The server answered with an error status.
    #[error("the server answered {status} for {url}")]
    Status {
        /// The URL asked (after redirects).
        url: String,
        /// The status, e.g. `404 Not Found`.
        status: StatusCode,
    },
    /// No answer in time.
    #[error("no answer from {host} within {}", words(*.after))]
    Timeout {
        /// The server's host.
        host: String,
        /// How long it was given.
        after: Duration,
    },
    /// The URL is a stream that cannot be saved (live, DRM, DASH, a bad playlist).
    #[error(transparent)]
    Stream(#[from] stream::StreamError),
    /// The server could not be reached (refused, unknown host, TLS, too many redirects).
    #[error("cannot reach {host}: {reason}")]
    Unreachable {
        /// The server's host.
        host: String,
        /// What went wrong, in the HTTP library's words.
        reason: String,
    },
}

/// Asks the server about `url` with the job-to-be's `headers` (`Name: value`),
/// giving up after `timeout`.
pub async fn probe(
    client: &reqwest::Client,
    url: &RemoteUrl,
    headers: &[String],
    timeout: Duration,
) -> Result<ProbeResult, ProbeError> {
    let host = url.url().host_str().unwrap_or_default().to_string();
    let request = headers
        .iter()
        .filter_map(|h| h.split_once(':'))
        .fold(client.get(url.as_str()), |r, (k, v)| r.header(k.trim(), v.trim()))
        .header(header::RANGE, "bytes=0-0");
    let response = match tokio::time::timeout(timeout, request.send()).await {
        Err(_) => return Err(ProbeError::Timeout { host, after: timeout }),
        Ok(Err(e)) if e.is_timeout() => return Err(ProbeError::Timeout { host, after: timeout }),
        Ok(Err(e)) => return Err(ProbeError::Unreachable { host, reason: reason(&e) }),
        Ok(Ok(response)) => response,
    };
    let final_url = response.url().to_string();
    let status = response.status();
    if !status.is_success() {
        return Err(ProbeError::Status { url: final_url, status });
    }
    let headers = response.headers();
    let ranged = status == StatusCode::PARTIAL_CONTENT;
    let (size, resumable) = match http::content_range(headers) {
        Some((_, _, total)) if ranged => (total, true),
        _ if ranged => (None, false),
        _ => (http::content_length(headers), false),
    };
    let disposition = http::header_str(headers, header::CONTENT_DISPOSITION);
    let content_type = http::header_str(headers, header::CONTENT_TYPE);
    let file_name = naming::download_name(url.url(), disposition.as_deref());
    if stream::is_playlist(&final_url, content_type.as_deref()) {
        drop(response);
        let resolved =
            match tokio::time::timeout(timeout, stream::resolve(client, &final_url, VariantPick::Highest)).await {
                Err(_) => return Err(ProbeError::Timeout { host, after: timeout }),
                Ok(resolved) => resolved?,
            };
        return Ok(ProbeResult {
            final_url,
            file_name: stream::stream_file_name(&file_name, resolved.container),
            size: None,
            // A stopped stream continues from its last segment.
            resumable: true,
            content_type,
            stream: Some(resolved.summary()),
        });
    }
    Ok(ProbeResult { final_url, file_name, size, resumable, content_type, stream: None })
}

/// A wait as people say it: "10 s", "300 ms".
fn words(wait: Duration) -> String {
    if wait >= Duration::from_secs(1) { format!("{} s", wait.as_secs()) } else { format!("{} ms", wait.as_millis()) }
}

/// The innermost cause of a request error ("Connection refused"), not
/// reqwest's outer "error sending request for url (…)".
fn reason(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(inner) = source.source() {
        source = inner;
    }
    let text = source.to_string();
    if error.is_redirect() { format!("too many redirects ({text})") } else { text }
}
