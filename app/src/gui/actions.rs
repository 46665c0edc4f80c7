//! Carrying out the widgets' commands against the service, each on its own
//! task; a failure comes back to the window as one sentence.

use super::context::{Context, refresh};
use super::messages::{Command, Update};
use super::registration::Registry;
use crate::jobs_add::{self, NewDownload};
use haul_core::client::{Client, ClientError};
use haul_core::model::{JobFile, JobId};
use haul_core::protocol::{JobChanges, code};

/// Starts a command; its outcome arrives as updates. The handle lets the
/// session finish what the user asked for before the window closes.
pub fn spawn(command: Command, client: &Client, cx: &Context, registry: &Registry) -> tokio::task::JoinHandle<()> {
    let (client, cx, registry) = (client.clone(), cx.clone(), registry.clone());
    tokio::spawn(async move {
        if let Err(message) = run(command, &client, &cx, &registry).await {
            cx.sink.send(Update::ActionFailed(message));
        }
    })
}

async fn run(command: Command, client: &Client, cx: &Context, registry: &Registry) -> Result<(), String> {
    match command {
        Command::Resume(jobs) => each(&jobs, "Resume", |id| client.resume(id)).await,
        Command::Suspend(jobs) => each(&jobs, "Suspend", |id| client.suspend(id)).await,
        Command::Cancel(jobs) => each(&jobs, "Cancel", |id| super::removal::cancel(id, client, cx)).await,
        Command::Remove { jobs, delete_files } => super::removal::remove(jobs, delete_files, client, cx).await,
        Command::Complete(jobs) => {
            each(&jobs, "Complete", |id| async move { client.complete(id).await.map(|_| ()) }).await
        }
        Command::SetPriority(jobs, priority) => {
            for job_id in jobs {
                let changes = JobChanges { priority: Some(priority), ..Default::default() };
                let job = client.set_job(job_id, changes).await.map_err(|e| said("Priority", e))?;
                cx.sink.send(Update::Job(Box::new(job)));
            }
            Ok(())
        }
        Command::SetCostPolicy(jobs, cost_policy) => {
            for job_id in jobs {
                let changes = JobChanges { cost_policy: Some(cost_policy), ..Default::default() };
                let job = client.set_job(job_id, changes).await.map_err(|e| said("Download now anyway", e))?;
                cx.sink.send(Update::Job(Box::new(job)));
            }
            Ok(())
        }
        Command::Add(request) => add(*request, client, cx, registry).await,
        Command::Probe(links, headers) => {
            super::probe::probe(links, headers, cx).await;
            Ok(())
        }
        Command::RefreshLink { job_id, file_index, url } => {
            let what = "Use this link";
            client.set_remote_name(job_id, file_index, url).await.map_err(|e| said(what, e))?;
            client.resume(job_id).await.map_err(|e| said(what, e))?;
            let job = client.get_job(job_id).await.map_err(|e| said(what, e))?;
            cx.sink.send(Update::Job(Box::new(job)));
            let files = client.enum_files(job_id).await.map_err(|e| said(what, e))?;
            cx.sink.send(Update::Files(job_id, files));
            Ok(())
        }
        Command::LoadFiles(job_id) => {
            let files = client.enum_files(job_id).await.map_err(|e| said("Reading the files", e))?;
            cx.sink.send(Update::Files(job_id, files));
            Ok(())
        }
        Command::Open { job_id, reveal } => {
            let files = client.enum_files(job_id).await.map_err(|e| said("Open", e))?;
            let path = target(&files, reveal).ok_or("This job has no file to open yet.")?;
            if reveal { super::open::reveal_path(&path) } else { super::open::open_path(&path) }
        }
        Command::GetLimits => {
            let limits = client.get_limits().await.map_err(|e| said("Reading the limits", e))?;
            cx.sink.send(Update::Limits(limits));
            Ok(())
        }
        Command::SetLimits(limits) => {
            let limits = client.set_limits(limits).await.map_err(|e| said("Changing the limits", e))?;
            cx.sink.send(Update::Limits(limits));
            Ok(())
        }
        Command::SetProxy(proxy) => {
            client.set_proxy(None, proxy).await.map_err(|e| said("Changing the proxy", e))?;
            let limits = client.get_limits().await.map_err(|e| said("Reading the limits", e))?;
            cx.sink.send(Update::Limits(limits));
            Ok(())
        }
        Command::GetRpcInfo => {
            match client.get_rpc_info().await {
                Ok(info) => cx.sink.send(Update::Rpc(info)),
                Err(e) => cx.sink.send(Update::RpcFailed(said("Reading the RPC endpoint", e))),
            }
            Ok(())
        }
        Command::SetRpcListen(listen) => {
            match client.set_rpc_listen(listen).await {
                Ok(info) => cx.sink.send(Update::Rpc(info)),
                Err(e) => cx.sink.send(Update::RpcFailed(said("Moving the RPC endpoint", e))),
            }
            Ok(())
        }
        Command::CopyUrl(job_id) => {
            let files = client.enum_files(job_id).await.map_err(|e| said("Copy URL", e))?;
            let urls: Vec<&str> = files.iter().map(|f| f.remote_url.as_str()).collect();
            cx.sink.send(Update::Clipboard(urls.join("\n")));
            Ok(())
        }
    }
}

