//! The command line's arguments (clap): `Cli`, its verbs and their options;
//! and `haul URL…` read as `haul add URL…`.

use super::output;
use clap::{Args, Parser, Subcommand};
use haul_core::model::RpcListen;
use std::path::PathBuf;

/// Haul: a download manager whose jobs live in a background service.
#[derive(Parser, Debug)]
#[command(name = "haul", version, about, after_help = crate::exit::HELP)]
pub struct Cli {
    /// Print results as the JSON objects of the protocol.
    #[arg(long, global = true)]
    pub json: bool,
    /// The verb; none opens the window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Turns `haul URL…` (how desktops open links with Haul: `Exec=haul %U`) into
/// `haul add URL…`; other arguments are left as they are.
pub fn with_links_as_add(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut args: Vec<_> = args.collect();
    let is_link =
        |a: &std::ffi::OsString| a.to_str().is_some_and(|s| s.starts_with("http://") || s.starts_with("https://"));
    if args.get(1).is_some_and(is_link) {
        args.insert(1, "add".into());
    } else if started_by_a_browser(&args) {
        args.insert(1, "native-host".into());
    }
    args
}

/// Whether a browser started `haul` as its native messaging host: Chromium
/// passes the extension's origin (`chrome-extension://ID/`), Firefox the path
/// of the host's manifest and the extension's id.
fn started_by_a_browser(args: &[std::ffi::OsString]) -> bool {
    let arg = |n: usize| args.get(n).and_then(|a| a.to_str());
    match (arg(1), arg(2)) {
        (Some(origin), _) if origin.starts_with("chrome-extension://") => true,
        (Some(manifest), Some(extension)) => {
            args.len() == 3
                && manifest.ends_with(".json")
                && extension.contains('@')
                && std::path::Path::new(manifest).is_file()
        }
        _ => false,
    }
}

/// The verbs.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Download URLs: one job with one file per URL.
    Add(AddArgs),
    /// List your jobs.
    List(ListArgs),
    /// Show one job.
    Info(JobArg),
    /// List a job's files.
    Files(JobArg),
    /// Queue a job (also "retry now").
    Resume(JobArg),
    /// Pause a job.
    Suspend(JobArg),
    /// Stop a job and delete its temp files.
    Cancel(JobArg),
    /// Move a job's downloaded files into place.
    Complete(JobArg),
    /// Change a job's properties.
    Set(SetArgs),
    /// Print live events until Ctrl-C.
    Monitor,
    /// Print the event journal.
    Events(EventsArgs),
    /// Run the background service (`haul service stop` stops it).
    Service(ServiceArgs),
    /// Send one raw JSON-RPC request and print the result (for scripts).
    Call(CallArgs),
    /// Show or change the service's limits (total speed, jobs at once).
    Limits(LimitsArgs),
    /// Print the aria2 RPC endpoint's URL and your secret (for AriaNg and browser extensions), or move it.
    Rpc(RpcArgs),
    /// Whether the service is online, and whether the network is metered.
    Network,
    /// Connect the browser extension: install or remove the native messaging host's manifests.
    Browser(BrowserArgs),
    /// The browser extension's native messaging host (browsers start it themselves).
    #[command(hide = true)]
    NativeHost(NativeHostArgs),
}

/// `haul browser`.
#[derive(Args, Debug)]
pub struct BrowserArgs {
    /// install or uninstall.
    #[arg(value_parser = ["install", "uninstall"])]
    pub action: String,
    /// Only these browsers (chromium, chrome, brave, edge, vivaldi, firefox; repeatable).
    /// Default: install for every browser with a profile here, uninstall from all.
    #[arg(long = "browser", value_name = "NAME")]
    pub browsers: Vec<String>,
    /// Also allow this Chromium extension id (e.g. the extension from a store; repeatable).
    #[arg(long = "extension-id", value_name = "ID")]
    pub extension_ids: Vec<String>,
}

/// `haul native-host`: what the browser passes (the extension's origin, and on
/// Windows a parent window).
#[derive(Args, Debug)]
pub struct NativeHostArgs {
    /// The browser's arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub origin: Vec<String>,
}

/// `haul rpc`.
#[derive(Args, Debug)]
pub struct RpcArgs {
    /// Move the endpoint to ADDR:PORT (or `off`) now and keep that choice across restarts.
    #[arg(long, value_name = "ADDR:PORT|off", value_parser = parse_listen)]
    pub listen: Option<RpcListen>,
}

