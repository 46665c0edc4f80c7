//! What a job needs to be let in, without its secrets: the user name and
//! scheme of its credentials, whether it has cookies, and its proxy. The
//! passwords and cookie values live in the secret store (`crate::secrets`).

use super::InvalidValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How a job's user name and password are offered to the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    /// Whatever the server's 401 challenge asks for (Digest preferred to Basic).
    #[default]
    Any,
    /// Basic, sent with the first request to the job's own host.
    Basic,
    /// Digest, in answer to the server's challenge.
    Digest,
}

impl AuthScheme {
    /// The name on the wire and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::Any => "any",
            AuthScheme::Basic => "basic",
            AuthScheme::Digest => "digest",
        }
    }
}

/// The non-secret half of a job's server credentials (BITS's
/// `BG_AUTH_CREDENTIALS` for the server target, without the password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The user name.
    pub user_name: String,
    /// How it is offered.
    pub scheme: AuthScheme,
}

/// What a job (or the service) sends its requests through.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProxyChoice {
    /// Straight to the server, whatever the environment says.
    None,
    /// The system's: `http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`.
    System,
    /// This proxy; its password, if any, is in the secret store, never here.
    Manual(Box<ProxyUrl>),
}

/// A proxy's URL without its password: `http`, `https`, `socks5` or
/// `socks5h`, a host and a port, and maybe a user name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProxyUrl(url::Url);

impl ProxyChoice {
    /// Reads `none`, `system` or a proxy URL; a password in the URL is split
    /// off and returned apart (for the secret store).
    pub fn parse(text: &str) -> Result<(ProxyChoice, Option<String>), InvalidValue> {
        let text = text.trim();
        match text {
            "none" | "" => return Ok((ProxyChoice::None, None)),
            "system" => return Ok((ProxyChoice::System, None)),
            _ => {}
        }
        let shown = redact(text);
        let mut url = url::Url::parse(text).map_err(|e| {
            InvalidValue(format!(
                "'{shown}' is not a proxy: give none, system or a URL such as socks5h://host:1080 ({e})"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") {
            return Err(InvalidValue(format!(
                "the proxy '{shown}' uses the scheme '{}'; use http, https, socks5 or socks5h",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(InvalidValue(format!("the proxy '{shown}' has no host")));
        }
        if url.port_or_known_default().is_none() {
            return Err(InvalidValue(format!("the proxy '{shown}' has no port")));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(InvalidValue(format!("the proxy '{shown}' has a path; give only scheme, host and port")));
        }
        let password = url.password().map(percent_decode);
        // Cannot fail for a URL with a host.
        let _ = url.set_password(None);
        let user = percent_decode(url.username());
        if password.is_some() && user.is_empty() {
            return Err(InvalidValue(format!("the proxy '{shown}' has a password but no user name")));
        }
        Ok((ProxyChoice::Manual(Box::new(ProxyUrl(url))), password))
    }

    /// The proxy's user name, if it has one.
    pub fn user_name(&self) -> Option<String> {
        match self {
            ProxyChoice::Manual(url) if !url.0.username().is_empty() => Some(percent_decode(url.0.username())),
            _ => None,
        }
    }
}

impl ProxyUrl {
    /// The URL (never with a password).
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// `scheme://host:port`, without user name: how errors name the proxy.
    pub fn address(&self) -> String {
        let host = self.0.host_str().unwrap_or_default();
        match self.0.port_or_known_default() {
            Some(port) => format!("{}://{host}:{port}", self.0.scheme()),
            None => format!("{}://{host}", self.0.scheme()),
        }
    }
}

impl fmt::Display for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyChoice::None => f.write_str("none"),
            ProxyChoice::System => f.write_str("system"),
            ProxyChoice::Manual(url) => f.write_str(url.0.as_str().trim_end_matches('/')),
        }
    }
}

impl Serialize for ProxyChoice {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProxyChoice {
    /// Stored and shown values never hold a password; one that does is refused.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match ProxyChoice::parse(&text) {
            Ok((choice, None)) => Ok(choice),
            Ok((_, Some(_))) => Err(serde::de::Error::custom(format!(
                "{}a proxy with a password is set with set_proxy",
                super::INVALID_VALUE_PREFIX
            ))),
            Err(e) => Err(serde::de::Error::custom(format!("{}{e}", super::INVALID_VALUE_PREFIX))),
        }
    }
}

/// `text` with the password of a URL in it replaced by `***`, for messages.
pub fn redact(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(_) => text.to_string(),
        // Not a URL: a password may still sit between "//user:" and "@".
        Err(_) => match (text.find("://"), text.rfind('@')) {
            (Some(start), Some(at)) if at > start => format!("{}***{}", &text[..start + 3], &text[at..]),
            _ => text.to_string(),
        },
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse_and_keep_no_password() {
        let (choice, password) = ProxyChoice::parse("socks5h://me:p%40ss@127.0.0.1:1080").expect("parses");
        assert_eq!(password.as_deref(), Some("p@ss"));
        assert_eq!(choice.to_string(), "socks5h://me@127.0.0.1:1080");
        assert_eq!(choice.user_name().as_deref(), Some("me"));
        assert_eq!(ProxyChoice::parse("none").expect("none").0, ProxyChoice::None);
        assert_eq!(ProxyChoice::parse("system").expect("system").0, ProxyChoice::System);
        let text = serde_json::to_string(&choice).expect("json");
        assert!(!text.contains("p@ss") && !text.contains("p%40ss"), "{text}");
        assert_eq!(serde_json::from_str::<ProxyChoice>(&text).expect("back"), choice);
    }

    #[test]
    fn bad_proxies_are_named_without_their_password() {
        for (text, words) in [
            ("ftp://h:21", "scheme 'ftp'"),
            ("socks5://h:1080/x", "has a path"),
            ("http://:secret@h:8080", "no user name"),
            ("not a proxy", "is not a proxy"),
        ] {
            let e = ProxyChoice::parse(text).expect_err(text);
            assert!(e.0.contains(words), "{text}: {e}");
            assert!(!e.0.contains("secret"), "{e}");
        }
        assert_eq!(redact("http://u:pw@h:1"), "http://u:***@h:1/");
    }
}
