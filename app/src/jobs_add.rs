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
/// `add_file` requests sent before their answers are read.
const ADD_FILES_IN_FLIGHT: usize = 64;

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
    let created: Value = client
        .call(
            "create_job",
            json!({
                "display_name": download.display_name,
                "priority": download.priority,
                "auto_complete": download.auto_complete,
            }),
        )
        .await?;
    let job_id: JobId = serde_json::from_value(created["job_id"].clone())
        .map_err(|source| ClientError::Decode { method: "create_job".into(), source })?;
    let filled = async {
        // Pipelined: the service answers one connection's requests in order,
        // so the files keep the URLs' order without a round trip each.
        let requests: Vec<Value> = download
            .targets
            .iter()
            .map(|target| {
                json!({
                    "job_id": job_id, "remote_url": target.url, "local_name": target.local, "sha256": download.sha256,
                })
            })
            .collect();
        let mut added = futures_util::stream::iter(requests)
            .map(|params| client.call::<_, Value>("add_file", params))
            .buffered(ADD_FILES_IN_FLIGHT);
        while let Some(result) = added.next().await {
            result?;
        }
        drop(added);
        let mut settings = serde_json::Map::new();
        if !download.headers.is_empty() {
            settings.insert("custom_headers".into(), json!(download.headers));
        }
        if let Some(limit) = download.speed_limit_bps {
            settings.insert("speed_limit_bps".into(), json!(limit));
        }
        if let Some(connections) = download.max_connections {
            settings.insert("max_connections".into(), json!(connections));
        }
        if !settings.is_empty() {
            settings.insert("job_id".into(), json!(job_id));
            client.call::<_, Value>("set_job", Value::Object(settings)).await?;
        }
        Ok::<(), ClientError>(())
    };
    if let Err(e) = filled.await {
        let _ = client.call::<_, Value>("cancel", json!({"job_id": job_id})).await;
        return Err(e);
    }
    Ok(job_id)
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
