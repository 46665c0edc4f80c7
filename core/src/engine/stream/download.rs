//! Downloading a stream file: the playlist (the highest variant of a master),
//! its pieces in parallel into hidden parts, each retried alone, decrypted
//! when whole, then joined in order into the temp file.
//!
//! Progress goes through the usual `Reporter`: piece `slot` reports its bytes
//! at offset `slot << 32` of the file's checkpoint, so the checkpoint's
//! covered bytes are the bytes fetched; which pieces are finished is what the
//! parts folder holds (a piece is renamed into it only when whole).

use super::parts::{assemble, finished_size, parts_dir, write_piece};
use super::playlist::{MediaPlan, Source};
use super::{StreamError, VariantPick, choose, decrypt_aes128, is_dash, parse};
use crate::engine::clients::Clients;
use crate::engine::context::{FilePlan, Reporter};
use crate::engine::http::http_error;
use crate::engine::{FileResult, Severity, TransferError};
use crate::model::FileProgress;
use futures_util::StreamExt;
use m3u8_rs::Playlist;
use reqwest::header;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Attempts at one piece before the file fails (the job's retry then resumes it).
const PIECE_ATTEMPTS: u32 = 4;
/// The wait before a piece's first retry; doubled for each later one.
const FIRST_RETRY_WAIT: Duration = Duration::from_millis(100);
/// Most pieces fetched at once.
const MAX_PARALLEL: usize = 16;

/// Downloads the stream at `plan.url` into `plan.temp`.
pub async fn download_stream(
    clients: &Clients,
    plan: Arc<FilePlan>,
    reporter: Arc<dyn Reporter>,
    stop: &CancellationToken,
) -> Result<FileResult, TransferError> {
    let fetcher = Fetcher { clients, plan: &plan, stop };
    let (media, bandwidth) = fetcher.media_plan().await?;
    let dir = parts_dir(&plan.temp);
    let local = |source| TransferError::Local { path: dir.clone(), source };
    std::fs::create_dir_all(&dir).map_err(local)?;
    let estimate = media.exact_size().or_else(|| bandwidth.map(|b| (media.duration() * b as f64 / 8.0) as u64));
    reporter.connected(plan.index, estimate, &FileProgress::default(), None);
    let mut slots: Vec<usize> = Vec::with_capacity(media.segments.len() + 1);
    if media.init.is_some() {
        slots.push(0);
    }
    slots.extend(1..=media.segments.len());
    let mut missing = Vec::new();
    let mut sizes = Sizes { estimate, pieces: slots.len() as u64, ..Sizes::default() };
    for &slot in &slots {
        match finished_size(&dir, slot) {
            Some(len) => {
                reporter.written(plan.index, (slot as u64) << 32, len);
                sizes.add(len);
            }
            None => missing.push(slot),
        }
    }
    if sizes.estimate != estimate {
        reporter.connected(plan.index, sizes.estimate, &FileProgress::default(), None);
    }
    let keys = fetcher.keys(&media, &missing).await?;
    let parallel = plan.max_connections.clamp(1, MAX_PARALLEL);
    let index = plan.index;
    let mut pieces = futures_util::stream::iter(missing)
        .map(|slot| {
            let (fetcher, media, keys, dir, reporter) = (&fetcher, &media, &keys, &dir, &reporter);
            async move {
                let bytes = fetcher.piece(media, keys, slot).await?;
                write_piece(dir, slot, &bytes).map_err(|source| TransferError::Local { path: dir.clone(), source })?;
                reporter.written(index, (slot as u64) << 32, bytes.len() as u64);
                Ok::<_, TransferError>(bytes.len() as u64)
            }
        })
        .buffer_unordered(parallel);
    while let Some(done) = pieces.next().await {
        if sizes.add(done?) {
            reporter.connected(index, sizes.estimate, &FileProgress::default(), None);
        }
    }
    drop(pieces);
    let (temp, joined_dir) = (plan.temp.clone(), dir.clone());
    let bytes_total = tokio::task::spawn_blocking(move || assemble(&joined_dir, &slots, &temp))
        .await
        .map_err(|e| local(std::io::Error::other(e)))?
        .map_err(|source| TransferError::Local { path: plan.temp.clone(), source })?;
    remove_parts(&plan.temp);
    Ok(FileResult { bytes_total })
}

/// The bytes of the pieces fetched so far, for a size estimate where the
/// playlist gave none: their average times the number of pieces.
#[derive(Default)]
struct Sizes {
    /// The estimate told (from the playlist, or from the pieces).
    estimate: Option<u64>,
    /// How many pieces the file has.
    pieces: u64,
    /// Pieces seen, and their bytes.
    seen: u64,
    bytes: u64,
}

impl Sizes {
    /// Counts a piece; true when it gave a first estimate (after 4 pieces).
    fn add(&mut self, len: u64) -> bool {
        self.seen += 1;
        self.bytes += len;
        if self.estimate.is_some() || self.seen < 4.min(self.pieces) {
            return false;
        }
        self.estimate = Some(self.bytes / self.seen * self.pieces);
        true
    }
}

/// Deletes a stream file's parts folder, if it has one.
pub(crate) fn remove_parts(temp: &Path) {
    let dir = parts_dir(temp);
    if let Err(e) = std::fs::remove_dir_all(&dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove {}: {e}", dir.display());
    }
}

/// The requests of one stream file.
struct Fetcher<'a> {
    clients: &'a Clients,
    plan: &'a FilePlan,
    stop: &'a CancellationToken,
}

