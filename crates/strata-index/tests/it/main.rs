//! Integration tests of the index client against `strata-testindex` on 127.0.0.1: pages, the
//! metadata ladder, import names, faults, the disk cache, concurrency and index configuration.
//!
//! Every test starts its own loopback index and its own temporary cache directory, and asserts
//! on the index's request log (paths, ranges, statuses, bytes) as well as on the client's answer.
#![expect(
    clippy::unwrap_used,
    reason = "helpers outside `#[test]` functions fail the test the same way"
)]

mod cache;
mod concurrency;
mod config;
mod faults;
mod hostile;
mod import_names;
mod ladder;
mod pages;
mod strategy;

use std::path::{Path, PathBuf};
use std::time::Duration;

use pep508_rs::PackageName;
use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexUrl};
use strata_testindex::TestIndex;

/// Both request concurrencies every metadata test runs with: strictly sequential, and parallel.
pub(crate) const CONCURRENCY: [usize; 2] = [1, 8];

pub(crate) fn name(text: &str) -> PackageName {
    PackageName::new(text.to_string()).unwrap()
}

/// Client options for tests: a short backoff so retries cost milliseconds.
pub(crate) fn options(cache: &Path) -> ClientOptions {
    ClientOptions {
        backoff: Duration::from_millis(5),
        ..ClientOptions::new(cache.to_path_buf())
    }
}

pub(crate) fn config(index: &TestIndex) -> IndexConfig {
    IndexConfig::new(IndexUrl::parse(&index.url()).unwrap())
}

pub(crate) fn client(index: &TestIndex, cache: &Path) -> IndexClient {
    IndexClient::new(config(index), options(cache)).unwrap()
}

/// One request as `(path, range, status)`, so assertions read like the wire.
pub(crate) type Wire = (String, Option<String>, Option<u16>);

pub(crate) fn wire(index: &TestIndex) -> Vec<Wire> {
    index
        .requests()
        .into_iter()
        .map(|record| (record.path, record.range, record.status))
        .collect()
}

/// Every file under `dir`, relative to it, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs_err::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Snapshot settings that replace what changes between runs: the index's port and timings.
pub(crate) fn stable() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"127\.0\.0\.1:\d+", "[INDEX]");
    settings.add_filter(r" in \d+\.\ds", " in [TIME]");
    settings
}
