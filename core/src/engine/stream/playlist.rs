//! An HLS media playlist turned into what a download needs: the segments in
//! order with their absolute URLs, byte ranges and keys, the init section,
//! the container; pure (m3u8-rs parses, this only resolves and checks).

use super::StreamError;
use m3u8_rs::{KeyMethod, MediaPlaylist};
use url::Url;

/// A byte range of a resource: `[start, start + len)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    /// The first byte.
    pub start: u64,
    /// How many bytes.
    pub len: u64,
}

/// Where a piece of the stream comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The absolute URL.
    pub url: String,
    /// Part of the resource only (`EXT-X-BYTERANGE`), if so.
    pub range: Option<ByteRange>,
}

/// An AES-128 key and the IV of one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aes128 {
    /// The key's absolute URL (16 bytes when fetched).
    pub key_url: String,
    /// The IV: the playlist's, else the media sequence number, big-endian.
    pub iv: [u8; 16],
}

/// One media segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Where its bytes come from.
    pub source: Source,
    /// Its duration in seconds.
    pub duration: f64,
    /// How to decrypt it, if encrypted.
    pub key: Option<Aes128>,
}

/// What the published file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// MPEG-TS segments: a `.ts`.
    Ts,
    /// fMP4 fragments after an `EXT-X-MAP` init section: an `.mp4`.
    Mp4,
}

impl Container {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Container::Ts => "ts",
            Container::Mp4 => "mp4",
        }
    }
}

/// A media playlist ready to download.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaPlan {
    /// The init section (fMP4), written before the first segment.
    pub init: Option<Source>,
    /// The segments, in order.
    pub segments: Vec<Segment>,
    /// `.ts` or `.mp4`.
    pub container: Container,
}

impl MediaPlan {
    /// The sum of the segments' durations, in seconds.
    pub fn duration(&self) -> f64 {
        self.segments.iter().map(|s| s.duration).sum()
    }

    /// The exact size before decryption when every piece is a byte range.
    pub fn exact_size(&self) -> Option<u64> {
        let pieces = self.init.iter().chain(self.segments.iter().map(|s| &s.source));
        pieces.map(|p| p.range.map(|r| r.len)).sum()
    }
}

/// Resolves `reference` against the playlist's URL.
pub(super) fn resolve(base: &Url, reference: &str, playlist: &str) -> Result<String, StreamError> {
    base.join(reference.trim())
        .map(String::from)
        .map_err(|e| StreamError::Playlist { url: playlist.to_string(), detail: format!("bad URI '{reference}': {e}") })
}

