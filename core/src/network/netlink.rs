//! Linux without NetworkManager: a netlink socket subscribed to the kernel's
//! link, address and route changes; at the start and after each burst of
//! changes the route tables are read again (`routes`), so the messages
//! themselves need no parsing. rustix's safe netlink socket, already a
//! dependency, does what `netlink-sys` would.

use super::routes;
use super::watch::publish;
use crate::model::NetworkStatus;
use rustix::io::Errno;
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::sockopt::Timeout;
use rustix::net::{AddressFamily, RecvFlags, SocketFlags, SocketType};
use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// `RTMGRP_LINK`: interfaces coming and going, up and down.
const RTMGRP_LINK: u32 = 0x1;
/// `RTMGRP_IPV4_IFADDR`.
const RTMGRP_IPV4_IFADDR: u32 = 0x10;
/// `RTMGRP_IPV4_ROUTE`.
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
/// `RTMGRP_IPV6_IFADDR`.
const RTMGRP_IPV6_IFADDR: u32 = 0x100;
/// `RTMGRP_IPV6_ROUTE`.
const RTMGRP_IPV6_ROUTE: u32 = 0x400;
/// Every group Haul listens to.
const GROUPS: u32 = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE;

/// How often the reading thread looks whether it is still wanted.
const STILL_WANTED_EVERY: Duration = Duration::from_secs(1);

/// The kernel's announcements of changes to links, addresses and routes: a
/// route-netlink socket read on a thread of its own (tokio's `AsyncFd` needs
/// `unsafe` now, which this crate denies), one wake-up per burst.
pub struct Changes {
    woken: mpsc::Receiver<()>,
}

impl Changes {
    /// Subscribes; fails where netlink is not allowed (some sandboxes). The
    /// thread ends within a second of this being dropped.
    pub fn open() -> std::io::Result<Changes> {
        // `None`: NETLINK_ROUTE, the default netlink protocol.
        let fd = rustix::net::socket_with(AddressFamily::NETLINK, SocketType::RAW, SocketFlags::CLOEXEC, None)?;
        rustix::net::bind(&fd, &SocketAddrNetlink::new(0, GROUPS))?;
        rustix::net::sockopt::set_socket_timeout(&fd, Timeout::Recv, Some(STILL_WANTED_EVERY))?;
        let (wake, woken) = mpsc::channel(1);
        std::thread::Builder::new().name("haul-netlink".into()).spawn(move || read(&fd, &wake))?;
        Ok(Changes { woken })
    }

    /// Waits for the next change. A burst (a new address brings several
    /// messages) wakes this once or twice, not once per message.
    pub async fn next(&mut self) -> std::io::Result<()> {
        self.woken.recv().await.ok_or_else(|| std::io::Error::other("the netlink reader stopped"))
    }
}

/// Reads announcements until the receiver is gone or the socket fails. A
/// receive queue that overflowed (`ENOBUFS`) also counts as a change:
/// something happened, and the tables say what.
fn read(fd: &OwnedFd, wake: &mpsc::Sender<()>) {
    let mut buffer = vec![0u8; 16 << 10];
    while !wake.is_closed() {
        match rustix::net::recv(fd, &mut buffer[..], RecvFlags::empty()) {
            Ok(_) | Err(Errno::NOBUFS) => {
                // Full: a wake-up is already waiting, which covers this one.
                let _ = wake.try_send(());
            }
            Err(Errno::AGAIN | Errno::INTR) => {}
            Err(e) => {
                tracing::info!("reading netlink's announcements failed: {e}");
                return;
            }
        }
    }
}

/// Publishes the route tables' state now (and tells `first`), then again
/// after each change; returns only if the socket fails.
pub async fn follow(changes: &mut Changes, tx: &watch::Sender<NetworkStatus>, first: &Notify) -> std::io::Result<()> {
    publish(tx, routes::read_status());
    first.notify_one();
    loop {
        changes.next().await?;
        publish(tx, routes::read_status());
    }
}
