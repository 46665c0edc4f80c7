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
    // The last byte must be in the file.
    (start <= end && total.is_none_or(|t| end < t)).then_some((start, end, total))
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

/// What a request for more of the stored bytes carries in `If-Range`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum IfRangeWith {
    /// A strong ETag, else Last-Modified (what servers are meant to honour).
    #[default]
    Validator,
    /// Last-Modified only: the server ignored `If-Range` with an ETag (some
    /// CDNs answer 200 with the whole, unchanged file).
    LastModified,
    /// No `If-Range`: the 206's own validators and size are checked instead
    /// (`range_mismatch`), as a server that ignores both forms still sends them.
    Nothing,
}

impl IfRangeWith {
    /// The next way to try after the server answered a request carrying
    /// `sent` with the whole, unchanged file; None when none is left.
    pub fn after_ignored(validator: &FileProgress, sent: Option<&str>) -> Option<IfRangeWith> {
        let sent = sent?;
        match validator.last_modified.as_deref() {
            Some(date) if date != sent => Some(IfRangeWith::LastModified),
            _ => Some(IfRangeWith::Nothing),
        }
    }

    /// How the journal names this way of resuming.
    pub fn words(self) -> &'static str {
        match self {
            IfRangeWith::Validator => "If-Range with the ETag",
            IfRangeWith::LastModified => "If-Range with Last-Modified",
            IfRangeWith::Nothing => "a plain Range, the answer's ETag, Last-Modified and size checked",
        }
    }
}

/// A file's way of sending `If-Range`, shared by its connections: once the
/// server ignored one way, every connection asks the next way.
#[derive(Debug, Default)]
pub struct SharedIfRange(std::sync::atomic::AtomicU8);

impl SharedIfRange {
    /// Starting with `with`.
    pub fn new(with: IfRangeWith) -> SharedIfRange {
        SharedIfRange(std::sync::atomic::AtomicU8::new(with as u8))
    }

    /// The way now.
    pub fn get(&self) -> IfRangeWith {
        match self.0.load(std::sync::atomic::Ordering::Acquire) {
            0 => IfRangeWith::Validator,
            1 => IfRangeWith::LastModified,
            _ => IfRangeWith::Nothing,
        }
    }

    /// Moves on from `from` to `to`; false when another connection already moved on.
    pub fn advance(&self, from: IfRangeWith, to: IfRangeWith) -> bool {
        use std::sync::atomic::Ordering;
        self.0.compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }
}

/// Whether a 200 answer to a range request carrying `sent` in `If-Range` is
/// the unchanged file (same validators, some validator the same, same size):
/// the server ignored the `If-Range`, and the next way to ask, if any.
pub fn ignored_if_range(
    stored: &FileProgress,
    total: Option<u64>,
    sent: Option<&str>,
    headers: &HeaderMap,
) -> Option<IfRangeWith> {
    if validators_differ(stored, headers).is_some() {
        return None;
    }
    let fresh = validators(headers);
    let same_validator = (stored.etag.is_some() && stored.etag == fresh.etag)
        || (stored.last_modified.is_some() && stored.last_modified == fresh.last_modified);
    let size = content_length(headers);
    if !same_validator || size.is_none() || size != total {
        return None;
    }
    IfRangeWith::after_ignored(stored, sent)
}

/// The `If-Range` value for stored bytes: a strong ETag, else Last-Modified.
pub fn if_range(validator: &FileProgress) -> Option<&str> {
    if_range_with(validator, IfRangeWith::Validator)
}

/// The `If-Range` value for stored bytes, the way `with` says.
pub fn if_range_with(validator: &FileProgress, with: IfRangeWith) -> Option<&str> {
    match (with, &validator.etag) {
        (IfRangeWith::Nothing, _) => None,
        (IfRangeWith::Validator, Some(etag)) if !etag.starts_with("W/") => Some(etag),
        _ => validator.last_modified.as_deref(),
    }
}

/// How a response's validators differ from the stored ones, if they do (a
/// validator only one side has is not a difference).
pub fn validators_differ(stored: &FileProgress, headers: &HeaderMap) -> Option<String> {
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

/// Why a 206 answer cannot continue the stored bytes, if it cannot: the range
/// must start where asked, and size and validators must be the stored ones.
pub fn range_mismatch(
    expected_start: u64,
    known_total: Option<u64>,
    stored: &FileProgress,
    headers: &HeaderMap,
) -> Option<String> {
    let Some((start, end, total)) = content_range(headers) else {
        return Some("a 206 answer without a valid Content-Range".into());
    };
    if start != expected_start {
        return Some(format!("Content-Range starts at {start}, {expected_start} was asked"));
    }
    // A body longer than its range would write past it, over other bytes.
    if let Some(length) = content_length(headers)
        && length != end - start + 1
    {
        return Some(format!("Content-Length {length} is not the length of Content-Range {start}-{end}"));
    }
    if let (Some(old), Some(new)) = (known_total, total)
        && old != new
    {
        return Some(format!("the size changed from {old} to {new} bytes"));
    }
    validators_differ(stored, headers)
}

/// Whether an answer's body is the file, a stream's segment or the range
/// asked for: 200, 203 (a proxy's copy) and 206. Other successes (204 No Content, 202 Accepted,
/// a made-up 299) hold no file: saving their body would make a wrong file.
pub fn carries_the_file(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 200 | 203 | 206)
}