/// Turns a parsed media playlist at `url` into a plan; a live playlist, a
/// key method other than AES-128 or a DRM key format is refused by name.
pub fn media_plan(url: &str, playlist: &MediaPlaylist) -> Result<MediaPlan, StreamError> {
    let base = Url::parse(url).map_err(|e| StreamError::Playlist { url: url.into(), detail: e.to_string() })?;
    if !playlist.end_list {
        return Err(StreamError::Live { url: url.into() });
    }
    if playlist.segments.is_empty() {
        return Err(StreamError::Playlist { url: url.into(), detail: "it has no segments".into() });
    }
    let mut key: Option<m3u8_rs::Key> = None;
    let mut map: Option<m3u8_rs::Map> = None;
    let mut init: Option<Source> = None;
    let mut next_offset: Option<(String, u64)> = None;
    let mut segments = Vec::with_capacity(playlist.segments.len());
    for (n, segment) in playlist.segments.iter().enumerate() {
        // m3u8-rs puts EXT-X-KEY and EXT-X-MAP on the segment they precede
        // only; they apply to every later segment until the next one.
        if let Some(k) = &segment.key {
            key = Some(k.clone());
        }
        // m3u8-rs 6 refuses `METHOD=NONE` without an IV (its check is the
        // wrong way round) and keeps the tag as unknown: it still ends encryption.
        if segment.unknown_tags.iter().any(|t| t.tag == "X-KEY" && t.rest.as_deref().is_some_and(is_method_none)) {
            key = None;
        }
        if let Some(m) = &segment.map {
            if init.is_some() && map.as_ref().is_some_and(|old| old != m) {
                return Err(StreamError::Playlist {
                    url: url.into(),
                    detail: "it changes its EXT-X-MAP init section mid-stream, which one file cannot hold".into(),
                });
            }
            map = Some(m.clone());
            let source_url = resolve(&base, &m.uri, url)?;
            let range = m.byte_range.as_ref().map(|r| ByteRange { start: r.offset.unwrap_or(0), len: r.length });
            init = Some(Source { url: source_url, range });
        }
        let segment_url = resolve(&base, &segment.uri, url)?;
        let range = match &segment.byte_range {
            None => None,
            Some(r) => {
                let start = match (r.offset, &next_offset) {
                    (Some(offset), _) => offset,
                    (None, Some((previous, end))) if *previous == segment_url => *end,
                    (None, _) => {
                        return Err(StreamError::Playlist {
                            url: url.into(),
                            detail: format!(
                                "segment {n}'s EXT-X-BYTERANGE has no offset and follows no range of its URI"
                            ),
                        });
                    }
                };
                Some(ByteRange { start, len: r.length })
            }
        };
        next_offset = range.map(|r| (segment_url.clone(), r.start + r.len));
        let sequence = playlist.media_sequence + n as u64;
        let aes = match &key {
            None => None,
            Some(k) => segment_key(&base, url, k, sequence)?,
        };
        segments.push(Segment {
            source: Source { url: segment_url, range },
            duration: f64::from(segment.duration),
            key: aes,
        });
    }
    let container = if init.is_some() { Container::Mp4 } else { Container::Ts };
    Ok(MediaPlan { init, segments, container })
}

/// Whether an `EXT-X-KEY`'s attributes say `METHOD=NONE`.
fn is_method_none(attributes: &str) -> bool {
    attributes.split(',').any(|a| a.trim().eq_ignore_ascii_case("METHOD=NONE"))
}

/// The key of a segment with sequence number `sequence`, if it is encrypted.
fn segment_key(base: &Url, url: &str, key: &m3u8_rs::Key, sequence: u64) -> Result<Option<Aes128>, StreamError> {
    if let Some(format) = key.keyformat.as_deref().filter(|f| *f != "identity") {
        return Err(StreamError::Drm { url: url.into(), what: format!("the key format {format}") });
    }
    match &key.method {
        KeyMethod::None => Ok(None),
        KeyMethod::AES128 => {
            let Some(uri) = &key.uri else {
                return Err(StreamError::Playlist { url: url.into(), detail: "an AES-128 key has no URI".into() });
            };
            let iv = match &key.iv {
                Some(text) => parse_iv(text)
                    .ok_or_else(|| StreamError::Playlist { url: url.into(), detail: format!("bad IV '{text}'") })?,
                None => {
                    let mut iv = [0u8; 16];
                    iv[8..].copy_from_slice(&sequence.to_be_bytes());
                    iv
                }
            };
            Ok(Some(Aes128 { key_url: resolve(base, uri, url)?, iv }))
        }
        KeyMethod::SampleAES => Err(StreamError::Drm { url: url.into(), what: "SAMPLE-AES encryption".into() }),
        KeyMethod::Other(method) => Err(StreamError::Drm { url: url.into(), what: format!("the key method {method}") }),
    }
}

