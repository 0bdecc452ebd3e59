//! Proptest configuration shared by the fuzz tests.

use proptest::test_runner::Config as ProptestConfig;

/// `default` cases, or `PROPTEST_CASES` when that is larger; no failure persistence files.
pub fn cases(default: u32) -> ProptestConfig {
    let env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(default.max(env))
    }
}
