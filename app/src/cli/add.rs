//! `haul add URL… [--wait]`: one job, one file per URL, named safely inside
//! the chosen folder; with `--wait`, a progress bar until it is done.

use super::args::AddArgs;
use super::connect::connect;
use super::output::print_json_line;
use crate::exit::{CANCELLED, FAILED, Failure, INTERRUPTED, REFUSED, USAGE};
use crate::jobs_add::{self, NewDownload, Planned};
use haul_core::client::{Client, Incoming};
use haul_core::engine::stream::VariantPick;
use haul_core::model::{Job, JobId, JobState, Priority, RemoteUrl, check_header, check_sha256};
use haul_core::protocol::{Callback, JobChanges};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// `haul add --json`: the job made.
#[derive(Serialize)]
struct Added {
    job_id: JobId,
}

/// `haul add --wait --json`: the job done, and where its files are.
#[derive(Serialize)]
struct Done<'a> {
    job_id: JobId,
    files: Vec<&'a Path>,
}

/// The download `haul add` describes, its values checked (a bad one is refused, exit 4).
fn new_download(args: &AddArgs) -> Result<NewDownload, Failure> {
    let dir = args.dir.clone().unwrap_or_else(crate::paths::download_dir);
    let dir = dir
        .canonicalize()
        .map_err(|e| Failure::new(REFUSED, format!("the folder {} cannot be used: {e}", dir.display())))?;
    if args.sha256.is_some() && args.urls.len() != 1 {
        return Err(Failure::new(USAGE, "--sha256 applies to a single URL"));
    }
    let refused = |e: haul_core::model::InvalidValue| Failure::new(REFUSED, e.0);
    let urls = args.urls.iter().map(|u| RemoteUrl::parse(u)).collect::<Result<_, _>>().map_err(refused)?;
    let sha256 = args.sha256.as_deref().map(check_sha256).transpose().map_err(refused)?;
    args.headers.iter().try_for_each(|h| check_header(h)).map_err(refused)?;
    let priority = match args.priority.as_deref() {
        None => None,
        Some(name) => Some(Priority::parse(name).ok_or_else(|| {
            Failure::new(REFUSED, format!("'{name}' is not a priority; use foreground, high, normal or low"))
        })?),
    };
    let cost_policy = match args.cost.as_deref() {
        None => None,
        Some(name) => Some(
            haul_core::model::CostPolicy::parse(name)
                .ok_or_else(|| Failure::new(REFUSED, format!("'{name}' is not a cost policy; use any or unmetered")))?,
        ),
    };
    let settings = JobChanges {
        cost_policy,
        custom_headers: (!args.headers.is_empty()).then(|| args.headers.clone()),
        speed_limit_bps: args.limit,
        max_connections: args.connections,
        ..Default::default()
    };
    let access = super::password::new_access(&args.access)?;
    let variant = match args.variant.as_deref() {
        None => None,
        Some(text) => Some(VariantPick::parse(text).ok_or_else(|| {
            Failure::new(
                REFUSED,
                format!("'{text}' is not a variant; use an index (0, 1, …), a height (480, 720p) or a bandwidth"),
            )
        })?),
    };
    Ok(NewDownload {
        urls,
        dir,
        name: args.name.clone(),
        priority,
        sha256,
        auto_complete: !args.no_complete,
        settings,
        access,
        variant,
    })
}

/// `haul add`.
pub async fn run(args: AddArgs, json_out: bool) -> Result<(), Failure> {
    let download = new_download(&args)?;
    if args.wait {
        let client = connect().await?;
        let incoming = client
            .take_incoming()
            .ok_or_else(|| Failure::new(FAILED, "the connection's notifications were already taken"))?;
        let (job_id, planned) = jobs_add::plan_and_start(&client, download).await?;
        for stream in &planned.streams {
            eprintln!("{stream}");
        }
        return wait(client, incoming, job_id, &planned, json_out).await;
    }
    let planned = jobs_add::plan(download).await;
    for stream in &planned.streams {
        eprintln!("{stream}");
    }
    let client = connect().await?;
    let job_id = jobs_add::create_job(&client, &planned).await?;
    client.resume(job_id).await?;
    if json_out {
        print_json_line(&Added { job_id });
    } else {
        outln!("{job_id}");
    }
    Ok(())
}

/// Follows a started job (`client` is its sink) to the end, then completes it.
async fn wait(
    client: Client,
    mut incoming: mpsc::Receiver<Incoming>,
    job_id: JobId,
    planned: &Planned,
    json_out: bool,
) -> Result<(), Failure> {
    if !json_out {
        eprintln!("{job_id}");
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let files = planned.targets.len();
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
                if let Some(p) = jobs.iter().find(|p| p.id == job_id) {
                    if let Some(total) = p.bytes_total {
                        bar.set_length(total);
                    }
                    bar.set_position(p.bytes_transferred);
                }
            }
            Incoming::Callback { callback, responder } => {
                responder.ok();
                if callback.job().id != job_id {
                    continue;
                }
                match *callback {
                    // One may come before the last files were added (the first ones were done).
                    Callback::JobTransferred { job } if all_transferred(&job, files) => break Ok(()),
                    Callback::JobError { error, .. } => {
                        break Err(Failure::new(FAILED, format!("download failed: {}", error.message)));
                    }
                    _ => {}
                }
            }
            Incoming::Network(_) | Incoming::WhenDone(_) | Incoming::AddDialog(_) => {}
            Incoming::Event(event) => {
                if event.job_id == job_id && event.state == JobState::Cancelled {
                    break Err(Failure::new(CANCELLED, format!("job {job_id} was cancelled")));
                }
            }
        }
    };
    bar.finish_and_clear();
    outcome?;
    client.complete_transferred(job_id).await?;
    let files: Vec<&Path> = planned.targets.iter().map(|t| t.local.as_path()).collect();
    if json_out {
        print_json_line(&Done { job_id, files });
    } else {
        for path in files {
            outln!("{}", path.display());
        }
    }
    Ok(())
}

/// Whether the job has all `files` transferred.
fn all_transferred(job: &Job, files: usize) -> bool {
    let progress = &job.progress;
    progress.files_total as usize == files && progress.files_transferred as usize == files
}
