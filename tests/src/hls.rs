//! HLS fixtures for the loopback [`TestServer`]: generated segments and
//! playlists (TS, fMP4 with an init section, AES-128, byte ranges, masters,
//! live and DRM), registered on the server; each returns the URL to add and
//! the exact bytes the published file must hold.

use crate::server::{Route, TestServer, random_bytes};

/// HLS's content type for playlists.
pub const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";

/// A stream on the server: the playlist to add and what must be saved.
#[derive(Clone, Debug)]
pub struct Served {
    /// The playlist's URL.
    pub url: String,
    /// The plaintext the published file must hold, in order.
    pub expected: Vec<u8>,
    /// The server paths of the segments (to count requests per segment).
    pub segment_paths: Vec<String>,
}

/// `count` segments of `size` bytes each (the last one shorter, so sizes differ).
pub fn segments(count: usize, size: usize, seed: u64) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let len = if i + 1 == count { size / 2 + 1 } else { size };
            random_bytes(len, seed.wrapping_mul(1000).wrapping_add(i as u64))
        })
        .collect()
}

/// How a media playlist is written.
#[derive(Clone, Debug, Default)]
pub struct Media {
    /// `EXT-X-MEDIA-SEQUENCE` (the implicit IV of AES-128).
    pub media_sequence: u64,
    /// Whether `EXT-X-ENDLIST` closes it (false: a live playlist).
    pub live: bool,
    /// An `EXT-X-MAP` init section (makes it fMP4).
    pub init: Option<Vec<u8>>,
    /// AES-128: the key, and the IV written in the playlist (None: the sequence number).
    pub aes: Option<([u8; 16], Option<[u8; 16]>)>,
    /// A key tag of another kind, written as is (`METHOD=SAMPLE-AES,…`).
    pub other_key: Option<String>,
    /// All segments in one resource, addressed by `EXT-X-BYTERANGE`.
    pub byte_ranges: bool,
    /// The content type the playlist is served with.
    pub content_type: Option<String>,
    /// The playlist's file name (default `index.m3u8`).
    pub playlist_name: Option<String>,
    /// Each segment served at this many bytes a second per connection.
    pub throttle: Option<u64>,
}

/// Serves `segments` under `prefix` (e.g. `/v`) with a media playlist at
/// `prefix/index.m3u8` written as `media` says.
pub fn serve_media(server: &TestServer, prefix: &str, segments: &[Vec<u8>], media: &Media) -> Served {
    let mut lines = vec![
        "#EXTM3U".to_string(),
        "#EXT-X-VERSION:7".to_string(),
        "#EXT-X-TARGETDURATION:4".to_string(),
        format!("#EXT-X-MEDIA-SEQUENCE:{}", media.media_sequence),
        "#EXT-X-PLAYLIST-TYPE:VOD".to_string(),
    ];
    if media.live {
        lines.pop();
    }
    let mut expected = Vec::new();
    if let Some(init) = &media.init {
        server.set_route(&format!("{prefix}/init.mp4"), Route::new(init.clone()));
        lines.push("#EXT-X-MAP:URI=\"init.mp4\"".to_string());
        expected.extend_from_slice(init);
    }
    if let Some((key, iv)) = &media.aes {
        server.set_route(&format!("{prefix}/key.bin"), Route::new(key.to_vec()));
        let iv = iv.map(|iv| format!(",IV=0x{}", hex::encode(iv))).unwrap_or_default();
        lines.push(format!("#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\"{iv}"));
    }
    if let Some(tag) = &media.other_key {
        lines.push(format!("#EXT-X-KEY:{tag}"));
    }
    let mut segment_paths = Vec::new();
    let mut joined = Vec::new();
    for (n, plain) in segments.iter().enumerate() {
        expected.extend_from_slice(plain);
        let body = match &media.aes {
            Some((key, iv)) => {
                let iv = iv.unwrap_or_else(|| sequence_iv(media.media_sequence + n as u64));
                haul_core::engine::stream::encrypt_aes128(key, &iv, plain)
            }
            None => plain.clone(),
        };
        lines.push("#EXTINF:4.0,".to_string());
        if media.byte_ranges {
            lines.push(format!("#EXT-X-BYTERANGE:{}@{}", body.len(), joined.len()));
            lines.push("all.ts".to_string());
            joined.extend_from_slice(&body);
        } else {
            let name = format!("seg{n:05}.{}", if media.init.is_some() { "m4s" } else { "ts" });
            let path = format!("{prefix}/{name}");
            let route = Route::new(body).content_type("video/mp2t");
            server.set_route(&path, media.throttle.map_or(route.clone(), |rate| route.throttle_per_connection(rate)));
            segment_paths.push(path);
            lines.push(name);
        }
    }
    if media.byte_ranges {
        server.set_route(&format!("{prefix}/all.ts"), Route::new(joined));
        segment_paths.push(format!("{prefix}/all.ts"));
    }
    if !media.live {
        lines.push("#EXT-X-ENDLIST".to_string());
    }
    let playlist = format!("{}\n", lines.join("\n"));
    let content_type = media.content_type.clone().unwrap_or_else(|| PLAYLIST_TYPE.to_string());
    let path = format!("{prefix}/{}", media.playlist_name.as_deref().unwrap_or("index.m3u8"));
    server.set_route(&path, Route::new(playlist.into_bytes()).content_type(&content_type));
    Served { url: server.url(&path), expected, segment_paths }
}

