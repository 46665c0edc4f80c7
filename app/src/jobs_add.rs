//! Turning a new download into a job, shared by `haul add` and the window's add
//! dialog: name each file (the server's `Content-Disposition`, else the URL)
//! inside the chosen folder without clobbering, then create the job.

use futures_util::StreamExt;
use haul_core::client::{Client, ClientError};
use haul_core::engine::HttpClient;
use haul_core::engine::stream::{self, Resolved, VariantPick};
use haul_core::model::{EventKind, JobId, NotifyFlags, Priority, RemoteUrl};
use haul_core::naming;
use haul_core::protocol::{AddFileParams, CreateJobParams, JobChanges, Resume};
use std::path::PathBuf;
use std::time::Duration;

mod access;
pub use access::{NewAccess, cookies_kept_secret};

/// How long naming waits for a server's `Content-Disposition` (HEAD, per URL).
const NAME_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A new download as `haul add` and the add dialog describe it: the one
/// description of a job to be, its values already checked where they were
/// typed (`RemoteUrl`, `model::check_sha256`, `model::check_header`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewDownload {
    /// One URL per file.
    pub urls: Vec<RemoteUrl>,
    /// The folder the files go to.
    pub dir: PathBuf,
    /// The job's name (default: the first file's).
    pub name: Option<String>,
    /// Its priority (default normal).
    pub priority: Option<Priority>,
    /// The expected sha256, lowercase (a single URL).
    pub sha256: Option<String>,
    /// Whether the service completes the job itself once transferred.
    pub auto_complete: bool,
    /// Headers, speed limit and connections, set on the job once it exists.
    pub settings: JobChanges,
    /// Which variant of an HLS master playlist (default: the highest).
    pub variant: Option<VariantPick>,
    /// Credentials, cookies and proxy (secrets: kept by the service's secret store).
    pub access: NewAccess,
}

/// One file of a new job: where it comes from and where it will appear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The http(s) URL.
    pub url: RemoteUrl,
    /// The absolute path the file gets on complete.
    pub local: PathBuf,
}

/// A download whose files are named: ready to become a job.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// What was asked for.
    pub download: NewDownload,
    /// Its files, named.
    pub targets: Vec<Target>,
    /// What each HLS stream among them saves, for people:
    /// "video.mp4: 1920x1080, 5.0 Mbit/s, 120 segments (8 min)".
    pub streams: Vec<String>,
}

impl Planned {
    /// The given name, else the first file's name.
    pub fn display_name(&self) -> String {
        display_name(self.download.name.as_deref(), &self.targets)
    }
}

/// Servers asked at once for file names.
const PROBES_AT_ONCE: usize = 16;
/// `add_file` requests sent before their answers are read: enough for the
/// service to take them in bursts (one commit each).
const ADD_FILES_IN_FLIGHT: usize = 256;

/// Names each URL's file inside the download's folder (asking the server when
/// the URL says too little), never reusing a name that exists or that an
/// earlier URL took.
pub async fn plan(download: NewDownload) -> Planned {
    // Built only if a server is to be asked: loading the platform's
    // certificates is a cost a long list of plain links does without.
    let http = asks_servers(&download).then(|| haul_core::engine::build_client(NAME_PROBE_TIMEOUT).ok()).flatten();
    let pick = download.variant.unwrap_or(VariantPick::Highest);
    let named: Vec<Named> = futures_util::stream::iter(download.urls.clone())
        .map(|url| {
            let http = http.clone();
            async move { name_one(http.as_ref(), url, pick).await }
        })
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await;
    let mut targets: Vec<Target> = Vec::new();
    let mut streams = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for named in named {
        let mut first_name = None;
        for (url, name) in named.files {
            let local = naming::unique_path(&download.dir, &name, &taken);
            taken.insert(local.clone());
            first_name.get_or_insert_with(|| local.file_name().map(|n| n.to_string_lossy().into_owned()));
            targets.push(Target { url, local });
        }
        if let (Some(summary), Some(Some(name))) = (named.stream, first_name) {
            streams.push(format!("{name}: {summary}"));
        }
    }
    Planned { download, targets, streams }
}