/// Runs `action` on each job; a job that is already done or gone counts as done.
async fn each<F, Fut>(jobs: &[JobId], verb: &str, action: F) -> Result<(), String>
where
    F: Fn(JobId) -> Fut,
    Fut: std::future::Future<Output = Result<(), ClientError>>,
{
    let mut failures = Vec::new();
    for &job_id in jobs {
        match action(job_id).await {
            Ok(()) => {}
            // Racing the service (auto-complete, a job that just ended) is not a failure.
            Err(e) if e.code() == Some(code::INVALID_STATE) && matches!(verb, "Complete" | "Cancel") => {}
            Err(e) => failures.push(e.to_string()),
        }
    }
    match failures.as_slice() {
        [] => Ok(()),
        [one] => Err(format!("{verb} failed: {one}")),
        [first, rest @ ..] => {
            Err(format!("{verb} failed for {} jobs: {first} (and {} more)", rest.len() + 1, rest.len()))
        }
    }
}

fn said(what: &str, error: ClientError) -> String {
    format!("{what} failed: {error}")
}

/// The file to open: the first one in place; or, to reveal, that file (selected in its folder).
fn target(files: &[JobFile], reveal: bool) -> Option<std::path::PathBuf> {
    let file = files.iter().find(|f| f.completed).or_else(|| files.first())?;
    if reveal {
        // The file itself, selected in its folder (only the folder while it is not there yet).
        Some(file.local_name.clone())
    } else if file.completed {
        Some(file.local_name.clone())
    } else {
        None
    }
}

/// Creates the job like `haul add` does, registers for it, and starts it.
async fn add(download: NewDownload, client: &Client, cx: &Context, registry: &Registry) -> Result<(), String> {
    let dir = download
        .dir
        .canonicalize()
        .map_err(|e| format!("The folder {} cannot be used: {e}", download.dir.display()))?;
    let planned = jobs_add::plan(NewDownload { dir, ..download }).await;
    let job_id = jobs_add::create_job(client, &planned).await.map_err(|e| said("Adding the download", e))?;
    registry.register(job_id, None).await.map_err(|e| said("Listening to the new download", e))?;
    client.resume(job_id).await.map_err(|e| said("Starting the download", e))?;
    cx.sink.send(Update::Added(job_id, planned.display_name()));
    refresh(job_id, client, cx);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn file(name: &str, completed: bool) -> JobFile {
        serde_json::from_value(json!({
            "index": 0, "remote_url": "http://h/x", "local_name": name, "temp_name": "/d/.x.haul-part",
            "bytes_total": 1, "bytes_transferred": 1, "transferred": true, "completed": completed, "sha256": null
        }))
        .expect("a valid file")
    }

    #[test]
    fn opens_a_file_in_place_or_shows_it_in_its_folder() {
        let pending = [file("/d/a.iso", false)];
        assert_eq!(target(&pending, false), None);
        // Revealed: the file, which `reveal_path` selects (or, not there yet, its folder).
        assert_eq!(target(&pending, true), Some(PathBuf::from("/d/a.iso")));
        let done = [file("/d/a.iso", false), file("/e/b.iso", true)];
        assert_eq!(target(&done, false), Some(PathBuf::from("/e/b.iso")));
        assert_eq!(target(&done, true), Some(PathBuf::from("/e/b.iso")));
        assert_eq!(target(&[], true), None);
    }
}
