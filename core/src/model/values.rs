//! The rules for values people type: a download URL, an expected sha256, a
//! custom header, the aria2 endpoint's address. Each is checked here once, where text becomes a value; the
//! service, the CLI and the add dialog all ask these functions.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

/// A value that breaks its rule, with a sentence that names it and the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

/// Deserialization errors of these values start with this, so the protocol
/// reports them as invalid arguments (error 5), not as malformed params.
pub const INVALID_VALUE_PREFIX: &str = "invalid value: ";

/// A download URL: http or https, with a host. Parsed once, where the text
/// arrives (a dialog, the command line, the socket).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemoteUrl(url::Url);

impl RemoteUrl {
    /// Parses and checks a URL (surrounding spaces are ignored).
    pub fn parse(text: &str) -> Result<RemoteUrl, InvalidValue> {
        let text = text.trim();
        let parsed = url::Url::parse(text).map_err(|e| InvalidValue(format!("'{text}' is not a valid URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(InvalidValue(format!(
                "'{text}' uses the scheme '{}'; only http and https are supported",
                parsed.scheme()
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(InvalidValue(format!("'{text}' has no host")));
        }
        Ok(RemoteUrl(parsed))
    }

    /// The parsed URL.
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RemoteUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RemoteUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RemoteUrl::parse(&text).map_err(|e| serde::de::Error::custom(format!("{INVALID_VALUE_PREFIX}{e}")))
    }
}

/// Checks an expected sha256 (64 hex digits) and returns it in lowercase.
pub fn check_sha256(hex: &str) -> Result<String, InvalidValue> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(InvalidValue(format!("sha256 '{hex}' is not 64 hexadecimal digits")));
    }
    Ok(hex.to_ascii_lowercase())
}

/// Checks a custom header: `Name: value`, a token for a name, no line breaks.
pub fn check_header(header: &str) -> Result<(), InvalidValue> {
    let Some((name, value)) = header.split_once(':') else {
        return Err(InvalidValue(format!("header '{header}' is not of the form 'Name: value'")));
    };
    let name_ok = !name.trim().is_empty()
        && name.trim().bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !name_ok || value.contains(['\r', '\n']) {
        return Err(InvalidValue(format!("header '{header}' is not a valid HTTP header")));
    }
    Ok(())
}

/// Where the aria2 RPC endpoint listens: `ADDR:PORT` (an IP address, or
/// `localhost` for 127.0.0.1) or `off`. On the wire and on disk it is that text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RpcListen {
    /// No endpoint.
    Off,
    /// Listening at this address.
    At(SocketAddr),
}

impl RpcListen {
    /// Parses `ADDR:PORT` or `off` (surrounding spaces are ignored).
    pub fn parse(text: &str) -> Result<RpcListen, InvalidValue> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(RpcListen::Off);
        }
        let bad = || InvalidValue(format!("'{text}' is not ADDR:PORT (e.g. 127.0.0.1:6800) or off"));
        if let Some(port) = text.strip_prefix("localhost:") {
            let port = port.parse::<u16>().map_err(|_| bad())?;
            return Ok(RpcListen::At(SocketAddr::from((Ipv4Addr::LOCALHOST, port))));
        }
        text.parse::<SocketAddr>().map(RpcListen::At).map_err(|_| bad())
    }

    /// The address, unless off.
    pub fn addr(self) -> Option<SocketAddr> {
        match self {
            RpcListen::Off => None,
            RpcListen::At(addr) => Some(addr),
        }
    }
}

impl From<Option<SocketAddr>> for RpcListen {
    fn from(addr: Option<SocketAddr>) -> RpcListen {
        addr.map_or(RpcListen::Off, RpcListen::At)
    }
}

impl fmt::Display for RpcListen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcListen::Off => f.write_str("off"),
            RpcListen::At(addr) => write!(f, "{addr}"),
        }
    }
}

impl std::str::FromStr for RpcListen {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<RpcListen, InvalidValue> {
        RpcListen::parse(text)
    }
}

impl Serialize for RpcListen {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RpcListen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RpcListen::parse(&text).map_err(|e| serde::de::Error::custom(format!("{INVALID_VALUE_PREFIX}{e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_or_https_with_a_host() {
        let cases = [
            ("https://example.com/a.iso", None),
            ("  http://127.0.0.1:8080/x  ", None),
            ("ftp://example.com/a", Some("only http and https are supported")),
            ("example.com/a", Some("is not a valid URL")),
            ("http://", Some("is not a valid URL")),
            ("", Some("is not a valid URL")),
        ];
        for (text, wanted) in cases {
            let got = RemoteUrl::parse(text);
            match wanted {
                None => assert!(got.is_ok(), "{text}: {got:?}"),
                Some(words) => assert!(got.as_ref().is_err_and(|e| e.0.contains(words)), "{text}: {got:?}"),
            }
        }
    }

    #[test]
    fn a_url_deserializes_only_if_it_passes_the_check() {
        let good: Result<RemoteUrl, _> = serde_json::from_str("\"https://example.com/a\"");
        assert_eq!(good.map(|u| u.as_str().to_string()).ok().as_deref(), Some("https://example.com/a"));
        let bad = serde_json::from_str::<RemoteUrl>("\"file:///etc/passwd\"").map_err(|e| e.to_string());
        assert!(bad.is_err_and(|e| e.starts_with(INVALID_VALUE_PREFIX) && e.contains("scheme 'file'")));
    }

    #[test]
    fn sha256_is_64_hex_digits_and_comes_back_lowercase() {
        let upper = "AB".repeat(32);
        assert_eq!(check_sha256(&upper), Ok("ab".repeat(32)));
        assert!(check_sha256("abc").is_err());
        assert!(check_sha256(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn headers_need_a_token_name_and_no_line_break() {
        assert!(check_header("X-Token: abc").is_ok());
        assert!(check_header("Cookie: a=b; c=d").is_ok());
        assert!(check_header("no colon").is_err());
        assert!(check_header(": value").is_err());
        assert!(check_header("Bad Name: v").is_err());
        assert!(check_header("X: a\r\nInjected: b").is_err());
    }

    #[test]
    fn an_rpc_address_is_addr_port_or_off() {
        assert_eq!(RpcListen::parse(" off "), Ok(RpcListen::Off));
        let at = RpcListen::parse("127.0.0.1:6801").expect("ipv4");
        assert_eq!(at.to_string(), "127.0.0.1:6801");
        assert_eq!(RpcListen::parse("localhost:6802").map(|l| l.to_string()).as_deref(), Ok("127.0.0.1:6802"));
        assert_eq!(RpcListen::parse("[::1]:6800").map(|l| l.to_string()).as_deref(), Ok("[::1]:6800"));
        for bad in ["", "6800", "127.0.0.1", "127.0.0.1:99999", "example.com:6800", "localhost:x"] {
            let error = RpcListen::parse(bad).expect_err(bad).to_string();
            assert!(error.contains(&format!("'{bad}'")) && error.contains("ADDR:PORT"), "{error}");
        }
        let read: RpcListen = serde_json::from_value(serde_json::json!("0.0.0.0:6800")).expect("read");
        assert_eq!(serde_json::to_value(read).expect("write"), serde_json::json!("0.0.0.0:6800"));
    }
}
