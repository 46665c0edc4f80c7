//! The transfer engine: which jobs run (scheduler), how a file is fetched
//! (transfer), how failures are judged (classify), and what a URL would be
//! before it is downloaded (probe); HLS streams (stream).

mod auth;
mod budget;
mod causes;
mod classify;
mod clients;
mod context;
mod cookies;
mod http;
mod limit;
mod probe;
mod ramp;
mod range_client;
mod resume;
mod schedule;
mod scheduler;
mod segments;
pub mod stream;
mod threads;
mod transfer;

pub use auth::{Access, Login, netrc_lookup};
pub use budget::{ConnectionBudget, ConnectionPermit};
pub use classify::{Severity, TransferError, classify_status};
pub use clients::{ClientError, Clients, PARALLEL_FILES, ProxySetup, build_client, build_client_via};
pub use context::{FilePlan, Reporter};
pub use cookies::{CookieFileError, CookieJar};
pub use limit::RateLimiter;
pub use probe::{ProbeError, probe};
/// The HTTP client type transfers use (see `build_client`).
pub use reqwest::Client as HttpClient;
pub use schedule::{Effective, evaluate as evaluate_schedule};
pub use scheduler::{JobView, Limits, network_hold, next_to_run};
pub use threads::transfer_threads;
pub use transfer::{FileResult, SPLIT_MIN_FILE, download_file, sha256_of};
