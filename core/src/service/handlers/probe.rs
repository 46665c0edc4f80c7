//! `probe_url`: asks a URL's server what a download would be (name, size,
//! whether it can resume); the answer waits for the server, at most
//! [`PROBE_TIMEOUT`].

use super::{Answer, reply};
use crate::engine::{self, ProbeError};
use crate::model::check_header;
use crate::protocol::{ProbeUrl, RpcError, code, parse_params};
use crate::service::Session;
use serde_json::Value;
use std::time::Duration;

/// How long the server may take to answer a probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Asks the server with the service's own HTTP client, as a download would.
pub(super) async fn probe_url(session: &mut Session, params: Value) -> Result<Answer, RpcError> {
    let ProbeUrl { url, headers } = parse_params(params)?;
    let headers = headers.unwrap_or_default();
    for header in &headers {
        check_header(header).map_err(|e| RpcError::invalid_argument(format!("headers: {}", e.0)))?;
    }
    let client = session.manager.http_client();
    match engine::probe(&client, &url, &headers, PROBE_TIMEOUT).await {
        Ok(result) => reply(result),
        Err(error) => Err(remote_failed(&error)),
    }
}

/// The error a client sees: code 8, the problem named.
fn remote_failed(error: &ProbeError) -> RpcError {
    RpcError::new(code::REMOTE_FAILED, "remote_failed", error.to_string())
}
