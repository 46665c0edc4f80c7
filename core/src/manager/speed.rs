//! Transfer speed, smoothed over the last few seconds.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(3);
const SAMPLE_EVERY: Duration = Duration::from_millis(200);

/// Samples of (time, bytes so far), for a speed over a sliding window.
#[derive(Default)]
pub struct SpeedMeter {
    samples: VecDeque<(Instant, u64)>,
}

impl SpeedMeter {
    /// A meter with no samples.
    pub const fn new() -> SpeedMeter {
        SpeedMeter { samples: VecDeque::new() }
    }

    /// Records that `total` bytes have been received so far.
    pub fn record(&mut self, total: u64) {
        let now = Instant::now();
        if self.samples.back().is_some_and(|(t, _)| now.duration_since(*t) < SAMPLE_EVERY) {
            if let Some(last) = self.samples.back_mut() {
                last.1 = total;
            }
            return;
        }
        self.samples.push_back((now, total));
        while self.samples.len() > 2 && self.samples.front().is_some_and(|(t, _)| now.duration_since(*t) > WINDOW) {
            self.samples.pop_front();
        }
    }

    /// Bytes per second over the window; 0 when idle.
    pub fn bytes_per_second(&self) -> f64 {
        let (Some((t0, b0)), Some((t1, b1))) = (self.samples.front(), self.samples.back()) else {
            return 0.0;
        };
        if t1.elapsed() > WINDOW {
            return 0.0;
        }
        let seconds = t1.duration_since(*t0).as_secs_f64();
        if seconds < 0.05 {
            return 0.0;
        }
        b1.saturating_sub(*b0) as f64 / seconds
    }

    /// Forgets the samples (the transfer stopped or restarted).
    pub fn reset(&mut self) {
        self.samples.clear();
    }
}