/// Reads `ADDR:PORT` or `off`; the error names the text and the form.
fn parse_listen(text: &str) -> Result<RpcListen, String> {
    RpcListen::parse(text).map_err(|e| e.to_string())
}

/// `haul call`.
#[derive(Args, Debug)]
pub struct CallArgs {
    /// The method, e.g. get_job.
    pub method: String,
    /// Its params as a JSON object (default {}).
    pub params: Option<String>,
}

/// `haul add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// The URLs (http or https).
    #[arg(required = true)]
    pub urls: Vec<String>,
    /// The folder to save into (default: your download folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The job's display name (default: the first file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// foreground, high, normal or low.
    #[arg(long)]
    pub priority: Option<String>,
    /// The expected sha256 of the file (one URL only).
    #[arg(long)]
    pub sha256: Option<String>,
    /// An extra HTTP header, "Name: value" (repeatable).
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// Wait for the download, with a progress bar; complete it when done.
    #[arg(long)]
    pub wait: bool,
    /// Leave the job transferred instead of completing it automatically.
    #[arg(long)]
    pub no_complete: bool,
    /// Speed limit for this job, e.g. 500K, 2M, 1.5MiB (per second).
    #[arg(long, value_parser = output::parse_rate)]
    pub limit: Option<u64>,
    /// Most connections at once, shared by the job's files (1 to 128; default 32).
    #[arg(long)]
    pub connections: Option<u32>,
    /// Which networks it may use: any (metered ones too) or unmetered
    /// (default: any for foreground jobs, else the service's default).
    #[arg(long, value_name = "any|unmetered")]
    pub cost: Option<String>,
    /// For an HLS master playlist, the variant to save: its index (0, 1, …),
    /// height (480, 720p) or bandwidth in bit/s (default: the highest).
    #[arg(long, value_name = "N|HEIGHT|BANDWIDTH")]
    pub variant: Option<String>,
    /// Credentials, cookies and proxy.
    #[command(flatten)]
    pub access: AccessArgs,
}

/// How a job is let in (`haul add`, `haul set`).
#[derive(Args, Debug, Default)]
pub struct AccessArgs {
    /// The server's user name, NAME or NAME:PASSWORD; without the password it is
    /// asked for (not echoed). Kept in the system keyring, never in Haul's files.
    #[arg(long, value_name = "NAME[:PASSWORD]")]
    pub user: Option<String>,
    /// How the user name and password are offered: basic (sent at once to the
    /// URL's host), digest, or any (whatever the server asks for; the default).
    #[arg(long, value_name = "any|basic|digest")]
    pub auth: Option<String>,
    /// Send the matching cookies of this Netscape cookies.txt (as browsers'
    /// "export cookies" add-ons and yt-dlp write).
    #[arg(long, value_name = "FILE")]
    pub load_cookies: Option<PathBuf>,
    /// This job's proxy: none, system (the environment's http_proxy…) or
    /// http|https|socks5|socks5h://[USER[:PASSWORD]@]HOST:PORT.
    #[arg(long, value_name = "none|system|URL")]
    pub proxy: Option<String>,
}

/// `haul list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    /// Every user's jobs (administrator only).
    #[arg(long)]
    pub all_users: bool,
    /// Include completed and cancelled jobs.
    #[arg(long)]
    pub all: bool,
}

/// A job: its id, a unique id prefix, or its display name.
#[derive(Args, Debug)]
pub struct JobArg {
    /// Job id, unique id prefix, or display name.
    pub job: String,
}

/// `haul set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// Job id, unique id prefix, or display name.
    pub job: String,
    /// foreground, high, normal or low.
    #[arg(long)]
    pub priority: Option<String>,
    /// Comma-separated: job_transferred,job_error,job_modification,file_transferred,disable.
    #[arg(long)]
    pub notify_flags: Option<String>,
    /// "PROGRAM ARG…" run when the job is transferred or fails and no client takes
    /// the notification ("" clears it). Split on spaces; no shell.
    #[arg(long)]
    pub notify_cmd: Option<String>,
    /// Seconds before a transient error is retried (at least 5).
    #[arg(long)]
    pub min_retry_delay: Option<u64>,
    /// Seconds without progress after which a transient error becomes an error.
    #[arg(long)]
    pub no_progress_timeout: Option<u64>,
    /// A new display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Speed limit for this job, e.g. 500K, 2M (0 = none); applies at once.
    #[arg(long, value_parser = output::parse_rate)]
    pub limit: Option<u64>,
    /// Most connections at once, shared by the job's files (1 to 128).
    #[arg(long)]
    pub connections: Option<u32>,
    /// Which networks the job may use: any (metered ones too) or unmetered.
    #[arg(long)]
    pub cost: Option<String>,
    /// A fresh link for a file whose link expired (BITS's SetRemoteName): the
    /// saved bytes are kept when it serves the same file; a job that stopped
    /// with an error is resumed.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Which file --url is for (its index, see haul files; default 0).
    #[arg(long, value_name = "N", requires = "url", default_value_t = 0)]
    pub file: u32,
    /// Credentials, cookies and proxy.
    #[command(flatten)]
    pub access: AccessArgs,
    /// Remove the job's user name and password.
    #[arg(long, conflicts_with = "user")]
    pub no_user: bool,
}

