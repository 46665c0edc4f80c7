//! Who is asking: taken from the OS (socket peer credentials), never from a message.

use serde::{Deserialize, Serialize};

/// The identity of a client, as the operating system reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The user id of the peer.
    pub uid: u32,
    /// The process id of the peer, when known.
    pub pid: Option<u32>,
    /// Whether the peer is the administrator (uid 0).
    pub admin: bool,
}

impl Caller {
    /// A caller with the given uid; uid 0 is the administrator.
    pub fn from_uid(uid: u32, pid: Option<u32>) -> Self {
        Caller { uid, pid, admin: uid == 0 }
    }
}
