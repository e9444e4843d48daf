//! What a solve fetches: only the files of versions the solver looks at.

use std::collections::BTreeSet;

use strata_testindex::Package;

use crate::scenario::Scenario;

/// The distinct files under `/files/<project>/` the index served.
fn files_read(index: &strata_testindex::TestIndex, project: &str) -> BTreeSet<String> {
    index
        .requests_for(&format!("/files/{project}/"))
        .into_iter()
        .map(|record| {
            record
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn only_the_chosen_versions_metadata_is_read() {
    let mut scenario = Scenario::new("fetching: newest versions only");
    for version in 1..=6 {
        scenario = scenario
            .package(Package::new("a", format!("{version}.0")).requires("b"))
            .package(Package::new("b", format!("{version}.0")));
    }
    let scenario = scenario.require("a");
    let index = scenario.start_index();
    let resolution = scenario.run_on(&index).expect("a and b resolve");
    assert_eq!(crate::scenario::pins(&resolution), ["a==6.0", "b==6.0"]);
    assert_eq!(
        files_read(&index, "a"),
        BTreeSet::from(["a-6.0-py3-none-any.whl".to_string()])
    );
    assert_eq!(
        files_read(&index, "b"),
        BTreeSet::from(["b-6.0-py3-none-any.whl".to_string()])
    );
}

#[test]
fn backtracking_reads_a_bounded_batch_of_older_versions() {
    // a 3.0 and 2.0 need a b that does not exist; a 1.0 works. When the solver comes back to
    // `a` (backtracking), the metadata of the next five older wheels is fetched at once, so
    // each step does not wait for a round trip; versions more than five below the last version
    // tried (here 0.0.1, six below 1.0) are never read.
    let scenario = Scenario::new("fetching: backtracking")
        .package(Package::new("a", "3.0").requires("b>=9"))
        .package(Package::new("a", "2.0").requires("b>=9"))
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("a", "0.5").requires("b"))
        .package(Package::new("a", "0.4").requires("b"))
        .package(Package::new("a", "0.3").requires("b"))
        .package(Package::new("a", "0.2").requires("b"))
        .package(Package::new("a", "0.1").requires("b"))
        .package(Package::new("a", "0.0.1").requires("b"))
        .package(Package::new("b", "1.0"))
        .require("a");
    let index = scenario.start_index();
    let resolution = scenario.run_on(&index).expect("a 1.0 resolves");
    assert_eq!(crate::scenario::pins(&resolution), ["a==1.0", "b==1.0"]);
    let read = files_read(&index, "a");
    assert!(read.contains("a-1.0-py3-none-any.whl"), "{read:?}");
    assert!(!read.contains("a-0.0.1-py3-none-any.whl"), "{read:?}");
}

#[test]
fn dependencies_are_prefetched_together_in_every_solve_of_a_process() {
    use std::time::{Duration, Instant};
    // Every request waits; fetching the eight dependencies one after another costs at least
    // 8 x (page + metadata) round trips, prefetching them costs about one of each. Several
    // solves run in one process, because the prefetcher remembers what it started.
    let latency = Duration::from_millis(150);
    let mut scenario = Scenario::new("fetching: prefetch in later solves");
    let mut app = Package::new("app", "1.0");
    for dependency in 0..8 {
        app = app.requires(format!("dep{dependency}"));
        scenario = scenario.package(Package::new(format!("dep{dependency}"), "1.0"));
    }
    let scenario = scenario.package(app).require("app");
    let mut elapsed = Vec::new();
    for _ in 0..3 {
        let index = scenario.start_index();
        index.set_faults(
            strata_testindex::Faults::new().on("/", strata_testindex::Fault::Latency(latency)),
        );
        let started = Instant::now();
        scenario.run_on(&index).expect("app resolves");
        elapsed.push(started.elapsed());
    }
    for time in &elapsed {
        assert!(
            *time < latency * 16,
            "a solve fetched serially: {elapsed:?}"
        );
    }
}
