//! Who may use the aria2 endpoint: a random secret per user, kept in a 0600
//! file in the service's data folder, handed out over the Unix socket (whose
//! peer credentials say who asks), and the secret of a request names its user.

use crate::model::Caller;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Whether the endpoint is serving, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RpcStatus {
    /// Turned off (`--rpc-listen off`).
    Off,
    /// Not bound yet.
    Starting,
    /// Serving at this URL.
    Listening(String),
    /// Could not start: the sentence says why (e.g. the port is in use).
    Failed(String),
}

/// The secrets of the endpoint's users and its status; shared by the endpoint
/// and the socket's `get_rpc_info`.
pub struct RpcAccess {
    dir: PathBuf,
    system: bool,
    service_uid: u32,
    secrets: Mutex<HashMap<u32, String>>,
    status: Mutex<RpcStatus>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Only whole values are stored under these locks, so a poisoned one is intact.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl RpcAccess {
    /// Secrets kept under `data_dir`; in `system` mode one per user, else only
    /// the service's own user (`service_uid`) has one.
    pub fn new(data_dir: &Path, system: bool, service_uid: u32) -> RpcAccess {
        RpcAccess {
            dir: data_dir.join("rpc-secrets"),
            system,
            service_uid,
            secrets: Mutex::new(HashMap::new()),
            status: Mutex::new(RpcStatus::Starting),
        }
    }

    /// The endpoint's status.
    pub fn status(&self) -> RpcStatus {
        lock(&self.status).clone()
    }

    /// Sets the endpoint's status.
    pub fn set_status(&self, status: RpcStatus) {
        *lock(&self.status) = status;
    }

    /// The secret of `uid`, made on first use. In per-user mode only the
    /// service's user has one.
    pub fn secret_for(&self, uid: u32) -> Result<String, String> {
        if !self.system && uid != self.service_uid {
            return Err(format!("uid {uid} has no secret on this service: it serves uid {}", self.service_uid));
        }
        if let Some(secret) = lock(&self.secrets).get(&uid) {
            return Ok(secret.clone());
        }
        let secret = load_or_make(&self.dir, uid)?;
        lock(&self.secrets).insert(uid, secret.clone());
        Ok(secret)
    }

    /// The user a request's token (`token:SECRET`) names, if any. Never the
    /// administrator: the HTTP port acts as a user at most.
    pub fn caller_for(&self, token: &str) -> Option<Caller> {
        let secret = token.strip_prefix("token:")?;
        let uids: Vec<u32> = if self.system { self.known_uids() } else { vec![self.service_uid] };
        uids.into_iter().find_map(|uid| {
            let known = self.secret_for(uid).ok()?;
            same(known.as_bytes(), secret.as_bytes()).then_some(Caller { uid, pid: None, admin: false })
        })
    }

    /// Every uid with a secret file.
    fn known_uids(&self) -> Vec<u32> {
        let mut uids: Vec<u32> = lock(&self.secrets).keys().copied().collect();
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if let Some(uid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok())
                    && !uids.contains(&uid)
                {
                    uids.push(uid);
                }
            }
        }
        uids
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Reads `dir/uid`, or writes a new random secret there (0600, the folder 0700).
fn load_or_make(dir: &Path, uid: u32) -> Result<String, String> {
    let path = dir.join(uid.to_string());
    if let Ok(text) = std::fs::read_to_string(&path) {
        let secret = text.trim().to_string();
        if secret.len() >= 32 {
            return Ok(secret);
        }
        tracing::warn!("the RPC secret in {} is too short; making a new one", path.display());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    restrict(dir, 0o700)?;
    // Two v4 UUIDs: 244 random bits from the OS's generator.
    let secret = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let temp = dir.join(format!(".{uid}.new"));
    std::fs::write(&temp, &secret).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    restrict(&temp, 0o600)?;
    std::fs::rename(&temp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(secret)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot restrict {}: {e}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<(), String> {
    // The data folder lives in the user's profile, which only the user may read.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_made_once_kept_private_and_names_its_user() {
        let dir = tempfile::tempdir().expect("tempdir");
        let access = RpcAccess::new(dir.path(), false, 1000);
        let secret = access.secret_for(1000).expect("secret");
        assert_eq!(secret.len(), 64);
        assert_eq!(RpcAccess::new(dir.path(), false, 1000).secret_for(1000).as_ref(), Ok(&secret), "kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("rpc-secrets/1000")).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let caller = access.caller_for(&format!("token:{secret}")).expect("known");
        assert_eq!((caller.uid, caller.admin), (1000, false));
        assert!(access.caller_for(&format!("token:{secret}x")).is_none());
        assert!(access.caller_for(&secret).is_none(), "the token: prefix is required");
        assert!(access.secret_for(1001).is_err(), "a per-user service has one user");
    }

    #[test]
    fn in_system_mode_each_user_has_a_secret_and_none_is_the_administrator() {
        let dir = tempfile::tempdir().expect("tempdir");
        let access = RpcAccess::new(dir.path(), true, 0);
        let alice = access.secret_for(1000).expect("alice");
        let bob = access.secret_for(1001).expect("bob");
        let root = access.secret_for(0).expect("root");
        assert_ne!(alice, bob);
        assert_eq!(access.caller_for(&format!("token:{bob}")).map(|c| c.uid), Some(1001));
        let fresh = RpcAccess::new(dir.path(), true, 0);
        assert_eq!(fresh.caller_for(&format!("token:{alice}")).map(|c| c.uid), Some(1000), "found on disk");
        assert_eq!(fresh.caller_for(&format!("token:{root}")).map(|c| c.admin), Some(false));
    }
}
