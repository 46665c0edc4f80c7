//! The add dialog's previews, asked of the service over connections of their
//! own: a probe waits on a remote server (up to 10 s), and the window's own
//! connection must keep answering meanwhile.

use super::bridge::CLIENT_NAME;
use super::context::Context;
use super::messages::Update;
use futures_util::StreamExt;
use haul_core::client::{Client, ClientError};
use haul_core::model::RemoteUrl;
use haul_core::protocol::ProbeResult;
use std::path::Path;

/// Links asked about at once (one connection each).
const AT_ONCE: usize = 4;

/// Asks about each link, sending each answer to the window as it comes.
pub async fn probe(links: Vec<(String, RemoteUrl)>, headers: Vec<String>, cx: &Context) {
    futures_util::stream::iter(links)
        .for_each_concurrent(AT_ONCE, |(link, url)| {
            let headers = headers.clone();
            async move {
                let outcome = ask(&cx.socket, url, headers).await;
                cx.sink.send(Update::Probed(link, outcome));
            }
        })
        .await;
}

async fn ask(socket: &Path, url: RemoteUrl, headers: Vec<String>) -> Result<ProbeResult, String> {
    let client = Client::connect_as(socket, CLIENT_NAME).await.map_err(|e| format!("Cannot ask the service: {e}"))?;
    let outcome = client.probe_url(url, headers).await;
    client.close();
    outcome.map_err(|e| sentence(&e))
}

/// The service's sentence, capitalised, without the code a user cannot use.
fn sentence(error: &ClientError) -> String {
    let text = match error {
        ClientError::Rpc { message, .. } => message.clone(),
        other => other.to_string(),
    };
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or(text)
}
