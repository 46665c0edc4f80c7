//! Where a split file's extra connections run (the transfer threads), and
//! the fence that stops them writing once the file's transfer has ended.

use super::TransferError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use tokio::runtime::{Builder, Handle, Runtime};

/// The transfer threads: a runtime of their own (a worker per core) where
/// files are fetched (each file's task, and the extra connections of split
/// files); the service answers its clients and keeps its store on its own
/// thread. A file's connections read the sockets and write the file, which
/// every core can share. Started by the first download; falls back to the
/// caller's runtime if the threads cannot be started.
pub fn transfer_threads() -> Handle {
    static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        let threads = cores().clamp(2, 8);
        let built =
            Builder::new_multi_thread().worker_threads(threads).thread_name("haul-transfer").enable_all().build();
        built.inspect_err(|e| tracing::warn!("cannot start the transfer threads: {e}")).ok()
    });
    runtime.as_ref().map_or_else(Handle::current, |runtime| runtime.handle().clone())
}

/// The machine's cores (as the process may use them).
pub(super) fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Stops a split file's connections writing: once [`Fence::close`] has
/// returned, none of them writes to the file again, not even one that is
/// still running on a transfer thread (aborting a task takes effect only at
/// its next await). A resumed or restarted transfer of the file may then
/// write without old bytes landing after its own.
///
/// Writes may also take turns (over TLS, or when the server caps each
/// connection and the file has more connections than there are cores: see
/// [`writers_take_turns`]). The file system writes one
/// file's buffered bytes one writer at a time anyway (ext4 holds the inode's
/// lock), and a writer waiting in the kernel spins: 16 % of the service's CPU
/// with 32 throttled connections (turns: 9 % less CPU, same speed). One
/// waiting here sleeps. An uncapped plain HTTP transfer is bound by the
/// CPU, and the spinning waiter gets on faster (2 GiB over 4 connections: ~1,430 vs
/// ~1,200 MiB/s with turns).
#[derive(Default)]
pub(super) struct Fence {
    closed: RwLock<bool>,
    turns: Mutex<()>,
    turns_on: AtomicBool,
}

impl Fence {
    /// Runs `write` unless the fence is closed.
    pub(super) fn write(&self, write: impl FnOnce() -> Result<(), TransferError>) -> Result<(), TransferError> {
        let _turn =
            self.turns_on.load(Ordering::Relaxed).then(|| self.turns.lock().unwrap_or_else(PoisonError::into_inner));
        let closed = self.closed.read().unwrap_or_else(PoisonError::into_inner);
        if *closed {
            return Err(TransferError::Stopped);
        }
        write()
    }

    /// Whether writes take turns from now on.
    pub(super) fn take_turns(&self, on: bool) {
        self.turns_on.store(on, Ordering::Relaxed);
    }

    /// Waits for a write in progress, and lets no other start.
    pub(super) fn close(&self) {
        *self.closed.write().unwrap_or_else(PoisonError::into_inner) = true;
    }
}

/// Closes the fence when `run` returns or is dropped.
pub(super) struct CloseOnDrop(pub(super) Arc<Fence>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Whether `connections` writing one file take turns (see [`Fence`]): when a
/// writer waiting in the kernel would spin for nothing. Over TLS, each
/// connection decrypts between its writes, so one that sleeps while another
/// writes costs no speed, and spinning took ~10 % of the CPU the download
/// needed (1 GiB over 4 connections: 1.33 against 1.49 CPU s, same time).
/// Plain and uncapped, the spinning writer gets on faster; plain and capped,
/// only with more connections than cores.
pub(super) fn writers_take_turns(encrypted: bool, capped: bool, connections: usize) -> bool {
    connections > 1 && (encrypted || (capped && connections > cores()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn once_the_fence_is_closed_no_write_starts_and_a_running_one_is_waited_for() {
        let fence = Arc::new(Fence::default());
        let writing = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicBool::new(false));
        let writer = {
            let (fence, writing, finished) = (fence.clone(), writing.clone(), finished.clone());
            std::thread::spawn(move || {
                fence.write(|| {
                    writing.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(200));
                    finished.store(true, Ordering::SeqCst);
                    Ok(())
                })
            })
        };
        for _ in 0..1000 {
            if writing.load(Ordering::SeqCst) {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(writing.load(Ordering::SeqCst), "the writer started");
        fence.close();
        assert!(finished.load(Ordering::SeqCst), "close returned before the write in progress ended");
        assert!(writer.join().expect("writer").is_ok());
        let mut ran = false;
        let after = fence.write(|| {
            ran = true;
            Ok(())
        });
        assert!(matches!(after, Err(TransferError::Stopped)) && !ran, "a write after close ran");
    }

    #[test]
    fn with_turns_on_no_two_writes_overlap() {
        let fence = Arc::new(Fence::default());
        fence.take_turns(true);
        let inside = Arc::new(AtomicBool::new(false));
        let overlaps = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (fence, inside, overlaps) = (fence.clone(), inside.clone(), overlaps.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let result = fence.write(|| {
                            if inside.swap(true, Ordering::SeqCst) {
                                overlaps.fetch_add(1, Ordering::SeqCst);
                            }
                            std::thread::sleep(Duration::from_millis(1));
                            inside.store(false, Ordering::SeqCst);
                            Ok(())
                        });
                        assert!(result.is_ok());
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        assert_eq!(overlaps.load(Ordering::SeqCst), 0, "two writes ran at once");
    }

    #[test]
    fn writers_take_turns_over_tls_and_when_capped_beyond_the_cores() {
        let many = cores() + 1;
        for (encrypted, capped, connections, turns) in [
            (true, false, 1, false),
            (true, false, 2, true),
            (true, true, many, true),
            (false, false, 32, false),
            (false, true, cores(), false),
            (false, true, many, true),
        ] {
            assert_eq!(writers_take_turns(encrypted, capped, connections), turns, "{encrypted} {capped} {connections}");
        }
    }
}
