//! Netscape cookies.txt (what browser "export cookies" add-ons, curl and
//! yt-dlp write): read once, then the `Cookie` header for each request's URL by
//! the file's own rules — domain (exact, or with its subdomains), path prefix,
//! secure (https only) and expiry.

use std::time::{SystemTime, UNIX_EPOCH};

/// One cookie of the file.
#[derive(Clone, PartialEq, Eq)]
struct Cookie {
    /// The domain, lowercase, without a leading dot.
    domain: String,
    /// Whether subdomains of `domain` get it too.
    subdomains: bool,
    path: String,
    secure: bool,
    /// Seconds since 1970; 0 = a session cookie (never expires here).
    expires: u64,
    name: String,
    value: String,
}

/// The cookies of a cookies.txt.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<Cookie>,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CookieJar({} cookies)", self.cookies.len())
    }
}

/// Why a cookies.txt could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the cookies file: {problem}")]
pub struct CookieFileError {
    /// The line (from 1).
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl CookieJar {
    /// Reads the text of a cookies.txt: seven tab-separated fields a line
    /// (domain, include-subdomains, path, secure, expiry, name, value);
    /// `#` lines are comments, except `#HttpOnly_` ones, which are cookies.
    pub fn parse(text: &str) -> Result<CookieJar, CookieFileError> {
        let mut cookies = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            let line = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => rest,
                None if line.trim().is_empty() || line.starts_with('#') => continue,
                None => line,
            };
            let bad = |problem: String| CookieFileError { line: number + 1, problem };
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != 7 {
                return Err(bad(format!(
                    "{} tab-separated fields where a Netscape cookies.txt has 7 (domain, subdomains, path, secure, expiry, name, value)",
                    fields.len()
                )));
            }
            let flag = |text: &str, what: &str| match text.to_ascii_uppercase().as_str() {
                "TRUE" => Ok(true),
                "FALSE" => Ok(false),
                _ => Err(bad(format!("{what} is '{text}', not TRUE or FALSE"))),
            };
            let domain = fields[0].trim().to_ascii_lowercase();
            if domain.is_empty() {
                return Err(bad("the domain is empty".into()));
            }
            let expires = match fields[4].trim() {
                "" => 0,
                text => text
                    .parse::<f64>()
                    .map_err(|_| bad(format!("the expiry '{text}' is not a number of seconds")))?
                    .max(0.0) as u64,
            };
            let name = fields[5].to_string();
            let value = fields[6].to_string();
            if [&name, &value].iter().any(|s| s.chars().any(|c| c.is_control() || c == ';')) {
                return Err(bad("a cookie's name or value holds a control character or ';'".into()));
            }
            let subdomains = flag(fields[1].trim(), "the include-subdomains field")? || domain.starts_with('.');
            cookies.push(Cookie {
                domain: domain.trim_start_matches('.').to_string(),
                subdomains,
                path: if fields[2].is_empty() { "/".into() } else { fields[2].to_string() },
                secure: flag(fields[3].trim(), "the secure field")?,
                expires,
                name,
                value,
            });
        }
        Ok(CookieJar { cookies })
    }

    /// How many cookies the file has.
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// The `Cookie` header for a request to `url` now, if any cookie matches.
    pub fn header_for(&self, url: &str) -> Option<String> {
        let url = url::Url::parse(url).ok()?;
        let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let path = url.path();
        let mut matching: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| c.expires == 0 || c.expires > now)
            .filter(|c| !c.secure || url.scheme() == "https")
            .filter(|c| {
                host == c.domain
                    || (c.subdomains
                        && host.len() > c.domain.len()
                        && host.ends_with(&c.domain)
                        && host.as_bytes()[host.len() - c.domain.len() - 1] == b'.')
            })
            .filter(|c| path_matches(path, &c.path))
            .collect();
        // Longer paths first, as browsers send them (RFC 6265 5.4).
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        let pairs: Vec<String> = matching.iter().map(|c| format!("{}={}", c.name, c.value)).collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

/// RFC 6265's path-match: the same path, or a prefix ending at a `/`.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie) && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# Netscape HTTP Cookie File\n\
        .example.com\tTRUE\t/\tFALSE\t0\tall\t1\n\
        files.example.com\tFALSE\t/dl\tFALSE\t4102444800\tdl\t2\n\
        #HttpOnly_files.example.com\tFALSE\t/\tTRUE\t4102444800\tsecure\t3\n\
        files.example.com\tFALSE\t/\tFALSE\t1000\told\t4\n\
        \n";

    #[test]
    fn cookies_match_by_domain_path_secure_and_expiry() {
        let jar = CookieJar::parse(FILE).expect("parses");
        assert_eq!(jar.len(), 4);
        assert_eq!(jar.header_for("http://files.example.com/dl/a.iso").as_deref(), Some("dl=2; all=1"));
        assert_eq!(jar.header_for("https://files.example.com/dl/a.iso").as_deref(), Some("dl=2; all=1; secure=3"));
        assert_eq!(jar.header_for("http://files.example.com/dlx").as_deref(), Some("all=1"));
        assert_eq!(jar.header_for("http://example.com/").as_deref(), Some("all=1"));
        assert_eq!(jar.header_for("http://sub.files.example.com/dl/").as_deref(), Some("all=1"));
        assert_eq!(jar.header_for("http://badexample.com/"), None);
        assert_eq!(jar.header_for("http://other.org/"), None);
    }

    #[test]
    fn bad_lines_are_named() {
        let e = CookieJar::parse("a\tTRUE\t/\n").expect_err("3 fields");
        assert_eq!(e.line, 1);
        assert!(e.problem.contains("3 tab-separated fields"), "{e}");
        let e = CookieJar::parse("# c\nh\tmaybe\t/\tFALSE\t0\tn\tv\n").expect_err("flag");
        assert!(e.to_string().contains("line 2") && e.problem.contains("'maybe'"), "{e}");
        assert!(CookieJar::parse("h\tTRUE\t/\tFALSE\tsoon\tn\tv").is_err());
        assert!(format!("{:?}", CookieJar::parse(FILE).expect("ok")).contains("4 cookies"));
        assert!(!format!("{:?}", CookieJar::parse(FILE).expect("ok")).contains("dl=2"));
    }
}
