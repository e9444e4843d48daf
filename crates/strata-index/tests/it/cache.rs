//! Cache safety: a damaged entry is never trusted, and what a killed run leaves behind neither
//! breaks the next run nor survives `strata cache prune`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use strata_index::{MetadataSource, Stats};
use strata_testindex::{Package, TestIndex, Universe};

use crate::{client, files_under, name, wire};

fn universe() -> Universe {
    Universe::new().package(
        Package::new("demo", "1.0")
            .requires("numpy>=1.26")
            .padding(200_000),
    )
}

/// Lists `demo` and fetches its wheel's metadata with a fresh client on `cache`.
async fn run(index: &TestIndex, cache: &Path) -> (MetadataSource, Stats) {
    let client = client(index, cache);
    let listing = client.project(&name("demo")).await.unwrap();
    let fetched = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(
        fetched
            .metadata
            .requires_dist
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["numpy>=1.26"]
    );
    (fetched.source, client.stats())
}

fn two_hours_old(path: &Path) {
    let file = fs_err::File::options().write(true).open(path).unwrap();
    file.file()
        .set_modified(SystemTime::now() - Duration::from_hours(2))
        .unwrap();
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    files_under(cache)
        .into_iter()
        .filter(|path| path.starts_with("simple-v2") || path.starts_with("metadata-v3"))
        .collect()
}

#[tokio::test]
async fn corrupt_entries_are_ignored_and_refetched() {
    let index = TestIndex::start(universe());
    let cache = tempfile::tempdir().unwrap();
    let (source, _) = run(&index, cache.path()).await;
    assert_eq!(source, MetadataSource::Range);
    let stored = entries(cache.path());
    assert_eq!(
        stored.len(),
        2,
        "one page and one metadata entry: {stored:?}"
    );
    for entry in &stored {
        let path = cache.path().join(entry);
        let mut bytes = fs_err::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x20;
        fs_err::write(&path, bytes).unwrap();
    }
    index.reset_log();

    let (source, stats) = run(&index, cache.path()).await;
    assert_eq!(
        source,
        MetadataSource::Range,
        "the damaged metadata is not trusted"
    );
    assert_eq!(
        stats.pages_downloaded, 1,
        "the damaged page is fetched whole, not revalidated"
    );
    assert_eq!(stats.metadata_fetched, 1);
    assert_eq!(
        wire(&index)[0],
        ("/simple/demo/".to_string(), None, Some(200))
    );
    index.reset_log();

    let (source, stats) = run(&index, cache.path()).await;
    assert_eq!(
        source,
        MetadataSource::Cache,
        "the refetched entries are whole again"
    );
    assert_eq!(stats.pages_not_modified, 1);
    assert_eq!(
        wire(&index),
        [("/simple/demo/".to_string(), None, Some(304))]
    );
}

#[tokio::test]
async fn a_run_killed_mid_write_leaves_nothing_that_breaks_the_next_run() {
    let index = TestIndex::start(universe());
    // A complete run elsewhere gives real entries to damage the way a kill would.
    let complete = tempfile::tempdir().unwrap();
    run(&index, complete.path()).await;
    let cache = tempfile::tempdir().unwrap();
    for entry in entries(complete.path()) {
        let bytes = fs_err::read(complete.path().join(&entry)).unwrap();
        let target = cache.path().join(&entry);
        fs_err::create_dir_all(target.parent().unwrap()).unwrap();
        // A kill during a non-atomic write would leave half an entry.
        fs_err::write(&target, &bytes[..bytes.len() / 2]).unwrap();
        // A kill during an atomic write leaves its temporary sibling, found hours later.
        let sibling = target.parent().unwrap().join(".strata-killed.tmp");
        fs_err::write(&sibling, &bytes[..bytes.len() / 3]).unwrap();
        two_hours_old(&sibling);
    }
    // A concurrent run's write in progress: not a leftover.
    let live = cache.path().join("metadata-v3/.strata-live.tmp");
    fs_err::write(&live, b"sha256:").unwrap();
    // A kill during a streamed download or a build leaves files under `tmp`.
    fs_err::create_dir_all(cache.path().join("tmp/build-killed/src")).unwrap();
    fs_err::write(
        cache.path().join("tmp/.tmpKiLLed"),
        b"PK\x03\x04 half a wheel",
    )
    .unwrap();
    fs_err::write(cache.path().join("tmp/build-killed/src/setup.py"), b"").unwrap();
    index.reset_log();

    let (source, stats) = run(&index, cache.path()).await;
    assert_eq!(source, MetadataSource::Range);
    assert_eq!(stats.pages_downloaded, 1);
    assert_eq!(stats.metadata_fetched, 1);
    let (source, _) = run(&index, cache.path()).await;
    assert_eq!(source, MetadataSource::Cache);

    let removed = strata_index::cache::prune(cache.path(), 30).unwrap();
    assert_eq!(
        removed.files, 4,
        "two killed siblings and two files under `tmp`"
    );
    let mut kept = entries(complete.path());
    kept.push(PathBuf::from("metadata-v3/.strata-live.tmp"));
    kept.sort();
    assert_eq!(files_under(cache.path()), kept);
    let (source, _) = run(&index, cache.path()).await;
    assert_eq!(source, MetadataSource::Cache, "pruning keeps what is whole");
}
