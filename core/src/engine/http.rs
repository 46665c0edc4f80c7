//! Reading the HTTP answers a transfer depends on: ranges, lengths, validators,
//! and the error for an answer that is not a success.

use super::TransferError;
use crate::model::FileProgress;
use reqwest::header::{self, HeaderMap};
use std::time::Duration;

/// A header as a string, if present and readable.
pub fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Parses `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`).
pub fn content_range(headers: &HeaderMap) -> Option<(u64, u64, Option<u64>)> {
    let value = header_str(headers, header::CONTENT_RANGE)?;
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let total = if total.trim() == "*" { None } else { Some(total.trim().parse().ok()?) };
    let (start, end): (u64, u64) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    (start <= end).then_some((start, end, total))
}

/// `Content-Length`, read from the header (reqwest reports 0 for HEAD).
pub fn content_length(headers: &HeaderMap) -> Option<u64> {
    header_str(headers, header::CONTENT_LENGTH)?.trim().parse().ok()
}

/// `Retry-After` in seconds (capped at a day); HTTP dates are not honoured.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = header_str(headers, header::RETRY_AFTER)?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds.min(24 * 3600)))
}

/// Whether the body is an HTML page.
pub fn is_html(headers: &HeaderMap) -> bool {
    header_str(headers, header::CONTENT_TYPE)
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// Whether the server says it serves byte ranges.
pub fn accepts_ranges(headers: &HeaderMap) -> bool {
    header_str(headers, header::ACCEPT_RANGES).is_some_and(|v| v.to_ascii_lowercase().contains("bytes"))
}

/// The validators of a response (the ranges are left empty).
pub fn validators(headers: &HeaderMap) -> FileProgress {
    FileProgress {
        done: Default::default(),
        etag: header_str(headers, header::ETAG),
        last_modified: header_str(headers, header::LAST_MODIFIED),
        html: is_html(headers),
    }
}

/// The `If-Range` value for stored bytes: a strong ETag, else Last-Modified.
pub fn if_range(validator: &FileProgress) -> Option<&str> {
    match &validator.etag {
        Some(etag) if !etag.starts_with("W/") => Some(etag),
        _ => validator.last_modified.as_deref(),
    }
}

/// Why a 206 answer cannot continue the stored bytes, if it cannot: the range
/// must start where asked, and size and validators must be the stored ones.
pub fn range_mismatch(
    expected_start: u64,
    known_total: Option<u64>,
    stored: &FileProgress,
    headers: &HeaderMap,
) -> Option<String> {
    let Some((start, _end, total)) = content_range(headers) else {
        return Some("a 206 answer without a valid Content-Range".into());
    };
    if start != expected_start {
        return Some(format!("Content-Range starts at {start}, {expected_start} was asked"));
    }
    if let (Some(old), Some(new)) = (known_total, total)
        && old != new
    {
        return Some(format!("the size changed from {old} to {new} bytes"));
    }
    let fresh = validators(headers);
    if let (Some(old), Some(new)) = (&stored.etag, &fresh.etag)
        && old != new
    {
        return Some(format!("the ETag changed from {old} to {new}"));
    }
    if let (Some(old), Some(new)) = (&stored.last_modified, &fresh.last_modified)
        && old != new
    {
        return Some(format!("Last-Modified changed from {old} to {new}"));
    }
    None
}

/// The error for a non-success answer.
pub fn http_error(response: &reqwest::Response, url: &str) -> TransferError {
    status_error(response.status(), response.headers(), url)
}

/// The error for a non-success status.
pub fn status_error(status: reqwest::StatusCode, headers: &HeaderMap, url: &str) -> TransferError {
    TransferError::Http {
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        url: url.to_string(),
        retry_after: retry_after(headers),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn content_ranges_parse_or_are_refused() {
        assert_eq!(content_range(&headers(&[("content-range", "bytes 10-19/100")])), Some((10, 19, Some(100))));
        assert_eq!(content_range(&headers(&[("content-range", "bytes 10-19/*")])), Some((10, 19, None)));
        assert_eq!(content_range(&headers(&[("content-range", "bytes 19-10/100")])), None);
        assert_eq!(content_range(&headers(&[("content-range", "items 1-2/3")])), None);
    }

    #[test]
    fn a_changed_etag_or_offset_is_a_mismatch() {
        let stored = FileProgress { etag: Some("\"a\"".into()), ..Default::default() };
        let ok = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"a\"")]);
        assert_eq!(range_mismatch(10, Some(100), &stored, &ok), None);
        assert!(range_mismatch(11, Some(100), &stored, &ok).is_some());
        assert!(range_mismatch(10, Some(99), &stored, &ok).is_some());
        let changed = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"b\"")]);
        assert!(range_mismatch(10, Some(100), &stored, &changed).is_some_and(|r| r.contains("ETag")));
    }
}
