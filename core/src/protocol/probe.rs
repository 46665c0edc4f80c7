//! `probe_url`: what a download of a URL would be (name, size, whether it can
//! resume), asked of the server before any job exists.

use super::{Method, method};
use crate::model::RemoteUrl;
use serde::{Deserialize, Serialize};

/// `probe_url`: asks the server about a URL without downloading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeUrl {
    /// The http(s) URL.
    pub url: RemoteUrl,
    /// Extra headers (`Name: value`), as a job's `custom_headers` would send them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<String>>,
}

/// What the server said about a URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// The URL after redirects.
    pub final_url: String,
    /// The file name a download would get (`Content-Disposition` or the URL,
    /// by the rule jobs are named with).
    pub file_name: String,
    /// The size in bytes, when the server says.
    pub size: Option<u64>,
    /// Whether the server serves byte ranges (a stopped download continues).
    pub resumable: bool,
    /// The `Content-Type`, when the server says.
    pub content_type: Option<String>,
    /// For an HLS playlist, what it would save (its highest variant):
    /// "1280x720, 2.5 Mbit/s, 120 segments (8 min)"; `file_name` is then the video's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
}

impl Method for ProbeUrl {
    const NAME: &'static str = method::PROBE_URL;
    type Output = ProbeResult;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_optional_and_unknown_fields_refused() {
        let read: ProbeUrl = serde_json::from_value(serde_json::json!({"url": "http://h/a"})).expect("read");
        assert_eq!(read.headers, None);
        let unknown = serde_json::from_value::<ProbeUrl>(serde_json::json!({"url": "http://h/a", "x": 1}));
        assert!(unknown.is_err());
    }
}