/// `haul limits`.
#[derive(Args, Debug)]
pub struct LimitsArgs {
    /// Speed limit of all background jobs together, e.g. 10M (0 = none).
    #[arg(long, value_parser = output::parse_rate)]
    pub speed: Option<u64>,
    /// Background jobs transferring at once.
    #[arg(long)]
    pub max_active: Option<usize>,
    /// A schedule window, "DAYS HH:MM-HH:MM LIMIT" (e.g. "Mon-Fri 09:00-17:00 500K",
    /// "daily 22:00-06:00 unlimited", "Sat,Sun 00:00-24:00 pause"); repeat for more
    /// windows (they replace the schedule); "off" removes the schedule.
    #[arg(long, value_name = "WINDOW|off")]
    pub schedule: Vec<String>,
    /// What to do when the queue empties: nothing, command:"CMD", suspend or
    /// poweroff (after a 60-second countdown); cancel stops a countdown.
    #[arg(long, value_name = "ACTION")]
    pub when_done: Option<String>,
    /// Which networks new background jobs may use unless `haul add --cost` says:
    /// unmetered (the default) or any (foreground jobs always any).
    #[arg(long, value_name = "any|unmetered")]
    pub default_cost: Option<String>,
    /// Keep the --when-done action after it fired (else it is done once).
    #[arg(long, requires = "when_done")]
    pub permanent: bool,
    /// The service's proxy: none, system (the environment's http_proxy,
    /// https_proxy, all_proxy, no_proxy) or
    /// http|https|socks5|socks5h://[USER[:PASSWORD]@]HOST:PORT (the password
    /// goes to the system keyring).
    #[arg(long, value_name = "none|system|URL")]
    pub proxy: Option<String>,
}

/// `haul events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    /// Only events after this sequence number.
    #[arg(long, default_value_t = 0)]
    pub since: u64,
}

/// `haul service`.
#[derive(Args, Debug)]
pub struct ServiceArgs {
    /// `stop` stops the running service.
    pub action: Option<String>,
    /// Serve every user of the machine at /run/haul/haul.sock.
    #[arg(long)]
    pub system: bool,
    /// Background jobs transferring at once.
    #[arg(long, default_value_t = 4)]
    pub max_active: usize,
    /// Files of one job transferring at once (1: one after the other)
    #[arg(long, env = "HAUL_PARALLEL_FILES", default_value_t = haul_core::engine::PARALLEL_FILES as u16,
          value_parser = clap::value_parser!(u16).range(1..=haul_core::service::MAX_PARALLEL_FILES as i64))]
    pub parallel_files: u16,
    /// Where the aria2 JSON-RPC endpoint listens (ADDR:PORT), or `off`. Without
    /// it: the address last set with `haul rpc --listen`, else 127.0.0.1:6800.
    #[arg(long, env = "HAUL_RPC_LISTEN", value_name = "ADDR:PORT|off")]
    pub rpc_listen: Option<String>,
    /// PEM certificate chain for the endpoint (TLS; needed beyond loopback).
    #[arg(long, requires = "rpc_private_key")]
    pub rpc_certificate: Option<std::path::PathBuf>,
    /// PEM private key for --rpc-certificate.
    #[arg(long, requires = "rpc_certificate")]
    pub rpc_private_key: Option<std::path::PathBuf>,
    /// Serve the endpoint beyond loopback without TLS (anyone on the path can read the secret).
    #[arg(long)]
    pub rpc_insecure: bool,
    /// Keep job passwords and cookies in this file (created readable by you
    /// alone, outside the data folder) instead of the system keyring: for
    /// machines without one (no Secret Service / Credential Manager).
    #[arg(long, env = "HAUL_SECRETS_FILE", value_name = "PATH")]
    pub secrets_file: Option<std::path::PathBuf>,
}
