//! Transfer failures and the one place that decides transient vs fatal.

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
        /// `proxy_unreachable` or `proxy_refused`.
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

impl TransferError {
    /// Transient or fatal.
    pub fn severity(&self) -> Severity {
        match self {
            TransferError::Http { status, .. } => classify_status(*status),
            // Refused connections (a server restarting), timeouts, resets, a
            // name server that does not answer (a name that does not exist is
            // `HostNotFound`); a proxy's failures stay transient as PROTOCOL.md says.
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
            let (detail, code) = match refused {
                true => (format!("refused the connection: {cause}"), "proxy_refused"),
                false => (format!("cannot be reached: {cause}"), "proxy_unreachable"),
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

/// The resolver's "no such name" in `err`'s chain (getaddrinfo's `EAI_NONAME`
/// or `EAI_NODATA`, which std reports only in words; Windows' `WSAHOST_NOT_FOUND`);
/// not its "temporary failure" (`EAI_AGAIN`: offline, the name server did not answer).
fn name_not_found(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    const NO_SUCH_NAME: [&str; 4] = [
        "Name or service not known",                    // glibc EAI_NONAME
        "No address associated with hostname",          // glibc EAI_NODATA
        "Name does not resolve",                        // musl
        "nodename nor servname provided, or not known", // BSD, macOS
    ];
    const WSAHOST_NOT_FOUND: i32 = 11001;
    let mut current = Some(err);
    while let Some(error) = current {
        let words = error.to_string();
        let windows_no_host = cfg!(windows)
            && error.downcast_ref::<std::io::Error>().and_then(|io| io.raw_os_error()) == Some(WSAHOST_NOT_FOUND);
        if windows_no_host || NO_SUCH_NAME.iter().any(|phrase| words.contains(phrase)) {
            return Some(words);
        }
        current = error.source();
    }
    None
}

/// hyper's refusal of the server's answer as HTTP, in `err`'s chain.
fn http_parse_failure<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a hyper::Error> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(hyper_error) = error.downcast_ref::<hyper::Error>()
            && hyper_error.is_parse()
        {
            return Some(hyper_error);
        }
        current = error.source();
    }
    None
}

/// How to trust a private certificate authority, for the certificate error.
pub const PRIVATE_CA_HINT: &str = "Haul trusts the certificates this system trusts: for a private certificate \
authority, add it to the system's trust store (Debian: copy it to /usr/local/share/ca-certificates/ and run \
update-ca-certificates; Windows: certmgr, Trusted Root Certification Authorities), or, on Linux, start the \
service with SSL_CERT_FILE naming a PEM file of the authorities to trust instead";

/// A TLS failure in `err`'s chain: its code and what it means. rustls's error
/// sits inside an `io::Error`, whose `source` skips it, so those are opened.
pub fn tls_failure(err: &(dyn std::error::Error + 'static)) -> Option<(&'static str, String)> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(rustls_error) = error.downcast_ref::<rustls::Error>() {
            return Some(tls_words(rustls_error));
        }
        current = match error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

fn tls_words(error: &rustls::Error) -> (&'static str, String) {
    match error {
        rustls::Error::InvalidCertificate(reason) => ("tls_certificate", certificate_words(reason)),
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => (
            "tls_handshake",
            "the server did not answer in TLS (is the link http:// rather than https://?)".to_string(),
        ),
        other => ("tls_handshake", format!("the server and Haul could not agree on TLS: {other}")),
    }
}

/// What is wrong with the server's certificate, in words: expired, for
/// another host, or from an issuer nobody here trusts (then how to trust it).
fn certificate_words(reason: &rustls::CertificateError) -> String {
    use rustls::CertificateError as Why;
    match reason {
        Why::ExpiredContext { time, not_after } => format!(
            "the server's certificate has expired: it was valid until {}, and it is {} here (if this computer's \
             clock is right, the server must renew its certificate)",
            utc(not_after),
            utc(time)
        ),
        Why::Expired => "the server's certificate has expired (or its dates are invalid)".to_string(),
        Why::NotValidYetContext { time, not_before } => format!(
            "the server's certificate is not valid yet: it is valid from {}, and it is {} here (is this computer's \
             clock right?)",
            utc(not_before),
            utc(time)
        ),
        Why::NotValidYet => "the server's certificate is not valid yet (is this computer's clock right?)".to_string(),
        Why::NotValidForNameContext { expected, presented } => format!(
            "the server's certificate does not match the host name {}: it is for {}",
            expected.to_str(),
            match presented.is_empty() {
                true => "no host name".to_string(),
                false => presented.iter().map(|name| presented_name(name)).collect::<Vec<_>>().join(", "),
            }
        ),
        Why::NotValidForName => "the server's certificate does not match the host name in the link".to_string(),
        Why::Revoked => "the server's certificate has been revoked by its issuer".to_string(),
        Why::UnknownIssuer => format!(
            "the server's certificate is not trusted: its issuer is not a certificate authority this system \
             trusts (a private or self-signed certificate?). {PRIVATE_CA_HINT}"
        ),
        other => format!("the server's certificate is not trusted ({other}). {PRIVATE_CA_HINT}"),
    }
}

/// `2020-01-02 00:00 UTC`.
fn utc(time: &rustls::pki_types::UnixTime) -> String {
    let seconds = i64::try_from(time.as_secs()).unwrap_or(i64::MAX);
    match chrono::DateTime::from_timestamp(seconds, 0) {
        Some(at) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => format!("{seconds} s after 1970"),
    }
}

/// `other.example` for webpki's `DnsName("other.example")`, `192.0.2.1` for `IpAddress(192.0.2.1)`.
fn presented_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| name.strip_prefix("IpAddress(").and_then(|rest| rest.strip_suffix(')')))
        .unwrap_or(name)
}

/// An error and its sources, joined with ": ".
pub(super) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut detail = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        detail.push_str(": ");
        detail.push_str(&inner.to_string());
        source = inner.source();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_as_bits_does() {
        let cases = [
            (302, Severity::Transient),
            (400, Severity::Fatal),
            (401, Severity::Fatal),
            (403, Severity::Fatal),
            (404, Severity::Fatal),
            (408, Severity::Transient),
            (410, Severity::Fatal),
            (425, Severity::Transient),
            (429, Severity::Transient),
            (500, Severity::Transient),
            (501, Severity::Fatal),
            (502, Severity::Transient),
            (503, Severity::Transient),
            (505, Severity::Fatal),
        ];
        for (status, severity) in cases {
            assert_eq!(classify_status(status), severity, "{status}");
        }
    }

