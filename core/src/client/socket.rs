//! The Unix transport: a connection to the service's socket (`pipe.rs` on Windows).

use std::path::Path;
use tokio::net::UnixStream;

/// The read half the reader task owns.
pub(super) type ReadHalf = tokio::net::unix::OwnedReadHalf;
/// The write half the writer task owns.
pub(super) type WriteHalf = tokio::net::unix::OwnedWriteHalf;

/// Connects to the socket at `path`.
pub(super) async fn connect(path: &Path) -> std::io::Result<(ReadHalf, WriteHalf)> {
    Ok(UnixStream::connect(path).await?.into_split())
}
