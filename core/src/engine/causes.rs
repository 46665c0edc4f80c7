//! What an error's chain of causes says, in words a user can act on: the
//! resolver's "no such name", an answer that is not HTTP, and why TLS failed.

/// The resolver's "no such name" in `err`'s chain (getaddrinfo's `EAI_NONAME`
/// or `EAI_NODATA`, which std reports only in words; Windows' `WSAHOST_NOT_FOUND`);
/// not its "temporary failure" (`EAI_AGAIN`: offline, the name server did not answer).
pub(super) fn name_not_found(err: &(dyn std::error::Error + 'static)) -> Option<String> {
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
pub(super) fn http_parse_failure<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a hyper::Error> {
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
    use std::time::Duration;

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
}
