//! How many connections a split file uses: a pure state machine fed with what
//! `segments` measures (time, bytes written, connections running, failures).

use std::time::Duration;

/// How often the connection count is looked at.
pub(super) const TICK: Duration = Duration::from_millis(25);
/// How long the first connection runs alone before the count is chosen.
const PROBE: Duration = Duration::from_millis(50);
/// The aggregate speed of a connection count is its average over this long
/// (one tick's sample is too noisy to decide on).
const WINDOW: Duration = Duration::from_millis(50);
/// A single connection this fast means the server does not cap connections:
/// a second one helps a little, more only cost CPU.
const FAST_SINGLE_BPS: f64 = 256.0 * 1024.0 * 1024.0;
/// A split of this many connections or more (the maximum's, if lower) was
/// chosen because each connection is capped: a resumed one is taken as capped.
const CAPPED_SPLIT: usize = 16;
/// More connections must raise the aggregate speed by this factor to continue.
const GAIN: f64 = 1.2;
/// When the aggregate grew at least this fraction of linearly with the
/// connections (each one is capped by the server), go to the maximum at once.
const LINEAR: f64 = 0.75;
/// Failed connections (in a row, without a finished range, none other left
/// running) before the file fails.
const MAX_FAILURES: u32 = 8;

/// What `segments` sees at a tick.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sample {
    /// Time since the file's connections started (the ramp's clock).
    pub at: Duration,
    /// Bytes written by all connections so far.
    pub written: u64,
    /// Connections running now.
    pub running: usize,
    /// Whether every connection started so far has had its answer.
    pub all_answered: bool,
}

/// The connection count of one split file: it grows while the aggregate speed
/// rises and stops (or shrinks) when the server refuses connections.
#[derive(Debug)]
pub(super) struct Ramp {
    max: usize,
    target: usize,
    growing: bool,
    best_speed: f64,
    /// Connections running while `best_speed` was measured.
    best_count: usize,
    /// One connection was slow: the server (or the path) caps each connection.
    capped: bool,
    /// A fast single connection is measured a second time, past its warm-up.
    warmed: bool,
    stalls: u32,
    failures: u32,
    /// Resumed at a count it had: the first window measures it, to compare more with.
    resuming: bool,
    /// Since when (and from how many bytes) the current count has been measured.
    window: (Duration, u64),
}

impl Ramp {
    /// One connection, at time zero with nothing written; never more than `max`.
    pub fn new(max: usize) -> Ramp {
        Ramp {
            max: max.max(1),
            target: 1,
            growing: true,
            best_speed: 0.0,
            best_count: 1,
            capped: false,
            warmed: false,
            stalls: 0,
            failures: 0,
            resuming: false,
            window: (Duration::ZERO, 0),
        }
    }

    /// A file resumed with `gaps` ranges missing, each the rest of a range a
    /// connection was fetching when it stopped: as many connections go back
    /// at once, rather than through the ramp again. From there it grows as
    /// after any count it chose (a doubling is tried, kept if it pays).
    pub fn resumed(max: usize, gaps: usize) -> Ramp {
        let mut ramp = Ramp::new(max);
        let count = gaps.clamp(1, ramp.max);
        if count > 1 {
            ramp.target = count;
            ramp.best_count = count;
            // A split settles this high only when each connection is capped.
            ramp.capped = gaps >= CAPPED_SPLIT.min(ramp.max);
            ramp.growing = count < ramp.max;
            ramp.resuming = true;
        }
        ramp
    }

    /// How many connections should run.
    pub fn target(&self) -> usize {
        self.target
    }

    /// Whether one connection was slow (the server caps each): then the
    /// connections' writes take turns when they outnumber the cores.
    pub fn capped(&self) -> bool {
        self.capped
    }

    /// A connection finished its range: the failures in a row start over.
    pub fn finished(&mut self) {
        self.failures = 0;
    }

    /// A connection failed, `running` are left: the server refuses or drops
    /// connections, so add none and use those left. Returns whether the file
    /// gives up (too many failures in a row). While others still run, a
    /// failure only lowers the count: a server that allows a client a few
    /// connections at once refuses the rest (503), and the file goes on with
    /// those it has. Each such failure lowers the count for good, so they end.
    pub fn failed(&mut self, running: usize) -> bool {
        self.growing = false;
        self.target = running.max(1);
        if running > 0 {
            return false;
        }
        self.failures += 1;
        self.failures >= MAX_FAILURES
    }

