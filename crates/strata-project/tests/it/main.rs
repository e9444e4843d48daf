//! Integration tests of strata-project through its public API.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

mod hostile_input;
mod queries;
