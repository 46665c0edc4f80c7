//! Seeds for the randomized tests: a fixed one and a few fresh ones per run,
//! or exactly the one in `HAUL_FUZZ_SEED`; a failing seed is printed for replay.

use proptest::test_runner::{RngAlgorithm, TestRng};
use std::hash::{BuildHasher, Hash, Hasher};

/// The variable that replays one seed.
pub const SEED_VAR: &str = "HAUL_FUZZ_SEED";

/// `HAUL_FUZZ_SEED` alone when set, else `fixed` and `fresh` seeds nobody chose.
pub fn seeds(fixed: u64, fresh: usize) -> Vec<u64> {
    if let Some(seed) = std::env::var(SEED_VAR).ok().and_then(|s| s.trim().parse().ok()) {
        return vec![seed];
    }
    let state = std::collections::hash_map::RandomState::new();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    std::iter::once(fixed).chain((0..fresh).map(|i| state.hash_one((nanos, i)))).collect()
}

/// A deterministic generator for `seed` and a stream name (one per connection, per request…).
pub fn rng(seed: u64, stream: impl Hash) -> TestRng {
    let mut hasher = std::hash::DefaultHasher::new();
    (seed, stream).hash(&mut hasher);
    let mixed = hasher.finish();
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&(mixed ^ seed.rotate_left(i as u32 * 16)).to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Says how to replay `seed` if the test fails while this is alive.
pub struct SeedGuard {
    seed: u64,
    test: &'static str,
}

impl SeedGuard {
    /// Announces `seed` for `test` (shown with `--nocapture`) and guards it.
    pub fn new(test: &'static str, seed: u64) -> SeedGuard {
        eprintln!("{test}: seed {seed}");
        SeedGuard { seed, test }
    }
}

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}: failed with seed {}; replay with {SEED_VAR}={}", self.test, self.seed, self.seed);
        }
    }
}
