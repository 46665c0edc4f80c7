//! Who a transfer says it is: the job's user name and password (Basic sent
//! with the first request to the job's own host, Digest or Basic in answer to
//! a 401 challenge) and the cookies that match each request's URL. The
//! secrets live here only for the transfer's lifetime; `Debug` never shows them.

use super::cookies::CookieJar;
use crate::model::AuthScheme;
use base64::Engine;
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::sync::Mutex;

/// A user name and password, and how they are offered.
#[derive(Clone)]
pub struct Login {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
    /// Basic, Digest, or whichever the server asks for.
    pub scheme: AuthScheme,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("user", &self.user).field("scheme", &self.scheme).finish_non_exhaustive()
    }
}

/// What a job's requests carry besides its headers: credentials and cookies.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// The server's user name and password (the job's, or `~/.netrc`'s).
    pub login: Option<Login>,
    /// The cookies of a cookies.txt.
    pub cookies: Option<CookieJar>,
}

impl Access {
    /// Whether requests carry nothing of their own.
    pub fn is_empty(&self) -> bool {
        self.login.is_none() && self.cookies.is_none()
    }
}

/// How a file's requests are answered after what the server said.
enum Answer {
    /// Nothing yet (waiting for a challenge).
    Nothing,
    /// Basic.
    Basic,
    /// Digest, with the server's challenge (its nonce count goes up with each request).
    Digest(Box<digest_auth::WwwAuthenticateHeader>),
}

/// One file's authentication: the login and how it is answered now.
pub(super) struct Auth {
    login: Login,
    answer: Mutex<Answer>,
}

impl Auth {
    /// Basic logins go with the first request; the others wait for a challenge.
    pub fn new(login: Login) -> Auth {
        let answer = if login.scheme == AuthScheme::Basic { Answer::Basic } else { Answer::Nothing };
        Auth { login, answer: Mutex::new(answer) }
    }

    /// The `Authorization` header for a GET of `url`, if one is sent now.
    pub fn header(&self, url: &str) -> Option<HeaderValue> {
        let mut answer = self.answer.lock().unwrap_or_else(|e| e.into_inner());
        let text = match &mut *answer {
            Answer::Nothing => return None,
            Answer::Basic => {
                let pair = format!("{}:{}", self.login.user, self.login.password);
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
            }
            Answer::Digest(challenge) => {
                let uri = request_uri(url);
                let context = digest_auth::AuthContext::new(&*self.login.user, &*self.login.password, uri);
                challenge.respond(&context).ok()?.to_header_string()
            }
        };
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// Takes the server's 401 challenge; true when the request is worth
    /// sending again (a scheme this login may use, not already refused).
    pub fn challenge(&self, headers: &HeaderMap) -> bool {
        let offers: Vec<&str> =
            headers.get_all(header::WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok()).collect();
        let scheme = self.login.scheme;
        let digest = offers
            .iter()
            .filter(|_| scheme != AuthScheme::Basic)
            .find(|o| starts_with_word(o, "digest"))
            .and_then(|o| digest_auth::parse(o).ok());
        let basic = scheme != AuthScheme::Digest && offers.iter().any(|o| starts_with_word(o, "basic"));
        let mut answer = self.answer.lock().unwrap_or_else(|e| e.into_inner());
        let next = match (digest, &*answer) {
            // A Digest answer already refused without `stale=true`: the password is wrong.
            (Some(_), Answer::Digest(_)) if !offers.iter().any(|o| o.to_ascii_lowercase().contains("stale=true")) => {
                return false;
            }
            (Some(challenge), _) => Answer::Digest(Box::new(challenge)),
            (None, Answer::Nothing) if basic => Answer::Basic,
            _ => return false,
        };
        *answer = next;
        true
    }
}

/// Whether `text` starts with the word `word` (any case).
fn starts_with_word(text: &str, word: &str) -> bool {
    let text = text.trim_start();
    text.len() >= word.len()
        && text[..word.len()].eq_ignore_ascii_case(word)
        && text[word.len()..].chars().next().is_none_or(|c| c == ' ')
}

/// The request-target of a GET of `url` (path and query), as Digest signs it.
fn request_uri(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        },
        Err(_) => "/".to_string(),
    }
}

