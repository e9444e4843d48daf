//! Integration tests: the index over real sockets, and real pip as the oracle.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside `#[test]` functions fail the test the same way"
)]

mod client;
mod faults;
mod http;
mod pages;
mod pip;
mod tls;