/// The error for a non-success answer of the redirect-following client: a
/// 3xx it hands back is one it could not follow (no `Location`, or not a link).
pub fn http_error(response: &reqwest::Response, url: &str) -> TransferError {
    let status = response.status();
    if status.is_redirection() {
        let reason = status.canonical_reason().unwrap_or("");
        let (target, detail) = match response.headers().get(reqwest::header::LOCATION) {
            Some(location) => (
                String::from_utf8_lossy(location.as_bytes()).into_owned(),
                format!("the server answered {} {reason} with a Location that is not a link", status.as_u16()),
            ),
            None => {
                ("nowhere".to_string(), format!("the server answered {} {reason} without a Location", status.as_u16()))
            }
        };
        return TransferError::BadRedirect { url: url.to_string(), target, detail };
    }
    status_error(status, response.headers(), url)
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
        // Found by the property test: a last byte beyond the total.
        assert_eq!(content_range(&headers(&[("content-range", "bytes 0-99/50")])), None);
    }

    #[test]
    fn a_changed_etag_or_offset_is_a_mismatch() {
        let stored = FileProgress { etag: Some("\"a\"".into()), ..Default::default() };
        let ok = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"a\"")]);
        assert_eq!(range_mismatch(10, Some(100), &stored, &ok), None);
        assert!(range_mismatch(11, Some(100), &stored, &ok).is_some());
        assert!(range_mismatch(10, Some(99), &stored, &ok).is_some());
        // Found by the random HTTP server: a body longer (or shorter) than its range.
        let padded = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"a\""), ("content-length", "25")]);
        assert!(range_mismatch(10, Some(100), &stored, &padded).is_some_and(|r| r.contains("Content-Length 25")));
        let exact = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"a\""), ("content-length", "10")]);
        assert_eq!(range_mismatch(10, Some(100), &stored, &exact), None);
        let changed = headers(&[("content-range", "bytes 10-19/100"), ("etag", "\"b\"")]);
        assert!(range_mismatch(10, Some(100), &stored, &changed).is_some_and(|r| r.contains("ETag")));
    }

    #[test]
    fn if_range_falls_back_from_the_etag_to_the_date_to_nothing() {
        let both = FileProgress {
            etag: Some("\"a\"".into()),
            last_modified: Some("Wed, 01 Jan 2025 00:00:00 GMT".into()),
            ..Default::default()
        };
        assert_eq!(if_range_with(&both, IfRangeWith::Validator), Some("\"a\""));
        assert_eq!(if_range_with(&both, IfRangeWith::LastModified), both.last_modified.as_deref());
        assert_eq!(if_range_with(&both, IfRangeWith::Nothing), None);
        // Ignored with the ETag: try the date; ignored with the date: nothing.
        assert_eq!(IfRangeWith::after_ignored(&both, Some("\"a\"")), Some(IfRangeWith::LastModified));
        assert_eq!(IfRangeWith::after_ignored(&both, both.last_modified.as_deref()), Some(IfRangeWith::Nothing));
        // No date to fall back to; nothing was sent (nothing left to try).
        let etag_only = FileProgress { etag: Some("\"a\"".into()), ..Default::default() };
        assert_eq!(IfRangeWith::after_ignored(&etag_only, Some("\"a\"")), Some(IfRangeWith::Nothing));
        assert_eq!(IfRangeWith::after_ignored(&both, None), None);
        // A weak ETag is never sent: the date is.
        let weak = FileProgress { etag: Some("W/\"a\"".into()), ..both.clone() };
        assert_eq!(if_range_with(&weak, IfRangeWith::Validator), both.last_modified.as_deref());
    }

    /// Whatever a server sends as Content-Range or Retry-After: no panic; a
    /// range read is a valid one (first ≤ last < total), and one written the
    /// standard way reads back; a wait is at most a day.
    #[test]
    fn content_range_and_retry_after_read_any_text_safely() {
        use proptest::prelude::*;
        let value = |text: &str| {
            let mut map = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(text) {
                map.insert("content-range", v.clone());
                map.insert("retry-after", v);
            }
            map
        };
        crate::props::check("(bytes )?[0-9 */-]{0,30}|[ -~]{0,40}", |text| {
            let map = value(&text);
            if let Some((start, end, total)) = content_range(&map) {
                prop_assert!(start <= end && total.is_none_or(|t| end < t), "{text:?}");
            }
            prop_assert!(retry_after(&map).is_none_or(|d| d <= Duration::from_secs(24 * 3600)));
            Ok(())
        });
        let near_max = 0..u64::MAX - 1;
        crate::props::check((near_max.clone(), near_max.clone(), near_max), |(a, b, c)| {
            let mut sorted = [a, b, c];
            sorted.sort_unstable();
            let [start, end, total] = sorted;
            let text = format!("bytes {start}-{end}/{}", total.saturating_add(1).max(end.saturating_add(1)));
            let read = content_range(&value(&text));
            prop_assert!(read.is_some_and(|(s, e, _)| (s, e) == (start, end)), "{text}: {read:?}");
            Ok(())
        });
    }
}