/// Whether naming the download's files asks a server: a URL that says too
/// little for a name (the server's `Content-Disposition` is asked for), or
/// an HLS playlist (resolved to its variant). Otherwise each file is named
/// from its URL alone.
fn asks_servers(download: &NewDownload) -> bool {
    download.urls.iter().any(|u| naming::worth_asking(u.url()) || stream::is_playlist(u.as_str(), None))
}

/// Names a file from its URL alone, inside `dir`, clear of the names
/// `taken` (which it joins), as [`plan`] does for such a URL.
fn name_from_url(dir: &std::path::Path, url: RemoteUrl, taken: &mut std::collections::HashSet<PathBuf>) -> Target {
    let local = naming::unique_path(dir, &naming::download_name(url.url(), None), taken);
    taken.insert(local.clone());
    Target { url, local }
}

/// Like [`plan`] then [`create_job`], but the download starts as soon as its
/// first file is added, while the rest are still being added (a long list
/// does not wait for its last URL), and `client` is registered as the job's
/// sink first so it hears of the job's end. The job is complete only when a
/// `job_transferred` reports all the targets transferred: one may come early,
/// if the files added so far finished before the rest were in. Files named
/// from their URLs alone (see [`asks_servers`]) are named as they are added
/// (looking up 10,000 names on disk took ~40 ms that the first byte no longer
/// waits for); any other download is planned first. Returns the job and its files.
pub async fn plan_and_start(client: &Client, download: NewDownload) -> Result<(JobId, Planned), ClientError> {
    if asks_servers(&download) {
        let mut planned = plan(download).await;
        let rest = planned.targets.split_off(planned.targets.len().min(1));
        let job_id = start(client, &mut planned, rest.into_iter()).await?;
        return Ok((job_id, planned));
    }
    let mut taken = std::collections::HashSet::new();
    let mut urls = download.urls.clone().into_iter();
    let first = urls.next().map(|url| name_from_url(&download.dir, url, &mut taken));
    let mut planned = Planned { download, targets: first.into_iter().collect(), streams: Vec::new() };
    let dir = planned.download.dir.clone();
    let rest = urls.map(|url| name_from_url(&dir, url, &mut taken));
    let job_id = start(client, &mut planned, rest).await?;
    Ok((job_id, planned))
}

/// One URL's files (two for a stream with a separate audio rendition) and,
/// for a stream, what it saves.
struct Named {
    files: Vec<(RemoteUrl, String)>,
    stream: Option<String>,
}

/// Names one URL's file: by the server's `Content-Disposition`, else the URL;
/// an HLS playlist (by its path or content type) is resolved to the variant
/// `pick` names and named after its container (`.ts`, `.mp4`).
async fn name_one(http: Option<&HttpClient>, url: RemoteUrl, pick: VariantPick) -> Named {
    let answer = match (http, naming::worth_asking(url.url())) {
        (Some(http), true) => head(http, url.as_str()).await,
        _ => Head::default(),
    };
    let name = naming::download_name(url.url(), answer.disposition.as_deref());
    let is_stream = stream::is_playlist(url.as_str(), answer.content_type.as_deref());
    let resolved = match (http, is_stream) {
        (Some(http), true) => Some(stream::resolve(http, url.as_str(), pick).await),
        _ => None,
    };
    match resolved {
        None => Named { files: vec![(url, name)], stream: None },
        // The service names the error when it fetches the playlist itself.
        Some(Err(e)) => {
            tracing::info!("{url}: {e}");
            Named { files: vec![(url, stream::stream_file_name(&name, stream::Container::Ts))], stream: None }
        }
        Some(Ok(resolved)) => stream_files(url, &name, &resolved),
    }
}