    /// Looks at the count once a window has passed; returns the aggregate
    /// speed (bytes/s) it judged, if it judged one.
    pub fn tick(&mut self, sample: Sample) -> Option<f64> {
        let now = (sample.at, sample.written);
        if !sample.all_answered {
            // A connection still waits for its answer (a far server):
            // the count is measured from when all of them deliver.
            self.window = now;
            return None;
        }
        let elapsed = now.0.saturating_sub(self.window.0);
        // Ticks come a little early or late: half a tick early is on time.
        let due = if self.target == 1 { PROBE } else { WINDOW };
        if !self.growing || sample.running < self.target || elapsed + TICK / 2 < due {
            return None;
        }
        let speed = now.1.saturating_sub(self.window.1) as f64 / elapsed.as_secs_f64();
        self.window = now;
        self.judge(speed, sample.running);
        Some(speed)
    }

    /// The next count after `speed` on `running` connections.
    fn judge(&mut self, speed: f64, running: usize) {
        if self.resuming {
            self.resuming = false;
            self.best_speed = speed;
            self.best_count = running;
            self.target = (self.target * 2).min(self.max);
        } else if self.target == 1 && speed >= FAST_SINGLE_BPS && !self.warmed {
            // A fresh connection is still speeding up (TCP's slow
            // start): judge a second from its steady speed.
            self.warmed = true;
        } else if self.target == 1 {
            // A slow connection is the server's cap (or the path's): every
            // connection the job allows starts at once, as each is worth as
            // much. Stepping up (16, then the rest once those answered) cost a
            // round trip and a window at part speed: 512 MiB took 1.04 s
            // instead of 1.14 from a far server, 0.86 instead of 0.93 from a
            // near one. A server that allows fewer refuses the rest, and the
            // count settles on those it keeps (`failed`).
            self.capped = speed < FAST_SINGLE_BPS;
            self.target = if self.capped { self.max } else { 2.min(self.max) };
            self.best_speed = speed;
            self.best_count = 1;
        } else if speed > self.best_speed * GAIN {
            let per_connection = self.best_speed / self.best_count as f64;
            let linear = self.capped && speed >= LINEAR * per_connection * running as f64;
            self.best_speed = speed;
            self.best_count = running;
            self.stalls = 0;
            self.target = if linear { self.max } else { (self.target * 2).min(self.max) };
        } else {
            self.stalls += 1;
            self.growing = self.stalls < 2;
        }
        if self.target >= self.max {
            self.growing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    /// Something `segments` tells the ramp.
    #[derive(Clone, Copy, Debug)]
    enum Event {
        Tick(Sample),
        Fail { running: usize },
    }

    /// A tick at `ms` with `mib` MiB written in all, every connection answered.
    fn tick(ms: u64, mib: u64, running: usize) -> Event {
        Event::Tick(Sample { at: Duration::from_millis(ms), written: mib * MIB, running, all_answered: true })
    }

    /// A tick while a started connection still waits for its answer.
    fn waiting(ms: u64, mib: u64, running: usize) -> Event {
        Event::Tick(Sample { at: Duration::from_millis(ms), written: mib * MIB, running, all_answered: false })
    }

    fn fail(running: usize) -> Event {
        Event::Fail { running }
    }

    /// 1 MiB in 50 ms is 20 MiB/s (slow: capped); 20 MiB in 50 ms is 400 MiB/s (fast).
    #[test]
    fn the_connection_count_follows_the_table() {
        #[rustfmt::skip]
        let table: &[(&str, usize, &[Event], usize, bool)] = &[
            // (situation, max connections, what happened, next count, capped)
            ("a window not yet due changes nothing", 64, &[tick(25, 1, 1)], 1, false),
            ("more than half a tick early is not due", 64, &[tick(37, 1, 1)], 1, false),
            ("half a tick early is on time", 64, &[tick(38, 1, 1)], 64, true),
            ("a slow single connection goes to the maximum at once", 64, &[tick(50, 1, 1)], 64, true),
            ("a slow single connection with a maximum of 8 goes to 8", 8, &[tick(50, 1, 1)], 8, true),
            ("a fast single connection gets a second window", 64, &[tick(50, 20, 1)], 1, false),
            ("a fast single connection, warm, goes to 2", 64, &[tick(50, 20, 1), tick(100, 40, 1)], 2, false),
            ("a fast connection slow once warm is capped", 64, &[tick(50, 20, 1), tick(100, 21, 1)], 64, true),
            ("an uncapped gain doubles, even a linear one", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 80, 2)], 4, false),
            ("one stall keeps growing", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 60, 2), tick(200, 100, 2)], 4, false),
            ("two stalls stop growth", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 60, 2), tick(200, 80, 2), tick(250, 200, 2)], 2, false),
            ("a window waits for every connection to run", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 80, 1)], 2, false),
            ("an unanswered connection holds the count", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), waiting(150, 80, 2)], 2, false),
            // Measured from 100 ms (40 MiB) the window would be a stall; from 130 ms, a gain.
            ("an unanswered connection restarts the window", 64,
                &[tick(50, 20, 1), tick(100, 40, 1), waiting(130, 50, 2), tick(150, 60, 2), tick(180, 90, 2)], 4, false),
            ("a failure stops growth at the running count", 64,
                &[tick(50, 1, 1), fail(11), tick(100, 14, 11), tick(150, 40, 11)], 11, true),
            ("a failure with none left keeps one connection", 64, &[tick(50, 1, 1), fail(0)], 1, true),
            ("a failure before the first window stays on one", 64, &[fail(0), tick(50, 1, 1)], 1, false),
            ("the maximum reached stops growth", 16, &[tick(50, 1, 1), tick(100, 14, 16), tick(150, 40, 16)], 16, true),
            ("an uncapped maximum reached stops growth", 2,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 80, 2)], 2, false),
            ("a maximum of 1 never grows (slow)", 1, &[tick(50, 1, 1), tick(100, 20, 1)], 1, true),
            ("a maximum of 1 never grows (fast)", 1,
                &[tick(50, 20, 1), tick(100, 40, 1), tick(150, 80, 1)], 1, false),
        ];
        for &(situation, max, events, target, capped) in table {
            let mut ramp = Ramp::new(max);
            for event in events {
                match *event {
                    Event::Tick(sample) => {
                        ramp.tick(sample);
                    }
                    Event::Fail { running } => {
                        ramp.failed(running);
                    }
                }
            }
            assert_eq!((ramp.target(), ramp.capped()), (target, capped), "{situation}");
        }
    }

    #[test]
    fn a_resumed_file_goes_back_to_its_connections_at_once() {
        /// (situation, max, gaps left, what happened, next count, capped)
        type Row<'a> = (&'a str, usize, usize, &'a [Event], usize, bool);
        #[rustfmt::skip]
        let table: &[Row] = &[
            ("one gap starts on one connection", 32, 1, &[], 1, false),
            ("no gap is one connection", 32, 0, &[], 1, false),
            ("32 gaps start 32 at once", 32, 32, &[], 32, true),
            ("more gaps than the maximum start the maximum", 8, 20, &[], 8, true),
            ("a few gaps were an uncapped split", 32, 4, &[], 4, false),
            ("the first window measures, then a doubling is tried", 32, 16, &[tick(50, 16, 16)], 32, true),
            ("a doubling that pays is kept", 64, 16, &[tick(50, 16, 16), tick(100, 48, 32)], 64, true),
            ("a doubling that does not pay stops after two windows", 64, 16,
                &[tick(50, 16, 16), tick(100, 17, 32), tick(150, 18, 32)], 32, true),
            ("a window waits for every connection", 32, 16, &[tick(50, 16, 10)], 16, true),
        ];
        for &(situation, max, gaps, events, target, capped) in table {
            let mut ramp = Ramp::resumed(max, gaps);
            for event in events {
                if let Event::Tick(sample) = *event {
                    ramp.tick(sample);
                }
            }
            assert_eq!((ramp.target(), ramp.capped()), (target, capped), "{situation}");
        }
    }

    #[test]
    fn a_judged_window_reports_its_speed() {
        let mut ramp = Ramp::new(64);
        let sample =
            |us, mib| Sample { at: Duration::from_micros(us), written: mib * MIB, running: 1, all_answered: true };
        assert_eq!(ramp.tick(sample(25_000, 1)), None);
        // 62.5 ms is exact in binary: 1 MiB in it is exactly 16 MiB/s.
        assert_eq!(ramp.tick(sample(62_500, 1)), Some(16.0 * MIB as f64));
    }

    #[test]
    fn eight_failures_in_a_row_give_up_and_a_finished_range_forgives() {
        let mut ramp = Ramp::new(64);
        for _ in 1..MAX_FAILURES {
            assert!(!ramp.failed(0));
        }
        ramp.finished();
        for _ in 1..MAX_FAILURES {
            assert!(!ramp.failed(0));
        }
        assert!(ramp.failed(0));
    }

    /// 64 tried, the server allows 4: 60 refused while others run is no
    /// reason to give up; the count settles at what runs.
    #[test]
    fn refused_extra_connections_lower_the_count_without_giving_up() {
        let mut ramp = Ramp::new(64);
        ramp.tick(Sample { at: Duration::from_millis(50), written: MIB, running: 1, all_answered: true });
        assert_eq!(ramp.target(), 64);
        for running in (4..64).rev() {
            assert!(!ramp.failed(running), "gave up with {running} running");
        }
        assert_eq!(ramp.target(), 4);
        // None left: these count.
        for _ in 1..MAX_FAILURES {
            assert!(!ramp.failed(0));
        }
        assert!(ramp.failed(0));
    }
}
