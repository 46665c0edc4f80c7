//! A job's way in: its credentials and cookies (secrets in the secret store,
//! only their non-secret half on the job) and the proxy its requests go
//! through; and, when a transfer starts, all of it read back into what the
//! engine sends.

use super::api::view;
use super::apply::Files;
use super::{Manager, State};
use crate::engine::{self, Access, CookieJar, Login, ProxySetup, TransferError};
use crate::error::Error;
use crate::model::{AuthScheme, Caller, Credentials, Job, JobId, ProxyChoice};
use crate::secrets::{GLOBAL_PROXY_KEY, job_key};
use chrono::Utc;
use std::sync::Arc;

/// The longest user name, password or cookies file a job takes.
const MAX_SECRET: usize = 1 << 20;

/// What a transfer of one job works with.
pub(super) struct Prepared {
    /// The clients for the job's proxy.
    pub clients: engine::Clients,
    /// Its credentials and cookies.
    pub access: Arc<Access>,
    /// The text of `~/.netrc`, when the job has no credentials of its own.
    pub netrc: Option<String>,
}

impl Prepared {
    /// What the requests for a file at `url` carry: the job's login, else the
    /// `.netrc` entry for the URL's host.
    pub fn access_for(&self, url: &str) -> Arc<Access> {
        if self.access.login.is_some() {
            return self.access.clone();
        }
        // Without a `.netrc` there is no host to look up (a URL parsed per file is a cost in a job of many).
        let Some(netrc) = self.netrc.as_deref() else { return self.access.clone() };
        let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string));
        let login = host.and_then(|host| engine::netrc_lookup(netrc, &host));
        match login {
            Some((user, password)) => Arc::new(Access {
                login: Some(Login { user, password, scheme: AuthScheme::Any }),
                cookies: self.access.cookies.clone(),
            }),
            None => self.access.clone(),
        }
    }
}

impl Manager {
    /// Sets (or, with `None`, removes) the job's server credentials (BITS's
    /// `SetCredentials` / `RemoveCredentials` for the server target): the
    /// password goes to the secret store, the user name and scheme on the job.
    pub async fn set_credentials(
        &self,
        caller: &Caller,
        job_id: JobId,
        login: Option<(String, String, AuthScheme)>,
    ) -> Result<Job, Error> {
        self.live_entry(&self.lock(), caller, job_id)?;
        let key = job_key(job_id, "password");
        let credentials = match login {
            Some((user_name, password, scheme)) => {
                check_user_name(&user_name)?;
                if password.len() > MAX_SECRET || password.chars().any(|c| c == '\0') {
                    return Err(Error::InvalidArgument("the password is too long or holds a NUL character".into()));
                }
                self.inner.secrets.set(&key, &password).await?;
                Some(Credentials { user_name, scheme })
            }
            None => {
                self.inner.secrets.delete(&key).await?;
                None
            }
        };
        self.change_job(caller, job_id, |job| job.credentials = credentials.map(Box::new))
    }

    /// Sets the cookies a job sends from the text of a Netscape cookies.txt
    /// (empty: none); the text goes to the secret store.
    pub async fn set_cookies(&self, caller: &Caller, job_id: JobId, text: &str) -> Result<Job, Error> {
        self.live_entry(&self.lock(), caller, job_id)?;
        if text.len() > MAX_SECRET {
            return Err(Error::InvalidArgument(format!("the cookies file is larger than {MAX_SECRET} bytes")));
        }
        let jar = CookieJar::parse(text).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let key = job_key(job_id, "cookies");
        match jar.is_empty() {
            true => self.inner.secrets.delete(&key).await?,
            false => self.inner.secrets.set(&key, text).await?,
        }
        self.change_job(caller, job_id, |job| job.cookies = !jar.is_empty())
    }

    /// Sets the proxy of a job (`Some(job)`) or of the service (`None`) from
    /// `none`, `system` or a URL; a password in the URL goes to the secret
    /// store. Returns the choice as it is kept (without password).
    pub async fn set_proxy(&self, caller: &Caller, job_id: Option<JobId>, text: &str) -> Result<ProxyChoice, Error> {
        let (choice, password) = ProxyChoice::parse(text)?;
        let key = match job_id {
            Some(job_id) => {
                self.live_entry(&self.lock(), caller, job_id)?;
                job_key(job_id, "proxy")
            }
            None => {
                if !caller.admin && caller.uid != crate::users::service_uid() {
                    return Err(Error::AccessDenied(format!(
                        "uid {} may not change the service's proxy; only an administrator or the service's user may",
                        caller.uid
                    )));
                }
                GLOBAL_PROXY_KEY.to_string()
            }
        };
        match &password {
            Some(password) => self.inner.secrets.set(&key, password).await?,
            None => self.inner.secrets.delete(&key).await?,
        }
        match job_id {
            Some(job_id) => {
                let kept = choice.clone();
                self.change_job(caller, job_id, |job| job.proxy = Some(kept))?;
            }
            None => {
                let mut state = self.lock();
                state.proxy = choice.clone();
                self.save_settings(&state);
            }
        }
        tracing::info!("proxy of {}: {choice}", job_id.map_or("the service".to_string(), |id| format!("job {id}")));
        Ok(choice)
    }

    /// The service's proxy.
    pub fn proxy(&self) -> ProxyChoice {
        self.lock().proxy.clone()
    }

