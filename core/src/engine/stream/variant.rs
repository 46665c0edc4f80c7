//! Choosing a variant of a master playlist: the highest by default, or the
//! one a person named (`--variant 2`, `480`, `480p`, `2500000`); pure.

use super::StreamError;
use super::playlist::resolve;
use m3u8_rs::{AlternativeMediaType, MasterPlaylist, VariantStream};
use url::Url;

/// The variant chosen, and the audio rendition that goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// The variant's media playlist (absolute URL).
    pub video: String,
    /// A separate audio rendition's media playlist, if the variant has one.
    pub audio: Option<String>,
    /// How people know the variant: "1280x720, 2.5 Mbit/s".
    pub label: String,
    /// Its bandwidth in bits per second.
    pub bandwidth: u64,
}

/// How a person names a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantPick {
    /// The highest bandwidth (the default).
    Highest,
    /// By position in the playlist, from 0 (`--variant 2`).
    Index(usize),
    /// By height: the one whose height is closest (`480`, `480p`).
    Height(u64),
    /// By bandwidth: the one closest (`2500000`).
    Bandwidth(u64),
}

impl VariantPick {
    /// Reads `--variant`: a small number is an index, `p` or up to 4320 a
    /// height, anything larger a bandwidth.
    pub fn parse(text: &str) -> Option<VariantPick> {
        let text = text.trim().to_ascii_lowercase();
        if text.is_empty() || text == "highest" || text == "best" {
            return Some(VariantPick::Highest);
        }
        if let Some(height) = text.strip_suffix('p') {
            return height.parse().ok().map(VariantPick::Height);
        }
        let n: u64 = text.parse().ok()?;
        Some(match n {
            0..=99 => VariantPick::Index(n as usize),
            100..=4320 => VariantPick::Height(n),
            _ => VariantPick::Bandwidth(n),
        })
    }
}

/// A variant as a person reads it: resolution and bandwidth.
pub fn label(variant: &VariantStream) -> String {
    let rate = format!("{:.1} Mbit/s", variant.bandwidth as f64 / 1e6);
    match &variant.resolution {
        Some(r) => format!("{}x{}, {rate}", r.width, r.height),
        None => rate,
    }
}

/// Picks a variant of the master playlist at `url` (I-frame-only ones are
/// never picked) and its audio rendition.
pub fn choose(url: &str, master: &MasterPlaylist, pick: VariantPick) -> Result<Chosen, StreamError> {
    let base = Url::parse(url).map_err(|e| StreamError::Playlist { url: url.into(), detail: e.to_string() })?;
    let variants: Vec<&VariantStream> = master.variants.iter().filter(|v| !v.is_i_frame).collect();
    let by_bandwidth = |v: &&&VariantStream| v.bandwidth;
    let distance = |a: u64, b: u64| a.abs_diff(b);
    let variant = match pick {
        VariantPick::Highest => variants.iter().max_by_key(by_bandwidth),
        VariantPick::Index(i) => variants.get(i),
        VariantPick::Height(h) => variants.iter().min_by_key(|v| {
            (v.resolution.as_ref().map_or(u64::MAX, |r| distance(r.height, h)), u64::MAX - v.bandwidth)
        }),
        VariantPick::Bandwidth(b) => variants.iter().min_by_key(|v| distance(v.bandwidth, b)),
    };
    let Some(variant) = variant else {
        return Err(StreamError::NoVariant { url: url.into(), asked: format!("{pick:?}"), offered: variants.len() });
    };
    let audio = variant.audio.as_ref().and_then(|group| {
        let renditions = master
            .alternatives
            .iter()
            .filter(|m| m.media_type == AlternativeMediaType::Audio && &m.group_id == group && m.uri.is_some());
        let mut renditions: Vec<_> = renditions.collect();
        renditions.sort_by_key(|m| !m.default);
        renditions.first().and_then(|m| m.uri.clone())
    });
    Ok(Chosen {
        video: resolve(&base, &variant.uri, url)?,
        audio: audio.map(|a| resolve(&base, &a, url)).transpose()?,
        label: label(variant),
        bandwidth: variant.bandwidth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &str = "#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"en\",DEFAULT=YES,URI=\"audio/en.m3u8\"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
360/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=5000000,RESOLUTION=1920x1080,AUDIO=\"aac\"
1080/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=842x480
480/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9000000,URI=\"iframes.m3u8\"
";

    fn master() -> MasterPlaylist {
        match m3u8_rs::parse_playlist_res(MASTER.as_bytes()) {
            Ok(m3u8_rs::Playlist::MasterPlaylist(m)) => m,
            other => panic!("not a master playlist: {other:?}"),
        }
    }

    #[test]
    fn picks_as_asked() {
        let cases = [
            ("", "http://h/1080/index.m3u8"),
            ("0", "http://h/360/index.m3u8"),
            ("2", "http://h/480/index.m3u8"),
            ("480", "http://h/480/index.m3u8"),
            ("480p", "http://h/480/index.m3u8"),
            ("720", "http://h/480/index.m3u8"),
            ("1000000", "http://h/360/index.m3u8"),
            ("4000000", "http://h/1080/index.m3u8"),
        ];
        for (asked, expected) in cases {
            let pick = VariantPick::parse(asked).expect("parses");
            let chosen = choose("http://h/master.m3u8", &master(), pick).expect("chosen");
            assert_eq!(chosen.video, expected, "--variant {asked}");
        }
    }

    #[test]
    fn the_audio_rendition_comes_with_its_variant() {
        let highest = choose("http://h/master.m3u8", &master(), VariantPick::Highest).expect("chosen");
        assert_eq!(highest.audio.as_deref(), Some("http://h/audio/en.m3u8"));
        assert_eq!(highest.label, "1920x1080, 5.0 Mbit/s");
        let low = choose("http://h/master.m3u8", &master(), VariantPick::Index(0)).expect("chosen");
        assert_eq!(low.audio, None);
    }

    #[test]
    fn a_missing_index_is_named() {
        let err = choose("http://h/master.m3u8", &master(), VariantPick::Index(9)).expect_err("no such variant");
        assert_eq!(err.code(), "stream_no_variant");
        assert_eq!(VariantPick::parse("abc"), None);
    }
}
