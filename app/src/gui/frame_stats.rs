//! An opt-in frame timer for the benchmark (`bench/README.md`): with `HAUL_FRAME_STATS=PATH` the
//! window redraws without pause and, every second, replaces PATH with one line about the frames
//! of that second: the job rows, the frame count, the median, p95 and longest frame interval.

use eframe::egui;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the file is rewritten (and the figures restart).
const PERIOD: Duration = Duration::from_secs(1);

/// Frame intervals since the last write.
pub struct FrameStats {
    path: PathBuf,
    previous: Option<Instant>,
    since: Instant,
    rows: usize,
    intervals_ms: Vec<f64>,
}

impl FrameStats {
    /// The timer, when `HAUL_FRAME_STATS` names a file.
    pub fn from_env() -> Option<FrameStats> {
        let path = std::env::var_os("HAUL_FRAME_STATS").filter(|p| !p.is_empty())?;
        Some(FrameStats { path: path.into(), previous: None, since: Instant::now(), rows: 0, intervals_ms: Vec::new() })
    }

    /// Called at the start of every frame with the number of job rows; asks for the next frame.
    pub fn frame(&mut self, ctx: &egui::Context, rows: usize) {
        let now = Instant::now();
        if rows != self.rows {
            // Each line describes frames drawn over one number of rows.
            self.rows = rows;
            self.intervals_ms.clear();
            self.since = now;
        } else if let Some(previous) = self.previous {
            self.intervals_ms.push((now - previous).as_secs_f64() * 1e3);
        }
        self.previous = Some(now);
        if now - self.since >= PERIOD && !self.intervals_ms.is_empty() {
            self.write();
            self.intervals_ms.clear();
            self.since = now;
        }
        ctx.request_repaint();
    }

    fn write(&mut self) {
        self.intervals_ms.sort_by(f64::total_cmp);
        let at = |q: f64| self.intervals_ms[((self.intervals_ms.len() - 1) as f64 * q).round() as usize];
        let line = format!(
            "rows={} frames={} median_ms={:.2} p95_ms={:.2} max_ms={:.2}\n",
            self.rows,
            self.intervals_ms.len(),
            at(0.5),
            at(0.95),
            at(1.0)
        );
        let temp = self.path.with_extension("tmp");
        // A measurement aid only: a failed write is left for the reader to notice.
        if std::fs::write(&temp, line).is_ok() {
            let _ = std::fs::rename(&temp, &self.path);
        }
    }
}
