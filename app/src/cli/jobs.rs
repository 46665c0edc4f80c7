//! `list`, `info`, `files`, `resume|suspend|cancel|complete` and `set`.

use super::args::{CallArgs, JobArg, LimitsArgs, ListArgs, SetArgs};
use super::connect::{connect, resolve_job};
use super::output::{print_json, progress, size};
use crate::exit::{Failure, USAGE};
use serde_json::{Map, Value, json};

/// `haul list`: your jobs (or everyone's), a line each.
pub async fn list(args: ListArgs, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let jobs: Vec<Value> =
        client.call("enum_jobs", json!({"all_users": args.all_users, "include_final": args.all})).await?;
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
        let id = job["id"].as_str().unwrap_or_default();
        let total = job["progress"]["bytes_total"].as_u64().map(size).unwrap_or_else(|| "?".into());
        outln!(
            "{:<8}  {:<15}  {:>9}  {:>5}  {}",
            &id[..id.len().min(8)],
            job["state"].as_str().unwrap_or_default(),
            total,
            progress(job),
            job["display_name"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

/// `haul info`: one job's properties.
pub async fn info(arg: JobArg, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let job: Value = client.call("get_job", json!({"job_id": job_id})).await?;
    if json_out {
        print_json(&job);
        return Ok(());
    }
    let p = &job["progress"];
    outln!("Job        {}", job["id"].as_str().unwrap_or_default());
    outln!("Name       {}", job["display_name"].as_str().unwrap_or_default());
    outln!("State      {}", job["state"].as_str().unwrap_or_default());
    outln!("Priority   {}", job["priority"].as_str().unwrap_or_default());
    outln!(
        "Progress   {} of {} ({}), files {}/{}",
        size(p["bytes_transferred"].as_u64().unwrap_or(0)),
        p["bytes_total"].as_u64().map(size).unwrap_or_else(|| "unknown".into()),
        progress(&job),
        p["files_transferred"],
        p["files_total"]
    );
    outln!("Owner      uid {} (creator uid {})", job["owner"], job["creator"]);
    outln!("Created    {}", job["times"]["created"].as_str().unwrap_or_default());
    outln!("Modified   {}", job["times"]["modified"].as_str().unwrap_or_default());
    if let Some(done) = job["times"]["transfer_completed"].as_str() {
        outln!("Finished   {done}");
    }
    if let Some(error) = job["error"].as_object() {
        outln!(
            "Error      {} ({}, {}): {}",
            error["code"].as_str().unwrap_or_default(),
            error["context"].as_str().unwrap_or_default(),
            job["error_count"],
            error["message"].as_str().unwrap_or_default()
        );
    }
    outln!("Notify     {}", job["notify_flags"]);
    if let Some(cmd) = job["notify_cmd_line"].as_object() {
        outln!("Notify cmd {} {}", cmd["program"].as_str().unwrap_or_default(), cmd["args"]);
    }
    outln!(
        "Retry      every {} s, error after {} s without progress",
        job["minimum_retry_delay_s"],
        job["no_progress_timeout_s"]
    );
    Ok(())
}

/// `haul files`: a job's files and their progress.
pub async fn files(arg: JobArg, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let files: Vec<Value> = client.call("enum_files", json!({"job_id": job_id})).await?;
    if json_out {
        print_json(&files);
        return Ok(());
    }
    for file in &files {
        let state = if file["completed"] == true {
            "completed"
        } else if file["transferred"] == true {
            "transferred"
        } else {
            "pending"
        };
        outln!(
            "{:>3}  {:<11}  {:>9}  {}  <- {}",
            file["index"],
            state,
            size(file["bytes_transferred"].as_u64().unwrap_or(0)),
            file["local_name"].as_str().unwrap_or_default(),
            file["remote_url"].as_str().unwrap_or_default()
        );
    }
    Ok(())
}

/// `haul resume|suspend|cancel|complete`: calls `method` on one job.
pub async fn act(arg: JobArg, method: &str) -> Result<(), Failure> {
    let client = connect().await?;
    let job_id = resolve_job(&client, &arg.job).await?;
    let result: Value = client.call(method, json!({"job_id": job_id})).await?;
    if result["partial"] == true {
        outln!("Completed {job_id}; files that were not fully downloaded were deleted.");
    } else {
        outln!("{method}: {job_id}");
    }
    Ok(())
}

/// `haul set`: changes a job's properties.
pub async fn set(args: SetArgs, json_out: bool) -> Result<(), Failure> {
    let mut params = Map::new();
    if let Some(priority) = args.priority {
        params.insert("priority".into(), json!(priority));
    }
    if let Some(flags) = args.notify_flags {
        let names: Vec<&str> = flags.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        params.insert("notify_flags".into(), json!(names));
    }
    if let Some(cmd) = args.notify_cmd {
        let mut words = cmd.split_whitespace().map(str::to_string);
        let program = words.next().unwrap_or_default();
        params.insert("notify_cmd_line".into(), json!({"program": program, "args": words.collect::<Vec<_>>()}));
    }
    if let Some(delay) = args.min_retry_delay {
        params.insert("minimum_retry_delay_s".into(), json!(delay));
    }
    if let Some(timeout) = args.no_progress_timeout {
        params.insert("no_progress_timeout_s".into(), json!(timeout));
    }
    if let Some(name) = args.name {
        params.insert("display_name".into(), json!(name));
    }
    if let Some(limit) = args.limit {
        params.insert("speed_limit_bps".into(), json!(limit));
    }
    if let Some(connections) = args.connections {
        params.insert("max_connections".into(), json!(connections));
    }
    if params.is_empty() {
        return Err(Failure::new(USAGE, "nothing to set: give at least one option (see haul set --help)"));
    }
    let client = connect().await?;
    let job_id = resolve_job(&client, &args.job).await?;
    params.insert("job_id".into(), json!(job_id));
    let job: Value = client.call("set_job", Value::Object(params)).await?;
    if json_out {
        print_json(&job);
    } else {
        outln!("set: {job_id}");
    }
    Ok(())
}

/// `haul call`: one raw JSON-RPC request; prints its result.
pub async fn call(args: CallArgs) -> Result<(), Failure> {
    let params: Value = match &args.params {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Failure::new(USAGE, format!("the params are not valid JSON: {e}")))?,
        None => json!({}),
    };
    let client = connect().await?;
    let result: Value = client.call(&args.method, params).await?;
    print_json(&result);
    Ok(())
}

/// `haul limits`: shows the service's limits, or changes them.
pub async fn limits(args: LimitsArgs, json_out: bool) -> Result<(), Failure> {
    let client = connect().await?;
    let limits: Value = if args.speed.is_none() && args.max_active.is_none() {
        client.call("get_limits", json!({})).await?
    } else {
        let mut params = Map::new();
        if let Some(speed) = args.speed {
            params.insert("speed_limit_bps".into(), json!(speed));
        }
        if let Some(n) = args.max_active {
            params.insert("max_active_jobs".into(), json!(n));
        }
        client.call("set_limits", Value::Object(params)).await?
    };
    if json_out {
        print_json(&limits);
        return Ok(());
    }
    let speed = match limits["speed_limit_bps"].as_u64() {
        Some(0) | None => "unlimited".to_string(),
        Some(bps) => format!("{}/s", size(bps)),
    };
    outln!("Total speed of background jobs: {speed}");
    outln!("Background jobs at once:        {}", limits["max_active_jobs"]);
    Ok(())
}
