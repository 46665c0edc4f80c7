//! `haul add URL… [--wait]`: one job, one file per URL, named safely inside
//! the chosen folder; with `--wait`, a progress bar until it is done.

use super::AddArgs;
use super::connect::connect;
use crate::exit::{CANCELLED, FAILED, Failure, INTERRUPTED, REFUSED};
use haul_core::client::{Client, Incoming};
use haul_core::naming;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// How long `add` waits for a server to name a file (Content-Disposition).
const NAME_PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn run(args: AddArgs, json_out: bool) -> Result<(), Failure> {
    let dir = args.dir.clone().unwrap_or_else(crate::paths::download_dir);
    let dir = dir
        .canonicalize()
        .map_err(|e| Failure::new(REFUSED, format!("the folder {} cannot be used: {e}", dir.display())))?;
    if args.sha256.is_some() && args.urls.len() != 1 {
        return Err(Failure::new(crate::exit::USAGE, "--sha256 applies to a single URL"));
    }
    let mut targets: Vec<(String, PathBuf)> = Vec::new();
    for url in &args.urls {
        let parsed = haul_core::manager::validate_url(url).map_err(|e| Failure::new(REFUSED, e.to_string()))?;
        let taken: Vec<PathBuf> = targets.iter().map(|(_, p)| p.clone()).collect();
        let name = probe_name(url).await.unwrap_or_else(|| naming::from_url(&parsed));
        targets.push((url.clone(), naming::unique_path(&dir, &name, &taken)));
    }
    let display_name = args.name.clone().unwrap_or_else(|| {
        targets
            .first()
            .and_then(|(_, p)| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| naming::FALLBACK_NAME.into())
    });

    let client = connect().await?;
    let created: Value = client
        .call(
            "create_job",
            json!({"display_name": display_name, "priority": args.priority, "auto_complete": !args.no_complete}),
        )
        .await?;
    let job_id = created["job_id"].as_str().unwrap_or_default().to_string();
    for (url, local) in &targets {
        let params = json!({"job_id": job_id, "remote_url": url, "local_name": local, "sha256": args.sha256});
        if let Err(e) = client.call::<_, Value>("add_file", params).await {
            let _ = client.call::<_, Value>("cancel", json!({"job_id": job_id})).await;
            return Err(e.into());
        }
    }
    let mut settings = serde_json::Map::new();
    if !args.headers.is_empty() {
        settings.insert("custom_headers".into(), json!(args.headers));
    }
    if let Some(limit) = args.limit {
        settings.insert("speed_limit_bps".into(), json!(limit));
    }
    if let Some(connections) = args.connections {
        settings.insert("max_connections".into(), json!(connections));
    }
    if !settings.is_empty() {
        settings.insert("job_id".into(), json!(job_id));
        if let Err(e) = client.call::<_, Value>("set_job", Value::Object(settings)).await {
            let _ = client.call::<_, Value>("cancel", json!({"job_id": job_id})).await;
            return Err(e.into());
        }
    }
    if args.wait {
        return wait(client, &job_id, &targets, json_out).await;
    }
    client.call::<_, Value>("resume", json!({"job_id": job_id})).await?;
    if json_out {
        println!("{}", json!({"job_id": job_id}));
    } else {
        println!("{job_id}");
    }
    Ok(())
}

/// Asks the server for a `Content-Disposition` name (HEAD, short timeout).
async fn probe_name(url: &str) -> Option<String> {
    let client = haul_core::engine::build_client(NAME_PROBE_TIMEOUT).ok()?;
    let response = tokio::time::timeout(NAME_PROBE_TIMEOUT, client.head(url).send()).await.ok()?.ok()?;
    let header = response.headers().get("content-disposition")?.to_str().ok()?.to_string();
    naming::from_disposition(&header)
}

/// Registers as the job's sink, resumes it and follows it to the end.
async fn wait(client: Client, job_id: &str, targets: &[(String, PathBuf)], json_out: bool) -> Result<(), Failure> {
    let mut incoming = client
        .take_incoming()
        .ok_or_else(|| Failure::new(FAILED, "the connection's notifications were already taken"))?;
    client
        .call::<_, Value>("set_job", json!({"job_id": job_id, "notify_flags": ["job_transferred", "job_error"]}))
        .await?;
    client.call::<_, Value>("set_notify_interface", json!({"job_id": job_id, "register": true})).await?;
    client.call::<_, Value>("subscribe", json!({})).await?;
    client.call::<_, Value>("resume", json!({"job_id": job_id})).await?;
    if !json_out {
        eprintln!("{job_id}");
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let outcome = loop {
        let message = tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                bar.abandon();
                eprintln!("Still downloading in the background: haul info {job_id}");
                return Err(Failure::new(INTERRUPTED, ""));
            }
            message = incoming.recv() => message,
        };
        let Some(message) = message else {
            bar.abandon();
            return Err(Failure::new(
                crate::exit::NO_SERVICE,
                "the connection to the Haul service closed while waiting",
            ));
        };
        match message {
            Incoming::Progress(jobs) => {
                if let Some(p) = jobs.iter().find(|p| p.id.to_string() == job_id) {
                    if let Some(total) = p.bytes_total {
                        bar.set_length(total);
                    }
                    bar.set_position(p.bytes_transferred);
                }
            }
            Incoming::Callback { method, params, responder } => {
                if params["job"]["id"] != job_id {
                    responder.ok();
                    continue;
                }
                responder.ok();
                match method.as_str() {
                    "job_transferred" => break Ok(()),
                    "job_error" => {
                        let message = params["error"]["message"].as_str().unwrap_or("unknown error").to_string();
                        break Err(Failure::new(FAILED, format!("download failed: {message}")));
                    }
                    _ => {}
                }
            }
            Incoming::Event(event) => {
                if event.job_id.to_string() == job_id && event.state == haul_core::model::JobState::Cancelled {
                    break Err(Failure::new(CANCELLED, format!("job {job_id} was cancelled")));
                }
            }
        }
    };
    bar.finish_and_clear();
    outcome?;
    if let Err(e) = client.call::<_, Value>("complete", json!({"job_id": job_id})).await {
        // The service may have auto-completed it first: that is done, too.
        if !matches!(&e, haul_core::client::ClientError::Rpc { code: 3, .. }) {
            return Err(e.into());
        }
    }
    if json_out {
        println!("{}", json!({"job_id": job_id, "files": targets.iter().map(|(_, p)| p).collect::<Vec<_>>()}));
    } else {
        for (_, path) in targets {
            println!("{}", path.display());
        }
    }
    Ok(())
}