/// A resolved stream's files: the video (its variant's media playlist), and
/// the audio rendition next to it.
fn stream_files(url: RemoteUrl, name: &str, resolved: &Resolved) -> Named {
    let video_name = stream::stream_file_name(name, resolved.container);
    let video_url = RemoteUrl::parse(&resolved.video).unwrap_or(url);
    let mut files = vec![(video_url, video_name.clone())];
    let mut summary = resolved.summary();
    if let Some((audio, container)) = &resolved.audio
        && let Ok(audio_url) = RemoteUrl::parse(audio)
    {
        let audio_name = stream::audio_file_name(&video_name, *container);
        summary.push_str(&format!("; its audio is saved next to it as {audio_name}"));
        files.push((audio_url, audio_name));
    }
    Named { files, stream: Some(summary) }
}

/// The given name, else the first file's name.
pub fn display_name(name: Option<&str>, targets: &[Target]) -> String {
    name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| {
        targets
            .first()
            .and_then(|t| t.local.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| naming::FALLBACK_NAME.into())
    })
}

/// Creates the job (suspended) with its files and settings; a job whose file
/// or setting is refused is cancelled again, so nothing half-made stays behind.
pub async fn create_job(client: &Client, planned: &Planned) -> Result<JobId, ClientError> {
    let (settings, access) = cookies_kept_secret(&planned.download);
    let job_id = new_job(client, planned, planned.download.auto_complete).await?;
    let filled = async {
        let targets = planned.targets.iter().cloned();
        add_files(client, job_id, targets, &planned.download.sha256, false, |_| {}).await?;
        if !settings.is_empty() {
            client.set_job(job_id, settings.clone()).await?;
        }
        access.apply(client, job_id).await
    };
    if let Err(e) = filled.await {
        cancel_half_made(client, job_id).await;
        return Err(e);
    }
    Ok(job_id)
}

/// Creates and starts the job of `planned`, whose targets so far are the
/// first (it names the job); `more` are added after it, and join them.
async fn start(
    client: &Client,
    planned: &mut Planned,
    more: impl Iterator<Item = Target>,
) -> Result<JobId, ClientError> {
    // Auto-complete waits for the last file: an early "transferred" must not complete the job.
    let (settings, access) = cookies_kept_secret(&planned.download);
    let job_id = new_job(client, planned, false).await?;
    let started = async {
        let notify_flags = Some(NotifyFlags::JOB_TRANSFERRED | NotifyFlags::JOB_ERROR);
        client.set_job(job_id, JobChanges { notify_flags, ..settings }).await?;
        access.apply(client, job_id).await?;
        client.set_notify_interface(job_id, true).await?;
        let first = planned.targets.clone();
        let mut kept = Vec::new();
        let sha256 = planned.download.sha256.clone();
        add_files(client, job_id, first.into_iter().chain(more), &sha256, true, |t| kept.push(t.clone())).await?;
        planned.targets = kept;
        // Only now, and only cancellations (the end the caller watches events for): every
        // add_file and every file transferred is an event, 10,000 for 10,000 files.
        client.subscribe_to(&[EventKind::Cancelled]).await?;
        if planned.download.auto_complete {
            client.set_job(job_id, JobChanges { auto_complete: Some(true), ..Default::default() }).await?;
        }
        // Queues the job again if the files added first were done before the last was in.
        client.resume(job_id).await
    };
    if let Err(e) = started.await {
        cancel_half_made(client, job_id).await;
        return Err(e);
    }
    Ok(job_id)
}

/// Cancels a job that could not be made whole; the caller reports the first error.
async fn cancel_half_made(client: &Client, job_id: JobId) {
    if let Err(e) = client.cancel(job_id).await {
        tracing::warn!("cannot cancel the half-made job {job_id}: {e}");
    }
}

async fn new_job(client: &Client, planned: &Planned, auto_complete: bool) -> Result<JobId, ClientError> {
    let params = CreateJobParams {
        display_name: planned.display_name(),
        // A lone stream says what it saves (the window shows the variant and segment count).
        description: planned.streams.first().filter(|_| planned.streams.len() == 1).map(|s| format!("Stream {s}")),
        priority: planned.download.priority,
        auto_complete: Some(auto_complete),
    };
    client.create_job(params).await
}

