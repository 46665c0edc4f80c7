//! `--user`, `--auth`, `--load-cookies`, `--proxy` read and checked; the password,
//! when not given, asked for: on a terminal without echo; from a pipe, its first
//! line (so scripts can pass one on stdin instead of on the command line).

use super::args::AccessArgs;
use crate::exit::{Failure, REFUSED, USAGE};
use crate::jobs_add::NewAccess;
use haul_core::model::AuthScheme;
use std::io::{BufRead, IsTerminal};

/// The password the user types (or the first line of stdin when it is not a terminal).
pub fn ask(prompt: &str) -> Result<String, Failure> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|e| Failure::new(USAGE, format!("cannot read the password from the terminal: {e}")));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::new(USAGE, format!("cannot read the password from standard input: {e}")))?;
    if line.is_empty() {
        return Err(Failure::new(USAGE, "no password: give --user NAME:PASSWORD, or type it when asked"));
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The credentials, cookies and proxy `haul add` or `haul set` was given; a password left
/// out of `--user` is asked for on the terminal.
pub fn new_access(args: &AccessArgs) -> Result<NewAccess, Failure> {
    let scheme = match args.auth.as_deref() {
        None | Some("any") => AuthScheme::Any,
        Some("basic") => AuthScheme::Basic,
        Some("digest") => AuthScheme::Digest,
        Some(other) => {
            return Err(Failure::new(
                REFUSED,
                format!("'{other}' is not an authentication scheme; use any, basic or digest"),
            ));
        }
    };
    if args.auth.is_some() && args.user.is_none() {
        return Err(Failure::new(USAGE, "--auth needs --user"));
    }
    let login = match args.user.as_deref() {
        None => None,
        Some(text) => {
            let (user, password) = match text.split_once(':') {
                Some((user, password)) => (user.to_string(), password.to_string()),
                None => (text.to_string(), ask(&format!("Password for {text}: "))?),
            };
            if user.is_empty() {
                return Err(Failure::new(REFUSED, "--user has an empty user name"));
            }
            Some((user, password, scheme))
        }
    };
    let cookies = match &args.load_cookies {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::new(REFUSED, format!("cannot read the cookies file {}: {e}", path.display())))?;
            haul_core::engine::CookieJar::parse(&text)
                .map_err(|e| Failure::new(REFUSED, format!("{}: {e}", path.display())))?;
            Some(text)
        }
    };
    if let Some(proxy) = &args.proxy {
        haul_core::model::ProxyChoice::parse(proxy).map_err(|e| Failure::new(REFUSED, e.0))?;
    }
    Ok(NewAccess { login, cookies, proxy: args.proxy.clone() })
}
