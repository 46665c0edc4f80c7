//! How a new job is let in (credentials, cookies, proxy), and the rule that a
//! cookie is a secret even when it comes as a header.

use super::NewDownload;
use haul_core::client::{Client, ClientError};
use haul_core::model::{AuthScheme, JobId};
use haul_core::protocol::JobChanges;

/// How a new job is let in: given to the service before its first request.
#[derive(Clone, Default, PartialEq)]
pub struct NewAccess {
    /// User name, password and scheme.
    pub login: Option<(String, String, AuthScheme)>,
    /// The text of a Netscape cookies.txt.
    pub cookies: Option<String>,
    /// `none`, `system` or a proxy URL (maybe with a password).
    pub proxy: Option<String>,
}

/// Never shows a password or a cookie.
impl std::fmt::Debug for NewAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccess")
            .field("user", &self.login.as_ref().map(|(user, _, scheme)| (user, scheme)))
            .field("cookies", &self.cookies.is_some())
            .field("proxy", &self.proxy.as_deref().map(haul_core::model::redact))
            .finish()
    }
}

impl NewAccess {
    /// Whether there is nothing to give.
    pub fn is_empty(&self) -> bool {
        self.login.is_none() && self.cookies.is_none() && self.proxy.is_none()
    }

    /// Gives the job its credentials, cookies and proxy.
    pub async fn apply(&self, client: &Client, job_id: JobId) -> Result<(), ClientError> {
        if let Some(login) = &self.login {
            client.set_credentials(job_id, Some(login.clone())).await?;
        }
        if let Some(cookies) = &self.cookies {
            client.set_cookies(job_id, cookies.clone()).await?;
        }
        if let Some(proxy) = &self.proxy {
            client.set_proxy(Some(job_id), proxy.clone()).await?;
        }
        Ok(())
    }
}

/// A download's headers and access, with any `Cookie:` header moved into its
/// cookies: a cookie is a secret, kept in the secret store with the job's
/// other cookies, never as a header in the service's database. The cookies
/// go to each of the download's hosts (as a browser sent them for that link).
pub fn cookies_kept_secret(download: &NewDownload) -> (JobChanges, NewAccess) {
    let mut settings = download.settings.clone();
    let mut access = download.access.clone();
    let Some(headers) = settings.custom_headers.take() else { return (settings, access) };
    let (cookies, others): (Vec<String>, Vec<String>) = headers
        .into_iter()
        .partition(|h| h.split_once(':').is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("cookie")));
    settings.custom_headers = Some(others);
    let pairs: Vec<(String, String)> = cookies
        .iter()
        .filter_map(|h| h.split_once(':').map(|(_, value)| value))
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .filter(|(name, _)| !name.is_empty() && !name.contains(['\t', '\n', '\r']))
        .filter(|(_, value)| !value.contains(['\t', '\n', '\r']))
        .collect();
    if pairs.is_empty() {
        return (settings, access);
    }
    let mut hosts: Vec<&str> = download.urls.iter().filter_map(|u| u.url().host_str()).collect();
    hosts.dedup();
    let mut text = access.cookies.take().unwrap_or_default();
    for host in hosts {
        for (name, value) in &pairs {
            // host only, any path, http and https, for the session.
            text.push_str(&format!("{host}\tFALSE\t/\tFALSE\t0\t{name}\t{value}\n"));
        }
    }
    access.cookies = Some(text);
    (settings, access)
}