/// The implicit IV of segment `sequence`: its number, big-endian, in 16 bytes.
pub fn sequence_iv(sequence: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[8..].copy_from_slice(&sequence.to_be_bytes());
    iv
}

/// A variant of a master playlist: its height, bandwidth and stream.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The picture's height (the width is 16:9 of it).
    pub height: u64,
    /// Bits per second.
    pub bandwidth: u64,
    /// Its media playlist on the server.
    pub served: Served,
}

/// Serves one TS stream per `(height, bandwidth)` under `prefix/<height>/` and a
/// master playlist listing them at `prefix/master.m3u8`; returns its URL and the variants.
pub fn serve_master(server: &TestServer, prefix: &str, variants: &[(u64, u64)]) -> (String, Vec<Variant>) {
    let mut lines = vec!["#EXTM3U".to_string(), "#EXT-X-VERSION:3".to_string()];
    let mut served = Vec::new();
    for (n, &(height, bandwidth)) in variants.iter().enumerate() {
        let stream = serve_media(
            server,
            &format!("{prefix}/{height}"),
            &segments(4, 3000, height + n as u64),
            &Media::default(),
        );
        lines.push(format!("#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={}x{height}", height * 16 / 9));
        lines.push(format!("{height}/index.m3u8"));
        served.push(Variant { height, bandwidth, served: stream });
    }
    let path = format!("{prefix}/master.m3u8");
    server.set_route(&path, Route::new(format!("{}\n", lines.join("\n")).into_bytes()).content_type(PLAYLIST_TYPE));
    (server.url(&path), served)
}

/// Serves a master playlist at `prefix/master.m3u8` with one 720p variant
/// whose audio is a separate rendition (`EXT-X-MEDIA`, group `aac`); returns
/// its URL, the video and the audio.
pub fn serve_master_with_audio(server: &TestServer, prefix: &str) -> (String, Served, Served) {
    let video = serve_media(server, &format!("{prefix}/720"), &segments(5, 8000, 41), &Media::default());
    let audio = serve_media(server, &format!("{prefix}/audio"), &segments(5, 2000, 42), &Media::default());
    let master = String::from(
        "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"English\",DEFAULT=YES,URI=\"audio/index.m3u8\"\n\
         #EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,AUDIO=\"aac\"\n720/index.m3u8\n",
    );
    let path = format!("{prefix}/master.m3u8");
    server.set_route(&path, Route::new(master.into_bytes()).content_type(PLAYLIST_TYPE));
    (server.url(&path), video, audio)
}
