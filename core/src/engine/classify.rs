//! Transfer failures and the one place that decides transient vs fatal.

pub(super) use super::causes::error_chain;
use super::causes::tls_failure;
use super::causes::{http_parse_failure, name_not_found};
use crate::model::{ErrorContext, JobError};
use std::path::PathBuf;
use std::time::Duration;

/// Whether a failure is retried or waits for the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Retried after the minimum retry delay.
    Transient,
    /// The job goes to error.
    Fatal,
}

/// How an HTTP status is judged: 4xx fatal except 408 (Request Timeout), 425
/// (Too Early: asks for a retry) and 429 (Too Many Requests); 5xx transient
/// except 501 and 505; anything else unexpected is transient (a 3xx here came
/// to a connection that does not follow redirects; the retry's first request
/// does; one the redirect-following client could not follow is a `BadRedirect`).
pub fn classify_status(status: u16) -> Severity {
    match status {
        408 | 425 | 429 => Severity::Transient,
        400..=499 | 501 | 505 => Severity::Fatal,
        _ => Severity::Transient,
    }
}

/// Why a file's transfer stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The server answered with an error status.
    #[error("the server answered {status} {reason} for {url}")]
    Http {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
        /// The URL asked for.
        url: String,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// Connecting, or the connection, failed.
    #[error("network error for {url}: {detail}")]
    Network {
        /// The URL asked for.
        url: String,
        /// What failed.
        detail: String,
        /// A stable code such as `connection_refused`.
        code: &'static str,
    },
    /// The body ended before the promised length.
    #[error("the connection to {url} closed after {got} of {expected} bytes")]
    ShortBody {
        /// The URL asked for.
        url: String,
        /// Bytes received in all.
        got: u64,
        /// Bytes promised.
        expected: u64,
    },
    /// The TLS connection could not be made: a certificate this system does
    /// not trust, or no TLS (version, cipher) both sides speak. Retrying
    /// cannot help; the message says what is wrong and how to trust a private CA.
    #[error("{detail} ({url})")]
    Tls {
        /// The URL asked for.
        url: String,
        /// What is wrong, in words.
        detail: String,
        /// `tls_certificate` or `tls_handshake`.
        code: &'static str,
    },
    /// Too many redirects, or a redirect loop.
    #[error("too many redirects (a redirect loop?) for {url}")]
    Redirects {
        /// The URL asked for.
        url: String,
    },
    /// A redirect to a link that cannot be fetched (not http or https, or
    /// not a URL): the same redirect comes back on every retry.
    #[error("{url} redirects to {target}, which Haul cannot fetch: {detail}")]
    BadRedirect {
        /// The URL asked for.
        url: String,
        /// Where the server sent us, as it wrote it.
        target: String,
        /// Why it cannot be fetched.
        detail: String,
    },
    /// The name server says the link's host name does not exist: the same
    /// answer comes on every retry, until the link (or the network) changes.
    #[error(
        "the host name {host} does not exist ({detail}); check the link (a name known only inside a VPN or \
         local network needs that network, then a retry)"
    )]
    HostNotFound {
        /// The URL asked for.
        url: String,
        /// Its host name.
        host: String,
        /// The resolver's words.
        detail: String,
    },
    /// The server's answer is not HTTP (HTTP/0.9, another protocol, garbage):
    /// a server that speaks something else will not speak HTTP on a retry.
    #[error("the server at {url} did not answer in HTTP ({detail}); is the link's port the right one?")]
    NotHttp {
        /// The URL asked for.
        url: String,
        /// What the HTTP parser refused.
        detail: String,
    },
    /// The server sent an HTML page where a file was expected.
    #[error(
        "{url} now answers with a web page (text/html) instead of the file; the link has probably expired or needs a login"
    )]
    UnexpectedHtml {
        /// The URL asked for.
        url: String,
    },
    /// The server's answer cannot be trusted for resuming.
    #[error("the server's answer for {url} is inconsistent: {detail}")]
    BadRange {
        /// The URL asked for.
        url: String,
        /// What did not match.
        detail: String,
    },
    /// The file on disk could not be written or read.
    #[error("cannot write {path}: {source}")]
    Local {
        /// The temp file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The downloaded bytes do not have the expected sha256.
    #[error("checksum mismatch for {path}: expected sha256 {expected}, got {actual}")]
    Checksum {
        /// The temp file.
        path: PathBuf,
        /// The sha256 asked for.
        expected: String,
        /// The sha256 of the bytes received.
        actual: String,
    },
    /// The file changed on the server (or its answers contradict each other):
    /// the stored bytes must be dropped and the file fetched from zero.
    #[error("{url} changed on the server: {detail}")]
    Changed {
        /// The URL asked for.
        url: String,
        /// What did not match.
        detail: String,
    },
    /// The server refused the job's user name and password.
    #[error("the server answered {status} Unauthorized for {url}: it refused the user name {user:?} and its password")]
    LoginRefused {
        /// The status (401).
        status: u16,
        /// The URL asked for.
        url: String,
        /// The user name offered.
        user: String,
    },
    /// The proxy could not be reached, or refused the request.
    #[error("the proxy {proxy} {detail}")]
    Proxy {
        /// The proxy, `scheme://host:port` (never its password).
        proxy: String,
        /// What it did, e.g. "cannot be reached: Connection refused".
        detail: String,
        /// `proxy_unreachable`, `proxy_refused` or [`PROXY_LOGIN_REFUSED`].
        code: &'static str,
    },
    /// The job's credentials or cookies could not be read from the secret store.
    #[error("{0}")]
    Secrets(String),
    /// A stream that cannot be saved (live, DRM, DASH, a bad playlist).
    #[error(transparent)]
    Stream(#[from] super::stream::StreamError),
    /// The transfer was stopped (suspend, cancel, shutdown, preemption).
    #[error("stopped")]
    Stopped,
}

/// The code of a proxy that refused its user name and password (or was given
/// none and wants them): fatal, as BITS fails a job on a 407 until new
/// proxy credentials are set.
pub const PROXY_LOGIN_REFUSED: &str = "proxy_login_refused";

/// What a proxy that refused its login did, and the way out (after `the proxy X `).
pub fn login_refused(cause: &str) -> String {
    format!(
        "wants a user name and password and refused the ones given, if any ({cause}): give the right ones \
         in the proxy URL (`haul set JOB --proxy URL`, or `haul limits --proxy URL` for the service's), \
         then resume the job"
    )
}

impl TransferError {
    /// Whether the server turned the request away before any answer came: a
    /// 503 or 429 (it takes only so many requests at once), or a connection
    /// refused or reset before the answer (one that cuts a client's extra
    /// connections). A file of a job turned away while others run waits for
    /// its turn (`manager/run.rs`). Timeouts and a body cut short are not:
    /// they say more about the network than about how many at once.
    pub fn turned_away(&self) -> bool {
        match self {
            TransferError::Http { status, .. } => matches!(status, 429 | 503),
            TransferError::Network { code, .. } => matches!(*code, "connection_refused" | "network_error"),
            _ => false,
        }
    }

    /// Transient or fatal.
    pub fn severity(&self) -> Severity {
        match self {
            TransferError::Http { status, .. } => classify_status(*status),
            // Refused connections (a server restarting), timeouts, resets, a
            // name server that does not answer (a name that does not exist is
            // `HostNotFound`); a proxy's failures stay transient as PROTOCOL.md says.
            // A proxy that refuses the user name and password does so again.
            TransferError::Proxy { code: PROXY_LOGIN_REFUSED, .. } => Severity::Fatal,
            TransferError::Network { .. } | TransferError::ShortBody { .. } | TransferError::Proxy { .. } => {
                Severity::Transient
            }
            TransferError::LoginRefused { .. } | TransferError::Secrets(_) => Severity::Fatal,
            // The retry restarts from zero (or resumes): it can succeed.
            TransferError::BadRange { .. } | TransferError::Changed { .. } | TransferError::Stopped => {
                Severity::Transient
            }
            TransferError::Redirects { .. }
            | TransferError::BadRedirect { .. }
            | TransferError::HostNotFound { .. }
            | TransferError::NotHttp { .. }
            | TransferError::Tls { .. }
            | TransferError::UnexpectedHtml { .. }
            | TransferError::Local { .. }
            | TransferError::Checksum { .. }
            | TransferError::Stream(_) => Severity::Fatal,
        }
    }

    /// How long the server asked us to wait, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TransferError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The job error object for this failure of file `file_index`.
    pub fn to_job_error(&self, file_index: u32) -> JobError {
        let (context, code, status) = match self {
            TransferError::Http { status, .. } => (ErrorContext::RemoteFile, format!("http_{status}"), Some(*status)),
            TransferError::Network { code, .. } => (ErrorContext::Transport, code.to_string(), None),
            TransferError::Tls { code, .. } => (ErrorContext::Transport, code.to_string(), None),
            TransferError::ShortBody { .. } => (ErrorContext::Transport, "connection_closed".to_string(), None),
            TransferError::Redirects { .. } => (ErrorContext::RemoteFile, "redirect_loop".to_string(), None),
            TransferError::BadRedirect { .. } => (ErrorContext::RemoteFile, "bad_redirect".to_string(), None),
            TransferError::NotHttp { .. } => (ErrorContext::Transport, "not_http".to_string(), None),
            TransferError::HostNotFound { .. } => (ErrorContext::Transport, "host_not_found".to_string(), None),
            TransferError::UnexpectedHtml { .. } => (ErrorContext::RemoteFile, "unexpected_html".to_string(), None),
            TransferError::BadRange { .. } | TransferError::Changed { .. } => {
                (ErrorContext::RemoteFile, "bad_range".to_string(), None)
            }
            TransferError::Local { source, .. } => {
                let code = match source.kind() {
                    std::io::ErrorKind::StorageFull => "disk_full",
                    std::io::ErrorKind::PermissionDenied => "permission_denied",
                    std::io::ErrorKind::NotFound => "not_found",
                    std::io::ErrorKind::ReadOnlyFilesystem => "read_only",
                    _ => "io_error",
                };
                (ErrorContext::LocalFile, code.to_string(), None)
            }
            TransferError::Checksum { .. } => (ErrorContext::RemoteFile, "checksum_mismatch".to_string(), None),
            TransferError::LoginRefused { status, .. } => {
                (ErrorContext::RemoteFile, format!("http_{status}"), Some(*status))
            }
            TransferError::Proxy { code, .. } => (ErrorContext::Transport, code.to_string(), None),
            TransferError::Secrets(_) => (ErrorContext::LocalFile, "secrets_unavailable".to_string(), None),
            TransferError::Stream(e) => (ErrorContext::RemoteFile, e.code().to_string(), None),
            TransferError::Stopped => (ErrorContext::None, "stopped".to_string(), None),
        };
        JobError { context, code, message: self.to_string(), file_index: Some(file_index), http_status: status }
    }

    /// Maps a reqwest failure for `url`, sent through `proxy` (its address) if
    /// through one: a connection that cannot be made is then the proxy's.
    pub fn from_reqwest_via(url: &str, proxy: Option<&str>, err: &reqwest::Error) -> Self {
        if let Some(proxy) = proxy
            && err.is_connect()
        {
            let mut source: &dyn std::error::Error = err;
            while let Some(inner) = source.source() {
                source = inner;
            }
            let cause = source.to_string();
            // Reached, but it said no (a SOCKS reply, a refused CONNECT tunnel);
            // a connection to the proxy itself that failed is "unreachable".
            let unreached = ["underlying connection", "refused", "timed out", "unreachable", "No route"]
                .iter()
                .any(|word| cause.contains(word));
            let refused =
                !unreached && ["tunnel", "SOCKS", "auth", "credentials", "407"].iter().any(|word| cause.contains(word));
            // hyper-util's words for a SOCKS5 login refused or not offered, and a CONNECT answered 407.
            let login = refused
                && ["credentials not accepted", "user/pass authentication", "authorization required", "407"]
                    .iter()
                    .any(|words| cause.contains(words));
            let (detail, code) = match (login, refused) {
                (true, _) => (login_refused(&cause), PROXY_LOGIN_REFUSED),
                (false, true) => (format!("refused the connection: {cause}"), "proxy_refused"),
                (false, false) => (format!("cannot be reached: {cause}"), "proxy_unreachable"),
            };
            return TransferError::Proxy { proxy: proxy.to_string(), detail, code };
        }
        TransferError::from_reqwest(url, err)
    }

    /// Maps a reqwest failure for `url`.
    pub fn from_reqwest(url: &str, err: &reqwest::Error) -> Self {
        if err.is_redirect() {
            return TransferError::Redirects { url: url.to_string() };
        }
        if let Some((code, detail)) = tls_failure(err) {
            return TransferError::Tls { url: url.to_string(), detail, code };
        }
        // A request reqwest cannot build: the URL was checked when the job was
        // made, so it is a redirect's (a scheme other than http(s), a bad Location).
        if err.is_builder() {
            let target = err.url().map_or_else(|| "a bad link".to_string(), |target| target.to_string());
            let detail = match std::error::Error::source(err) {
                Some(cause) => error_chain(cause),
                None => err.to_string(),
            };
            return TransferError::BadRedirect { url: url.to_string(), target, detail };
        }
        if err.is_connect()
            && let Some(detail) = name_not_found(err)
        {
            // The request that failed names the host (a redirect's, maybe).
            let asked = err.url().cloned().or_else(|| url::Url::parse(url).ok());
            let host = asked.and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
            return TransferError::HostNotFound { url: url.to_string(), host, detail };
        }
        if let Some(parse) = http_parse_failure(err) {
            return TransferError::NotHttp { url: url.to_string(), detail: parse.to_string() };
        }
        let code = if err.is_timeout() {
            "timeout"
        } else if err.is_connect() {
            "connection_refused"
        } else if err.is_body() || err.is_decode() {
            "connection_reset"
        } else {
            "network_error"
        };
        TransferError::Network { url: url.to_string(), detail: error_chain(err), code }
    }
}

#[cfg(test)]
mod tests;
