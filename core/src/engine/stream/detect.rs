//! Whether a URL or an answer is a stream: HLS by its content type or a
//! `.m3u8` path, DASH (refused) by `application/dash+xml` or `.mpd`; pure.

use super::StreamError;
use m3u8_rs::Playlist;

/// The content types servers give HLS playlists (compared without case or parameters).
const HLS_TYPES: [&str; 5] = [
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/mpegurl",
    "audio/x-mpegurl",
    "application/mpegurl",
];

/// The path of `url`, lowercase, without query or fragment.
fn path_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.to_ascii_lowercase()
}

/// A content type's media type, lowercase, without parameters.
fn media_type(content_type: Option<&str>) -> String {
    content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether `url` (by its `.m3u8` path) or its `content_type` says HLS playlist;
/// a `.m3u` (a list of radio stations or songs, served with the same types) is a file.
pub fn is_playlist(url: &str, content_type: Option<&str>) -> bool {
    let path = path_of(url);
    path.ends_with(".m3u8") || (!path.ends_with(".m3u") && HLS_TYPES.contains(&media_type(content_type).as_str()))
}

/// Whether `url` or its `content_type` says DASH manifest.
pub fn is_dash(url: &str, content_type: Option<&str>) -> bool {
    path_of(url).ends_with(".mpd") || media_type(content_type) == "application/dash+xml"
}

/// Parses the playlist fetched from `url`.
pub fn parse(url: &str, body: &[u8]) -> Result<Playlist, StreamError> {
    if !body.trim_ascii_start().starts_with(b"#EXTM3U") {
        return Err(StreamError::Playlist { url: url.into(), detail: "it does not start with #EXTM3U".into() });
    }
    m3u8_rs::parse_playlist_res(body)
        .map_err(|e| StreamError::Playlist { url: url.into(), detail: format!("{e:?}").chars().take(200).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlists_are_known_by_path_or_type() {
        let cases = [
            ("http://h/v/index.m3u8", None, true, false),
            ("http://h/v/INDEX.M3U8?token=1", None, true, false),
            ("http://h/play?id=3", Some("application/vnd.apple.mpegurl"), true, false),
            ("http://h/play", Some("application/x-mpegURL; charset=utf-8"), true, false),
            ("http://h/play", Some("audio/mpegurl"), true, false),
            ("http://h/radio.m3u", Some("audio/mpegurl"), false, false),
            ("http://h/v.mp4", Some("video/mp4"), false, false),
            ("http://h/m3u8/file.bin", None, false, false),
            ("http://h/manifest.mpd", None, false, true),
            ("http://h/m", Some("application/dash+xml"), false, true),
        ];
        for (url, content_type, hls, dash) in cases {
            assert_eq!(is_playlist(url, content_type), hls, "{url} {content_type:?}");
            assert_eq!(is_dash(url, content_type), dash, "{url} {content_type:?}");
        }
    }

    #[test]
    fn a_page_is_not_a_playlist() {
        assert_eq!(parse("u", b"<html>").expect_err("html").code(), "stream_playlist");
        assert!(matches!(
            parse("u", b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"),
            Ok(Playlist::MasterPlaylist(_))
        ));
    }
}
