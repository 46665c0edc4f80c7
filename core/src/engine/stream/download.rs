//! Downloading a stream file: the playlist (the highest variant of a master),
//! its pieces fetched in parallel, each retried alone and decrypted when
//! whole, appended in order to the temp file and marked in the parts folder.
//! Progress goes through the usual `Reporter` as the temp file's byte ranges.

use super::parts::{mark, marked, parts_dir};
use super::playlist::{MediaPlan, Source};
use super::{StreamError, VariantPick, choose, decrypt_aes128, is_dash, parse};
use crate::engine::clients::Clients;
use crate::engine::context::{FilePlan, Reporter};
use crate::engine::http::{carries_the_file, http_error};
use crate::engine::{FileResult, Severity, TransferError};
use crate::model::FileProgress;
use bytes::Bytes;
use futures_util::StreamExt;
use m3u8_rs::Playlist;
use reqwest::header;
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
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
    let local = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TransferError::Local { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(local(&dir))?;
    let mut slots: Vec<usize> = Vec::with_capacity(media.segments.len() + 1);
    if media.init.is_some() {
        slots.push(0);
    }
    slots.extend(1..=media.segments.len());
    // The marked pieces are the temp file's first bytes; anything past them
    // is a piece cut short by a kill.
    let kept = marked(&dir, &slots).map_err(local(&dir))?;
    let mut file =
        OpenOptions::new().write(true).create(true).truncate(false).open(&plan.temp).map_err(local(&plan.temp))?;
    let mut offset: u64 = kept.iter().sum();
    file.set_len(offset).map_err(local(&plan.temp))?;
    file.seek(SeekFrom::Start(offset)).map_err(local(&plan.temp))?;
    let estimate = media.exact_size().or_else(|| bandwidth.map(|b| (media.duration() * b as f64 / 8.0) as u64));
    reporter.connected(plan.index, estimate, &FileProgress::default(), None);
    let mut sizes = Sizes { estimate, pieces: slots.len() as u64, ..Sizes::default() };
    let mut at = 0;
    for len in &kept {
        reporter.written(plan.index, at, *len);
        sizes.add(*len);
        at += len;
    }
    if sizes.estimate != estimate {
        reporter.connected(plan.index, sizes.estimate, &FileProgress::default(), None);
    }
    let missing = &slots[kept.len()..];
    let keys = fetcher.keys(&media, missing).await?;
    // In order, `parallel` at a time: each piece is appended as soon as the
    // ones before it are, so the data is written once.
    let parallel = plan.max_connections.clamp(1, MAX_PARALLEL);
    let (fetcher, media, keys) = (&fetcher, &media, &keys);
    let mut pieces = futures_util::stream::iter(missing.iter().copied())
        .map(|slot| async move { fetcher.piece(media, keys, slot).await.map(|bytes| (slot, bytes)) })
        .buffered(parallel);
    while let Some(piece) = pieces.next().await {
        let (slot, bytes) = piece?;
        let len = bytes.len() as u64;
        file.write_all(&bytes).map_err(local(&plan.temp))?;
        mark(&dir, slot, len).map_err(local(&dir))?;
        reporter.written(plan.index, offset, len);
        offset += len;
        if sizes.add(len) {
            reporter.connected(plan.index, sizes.estimate, &FileProgress::default(), None);
        }
    }
    drop(pieces);
    drop(file);
    remove_parts(&plan.temp);
    Ok(FileResult { bytes_total: offset })
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
    async fn get_playlist(&self, url: &str) -> Result<(Bytes, Option<String>), TransferError> {
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
                keys.insert(key.key_url.clone(), bytes.to_vec());
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
    ) -> Result<Bytes, TransferError> {
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
                Ok(decrypt_aes128(&source.url, secret, &key.iv, &bytes)?.into())
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
    async fn get(&self, source: &Source) -> Result<(Bytes, Option<String>), TransferError> {
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
        if !carries_the_file(response.status()) {
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
                if end > body.len() {
                    return Err(TransferError::BadRange {
                        url: url.clone(),
                        detail: format!("the resource has {} bytes, the playlist wants {start}..{end}", body.len()),
                    });
                }
                body.slice(start..end)
            }
            Some(range) if body.len() as u64 != range.len => {
                return Err(TransferError::BadRange {
                    url: url.clone(),
                    detail: format!("asked for {} bytes, got {}", range.len, body.len()),
                });
            }
            _ => body,
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
