//! Property tests' runner (tests only): each property runs 2,000 cases from a
//! fixed seed (the same every run) and 300 from a random one (new inputs
//! each run); a failure is shrunk and reported with its input.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};

/// Runs `test` on inputs from `strategy`; panics with the smallest failing input.
pub fn check<S>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let config = Config { cases: 2_000, failure_persistence: None, ..Config::default() };
    let mut fixed = TestRunner::new_with_rng(config.clone(), TestRng::deterministic_rng(config.rng_algorithm));
    if let Err(failure) = fixed.run(&strategy, &test) {
        panic!("{failure}");
    }
    let mut random = TestRunner::new(Config { cases: 300, ..config });
    if let Err(failure) = random.run(&strategy, &test) {
        panic!("{failure} (random seed)");
    }
}
