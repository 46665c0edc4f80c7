//! `list`, `info`, `files`, `resume|suspend|cancel|complete`, `set` and `call`.

use super::args::{CallArgs, JobArg, ListArgs, RpcArgs, SetArgs};
use super::connect::{connect, resolve_job};
use super::output::{print_json, progress, size};
use super::refresh;
use crate::exit::{FAILED, Failure, REFUSED, USAGE};
use haul_core::model::{CostPolicy, NotifyCmdLine, NotifyFlags, Priority, RemoteUrl};
use haul_core::protocol::JobChanges;
use serde_json::Value;

/// `haul list`: your jobs (or everyone's), a line each.
pub async fn list(args: ListArgs, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let jobs = client.enum_jobs(args.all_users, args.all).await?;
    if json_out {
        print_json(&jobs);
        return Ok(());
    }
    if jobs.is_empty() {
        outln!("No jobs.");
        return Ok(());
    }
    outln!("{:<8}  {:<15}  {:>9}  {:>5}  NAME", "ID", "STATE", "SIZE", "DONE");
    for job in &jobs {
        let id = job.id.to_string();
        let total = job.progress.bytes_total.map(size).unwrap_or_else(|| "?".into());
        outln!(
            "{:<8}  {:<15}  {:>9}  {:>5}  {}",
            &id[..id.len().min(8)],
            job.state.as_str(),
            total,
            progress(&job.progress),
            job.display_name
        );
    }
    Ok(())
}

/// `haul info`: one job's properties.
pub async fn info(arg: JobArg, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let job = client.get_job(job_id).await?;
    if json_out {
        print_json(&job);
        return Ok(());
    }
    let p = &job.progress;
    let job_id = job.id;
    outln!("Job        {}", job.id);
    outln!("Name       {}", job.display_name);
    outln!("State      {}", job.state.as_str());
    if let Some(words) = job.wait_words() {
        outln!("Waiting    {words}");
    }
    outln!("Priority   {}", job.priority.as_str());
    outln!(
        "Networks   {}",
        match job.cost_policy {
            CostPolicy::Any => "any (metered ones too)",
            CostPolicy::Unmetered => "unmetered only",
        }
    );
    outln!(
        "Progress   {} of {} ({}), files {}/{}",
        size(p.bytes_transferred),
        p.bytes_total.map(size).unwrap_or_else(|| "unknown".into()),
        progress(p),
        p.files_transferred,
        p.files_total
    );
    if let Some(credentials) = &job.credentials {
        outln!("User       {} ({})", credentials.user_name, credentials.scheme.as_str());
    }
    if job.cookies {
        outln!("Cookies    yes (from a cookies.txt)");
    }
    if let Some(proxy) = &job.proxy {
        outln!("Proxy      {proxy}");
    }
    outln!("Owner      uid {} (creator uid {})", job.owner, job.creator);
    outln!("Created    {}", job.times.created.to_rfc3339());
    outln!("Modified   {}", job.times.modified.to_rfc3339());
    if let Some(done) = job.times.transfer_completed {
        outln!("Finished   {}", done.to_rfc3339());
    }
    if let Some(error) = &job.error {
        outln!("Error      {} ({}, {}): {}", error.code, error.context.as_str(), job.error_count, error.message);
        let saved = p.bytes_transferred > 0;
        if error.link_may_have_expired(saved) {
            let file = error.file_index.unwrap_or(0);
            outln!(
                "           The link may have expired: give a fresh one with haul set {job_id} --url URL --file {file}"
            );
        }
    }
    outln!("Notify     {}", job.notify_flags.names().join(","));
    if let Some(cmd) = &job.notify_cmd_line {
        outln!("Notify cmd {} {}", cmd.program, cmd.args.join(" "));
    }
    outln!(
        "Retry      every {} s, error after {} s without progress",
        job.minimum_retry_delay_s,
        job.no_progress_timeout_s
    );
    Ok(())
}

/// `haul files`: a job's files and their progress.
pub async fn files(arg: JobArg, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let files = client.enum_files(job_id).await?;
    if json_out {
        print_json(&files);
        return Ok(());
    }
    for file in &files {
        let state = if file.completed {
            "completed"
        } else if file.transferred {
            "transferred"
        } else {
            "pending"
        };
        outln!(
            "{:>3}  {:<11}  {:>9}  {}  <- {}",
            file.index,
            state,
            size(file.bytes_transferred),
            file.local_name.display(),
            file.remote_url
        );
        if let Some(reason) = &file.restart_reason {
            outln!("     restarted from zero: {reason}");
        }
    }
    Ok(())
}

/// What `haul resume|suspend|cancel|complete` does to a job.
#[derive(Clone, Copy, Debug)]
pub enum Verb {
    /// Queue it.
    Resume,
    /// Stop it until resumed.
    Suspend,
    /// Cancel it.
    Cancel,
    /// Move its files into place.
    Complete,
}