/// The login of `host` in a .netrc's text: the first `machine host` entry,
/// else `default`; `macdef` bodies are skipped.
pub fn netrc_lookup(text: &str, host: &str) -> Option<(String, String)> {
    let mut tokens = Tokens::new(text);
    let mut found: Option<(String, String)> = None;
    let mut default: Option<(String, String)> = None;
    // The entry being read: whether it is the host's (or default), and its fields.
    let mut current: Option<(bool, bool, String, String)> = None;
    let finish = |entry: Option<(bool, bool, String, String)>,
                  found: &mut Option<(String, String)>,
                  default: &mut Option<(String, String)>| {
        if let Some((is_host, is_default, user, password)) = entry {
            if is_host && found.is_none() {
                *found = Some((user, password));
            } else if is_default && default.is_none() {
                *default = Some((user, password));
            }
        }
    };
    while let Some(token) = tokens.next() {
        match token.as_str() {
            "machine" => {
                finish(current.take(), &mut found, &mut default);
                let name = tokens.next().unwrap_or_default();
                current = Some((name.eq_ignore_ascii_case(host), false, String::new(), String::new()));
            }
            "default" => {
                finish(current.take(), &mut found, &mut default);
                current = Some((false, true, String::new(), String::new()));
            }
            "login" => {
                let value = tokens.next().unwrap_or_default();
                if let Some(entry) = current.as_mut() {
                    entry.2 = value;
                }
            }
            "password" => {
                let value = tokens.next().unwrap_or_default();
                if let Some(entry) = current.as_mut() {
                    entry.3 = value;
                }
            }
            "account" => {
                tokens.next();
            }
            "macdef" => {
                tokens.next();
                tokens.skip_to_blank_line();
            }
            _ => {}
        }
    }
    finish(current, &mut found, &mut default);
    found.or(default).filter(|(user, _)| !user.is_empty())
}

/// A .netrc's words: split on whitespace, `"quoted words"` with `\` escapes.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens { rest: text }
    }

    fn skip_to_blank_line(&mut self) {
        match self.rest.find("\n\n") {
            Some(at) => self.rest = &self.rest[at + 2..],
            None => self.rest = "",
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.rest = self.rest.trim_start();
        // A comment runs to the end of its line.
        while self.rest.starts_with('#') {
            self.rest = self.rest.find('\n').map_or("", |at| &self.rest[at..]).trim_start();
        }
        if self.rest.is_empty() {
            return None;
        }
        let mut word = String::new();
        let mut chars = self.rest.char_indices();
        if self.rest.starts_with('"') {
            chars.next();
            while let Some((at, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &self.rest[at + 1..];
                        return Some(word);
                    }
                    '\\' => word.extend(chars.next().map(|(_, c)| c)),
                    c => word.push(c),
                }
            }
            self.rest = "";
            return Some(word);
        }
        for (at, c) in chars {
            if c.is_whitespace() {
                self.rest = &self.rest[at..];
                return Some(word);
            }
            word.push(c);
        }
        self.rest = "";
        Some(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netrc_entries_are_found_as_curl_finds_them() {
        let text = "# mine\nmachine other.example login x password y\n\
                    machine files.example\n  login alice\n  password \"s3 cr\\\"et\"\n\
                    macdef init\ncd /pub\n\ndefault login anon password guest\n";
        assert_eq!(netrc_lookup(text, "files.example"), Some(("alice".into(), "s3 cr\"et".into())));
        assert_eq!(netrc_lookup(text, "FILES.example"), Some(("alice".into(), "s3 cr\"et".into())));
        assert_eq!(netrc_lookup(text, "elsewhere"), Some(("anon".into(), "guest".into())));
        assert_eq!(netrc_lookup("machine a login b password c", "z"), None);
        assert_eq!(netrc_lookup("", "z"), None);
        assert_eq!(netrc_lookup("machine", "z"), None);
    }

    #[test]
    fn basic_goes_first_and_digest_answers_a_challenge() {
        let login = |scheme| Login { user: "u".into(), password: "p".into(), scheme };
        let basic = Auth::new(login(AuthScheme::Basic));
        assert_eq!(basic.header("http://h/f").expect("sent").to_str().ok(), Some("Basic dTpw"));
        let mut refused = HeaderMap::new();
        refused.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"x\""));
        assert!(!basic.challenge(&refused), "a refused Basic login is not sent again");

        let digest = Auth::new(login(AuthScheme::Any));
        assert!(digest.header("http://h/f").is_none(), "nothing before the challenge");
        let mut challenge = HeaderMap::new();
        challenge.append(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"x\""));
        challenge.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Digest realm=\"x\", nonce=\"abc\", qop=\"auth\", algorithm=MD5"),
        );
        assert!(digest.challenge(&challenge));
        let value = digest.header("http://h/f?a=1").expect("answered");
        let text = value.to_str().expect("text");
        assert!(text.starts_with("Digest ") && text.contains("uri=\"/f?a=1\"") && text.contains("nc=00000001"));
        assert!(format!("{value:?}").contains("Sensitive"), "the header is marked sensitive");
        assert!(!digest.challenge(&challenge), "a refused Digest login is not sent again");
    }
}
