//! HLS streams: a playlist whose segments are fetched as hidden parts and
//! published as one file (`.ts`, or `.mp4` with an init section). Parsing by
//! m3u8-rs; AES-128 by RustCrypto; live playlists, DRM and DASH are refused by name.

mod crypto;
mod detect;
mod download;
mod parts;
mod playlist;
mod resolve;
mod variant;

pub use crypto::{decrypt_aes128, encrypt_aes128};
pub use detect::{is_dash, is_playlist, parse};
pub use download::download_stream;
pub(crate) use download::remove_parts;
pub use parts::parts_dir;
pub use playlist::{Aes128, ByteRange, Container, MediaPlan, Segment, Source, media_plan};
pub use resolve::{Resolved, audio_file_name, resolve, stream_file_name};
pub use variant::{Chosen, VariantPick, choose, label};

/// Why a stream cannot be saved; each names what a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A live playlist (no `EXT-X-ENDLIST`): it has no end to save.
    #[error("{url} is a live stream (its playlist has no EXT-X-ENDLIST); Haul saves only finished (VOD) streams")]
    Live {
        /// The media playlist.
        url: String,
    },
    /// DRM or SAMPLE-AES: the keys are not Haul's to use.
    #[error("{url} is protected by {what}; Haul saves only clear or AES-128 streams")]
    Drm {
        /// The media playlist.
        url: String,
        /// The key format or method.
        what: String,
    },
    /// A DASH manifest.
    #[error("{url} is a DASH manifest (.mpd); Haul saves HLS (.m3u8) streams only, DASH is not supported yet")]
    Dash {
        /// The manifest.
        url: String,
    },
    /// No variant matches what was asked.
    #[error("{url} has no variant {asked} ({offered} offered)")]
    NoVariant {
        /// The master playlist.
        url: String,
        /// What was asked.
        asked: String,
        /// How many variants there are.
        offered: usize,
    },
    /// The playlist cannot be read.
    #[error("the playlist {url} cannot be read: {detail}")]
    Playlist {
        /// The playlist.
        url: String,
        /// What is wrong.
        detail: String,
    },
    /// A segment could not be decrypted (a wrong key, or not AES-128 data).
    #[error("a segment of {url} cannot be decrypted with its key: {detail}")]
    Decrypt {
        /// The segment.
        url: String,
        /// What failed.
        detail: String,
    },
}

impl StreamError {
    /// The stable error code a job reports.
    pub fn code(&self) -> &'static str {
        match self {
            StreamError::Live { .. } => "stream_live",
            StreamError::Drm { .. } => "stream_drm",
            StreamError::Dash { .. } => "stream_dash",
            StreamError::NoVariant { .. } => "stream_no_variant",
            StreamError::Playlist { .. } => "stream_playlist",
            StreamError::Decrypt { .. } => "stream_decrypt",
        }
    }
}