/// An IV as the playlist writes it: `0x` and 32 hex digits (fewer are
/// zero-padded on the left).
fn parse_iv(text: &str) -> Option<[u8; 16]> {
    let digits = text.trim().strip_prefix("0x").or_else(|| text.trim().strip_prefix("0X"))?;
    if digits.is_empty() || digits.len() > 32 {
        return None;
    }
    let padded = format!("{digits:0>32}");
    let bytes = hex::decode(padded).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Result<MediaPlan, StreamError> {
        let Ok(m3u8_rs::Playlist::MediaPlaylist(parsed)) = m3u8_rs::parse_playlist_res(text.as_bytes()) else {
            panic!("not a media playlist: {text}");
        };
        media_plan("http://h/v/index.m3u8", &parsed)
    }

    const HEAD: &str = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:5\n";

    #[test]
    fn segments_resolve_against_the_playlist() {
        let got =
            plan(&format!("{HEAD}#EXTINF:4,\na.ts\n#EXTINF:2.5,\n/b.ts\n#EXTINF:1,\nhttp://o/c.ts\n#EXT-X-ENDLIST\n"))
                .expect("plan");
        let urls: Vec<_> = got.segments.iter().map(|s| s.source.url.as_str()).collect();
        assert_eq!(urls, ["http://h/v/a.ts", "http://h/b.ts", "http://o/c.ts"]);
        assert_eq!(got.container, Container::Ts);
        assert!((got.duration() - 7.5).abs() < 1e-6);
        assert_eq!(got.exact_size(), None);
    }

    #[test]
    fn a_map_makes_an_mp4_with_its_init_first() {
        let got =
            plan(&format!("{HEAD}#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n#EXTINF:4,\nb.m4s\n#EXT-X-ENDLIST\n"))
                .expect("plan");
        assert_eq!(got.container, Container::Mp4);
        assert_eq!(got.init, Some(Source { url: "http://h/v/init.mp4".into(), range: None }));
    }

    #[test]
    fn byte_ranges_continue_from_the_previous_one() {
        let got = plan(&format!(
            "{HEAD}#EXTINF:4,\n#EXT-X-BYTERANGE:100@0\nall.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:50\nall.ts\n#EXTINF:4,\n#EXT-X-BYTERANGE:7@500\nall.ts\n#EXT-X-ENDLIST\n"
        ))
        .expect("plan");
        let ranges: Vec<_> = got.segments.iter().map(|s| s.source.range).collect();
        assert_eq!(
            ranges,
            [
                Some(ByteRange { start: 0, len: 100 }),
                Some(ByteRange { start: 100, len: 50 }),
                Some(ByteRange { start: 500, len: 7 })
            ]
        );
        assert_eq!(got.exact_size(), Some(157));
    }

    #[test]
    fn keys_apply_until_the_next_one_with_explicit_or_sequence_ivs() {
        let got = plan(&format!(
            "{HEAD}#EXT-X-KEY:METHOD=AES-128,URI=\"k1\",IV=0x000102030405060708090a0b0c0d0e0f\n#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n#EXT-X-KEY:METHOD=AES-128,URI=\"k2\"\n#EXTINF:4,\nc.ts\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:4,\nd.ts\n#EXT-X-ENDLIST\n"
        ))
        .expect("plan");
        let explicit: [u8; 16] = std::array::from_fn(|i| i as u8);
        let mut sequence_7 = [0u8; 16];
        sequence_7[15] = 7;
        let keys: Vec<_> = got.segments.iter().map(|s| s.key.clone()).collect();
        assert_eq!(
            keys,
            [
                Some(Aes128 { key_url: "http://h/v/k1".into(), iv: explicit }),
                Some(Aes128 { key_url: "http://h/v/k1".into(), iv: explicit }),
                Some(Aes128 { key_url: "http://h/v/k2".into(), iv: sequence_7 }),
                None
            ]
        );
    }

    #[test]
    fn what_cannot_be_saved_is_refused_by_name() {
        let cases = [
            (format!("{HEAD}#EXTINF:4,\na.ts\n"), "live"),
            (format!("{HEAD}#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"k\"\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n"), "drm"),
            (
                format!(
                    "{HEAD}#EXT-X-KEY:METHOD=AES-128,URI=\"skd://x\",KEYFORMAT=\"com.apple.streamingkeydelivery\"\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n"
                ),
                "drm",
            ),
            (format!("{HEAD}#EXT-X-ENDLIST\n"), "playlist"),
        ];
        for (text, expected) in cases {
            let code = plan(&text).err().map(|e| e.code());
            assert_eq!(code.unwrap_or_default(), format!("stream_{expected}"), "{text}");
        }
    }

    #[test]
    fn ivs_are_hex_padded_on_the_left() {
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(parse_iv("0x1"), Some(one));
        assert_eq!(parse_iv("0X00000000000000000000000000000001"), Some(one));
        assert_eq!(parse_iv("1"), None);
        assert_eq!(parse_iv("0x"), None);
        assert_eq!(parse_iv("0xzz"), None);
    }
}