/// `haul resume|suspend|cancel|complete`: one verb on one job.
pub async fn act(arg: JobArg, verb: Verb) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let (name, partial) = match verb {
        Verb::Resume => ("resume", client.resume(job_id).await.map(|()| false)?),
        Verb::Suspend => ("suspend", client.suspend(job_id).await.map(|()| false)?),
        Verb::Cancel => ("cancel", client.cancel(job_id).await.map(|()| false)?),
        Verb::Complete => ("complete", client.complete(job_id).await?),
    };
    if partial {
        outln!("Completed {job_id}; files that were not fully downloaded were deleted.");
    } else {
        outln!("{name}: {job_id}");
    }
    Ok(())
}

/// The changes `haul set` asks for; a value the service would refuse is refused here (exit 4).
fn changes(args: &SetArgs) -> Result<JobChanges, Failure> {
    let priority = match args.priority.as_deref() {
        None => None,
        Some(name) => Some(Priority::parse(name).ok_or_else(|| {
            Failure::new(REFUSED, format!("'{name}' is not a priority; use foreground, high, normal or low"))
        })?),
    };
    let notify_flags = match args.notify_flags.as_deref() {
        None => None,
        Some(list) => {
            let names: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            let flags = NotifyFlags::from_names(&names)
                .map_err(|name| Failure::new(REFUSED, format!("unknown notify flag '{name}'")))?;
            Some(flags)
        }
    };
    let cost_policy = match args.cost.as_deref() {
        None => None,
        Some(name) => Some(
            CostPolicy::parse(name)
                .ok_or_else(|| Failure::new(REFUSED, format!("'{name}' is not a cost policy; use any or unmetered")))?,
        ),
    };
    let notify_cmd_line = args.notify_cmd.as_deref().map(|cmd| {
        let mut words = cmd.split_whitespace().map(str::to_string);
        NotifyCmdLine { program: words.next().unwrap_or_default(), args: words.collect() }
    });
    Ok(JobChanges {
        display_name: args.name.clone(),
        priority,
        notify_flags,
        notify_cmd_line,
        minimum_retry_delay_s: args.min_retry_delay,
        no_progress_timeout_s: args.no_progress_timeout,
        speed_limit_bps: args.limit,
        max_connections: args.connections,
        cost_policy,
        ..Default::default()
    })
}

/// `haul set`: changes a job's properties, and with `--url` a file's link.
pub async fn set(args: SetArgs, json_out: bool) -> Result<(), Failure> {
    let changes = changes(&args)?;
    let url =
        args.url.as_deref().map(RemoteUrl::parse).transpose().map_err(|e| Failure::new(REFUSED, e.to_string()))?;
    let access = super::password::new_access(&args.access)?;
    if changes.is_empty() && url.is_none() && access.is_empty() && !args.no_user {
        return Err(Failure::new(USAGE, "nothing to set: give at least one option (see haul set --help)"));
    }
    let client = connect().await?;
    let job_id = resolve_job(&client, &args.job).await?;
    let mut job = client.get_job(job_id).await?;
    if !changes.is_empty() {
        job = client.set_job(job_id, changes).await?;
    }
    if args.no_user {
        job = client.set_credentials(job_id, None).await?;
    }
    if !access.is_empty() {
        access.apply(&client, job_id).await?;
        job = client.get_job(job_id).await?;
    }
    let resumed = match &url {
        Some(url) => refresh::point_at(&client, job_id, args.file, url).await?,
        None => false,
    };
    if resumed || url.is_some() {
        job = client.get_job(job_id).await?;
    }
    if json_out {
        print_json(&job);
        return Ok(());
    }
    outln!("set: {job_id}");
    if let Some(url) = &url {
        outln!("{}", refresh::words(args.file, url, resumed));
    }
    Ok(())
}

/// `haul call`: one raw JSON-RPC request; prints its result.
pub async fn call(args: CallArgs) -> Result<(), Failure> {
    let params: Value = match &args.params {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Failure::new(USAGE, format!("the params are not valid JSON: {e}")))?,
        None => Value::Object(serde_json::Map::new()),
    };
    let client = connect().await?;
    let result = client.call_raw(&args.method, params).await?;
    print_json(&result);
    Ok(())
}

/// `haul rpc`: the aria2 endpoint's URL and your secret; `--listen` moves it first.
pub async fn rpc(args: RpcArgs, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let info = match args.listen {
        Some(listen) => client.set_rpc_listen(listen).await?,
        None => client.get_rpc_info().await?,
    };
    // A move that ends without a listener (e.g. the port is in use) is a failure.
    let outcome = match (&args.listen, &info.error) {
        (Some(listen), Some(reason)) if info.status == "failed" => {
            Err(Failure::new(FAILED, format!("the aria2 RPC endpoint cannot listen on {listen}: {reason}")))
        }
        _ => Ok(()),
    };
    if json_out {
        print_json(&info);
        return outcome;
    }
    match (&info.url, info.status.as_str()) {
        (Some(url), _) => outln!("URL     {url}"),
        (None, "off") => outln!("URL     (off)"),
        (None, status) => outln!("URL     (not listening: {})", info.error.as_deref().unwrap_or(status)),
    }
    if let Some(listen) = &info.listen {
        outln!("Listen  {listen}");
    }
    if let Some(secret) = &info.secret {
        outln!("Secret  {secret}");
    }
    outcome
}
