//! Integration tests: the fixture projects, snapshot-tested, and parity with import-linter.

// Helpers outside `#[test]` functions panic on broken fixtures, and the parity test prints why
// it skips.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod cache;
mod fixtures;
mod parity;

use std::path::PathBuf;

use strata_contracts::{ContractsConfig, Report, check};

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Checks a fixture with its own import-linter configuration and no engine rule.
pub(crate) fn check_importlinter_fixture(name: &str) -> Report {
    let config = ContractsConfig::discover(&fixture(name)).unwrap();
    assert!(
        config.importlinter.is_some(),
        "{name} has no import-linter config"
    );
    check(&config).unwrap()
}
