//! Integration tests of `strata-env`: hand-made site-packages, and real venvs built by real pip
//! from the loopback test index, with `pip check` as the oracle.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside `#[test]` functions fail the test the same way"
)]

mod pip_parity;
mod scan;
mod shaped;
mod venv;