    /// Changes a live job with `change`, saves and journals it.
    fn change_job(&self, caller: &Caller, job_id: JobId, change: impl FnOnce(&mut Job)) -> Result<Job, Error> {
        let mut state = self.lock();
        self.live_entry(&state, caller, job_id)?;
        let Some(entry) = state.jobs.get_mut(&job_id) else {
            return Err(Error::NotFound(job_id.to_string()));
        };
        change(&mut entry.job);
        entry.job.times.modified = Utc::now();
        let job = view(entry);
        self.save(&mut state, job_id, Files::None)?;
        self.journal_modified(&mut state, job_id, None);
        Ok(job)
    }

    /// Forgets a job's secrets (after `take_ownership` or `forget_job`), if
    /// it has any; a failure is logged, not returned.
    pub(super) fn drop_secrets(&self, job: &Job) {
        let has_secrets =
            job.credentials.is_some() || job.cookies || job.proxy.as_ref().is_some_and(|p| p.user_name().is_some());
        if !has_secrets {
            return;
        }
        let job_id = job.id;
        let secrets = self.inner.secrets.clone();
        self.inner.tracker.spawn(async move {
            for kind in ["password", "cookies", "proxy"] {
                if let Err(e) = secrets.delete(&job_key(job_id, kind)).await {
                    tracing::warn!("job {job_id}: cannot remove its {kind} from the secret store: {e}");
                }
            }
        });
    }

    /// Reads what a transfer of `job_id` needs from the secret store, and the
    /// clients for its proxy.
    pub(super) async fn prepare(&self, job_id: JobId) -> Result<Prepared, TransferError> {
        let (job, global) = {
            let state: std::sync::MutexGuard<'_, State> = self.lock();
            let Some(entry) = state.jobs.get(&job_id) else { return Err(TransferError::Stopped) };
            (entry.job.clone(), state.proxy.clone())
        };
        let secrets = &self.inner.secrets;
        let unreadable = |what: &str, e: crate::secrets::SecretError| {
            TransferError::Secrets(format!("cannot read the {what} of job {job_id}: {e}"))
        };
        let (choice, key) = match &job.proxy {
            Some(choice) => (choice.clone(), job_key(job_id, "proxy")),
            None => (global, GLOBAL_PROXY_KEY.to_string()),
        };
        let setup = match choice {
            ProxyChoice::None => ProxySetup::None,
            ProxyChoice::System => ProxySetup::System,
            ProxyChoice::Manual(proxy) => {
                let mut url = proxy.url().clone();
                if !url.username().is_empty()
                    && let Some(password) = secrets.get(&key).await.map_err(|e| unreadable("proxy password", e))?
                {
                    let _ = url.set_password(Some(&password));
                }
                ProxySetup::Manual(url)
            }
        };
        let clients = self.clients_for(setup).map_err(|e| TransferError::Proxy {
            proxy: "set".into(),
            detail: format!("cannot be used: {e}"),
            code: "proxy_refused",
        })?;
        let login = match &job.credentials {
            Some(credentials) => {
                let password =
                    secrets.get(&job_key(job_id, "password")).await.map_err(|e| unreadable("password", e))?;
                let Some(password) = password else {
                    return Err(TransferError::Secrets(format!(
                        "the password of job {job_id} is no longer in the secret store; give it again (haul set {job_id} --user {})",
                        credentials.user_name
                    )));
                };
                Some(Login { user: credentials.user_name.clone(), password, scheme: credentials.scheme })
            }
            None => None,
        };
        let cookies = match job.cookies {
            true => {
                let text = secrets.get(&job_key(job_id, "cookies")).await.map_err(|e| unreadable("cookies", e))?;
                let text = text.unwrap_or_default();
                Some(CookieJar::parse(&text).map_err(|e| TransferError::Secrets(format!("job {job_id}: {e}")))?)
            }
            false => None,
        };
        let netrc = match login {
            Some(_) => None,
            None => read_netrc(),
        };
        Ok(Prepared { clients, access: Arc::new(Access { login, cookies }), netrc })
    }

    /// The clients whose connections go as `setup` says.
    fn clients_for(&self, setup: ProxySetup) -> Result<engine::Clients, engine::ClientError> {
        if setup == ProxySetup::System {
            return Ok(self.inner.client.clone());
        }
        let mut cache = self.inner.proxied_clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(clients) = cache.get(&setup) {
            return Ok(clients.clone());
        }
        let clients = self.inner.client.via(self.inner.config.read_timeout, &setup)?;
        // Old proxies' clients are dropped once a few pile up (a changed password, say).
        if cache.len() >= 8 {
            cache.clear();
        }
        cache.insert(setup, clients.clone());
        Ok(clients)
    }

    /// The reqwest client for the service's proxy (for `probe_url`).
    pub(super) fn global_client(&self) -> reqwest::Client {
        let setup = match self.proxy() {
            ProxyChoice::None => ProxySetup::None,
            ProxyChoice::System => ProxySetup::System,
            // The proxy's password is in the secret store; a probe goes without it.
            ProxyChoice::Manual(proxy) => ProxySetup::Manual(proxy.url().clone()),
        };
        self.clients_for(setup).map(|c| c.main).unwrap_or_else(|_| self.inner.client.main.clone())
    }
}

/// `~/.netrc` (or `_netrc`) of the service's user, as curl and wget find it.
fn read_netrc() -> Option<String> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    let dir = std::path::PathBuf::from(home);
    [".netrc", "_netrc"].iter().find_map(|name| std::fs::read_to_string(dir.join(name)).ok())
}

/// A user name: not empty, no `:` (Basic cannot carry it), no control characters.
fn check_user_name(user: &str) -> Result<(), Error> {
    if user.is_empty() {
        return Err(Error::InvalidArgument("the user name is empty".into()));
    }
    if user.len() > 1024 || user.contains(':') || user.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(
            "the user name may not hold ':' or control characters, nor be longer than 1024 bytes".into(),
        ));
    }
    Ok(())
}
