//! Turning URLs into a job, shared by `haul add` and the window's add dialog:
//! check each URL, name each file (the server's `Content-Disposition`, else the
//! URL) inside the chosen folder without clobbering, then create the job.

use futures_util::StreamExt;
use haul_core::client::{Client, ClientError};
use haul_core::engine::HttpClient;
use haul_core::model::JobId;
use haul_core::naming;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long naming waits for a server's `Content-Disposition` (HEAD, per URL).
const NAME_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// One file of a new job: where it comes from and where it will appear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The http(s) URL.
    pub url: String,
    /// The absolute path the file gets on complete.
    pub local: PathBuf,
}

/// Everything `create_job` needs.
#[derive(Clone, Debug, Default)]
pub struct NewDownload {
    /// The job's name for people.
    pub display_name: String,
    /// foreground, high, normal or low (the service checks it).
    pub priority: Option<String>,
    /// The expected sha256 (for single-file jobs).
    pub sha256: Option<String>,
    /// Extra HTTP headers, `Name: value`.
    pub headers: Vec<String>,
    /// Whether the service completes the job itself once transferred.
    pub auto_complete: bool,
    /// The files.
    pub targets: Vec<Target>,
    /// The job's speed limit in bytes per second, if any.
    pub speed_limit_bps: Option<u64>,
    /// Most connections per file, if not the default.
    pub max_connections: Option<u32>,
}

/// Checks one URL the way the service will: http or https, with a host.
pub fn check_url(url: &str) -> Result<url::Url, String> {
    haul_core::manager::validate_url(url.trim()).map_err(|e| e.to_string())
}

/// Servers asked at once for file names.
const PROBES_AT_ONCE: usize = 16;
/// `add_file` requests sent before their answers are read: enough for the
/// service to take them in bursts (one commit each).
const ADD_FILES_IN_FLIGHT: usize = 32;

/// Whether the URL alone may not name the file well (a script, a query, no
/// extension): then the server is asked for its `Content-Disposition`.
fn worth_asking(url: &url::Url) -> bool {
    let name = naming::from_url(url);
    url.query().is_some() || name == naming::FALLBACK_NAME || !name.contains('.')
}

