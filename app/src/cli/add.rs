//! `haul add URL… [--wait]`: one job, one file per URL, named safely inside
//! the chosen folder; with `--wait`, a progress bar until it is done.

use super::args::AddArgs;
use super::connect::connect;
use crate::exit::{CANCELLED, FAILED, Failure, INTERRUPTED, REFUSED};
use crate::jobs_add;
use haul_core::client::{Client, Incoming};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// `haul add`: creates the job, and with `--wait` follows it to the end.
pub async fn run(args: AddArgs, json_out: bool) -> Result<(), Failure> {
    let dir = args.dir.clone().unwrap_or_else(crate::paths::download_dir);
    let dir = dir
        .canonicalize()
        .map_err(|e| Failure::new(REFUSED, format!("the folder {} cannot be used: {e}", dir.display())))?;
    if args.sha256.is_some() && args.urls.len() != 1 {
        return Err(Failure::new(crate::exit::USAGE, "--sha256 applies to a single URL"));
    }
    let planned = jobs_add::plan_targets(&args.urls, &dir).await.map_err(|e| Failure::new(REFUSED, e))?;
    let download = jobs_add::NewDownload {
        display_name: jobs_add::display_name(args.name.as_deref(), &planned),
        priority: args.priority.clone(),
        sha256: args.sha256.clone(),
        headers: args.headers.clone(),
        auto_complete: !args.no_complete,
        targets: planned,
        speed_limit_bps: args.limit,
        max_connections: args.connections,
    };
    let client = connect().await?;
    if args.wait {
        let incoming = client
            .take_incoming()
            .ok_or_else(|| Failure::new(FAILED, "the connection's notifications were already taken"))?;
        let job_id = jobs_add::create_and_start(&client, &download).await?.to_string();
        let targets: Vec<(String, PathBuf)> = download.targets.into_iter().map(|t| (t.url, t.local)).collect();
        return wait(client, incoming, &job_id, &targets, json_out).await;
    }
    let job_id = jobs_add::create_job(&client, &download).await?.to_string();
    client.call::<_, Value>("resume", json!({"job_id": job_id})).await?;
    if json_out {
        outln!("{}", json!({"job_id": job_id}));
    } else {
        outln!("{job_id}");
    }
    Ok(())
}

/// Follows a started job (`client` is its sink) to the end, then completes it.
async fn wait(
    client: Client,
    mut incoming: mpsc::Receiver<Incoming>,
    job_id: &str,
    targets: &[(String, PathBuf)],
    json_out: bool,
) -> Result<(), Failure> {
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
                    // One may come before the last files were added (the first ones were done).
                    "job_transferred" if all_transferred(&params, targets.len()) => break Ok(()),
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
        outln!("{}", json!({"job_id": job_id, "files": targets.iter().map(|(_, p)| p).collect::<Vec<_>>()}));
    } else {
        for (_, path) in targets {
            outln!("{}", path.display());
        }
    }
    Ok(())
}

/// Whether a callback's job has all `files` transferred.
fn all_transferred(params: &Value, files: usize) -> bool {
    let progress = &params["job"]["progress"];
    progress["files_total"].as_u64() == Some(files as u64)
        && progress["files_transferred"].as_u64() == Some(files as u64)
}
