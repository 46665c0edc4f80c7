//! Where the service keeps passwords and cookies: the desktop's keyring
//! (Secret Service over D-Bus on Linux, the Credential Manager on Windows), or,
//! only when asked for with `haul service --secrets-file`, a file readable by
//! its owner alone, outside the data folder. Never SQLite, logs or replies.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where secrets go.
#[derive(Clone, Debug, Default)]
pub enum SecretsConfig {
    /// The system keyring.
    #[default]
    Keyring,
    /// A file (created 0600) at this path.
    File(PathBuf),
}

/// Why a secret could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No keyring answered.
    #[error(
        "no system keyring is available to keep the password ({0}); start a keyring (GNOME Keyring, KWallet) \
         or start the service with --secrets-file PATH to keep secrets in a file only you can read"
    )]
    NoKeyring(String),
    /// The keyring refused (locked, prompt dismissed, …).
    #[error("the system keyring refused: {0}")]
    Keyring(String),
    /// The secrets file could not be read or written.
    #[error("the secrets file {path}: {detail}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
}

/// The service's secret store: a cloneable handle.
#[derive(Clone, Debug)]
pub struct SecretStore {
    config: SecretsConfig,
    /// Tells this service's secrets from another's in a shared keyring.
    scope: String,
    /// The file store's lock: one read-modify-write at a time.
    file_lock: Arc<tokio::sync::Mutex<()>>,
}

impl SecretStore {
    /// A store for the service whose database is `db_path`.
    pub fn new(config: SecretsConfig, db_path: &Path) -> SecretStore {
        let scope = db_path.parent().unwrap_or(db_path).to_string_lossy().into_owned();
        SecretStore { config, scope, file_lock: Arc::default() }
    }

    /// Keeps `value` under `key` (replacing what was there).
    pub async fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        match &self.config {
            SecretsConfig::Keyring => keyring::set(&self.scope, key, value).await,
            SecretsConfig::File(path) => {
                let _guard = self.file_lock.lock().await;
                let mut all = file::read(path)?;
                all.insert(self.scoped(key), value.to_string());
                file::write(path, &all)
            }
        }
    }

    /// The value under `key`, if any.
    pub async fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        match &self.config {
            SecretsConfig::Keyring => keyring::get(&self.scope, key).await,
            SecretsConfig::File(path) => {
                let _guard = self.file_lock.lock().await;
                Ok(file::read(path)?.remove(&self.scoped(key)))
            }
        }
    }

    /// Forgets `key` (nothing there is fine).
    pub async fn delete(&self, key: &str) -> Result<(), SecretError> {
        match &self.config {
            SecretsConfig::Keyring => keyring::delete(&self.scope, key).await,
            SecretsConfig::File(path) => {
                let _guard = self.file_lock.lock().await;
                let mut all = file::read(path)?;
                if all.remove(&self.scoped(key)).is_some() {
                    file::write(path, &all)?;
                }
                Ok(())
            }
        }
    }

    fn scoped(&self, key: &str) -> String {
        format!("{}\n{key}", self.scope)
    }
}

/// The key of a job's secret of `kind` (`password`, `cookies`, `proxy`).
pub fn job_key(job_id: crate::model::JobId, kind: &str) -> String {
    format!("job/{job_id}/{kind}")
}

/// The key of the service-wide proxy's password.
pub const GLOBAL_PROXY_KEY: &str = "proxy";

mod file {
    //! The opt-in file: one JSON object, written whole, 0600.
    use super::SecretError;
    use std::collections::BTreeMap;
    use std::io::Write;
    use std::path::Path;

