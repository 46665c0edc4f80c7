//! Carrying out the extension's requests against the service (started if it
//! is not running, so a closed Haul is opened by the browser).

use super::message::{BrowserDownload, Request};
use crate::jobs_add::{self, NewDownload, Planned, Target};
use haul_core::client::{Client, StartService};
use haul_core::model::{JobState, Priority, RemoteUrl, check_header};
use haul_core::naming;
use haul_core::protocol::JobChanges;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

/// The most downloads `status` lists (an answer stays far below 1 MB).
const MOST_LISTED: usize = 50;

/// The host's side of one browser conversation.
pub struct Host {
    client: Option<Client>,
    /// Where taken-over downloads go.
    dir: PathBuf,
}

impl Host {
    /// A host that saves into `dir`, not yet connected.
    pub fn new(dir: PathBuf) -> Host {
        Host { client: None, dir }
    }

    /// Answers one request; the error is a sentence for the popup.
    pub async fn handle(&mut self, request: Request) -> Result<Value, String> {
        let outcome = self.carry_out(request).await;
        if outcome.is_err() {
            // The service may have gone: the next request connects again.
            self.client = None;
        }
        outcome
    }

    async fn carry_out(&mut self, request: Request) -> Result<Value, String> {
        let dir = self.dir.clone();
        let client = self.client().await?;
        match request {
            Request::Hello => {
                let stats = client.get_stats().await.map_err(|e| e.to_string())?;
                Ok(json!({"haul": env!("CARGO_PKG_VERSION"), "service": stats.server, "way": "native"}))
            }
            Request::Add { download, ask: true } => {
                let (new, name) = new_download(&download, dir)?;
                let headers = new.settings.custom_headers.clone().unwrap_or_default();
                ask_where_to_save(client, new.urls, headers).await?;
                Ok(json!({"asked": true, "name": name}))
            }
            Request::Add { download, ask: false } => {
                let (new, name) = new_download(&download, dir.clone())?;
                let local = naming::unique_path(&dir, &name, &HashSet::new());
                let planned = if is_stream(&download) {
                    // A video stream: the playlist is read and its video saved as one file.
                    jobs_add::plan(new).await
                } else {
                    let targets =
                        new.urls.iter().map(|url| Target { url: url.clone(), local: local.clone() }).collect();
                    Planned { download: new, targets, streams: Vec::new() }
                };
                let local = planned.targets.first().map_or(local, |t| t.local.clone());
                let job_id = jobs_add::create_job(client, &planned).await.map_err(|e| e.to_string())?;
                client.resume(job_id).await.map_err(|e| e.to_string())?;
                tracing::info!("took over a download from the browser as job {job_id}");
                Ok(json!({"job_id": job_id, "name": planned.display_name(), "path": local}))
            }
            Request::AddLinks { links, referrer, cookies, user_agent } => {
                let urls = links
                    .iter()
                    .map(|l| RemoteUrl::parse(l).map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                if urls.is_empty() {
                    return Err("no links to download".into());
                }
                let headers = headers(referrer.as_deref(), cookies.as_deref(), user_agent.as_deref())?;
                let new = NewDownload {
                    urls,
                    dir,
                    priority: Some(Priority::Foreground),
                    auto_complete: true,
                    settings: JobChanges { custom_headers: Some(headers), ..Default::default() },
                    ..Default::default()
                };
                let planned = jobs_add::plan(new).await;
                let job_id = jobs_add::create_job(client, &planned).await.map_err(|e| e.to_string())?;
                client.resume(job_id).await.map_err(|e| e.to_string())?;
                Ok(json!({"job_id": job_id, "name": planned.display_name(), "files": planned.targets.len()}))
            }
            Request::Status => {
                let jobs = client.enum_jobs(false, false).await.map_err(|e| e.to_string())?;
                let live: Vec<Value> = jobs
                    .iter()
                    .filter(|j| !j.state.is_final() && j.state != JobState::Transferred)
                    .take(MOST_LISTED)
                    .map(|j| {
                        json!({
                            "job_id": j.id, "name": j.display_name, "state": j.state.as_str(),
                            "bytes_transferred": j.progress.bytes_transferred, "bytes_total": j.progress.bytes_total,
                            "speed_bps": j.speed_bps,
                        })
                    })
                    .collect();
                Ok(json!({"downloads": live}))
            }
        }
    }

    async fn client(&mut self) -> Result<&Client, String> {
        if self.client.is_none() {
            let socket = haul_core::service::socket_path(false);
            let program =
                crate::paths::service_program().map_err(|e| format!("cannot find the haul executable: {e}"))?;
            let start = StartService { program, args: vec!["service".into()], envs: Vec::new() };
            let client =
                Client::connect_or_start(&socket, &start).await.map_err(|e| format!("cannot reach Haul: {e}"))?;
            self.client = Some(client);
        }
        self.client.as_ref().ok_or_else(|| "cannot reach Haul".to_string())
    }
}

/// How long the host waits for a window it started to listen.
const WINDOW_START: Duration = Duration::from_secs(4);

/// Haul's add dialog with the link: in the user's window, started if none is open.
async fn ask_where_to_save(client: &Client, links: Vec<RemoteUrl>, headers: Vec<String>) -> Result<(), String> {
    let ask = || client.open_add_dialog(links.clone(), headers.clone());
    if ask().await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let program = crate::paths::service_program().map_err(|e| format!("cannot find haul: {e}"))?;
    std::process::Command::new(&program)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot open Haul's window ({}): {e}", program.display()))?;
    let deadline = tokio::time::Instant::now() + WINDOW_START;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if ask().await.map_err(|e| e.to_string())? {
            return Ok(());
        }
    }
    Err("Haul's window did not open to ask where to save".into())
}