impl Fetcher<'_> {
    /// The media playlist's plan (the highest variant's, for a master), and
    /// the variant's bandwidth when a master said it.
    async fn media_plan(&self) -> Result<(MediaPlan, Option<u64>), TransferError> {
        let url = self.plan.url.clone();
        let (body, content_type) = self.get_playlist(&url).await?;
        if is_dash(&url, content_type.as_deref()) {
            return Err(StreamError::Dash { url }.into());
        }
        match parse(&url, &body)? {
            Playlist::MediaPlaylist(media) => Ok((super::media_plan(&url, &media)?, None)),
            Playlist::MasterPlaylist(master) => {
                let chosen = choose(&url, &master, VariantPick::Highest)?;
                let (body, _) = self.get_playlist(&chosen.video).await?;
                match parse(&chosen.video, &body)? {
                    Playlist::MediaPlaylist(media) => {
                        Ok((super::media_plan(&chosen.video, &media)?, Some(chosen.bandwidth)))
                    }
                    Playlist::MasterPlaylist(_) => Err(StreamError::Playlist {
                        url: chosen.video,
                        detail: "a variant is itself a master playlist".into(),
                    }
                    .into()),
                }
            }
        }
    }

    /// A playlist's body and content type (retried like a piece).
    async fn get_playlist(&self, url: &str) -> Result<(Vec<u8>, Option<String>), TransferError> {
        let source = Source { url: url.to_string(), range: None };
        self.with_retries(|| self.get(&source)).await
    }

    /// Each AES-128 key the `missing` pieces need, by URL.
    async fn keys(&self, media: &MediaPlan, missing: &[usize]) -> Result<HashMap<String, Vec<u8>>, TransferError> {
        let mut keys = HashMap::new();
        for &slot in missing.iter().filter(|s| **s > 0) {
            let Some(key) = &media.segments[slot - 1].key else { continue };
            if !keys.contains_key(&key.key_url) {
                let source = Source { url: key.key_url.clone(), range: None };
                let (bytes, _) = self.with_retries(|| self.get(&source)).await?;
                keys.insert(key.key_url.clone(), bytes);
            }
        }
        Ok(keys)
    }

    /// Piece `slot`'s plaintext.
    async fn piece(
        &self,
        media: &MediaPlan,
        keys: &HashMap<String, Vec<u8>>,
        slot: usize,
    ) -> Result<Vec<u8>, TransferError> {
        let (source, key) = match slot {
            0 => (media.init.as_ref(), None),
            n => media.segments.get(n - 1).map_or((None, None), |s| (Some(&s.source), s.key.as_ref())),
        };
        let Some(source) = source else {
            return Err(StreamError::Playlist { url: self.plan.url.clone(), detail: format!("no piece {slot}") }.into());
        };
        let (bytes, _) = self.with_retries(|| self.get(source)).await?;
        for limit in &self.plan.limits {
            limit.take(bytes.len() as u64).await;
        }
        match key {
            None => Ok(bytes),
            Some(key) => {
                let secret = keys.get(&key.key_url).map(Vec::as_slice).unwrap_or_default();
                Ok(decrypt_aes128(&source.url, secret, &key.iv, &bytes)?)
            }
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or has failed
    /// `PIECE_ATTEMPTS` times; a transient failure waits a little longer each time.
    async fn with_retries<T, F, Fut>(&self, attempt: F) -> Result<T, TransferError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, TransferError>>,
    {
        let mut wait = FIRST_RETRY_WAIT;
        let mut tries = 1;
        loop {
            match attempt().await {
                Err(e) if tries < PIECE_ATTEMPTS && e.severity() == Severity::Transient => {
                    tracing::debug!("retrying in {wait:?}: {e}");
                    tokio::select! {
                        _ = self.stop.cancelled() => return Err(TransferError::Stopped),
                        _ = tokio::time::sleep(wait) => {}
                    }
                    wait *= 2;
                    tries += 1;
                }
                done => return done,
            }
        }
    }

    /// One GET of `source` (its range only, if it has one), read whole.
    async fn get(&self, source: &Source) -> Result<(Vec<u8>, Option<String>), TransferError> {
        let url = &source.url;
        let mut request =
            self.plan.headers.iter().fold(self.clients.main.get(url), |r, (k, v)| r.header(k.as_str(), v.as_str()));
        if let Some(range) = source.range {
            request = request.header(header::RANGE, format!("bytes={}-{}", range.start, range.start + range.len - 1));
        }
        let response = tokio::select! {
            _ = self.stop.cancelled() => return Err(TransferError::Stopped),
            sent = request.send() => sent.map_err(|e| TransferError::from_reqwest(url, &e))?,
        };
        if !response.status().is_success() {
            return Err(http_error(&response, url));
        }
        let partial = response.status().as_u16() == 206;
        let content_type =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let expected = response.content_length();
        let body = tokio::select! {
            _ = self.stop.cancelled() => return Err(TransferError::Stopped),
            body = response.bytes() => body.map_err(|e| TransferError::from_reqwest(url, &e))?,
        };
        if let Some(expected) = expected.filter(|e| *e != body.len() as u64) {
            return Err(TransferError::ShortBody { url: url.clone(), got: body.len() as u64, expected });
        }
        let body = match source.range {
            // A server that ignores ranges sends the whole resource: cut it.
            Some(range) if !partial => {
                let (start, end) = (range.start as usize, (range.start + range.len) as usize);
                body.get(start..end).map(<[u8]>::to_vec).ok_or_else(|| TransferError::BadRange {
                    url: url.clone(),
                    detail: format!("the resource has {} bytes, the playlist wants {start}..{end}", body.len()),
                })?
            }
            Some(range) if body.len() as u64 != range.len => {
                return Err(TransferError::BadRange {
                    url: url.clone(),
                    detail: format!("asked for {} bytes, got {}", range.len, body.len()),
                });
            }
            _ => body.to_vec(),
        };
        Ok((body, content_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_is_estimated_from_the_first_pieces_when_the_playlist_gives_none() {
        let mut sizes = Sizes { pieces: 100, ..Sizes::default() };
        assert!(!sizes.add(10) && !sizes.add(20) && !sizes.add(30));
        assert!(sizes.add(40), "the fourth piece gives the estimate");
        assert_eq!(sizes.estimate, Some(2500));
        assert!(!sizes.add(1000), "told once");
        let mut given = Sizes { pieces: 100, estimate: Some(7), ..Sizes::default() };
        assert!((0..10).all(|_| !given.add(5)), "the playlist's estimate stands");
        let mut short = Sizes { pieces: 2, ..Sizes::default() };
        assert!(!short.add(3) && short.add(5));
        assert_eq!(short.estimate, Some(8));
    }
}