/// Adds the files in order; with `resume_after_first`, a `resume` goes out
/// right behind the first one.
async fn add_files(
    client: &Client,
    job_id: JobId,
    targets: impl Iterator<Item = Target>,
    sha256: &Option<String>,
    resume_after_first: bool,
    mut added: impl FnMut(&Target),
) -> Result<(), ClientError> {
    // Pipelined: the service answers one connection's requests in order, so
    // the files keep the URLs' order (and the resume comes after the first
    // file) without a round trip each. Each request is queued as it is made
    // (`Client::send`), so they go out in this order; at most
    // ADD_FILES_IN_FLIGHT wait for their answers.
    let mut in_flight = std::collections::VecDeque::new();
    for (n, target) in targets.enumerate() {
        if in_flight.len() >= ADD_FILES_IN_FLIGHT
            && let Some(answer) = in_flight.pop_front()
        {
            answer.await?;
        }
        added(&target);
        let file = AddFileParams { job_id, remote_url: target.url, local_name: target.local, sha256: sha256.clone() };
        let added = client.send(file)?;
        in_flight.push_back(Box::pin(async move { added.await.map(drop) }) as Answer);
        if resume_after_first && n == 0 {
            let resumed = client.send(Resume { job_id })?;
            in_flight.push_back(Box::pin(async move { resumed.await.map(drop) }));
        }
    }
    for answer in in_flight {
        answer.await?;
    }
    Ok(())
}

/// The answer to one pipelined request.
type Answer = std::pin::Pin<Box<dyn Future<Output = Result<(), ClientError>> + Send>>;

/// What a HEAD answer says about naming.
#[derive(Default)]
struct Head {
    disposition: Option<String>,
    content_type: Option<String>,
}

/// Asks the server for its `Content-Disposition` and `Content-Type` headers (HEAD, short timeout).
async fn head(http: &HttpClient, url: &str) -> Head {
    let Ok(Ok(response)) = tokio::time::timeout(NAME_PROBE_TIMEOUT, http.head(url).send()).await else {
        return Head::default();
    };
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    Head { disposition: header("content-disposition"), content_type: header("content-type") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_option_or_the_first_file() {
        let url = RemoteUrl::parse("http://h/a.iso").expect("url");
        let targets = vec![Target { url, local: PathBuf::from("/d/a.iso") }];
        assert_eq!(display_name(Some(" mine "), &targets), "mine");
        assert_eq!(display_name(Some(""), &targets), "a.iso");
        assert_eq!(display_name(None, &[]), naming::FALLBACK_NAME);
    }

    #[test]
    fn only_urls_that_say_too_little_are_asked_about() {
        let ask = |u: &str| naming::worth_asking(&url::Url::parse(u).expect("url"));
        assert!(!ask("http://h/files/report.pdf"));
        assert!(ask("http://h/download.php?id=7"));
        assert!(ask("http://h/get/12345"));
        assert!(ask("http://h/"));
    }

    #[test]
    fn cookie_headers_become_secret_cookies_for_each_host() {
        let download = NewDownload {
            urls: vec![
                RemoteUrl::parse("https://a.example/x").expect("url"),
                RemoteUrl::parse("https://b.example/y").expect("url"),
            ],
            settings: JobChanges {
                custom_headers: Some(vec!["Cookie: s=1; t=two".into(), "Referer: https://a.example/".into()]),
                ..Default::default()
            },
            ..Default::default()
        };
        let (settings, access) = cookies_kept_secret(&download);
        assert_eq!(settings.custom_headers, Some(vec!["Referer: https://a.example/".to_string()]));
        let text = access.cookies.expect("cookies");
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(
            text.contains("a.example\tFALSE\t/\tFALSE\t0\ts\t1")
                && text.contains("b.example\tFALSE\t/\tFALSE\t0\tt\ttwo")
        );
        let jar = haul_core::engine::CookieJar::parse(&text);
        assert!(jar.is_ok(), "the secret store takes it as a cookies.txt");
    }
}