/// Whether the browser's download is an HLS playlist (by its type or name).
fn is_stream(download: &BrowserDownload) -> bool {
    let mime = download.mime.as_deref().unwrap_or_default().to_ascii_lowercase();
    let path = download.url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    mime.contains("mpegurl") || path.ends_with(".m3u8")
}

/// The job a browser download becomes, and its file's name: the browser's
/// name for it (its last part, made safe), else the URL's.
pub fn new_download(download: &BrowserDownload, dir: PathBuf) -> Result<(NewDownload, String), String> {
    let url = RemoteUrl::parse(&download.url).map_err(|e| e.to_string())?;
    let headers = headers(download.referrer.as_deref(), download.cookies.as_deref(), download.user_agent.as_deref())?;
    let offered = download
        .filename
        .as_deref()
        .and_then(|f| f.rsplit(['/', '\\']).next())
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let name = match offered {
        Some(name) => naming::sanitize(name),
        None => naming::download_name(url.url(), None),
    };
    let new = NewDownload {
        urls: vec![url],
        dir,
        name: Some(name.clone()),
        // The user clicked and waits for it, as BITS's foreground priority means.
        priority: Some(Priority::Foreground),
        sha256: None,
        auto_complete: true,
        // The Cookie header is moved into the job's secret cookies when the job is made.
        settings: JobChanges { custom_headers: Some(headers), ..Default::default() },
        access: Default::default(),
        // A stream gets its highest variant.
        variant: None,
    };
    Ok((new, name))
}

/// The headers that let Haul fetch what the browser would: `Cookie`,
/// `Referer` (an http(s) page only) and `User-Agent`.
fn headers(referrer: Option<&str>, cookies: Option<&str>, user_agent: Option<&str>) -> Result<Vec<String>, String> {
    let mut headers = Vec::new();
    if let Some(cookies) = cookies.map(str::trim).filter(|c| !c.is_empty()) {
        headers.push(format!("Cookie: {cookies}"));
    }
    if let Some(referrer) = referrer.filter(|r| RemoteUrl::parse(r).is_ok()) {
        headers.push(format!("Referer: {referrer}"));
    }
    if let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) {
        headers.push(format!("User-Agent: {agent}"));
    }
    for header in &headers {
        // The value is not repeated: a cookie is a secret.
        check_header(header).map_err(|_| {
            let name = header.split(':').next().unwrap_or_default();
            format!("the browser's {name} cannot be sent as an HTTP header (a line break in it?)")
        })?;
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_download_keeps_its_name_cookies_referrer_and_agent() {
        let download = BrowserDownload {
            url: "https://files.example/get?id=7".into(),
            referrer: Some("https://files.example/page".into()),
            cookies: Some("session=abc; theme=dark".into()),
            user_agent: Some("Mozilla/5.0 Test".into()),
            filename: Some("/home/u/Downloads/../report.pdf".into()),
            ..Default::default()
        };
        let (new, name) = new_download(&download, PathBuf::from("/d")).expect("valid");
        assert_eq!(name, "report.pdf");
        assert_eq!(new.priority, Some(Priority::Foreground));
        assert_eq!(
            new.settings.custom_headers,
            Some(vec![
                "Cookie: session=abc; theme=dark".to_string(),
                "Referer: https://files.example/page".to_string(),
                "User-Agent: Mozilla/5.0 Test".to_string(),
            ])
        );
        // No name from the browser: the URL's; a page that is not http(s) is no referrer.
        let bare = BrowserDownload {
            url: "https://e.example/a/b.iso".into(),
            referrer: Some("about:blank".into()),
            ..Default::default()
        };
        let (new, name) = new_download(&bare, PathBuf::from("/d")).expect("valid");
        assert_eq!(name, "b.iso");
        assert_eq!(new.settings.custom_headers, Some(vec![]));
        // Names that would leave the folder or hide are made plain.
        let sneaky = BrowserDownload { filename: Some("..\\..\\.bashrc".into()), ..bare.clone() };
        assert_eq!(new_download(&sneaky, PathBuf::from("/d")).expect("valid").1, "bashrc");
    }

    #[test]
    fn bad_links_and_headers_are_refused_in_words_without_the_secret() {
        let blob = BrowserDownload { url: "blob:https://e.example/123".into(), ..Default::default() };
        assert!(new_download(&blob, PathBuf::from("/d")).is_err());
        let broken = BrowserDownload {
            url: "https://e.example/a".into(),
            cookies: Some("secret=1\r\nX-Evil: 1".into()),
            ..Default::default()
        };
        let error = new_download(&broken, PathBuf::from("/d")).expect_err("refused");
        assert!(error.contains("Cookie") && !error.contains("secret=1"), "{error}");
    }
}
