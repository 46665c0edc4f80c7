//! The accept loop: one task per connection, a bound on connections, and a
//! stop token that ends them all.

use super::connection;
use super::transport::{Listener, Stream};
use crate::Manager;
use crate::aria2::Endpoint;
use crate::protocol::{RpcError, encode_error};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Connections served at once; more are refused with limit_exceeded.
pub const MAX_CONNECTIONS: usize = 512;
/// How long `serve` waits for connections to wind down after the stop.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts a live connection while it exists.
struct Live(Arc<AtomicUsize>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Serves `manager` on `listener` until `stop` is cancelled (by the caller, or
/// by an allowed `shutdown` request), then closes every connection and returns.
/// Does not shut the manager down.
pub async fn serve(manager: Manager, listener: Listener, stop: CancellationToken) {
    serve_with_rpc(manager, listener, stop, None).await;
}

/// Like [`serve`], with the aria2 endpoint (`get_rpc_info`, `set_rpc_listen`).
pub async fn serve_with_rpc(manager: Manager, listener: Listener, stop: CancellationToken, rpc: Option<Arc<Endpoint>>) {
    let tracker = TaskTracker::new();
    let live = Arc::new(AtomicUsize::new(0));
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                if live.fetch_add(1, Ordering::Relaxed) >= MAX_CONNECTIONS {
                    live.fetch_sub(1, Ordering::Relaxed);
                    tracker.spawn(refuse(stream));
                    continue;
                }
                let guard = Live(live.clone());
                let (manager, stop, rpc) = (manager.clone(), stop.clone(), rpc.clone());
                tracker.spawn(async move {
                    connection::run(manager, stream, stop, rpc).await;
                    drop(guard);
                });
            }
            Err(e) => {
                // Usually out of file descriptors: wait for some to be freed.
                tracing::warn!("cannot accept a connection: {e}");
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            }
        }
    }
    drop(listener);
    tracker.close();
    if tokio::time::timeout(CLOSE_TIMEOUT, tracker.wait()).await.is_err() {
        tracing::warn!("some connections did not close within {CLOSE_TIMEOUT:?}");
    }
}

/// Tells a client over the connection limit why, then hangs up.
async fn refuse(mut stream: Stream) {
    let error =
        RpcError::limit_exceeded(format!("too many connections: the service serves at most {MAX_CONNECTIONS} at once"));
    let line = encode_error(None, &error) + "\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(line.as_bytes())).await;
}
