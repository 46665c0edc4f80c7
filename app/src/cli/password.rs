//! Asking for a password: on a terminal without echo; from a pipe, its first
//! line (so scripts can pass one on stdin instead of on the command line).

use crate::exit::{Failure, USAGE};
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
