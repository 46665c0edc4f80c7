//! Speed limits: a token bucket that transfers draw from after each chunk,
//! changeable while they run (0 = unlimited).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The bucket holds at most this much time's worth of bytes (the burst).
const BURST: Duration = Duration::from_millis(100);

/// A shared token bucket.
#[derive(Debug)]
pub struct RateLimiter {
    rate: AtomicU64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// Tokens (bytes) available; negative is a debt to sleep off.
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// A limiter of `bytes_per_second` (0 = unlimited).
    pub fn new(bytes_per_second: u64) -> Self {
        RateLimiter {
            rate: AtomicU64::new(bytes_per_second),
            bucket: Mutex::new(Bucket { tokens: 0.0, last: Instant::now() }),
        }
    }

    /// Changes the rate; running transfers follow from their next chunk.
    pub fn set_rate(&self, bytes_per_second: u64) {
        self.rate.store(bytes_per_second, Ordering::Relaxed);
    }

    /// The rate (0 = unlimited).
    pub fn rate(&self) -> u64 {
        self.rate.load(Ordering::Relaxed)
    }

    /// Takes `bytes` from the bucket, sleeping off any debt.
    pub async fn take(&self, bytes: u64) {
        let rate = self.rate();
        if rate == 0 {
            return;
        }
        let wait = {
            let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let burst = rate as f64 * BURST.as_secs_f64();
            let refill = now.duration_since(bucket.last).as_secs_f64() * rate as f64;
            bucket.tokens = (bucket.tokens + refill).min(burst);
            bucket.last = now;
            bucket.tokens -= bytes as f64;
            if bucket.tokens >= 0.0 { Duration::ZERO } else { Duration::from_secs_f64(-bucket.tokens / rate as f64) }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait.min(Duration::from_secs(5))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_limited_bucket_paces_and_an_unlimited_one_does_not() {
        let limiter = RateLimiter::new(1000);
        let start = tokio::time::Instant::now();
        for _ in 0..10 {
            limiter.take(500).await;
        }
        // 5,000 bytes at 1,000 B/s: about 5 s (less the initial burst).
        assert!(start.elapsed() >= Duration::from_millis(4800), "{:?}", start.elapsed());
        limiter.set_rate(0);
        let again = tokio::time::Instant::now();
        limiter.take(1 << 30).await;
        assert_eq!(again.elapsed(), Duration::ZERO);
    }
}
