//! The import cache never changes a verdict: every fixture checked with a fresh cache, a warm
//! one and none gives the same report.

use std::path::Path;
use std::time::{Duration, SystemTime};

use strata_contracts::{ContractsConfig, Report, check, render};

use crate::fixture;

/// Copies a fixture with every file an hour old: files younger than a few seconds are never
/// cached, and a fresh checkout's are.
fn copy_aged(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_aged(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), &target).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&target)
                .unwrap()
                .set_modified(SystemTime::now() - Duration::from_hours(1))
                .unwrap();
        }
    }
}

fn rendered(report: &Report) -> String {
    format!(
        "{}\n{}",
        render::human(report),
        serde_json::to_string_pretty(report).unwrap()
    )
}

#[test]
fn every_fixture_gives_the_same_report_with_a_cold_a_warm_and_no_cache() {
    for name in ["acyclic", "engine", "forbidden", "independence", "layers"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        copy_aged(&fixture(name), &root);
        let mut config = ContractsConfig::discover(&root).unwrap();
        if name == "engine" {
            config.host = vec!["myproj.cli".to_owned(), "myproj.cli.*".to_owned()];
            config.engine_packages = vec!["torch".to_owned(), "vllm".to_owned()];
        }
        let uncached = rendered(&check(&config).unwrap());

        config.cache_dir = Some(dir.path().join("cache"));
        assert_eq!(rendered(&check(&config).unwrap()), uncached, "{name}: cold");
        let written = fs_err::read_dir(dir.path().join("cache/contracts-v1"))
            .unwrap()
            .count();
        assert_eq!(written, 1, "{name}: one cache file per project root");
        assert_eq!(rendered(&check(&config).unwrap()), uncached, "{name}: warm");
        if name == "engine" {
            assert!(
                uncached.contains("broken.py"),
                "the parse failure is reported"
            );
        }
    }
}
