//! Integration tests of `strata-dist` through its public API.

mod filenames;
mod metadata;
mod targets;