/// Names each URL's file inside `dir` (asking the server when the URL says
/// too little), never reusing a name that exists or that an earlier URL took.
pub async fn plan_targets(urls: &[String], dir: &Path) -> Result<Vec<Target>, String> {
    let parsed: Vec<url::Url> = urls.iter().map(|u| check_url(u)).collect::<Result<_, _>>()?;
    let http = haul_core::engine::build_client(NAME_PROBE_TIMEOUT).ok();
    let names: Vec<String> = futures_util::stream::iter(parsed)
        .map(|url| {
            let http = http.clone();
            async move {
                let asked = match (http, worth_asking(&url)) {
                    (Some(http), true) => probe_name(&http, url.as_str()).await,
                    _ => None,
                };
                asked.unwrap_or_else(|| naming::from_url(&url))
            }
        })
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await;
    let mut targets: Vec<Target> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for (url, name) in urls.iter().zip(names) {
        let local = naming::unique_path(dir, &name, &taken);
        taken.insert(local.clone());
        targets.push(Target { url: url.trim().to_string(), local });
    }
    Ok(targets)
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

/// Creates the job (suspended) with its files and headers; a job whose file or
/// header is refused is cancelled again, so nothing half-made stays behind.
pub async fn create_job(client: &Client, download: &NewDownload) -> Result<JobId, ClientError> {
    let job_id = new_job(client, download, download.auto_complete).await?;
    let filled = async {
        add_files(client, job_id, download, false).await?;
        let settings = settings(job_id, download);
        if settings.as_object().is_some_and(|s| s.len() > 1) {
            client.call::<_, Value>("set_job", settings).await?;
        }
        Ok(())
    };
    if let Err(e) = filled.await {
        let _ = client.call::<_, Value>("cancel", json!({"job_id": job_id})).await;
        return Err(e);
    }
    Ok(job_id)
}

/// Like [`create_job`], but the download starts as soon as the first file is
/// added, while the rest are still being added (a long list does not wait for
/// its last URL), and `client` is registered as the job's sink first so it
/// hears of the job's end. The job is complete only when a `job_transferred`
/// reports all `download.targets` transferred: one may come early, if the
/// files added so far finished before the rest were in.
pub async fn create_and_start(client: &Client, download: &NewDownload) -> Result<JobId, ClientError> {
    // Auto-complete waits for the last file: an early "transferred" must not complete the job.
    let job_id = new_job(client, download, false).await?;
    let started = async {
        let mut settings = settings(job_id, download);
        settings["notify_flags"] = json!(["job_transferred", "job_error"]);
        client.call::<_, Value>("set_job", settings).await?;
        client.call::<_, Value>("set_notify_interface", json!({"job_id": job_id, "register": true})).await?;
        add_files(client, job_id, download, true).await?;
        // Only now: every add_file is an event, and nobody reads them before the adds are done.
        client.call::<_, Value>("subscribe", json!({})).await?;
        if download.auto_complete {
            client.call::<_, Value>("set_job", json!({"job_id": job_id, "auto_complete": true})).await?;
        }
        // Queues the job again if the files added first were done before the last was in.
        client.call::<_, Value>("resume", json!({"job_id": job_id})).await
    };
    if let Err(e) = started.await {
        let _ = client.call::<_, Value>("cancel", json!({"job_id": job_id})).await;
        return Err(e);
    }
    Ok(job_id)
}

async fn new_job(client: &Client, download: &NewDownload, auto_complete: bool) -> Result<JobId, ClientError> {
    let created: Value = client
        .call(
            "create_job",
            json!({
                "display_name": download.display_name,
                "priority": download.priority,
                "auto_complete": auto_complete,
            }),
        )
        .await?;
    serde_json::from_value(created["job_id"].clone())
        .map_err(|source| ClientError::Decode { method: "create_job".into(), source })
}

/// The job's headers, speed limit and connections, as `set_job` params.
fn settings(job_id: JobId, download: &NewDownload) -> Value {
    let mut settings = serde_json::Map::new();
    settings.insert("job_id".into(), json!(job_id));
    if !download.headers.is_empty() {
        settings.insert("custom_headers".into(), json!(download.headers));
    }
    if let Some(limit) = download.speed_limit_bps {
        settings.insert("speed_limit_bps".into(), json!(limit));
    }
    if let Some(connections) = download.max_connections {
        settings.insert("max_connections".into(), json!(connections));
    }
    Value::Object(settings)
}

/// Adds the files in order; with `resume_after_first`, a `resume` goes out
/// right behind the first one.
async fn add_files(
    client: &Client,
    job_id: JobId,
    download: &NewDownload,
    resume_after_first: bool,
) -> Result<(), ClientError> {
    // Pipelined: the service answers one connection's requests in order, so
    // the files keep the URLs' order (and the resume comes after the first
    // file) without a round trip each.
    // (whether it is the resume, its params)
    let mut requests: Vec<(bool, Value)> = download
        .targets
        .iter()
        .map(|target| {
            let params = json!({
                "job_id": job_id, "remote_url": target.url, "local_name": target.local, "sha256": download.sha256,
            });
            (false, params)
        })
        .collect();
    if resume_after_first && !requests.is_empty() {
        requests.insert(1, (true, json!({"job_id": job_id})));
    }
    // Each request is queued as it is made (`Client::send`), so they go out
    // in this order; at most ADD_FILES_IN_FLIGHT wait for their answers.
    let mut in_flight = std::collections::VecDeque::new();
    for (resume, params) in requests {
        if in_flight.len() >= ADD_FILES_IN_FLIGHT
            && let Some(answer) = in_flight.pop_front()
        {
            answer.await?;
        }
        in_flight.push_back(client.send::<_, Value>(if resume { "resume" } else { "add_file" }, params)?);
    }
    for answer in in_flight {
        answer.await?;
    }
    Ok(())
}

/// Asks the server for a `Content-Disposition` name (HEAD, short timeout).
async fn probe_name(http: &HttpClient, url: &str) -> Option<String> {
    let response = tokio::time::timeout(NAME_PROBE_TIMEOUT, http.head(url).send()).await.ok()?.ok()?;
    let header = response.headers().get("content-disposition")?.to_str().ok()?.to_string();
    naming::from_disposition(&header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_option_or_the_first_file() {
        let targets = vec![Target { url: "http://h/a.iso".into(), local: PathBuf::from("/d/a.iso") }];
        assert_eq!(display_name(Some(" mine "), &targets), "mine");
        assert_eq!(display_name(Some(""), &targets), "a.iso");
        assert_eq!(display_name(None, &[]), naming::FALLBACK_NAME);
        assert!(check_url("ftp://h/x").is_err());
        assert!(check_url(" http://h/x ").is_ok());
    }

    #[test]
    fn only_urls_that_say_too_little_are_asked_about() {
        let ask = |u: &str| worth_asking(&url::Url::parse(u).expect("url"));
        assert!(!ask("http://h/files/report.pdf"));
        assert!(ask("http://h/download.php?id=7"));
        assert!(ask("http://h/get/12345"));
        assert!(ask("http://h/"));
    }
}
