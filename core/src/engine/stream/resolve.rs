//! What a stream URL would save, asked before the job is made (`haul add`,
//! the add dialog): the variant chosen, its media playlist, the container
//! (so the file is named `.ts` or `.mp4`), the segment count, the audio rendition.

use super::playlist::{Container, media_plan};
use super::{StreamError, VariantPick, choose, is_dash, parse};
use m3u8_rs::Playlist;

/// A stream, resolved down to the media playlists a job fetches.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// The media playlist of the video (the chosen variant's).
    pub video: String,
    /// `.ts` or `.mp4`.
    pub container: Container,
    /// How many segments the video has.
    pub segments: usize,
    /// Its duration in seconds.
    pub duration: f64,
    /// The variant's label ("1920x1080, 5.0 Mbit/s"), for a master playlist.
    pub variant: Option<String>,
    /// A separate audio rendition: its media playlist and container.
    pub audio: Option<(String, Container)>,
}

impl Resolved {
    /// One line for people: "1920x1080, 5.0 Mbit/s, 120 segments (8 min)".
    pub fn summary(&self) -> String {
        let minutes = (self.duration / 60.0).round() as u64;
        let length = if minutes > 0 { format!(" ({minutes} min)") } else { format!(" ({:.0} s)", self.duration) };
        match &self.variant {
            Some(variant) => format!("{variant}, {} segments{length}", self.segments),
            None => format!("{} segments{length}", self.segments),
        }
    }
}

/// Fetches the playlist at `url` (and, for a master, the chosen variant's)
/// and says what the stream would save.
pub async fn resolve(client: &reqwest::Client, url: &str, pick: VariantPick) -> Result<Resolved, StreamError> {
    let (body, content_type) = get(client, url).await?;
    if is_dash(url, content_type.as_deref()) {
        return Err(StreamError::Dash { url: url.into() });
    }
    let (video, variant, audio_url) = match parse(url, &body)? {
        Playlist::MediaPlaylist(_) => (url.to_string(), None, None),
        Playlist::MasterPlaylist(master) => {
            let chosen = choose(url, &master, pick)?;
            (chosen.video, Some(chosen.label), chosen.audio)
        }
    };
    let plan = media(client, &video).await?;
    let audio = match audio_url {
        Some(audio_url) => {
            let audio_plan = media(client, &audio_url).await?;
            Some((audio_url, audio_plan.container))
        }
        None => None,
    };
    Ok(Resolved {
        video,
        container: plan.container,
        segments: plan.segments.len(),
        duration: plan.duration(),
        variant,
        audio,
    })
}

/// The plan of the media playlist at `url`.
async fn media(client: &reqwest::Client, url: &str) -> Result<super::MediaPlan, StreamError> {
    let (body, _) = get(client, url).await?;
    match parse(url, &body)? {
        Playlist::MediaPlaylist(media) => media_plan(url, &media),
        Playlist::MasterPlaylist(_) => {
            Err(StreamError::Playlist { url: url.into(), detail: "a variant is itself a master playlist".into() })
        }
    }
}

/// A playlist's body and content type.
async fn get(client: &reqwest::Client, url: &str) -> Result<(Vec<u8>, Option<String>), StreamError> {
    let failed = |detail: String| StreamError::Playlist { url: url.into(), detail };
    let response = client.get(url).send().await.map_err(|e| failed(e.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("the server answered {}", response.status())));
    }
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
    Ok((body.to_vec(), content_type))
}

/// The name a stream's file gets from the name its URL gives (`index.m3u8`,
/// `video`): the same stem with the container's extension.
pub fn stream_file_name(name: &str, container: Container) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
        _ => name,
    };
    format!("{stem}.{}", container.extension())
}

/// The name of the audio rendition saved next to `video_name`: `video.audio.mp4`.
pub fn audio_file_name(video_name: &str, container: Container) -> String {
    let stem = video_name.rsplit_once('.').map_or(video_name, |(stem, _)| stem);
    format!("{stem}.audio.{}", container.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_files_are_named_after_their_container() {
        let cases = [
            ("index.m3u8", Container::Ts, "index.ts"),
            ("video.m3u8", Container::Mp4, "video.mp4"),
            ("play", Container::Ts, "play.ts"),
            (".m3u8", Container::Ts, ".m3u8.ts"),
            ("my.show.s01e02.m3u8", Container::Mp4, "my.show.s01e02.mp4"),
        ];
        for (name, container, expected) in cases {
            assert_eq!(stream_file_name(name, container), expected, "{name}");
        }
        assert_eq!(audio_file_name("video.mp4", Container::Mp4), "video.audio.mp4");
        assert_eq!(audio_file_name("video.ts", Container::Ts), "video.audio.ts");
    }
}
