//! What the extension asks the host, and how the host answers: JSON objects
//! `{id?, command, …}` → `{id, ok: true, result}` or `{id, ok: false, error}`.
//! Documented in docs/BROWSER.md.

use serde::Deserialize;
use serde_json::{Value, json};

/// A download the browser started (or a link the user chose), with what the
/// site needs to serve it to Haul too.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BrowserDownload {
    /// The URL, after redirects when the browser knows them.
    pub url: String,
    /// The page that linked to it (sent as `Referer`).
    #[serde(default)]
    pub referrer: Option<String>,
    /// The cookies the browser holds for the URL, as a `Cookie` header value.
    #[serde(default)]
    pub cookies: Option<String>,
    /// The browser's user agent (sent as `User-Agent`).
    #[serde(default)]
    pub user_agent: Option<String>,
    /// The file name the browser chose.
    #[serde(default)]
    pub filename: Option<String>,
    /// The size, if known (-1 or absent: unknown).
    #[serde(default)]
    pub size: Option<i64>,
    /// The MIME type.
    #[serde(default)]
    pub mime: Option<String>,
    /// The tab's page and title.
    #[serde(default)]
    pub tab_url: Option<String>,
    /// The tab's title.
    #[serde(default)]
    pub tab_title: Option<String>,
}

/// One request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Is Haul there? (Starts the service.)
    Hello,
    /// Take over this download: one job, queued at once; with `ask`, Haul's
    /// add dialog opens with it instead (the user picks the folder).
    Add {
        /// The download.
        download: Box<BrowserDownload>,
        /// Ask where to save.
        ask: bool,
    },
    /// Links the user picked on a page: one job, a file each.
    AddLinks {
        /// The links.
        links: Vec<String>,
        /// The page they were on.
        referrer: Option<String>,
        /// The cookies for the page's site.
        cookies: Option<String>,
        /// The browser's user agent.
        user_agent: Option<String>,
    },
    /// The downloads going on now, for the popup.
    Status,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddParams {
    #[serde(rename = "command")]
    _command: String,
    #[serde(rename = "id", default)]
    _id: Value,
    download: BrowserDownload,
    #[serde(default)]
    ask: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddLinksParams {
    #[serde(rename = "command")]
    _command: String,
    #[serde(rename = "id", default)]
    _id: Value,
    links: Vec<String>,
    #[serde(default)]
    referrer: Option<String>,
    #[serde(default)]
    cookies: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
}

/// Reads a request; the error names what is wrong with it. The request's `id`
/// (any JSON value, null if absent) comes back either way, for the answer.
pub fn parse(bytes: &[u8]) -> (Value, Result<Request, String>) {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => return (Value::Null, Err(format!("the message is not JSON: {e}"))),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let Some(command) = value.get("command").and_then(Value::as_str) else {
        return (id, Err("the message has no \"command\" (a string)".into()));
    };
    let request = match command {
        "hello" => Ok(Request::Hello),
        "status" => Ok(Request::Status),
        "add" => serde_json::from_value::<AddParams>(value.clone())
            .map(|p| Request::Add { download: Box::new(p.download), ask: p.ask })
            .map_err(|e| format!("add: {e}")),
        "add_links" => serde_json::from_value::<AddLinksParams>(value.clone())
            .map(|p| Request::AddLinks {
                links: p.links,
                referrer: p.referrer,
                cookies: p.cookies,
                user_agent: p.user_agent,
            })
            .map_err(|e| format!("add_links: {e}")),
        other => Err(format!("unknown command \"{other}\" (known: hello, add, add_links, status)")),
    };
    (id, request)
}

/// A success.
pub fn ok(id: Value, result: Value) -> Value {
    json!({"id": id, "ok": true, "result": result})
}

/// A failure, in words.
pub fn failed(id: Value, error: &str) -> Value {
    json!({"id": id, "ok": false, "error": error})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_and_bad_ones_named() {
        let (id, request) = parse(br#"{"id":7,"command":"add","download":{"url":"https://e.com/a.iso","size":-1}}"#);
        assert_eq!(id, json!(7));
        let Ok(Request::Add { download, ask: false }) = request else { panic!("{request:?}") };
        assert_eq!((download.url.as_str(), download.size), ("https://e.com/a.iso", Some(-1)));
        assert_eq!(parse(br#"{"command":"hello"}"#).1, Ok(Request::Hello));
        assert!(parse(b"{nope").1.is_err_and(|e| e.contains("not JSON")));
        assert!(parse(br#"{"id":1}"#).1.is_err_and(|e| e.contains("no \"command\"")));
        assert!(parse(br#"{"command":"format_disk"}"#).1.is_err_and(|e| e.contains("unknown command \"format_disk\"")));
        assert!(parse(br#"{"command":"add"}"#).1.is_err_and(|e| e.contains("download")));
        assert!(parse(br#"{"command":"add","download":{"url":"x","evil":1}}"#).1.is_err_and(|e| e.contains("evil")));
        assert!(parse(br#"[1,2]"#).1.is_err());
    }
}