    pub(super) fn read(path: &Path) -> Result<BTreeMap<String, String>, SecretError> {
        let failed = |detail: String| SecretError::File { path: path.to_path_buf(), detail };
        match std::fs::read(path) {
            Ok(bytes) if bytes.is_empty() => Ok(BTreeMap::new()),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| failed(format!("is not a secrets file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(failed(e.to_string())),
        }
    }

    pub(super) fn write(path: &Path, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let failed = |e: std::io::Error| SecretError::File { path: path.to_path_buf(), detail: e.to_string() };
        let temp = path.with_extension("new");
        let text = serde_json::to_vec(all).map_err(|e| failed(std::io::Error::other(e)))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = options.open(&temp).map_err(failed)?;
        out.write_all(&text).and_then(|()| out.sync_all()).map_err(failed)?;
        std::fs::rename(&temp, path).map_err(failed)
    }
}

#[cfg(unix)]
mod keyring {
    //! Secret Service (GNOME Keyring, KWallet, KeePassXC) on the session bus.
    use super::SecretError;
    use secret_service::{EncryptionType, Error, SecretService};
    use std::collections::HashMap;

    fn attributes<'a>(scope: &'a str, key: &'a str) -> HashMap<&'a str, &'a str> {
        HashMap::from([("application", "haul"), ("haul_data", scope), ("haul_key", key)])
    }

    async fn connect() -> Result<SecretService<'static>, SecretError> {
        SecretService::connect(EncryptionType::Dh).await.map_err(|e| SecretError::NoKeyring(e.to_string()))
    }

    fn refused(e: Error) -> SecretError {
        match e {
            Error::Unavailable => SecretError::NoKeyring(e.to_string()),
            other => SecretError::Keyring(other.to_string()),
        }
    }

    pub(super) async fn set(scope: &str, key: &str, value: &str) -> Result<(), SecretError> {
        let service = connect().await?;
        let collection = service.get_default_collection().await.map_err(refused)?;
        collection.ensure_unlocked().await.map_err(refused)?;
        let label = format!("Haul: {key}");
        collection
            .create_item(&label, attributes(scope, key), value.as_bytes(), true, "text/plain")
            .await
            .map_err(refused)?;
        Ok(())
    }

    pub(super) async fn get(scope: &str, key: &str) -> Result<Option<String>, SecretError> {
        let service = connect().await?;
        let found = service.search_items(attributes(scope, key)).await.map_err(refused)?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock().await.map_err(refused)?;
                item
            }
            (None, None) => return Ok(None),
        };
        let secret = item.get_secret().await.map_err(refused)?;
        String::from_utf8(secret).map(Some).map_err(|_| SecretError::Keyring(format!("the secret {key} is not text")))
    }

    pub(super) async fn delete(scope: &str, key: &str) -> Result<(), SecretError> {
        let service = connect().await?;
        let found = service.search_items(attributes(scope, key)).await.map_err(refused)?;
        for item in found.unlocked.iter().chain(&found.locked) {
            item.delete().await.map_err(refused)?;
        }
        Ok(())
    }
}

#[cfg(windows)]
mod keyring {
    //! The Credential Manager, through the keyring crate (blocking calls, off the runtime's thread).
    use super::SecretError;

    fn entry(scope: &str, key: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&format!("haul:{scope}"), key).map_err(|e| SecretError::Keyring(e.to_string()))
    }

    async fn blocking<T: Send + 'static>(
        f: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
    ) -> Result<T, SecretError> {
        tokio::task::spawn_blocking(f).await.map_err(|e| SecretError::Keyring(e.to_string()))?
    }

    pub(super) async fn set(scope: &str, key: &str, value: &str) -> Result<(), SecretError> {
        let (scope, key, value) = (scope.to_string(), key.to_string(), value.to_string());
        blocking(move || entry(&scope, &key)?.set_password(&value).map_err(|e| SecretError::Keyring(e.to_string())))
            .await
    }

    pub(super) async fn get(scope: &str, key: &str) -> Result<Option<String>, SecretError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        blocking(move || match entry(&scope, &key)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        })
        .await
    }

    pub(super) async fn delete(scope: &str, key: &str) -> Result<(), SecretError> {
        let (scope, key) = (scope.to_string(), key.to_string());
        blocking(move || match entry(&scope, &key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError::Keyring(e.to_string())),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[tokio::test]
    async fn the_file_store_keeps_secrets_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secrets.json");
        let store = SecretStore::new(SecretsConfig::File(path.clone()), &dir.path().join("data/haul.db"));
        store.set("job/1/password", "hunter2").await.expect("set");
        assert_eq!(store.get("job/1/password").await.expect("get").as_deref(), Some("hunter2"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        store.delete("job/1/password").await.expect("delete");
        assert_eq!(store.get("job/1/password").await.expect("get"), None);
        let _: BTreeMap<String, String> = file::read(&path).expect("still readable");
    }
}
