//! Routes of the test server that let in only who says who they are: HTTP
//! Basic, HTTP Digest (RFC 7616, MD5, `qop=auth`) or a cookie. Checked before
//! any other fault of the route; a refused request gets a 401 with the
//! route's challenge (or a 403 for a missing cookie).

use base64::Engine;
use md5::{Digest, Md5};

/// The realm the challenges name.
pub const REALM: &str = "haul-test";
/// The nonce of every Digest challenge (a test server need not rotate it).
const NONCE: &str = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

/// What a route asks of a request.
#[derive(Clone, Debug)]
pub enum Gate {
    /// `Authorization: Basic` with this user and password.
    Basic { user: String, password: String },
    /// `Authorization: Digest` with this user and password.
    Digest { user: String, password: String },
    /// A `Cookie` header holding this `name=value`.
    Cookie(String),
}

/// The refusal for a request that `gate` does not let in: status, headers.
pub(crate) fn refuse(
    gate: &Gate,
    method: &str,
    headers: &[(String, String)],
) -> Option<(u16, Vec<(&'static str, String)>)> {
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let allowed = match gate {
        Gate::Basic { user, password } => header("authorization").is_some_and(|value| {
            let expected = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            value.trim().strip_prefix("Basic ").is_some_and(|given| given.trim() == expected)
        }),
        Gate::Digest { user, password } => {
            header("authorization").is_some_and(|value| digest_ok(value, method, user, password))
        }
        Gate::Cookie(pair) => header("cookie").is_some_and(|value| value.split(';').any(|c| c.trim() == pair)),
    };
    if allowed {
        return None;
    }
    Some(match gate {
        Gate::Basic { .. } => (401, vec![("WWW-Authenticate", format!("Basic realm=\"{REALM}\""))]),
        Gate::Digest { .. } => (
            401,
            vec![(
                "WWW-Authenticate",
                format!("Digest realm=\"{REALM}\", qop=\"auth\", algorithm=MD5, nonce=\"{NONCE}\", opaque=\"5ccc\""),
            )],
        ),
        Gate::Cookie(_) => (403, Vec::new()),
    })
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// Whether a `Digest` Authorization value answers this server's challenge
/// with `user` and `password`.
fn digest_ok(value: &str, method: &str, user: &str, password: &str) -> bool {
    let Some(rest) = value.trim().strip_prefix("Digest ") else { return false };
    let fields = parse_fields(rest);
    let field = |name: &str| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let (Some(given_user), Some(uri), Some(nonce), Some(response)) =
        (field("username"), field("uri"), field("nonce"), field("response"))
    else {
        return false;
    };
    if given_user != user || nonce != NONCE || field("realm") != Some(REALM) {
        return false;
    }
    let ha1 = md5_hex(&format!("{user}:{REALM}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let expected = match (field("qop"), field("nc"), field("cnonce")) {
        (Some(qop), Some(nc), Some(cnonce)) => md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")),
        _ => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
    };
    expected == response
}

/// `k=v, k="v"` pairs.
fn parse_fields(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            value = quoted[..end].to_string();
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        out.push((key, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_example_passes() {
        // The RFC's own example, with this server's realm and nonce.
        let ha1 = md5_hex(&format!("Mufasa:{REALM}:Circle Of Life"));
        let ha2 = md5_hex("GET:/dir/index.html");
        let response = md5_hex(&format!("{ha1}:{NONCE}:00000001:0a4f113b:auth:{ha2}"));
        let value = format!(
            "Digest username=\"Mufasa\", realm=\"{REALM}\", nonce=\"{NONCE}\", uri=\"/dir/index.html\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\""
        );
        assert!(digest_ok(&value, "GET", "Mufasa", "Circle Of Life"));
        assert!(!digest_ok(&value, "GET", "Mufasa", "wrong"));
    }
}
