//! Integration tests of the resolver on the loopback index: named scenarios and a property
//! test against a brute-force oracle.

mod fetching;
mod oracle;
mod scenario;
mod scenarios;