    #[test]
    fn certificate_errors_say_what_is_wrong_and_hint_at_trust_only_for_an_unknown_issuer() {
        use rustls::CertificateError as Why;
        use rustls::pki_types::{ServerName, UnixTime};
        let at = |seconds| UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let expected = ServerName::try_from("example.org").expect("a name").to_owned();
        let presented = vec!["DnsName(\"other.example\")".to_string(), "IpAddress(192.0.2.1)".to_string()];
        assert_eq!(
            certificate_words(&Why::NotValidForNameContext { expected, presented }),
            "the server's certificate does not match the host name example.org: it is for other.example, 192.0.2.1"
        );
        let expired = certificate_words(&Why::ExpiredContext { time: at(1_800_000_000), not_after: at(1_700_000_000) });
        assert!(expired.starts_with("the server's certificate has expired: it was valid until 2023-11-14 22:13 UTC, and it is 2027-01-15 08:00 UTC here"), "{expired}");
        let early =
            certificate_words(&Why::NotValidYetContext { time: at(1_700_000_000), not_before: at(1_800_000_000) });
        assert!(early.contains("not valid yet: it is valid from 2027-01-15 08:00 UTC"), "{early}");
        for words in [expired, early] {
            assert!(!words.contains("trust store"), "{words}");
        }
        assert!(certificate_words(&Why::UnknownIssuer).contains("SSL_CERT_FILE"));
        let (code, _) = tls_words(&rustls::Error::InvalidCertificate(Why::Revoked));
        assert_eq!(code, "tls_certificate");
    }

    #[test]
    fn http_errors_name_status_and_url() {
        let err = TransferError::Http {
            status: 404,
            reason: "Not Found".into(),
            url: "http://x/y".into(),
            retry_after: None,
        };
        let job_error = err.to_job_error(1);
        assert_eq!(job_error.code, "http_404");
        assert_eq!(job_error.context, ErrorContext::RemoteFile);
        assert!(job_error.message.contains("404") && job_error.message.contains("http://x/y"));
    }
}
