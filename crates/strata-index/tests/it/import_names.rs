//! Import names of wheels, read from their file list with range requests: what they cost on the
//! wire, the disk cache, `--offline`, servers that ignore ranges, sdists and local wheels.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use strata_diagnostic::Diagnostic as _;
use strata_index::{ClientOptions, DistFile, ErrorKind, IndexClient, IndexConfig, IndexUrl};
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{CONCURRENCY, client, config, files_under, name, options, stable, wire};

const OPENCV: &str = "opencv_python_headless-4.10.0.84-py3-none-any.whl";

/// Engine-like releases whose import names differ from their distribution names.
fn universe() -> Universe {
    Universe::new()
        .package(
            Package::new("opencv-python-headless", "4.10.0.84")
                .import_name("cv2")
                .module_file("cv2/data/haarcascade_frontalface_default.xml", "<opencv/>")
                .padding(2_000_000),
        )
        .package(
            Package::new("PyYAML", "6.0.2")
                .import_name("yaml")
                .module_file("_yaml/__init__.py", "from yaml._yaml import *\n"),
        )
        .package(Package::new("scikit-learn", "1.5.0").import_name("sklearn"))
        .package(
            Package::new("cffi", "1.17.1")
                .module_file("_cffi_backend.cpython-311-x86_64-linux-gnu.so", "ELF"),
        )
}

/// Every release of [`universe`] with the names its wheel must give.
const EXPECTED: [(&str, &[&str]); 4] = [
    ("opencv-python-headless", &["cv2"]),
    ("PyYAML", &["_yaml", "yaml"]),
    ("scikit-learn", &["sklearn"]),
    ("cffi", &["_cffi_backend", "cffi"]),
];

fn client_with(
    config: IndexConfig,
    cache: &Path,
    concurrency: usize,
    offline: bool,
) -> IndexClient {
    IndexClient::new(
        config,
        ClientOptions {
            concurrency,
            offline,
            ..options(cache)
        },
    )
    .unwrap()
}

/// The only file `package` has in the listing.
async fn only_file(client: &IndexClient, package: &str) -> DistFile {
    let listing = client.project(&name(package)).await.unwrap();
    assert_eq!(listing.files.len(), 1, "{:?}", listing.files);
    listing.files[0].clone()
}

fn stored(cache: &Path) -> Vec<PathBuf> {
    files_under(&cache.join("import-names-v2"))
}

#[tokio::test]
async fn names_come_from_the_tail_of_each_wheel() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(universe());
        let cache = tempfile::tempdir().unwrap();
        let client = client_with(config(&index), cache.path(), concurrency, false);
        for (package, expected) in EXPECTED {
            let file = only_file(&client, package).await;
            index.reset_log();
            let before = client.stats();
            let names = client.import_names(&name(package), &file).await.unwrap();
            assert_eq!(names, expected, "{package}");
            let served = index.file(&file.name()).unwrap();
            assert_eq!(
                wire(&index),
                [(
                    served.url_path.clone(),
                    Some("bytes=-65536".to_string()),
                    Some(206)
                )],
                "one range request for the tail, no entry data: {package}"
            );
            let received = client.stats().bytes - before.bytes;
            assert_eq!(received, index.bytes_served(), "{package}");
            assert!(received <= 64 * 1024, "{package}: {received} bytes");
        }
        let opencv = index.file(OPENCV).unwrap();
        assert!(opencv.size > 2_000_000);
        assert_eq!(
            stored(cache.path()).len(),
            EXPECTED.len(),
            "one cache entry per wheel: {:?}",
            stored(cache.path())
        );
        assert!(
            stored(cache.path())
                .iter()
                .any(|entry| entry.ends_with(format!("{}.txt", opencv.sha256))),
            "keyed by the index and the wheel's sha256: {:?}",
            stored(cache.path())
        );
    }
}

#[tokio::test]
async fn second_call_and_second_run_are_served_without_requests() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(universe());
        let cache = tempfile::tempdir().unwrap();
        let first = client_with(config(&index), cache.path(), concurrency, false);
        let file = only_file(&first, "opencv-python-headless").await;
        index.reset_log();
        let package = name("opencv-python-headless");
        // Ten tasks asking at once share one read.
        let answers =
            futures::future::join_all((0..10).map(|_| first.import_names(&package, &file))).await;
        for answer in answers {
            assert_eq!(answer.unwrap(), ["cv2"]);
        }
        assert_eq!(wire(&index).len(), 1, "{:?}", wire(&index));
        index.reset_log();
        assert_eq!(first.import_names(&package, &file).await.unwrap(), ["cv2"]);
        assert_eq!(wire(&index), []);

        let second = client_with(config(&index), cache.path(), concurrency, false);
        assert_eq!(second.import_names(&package, &file).await.unwrap(), ["cv2"]);
        assert_eq!(wire(&index), [], "the disk cache answers");
        assert_eq!(second.stats().requests, 0);
    }
}

#[tokio::test]
async fn offline_answers_from_the_cache_or_names_what_is_missing() {
    let index = TestIndex::start(universe());
    let cache = tempfile::tempdir().unwrap();
    let online = client(&index, cache.path());
    let file = only_file(&online, "PyYAML").await;
    index.reset_log();

    let offline = client_with(config(&index), cache.path(), 8, true);
    let error = offline
        .import_names(&name("PyYAML"), &file)
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::OfflineMiss { .. }),
        "{error:?}"
    );
    insta::assert_snapshot!(error, @"Not in the cache, and `--offline` forbids fetching it: the import names of `pyyaml-6.0.2-py3-none-any.whl`");
    assert!(!error.hints().is_empty());
    assert_eq!(wire(&index), []);

    assert_eq!(
        online.import_names(&name("PyYAML"), &file).await.unwrap(),
        ["_yaml", "yaml"]
    );
    index.reset_log();
    let offline = client_with(config(&index), cache.path(), 8, true);
    assert_eq!(
        offline.import_names(&name("PyYAML"), &file).await.unwrap(),
        ["_yaml", "yaml"]
    );
    assert_eq!(wire(&index), []);
    assert_eq!(offline.stats().requests, 0);
}

#[tokio::test]
async fn server_ignoring_ranges_is_an_error_and_the_wheel_is_not_downloaded() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start_with_faults(
            universe(),
            Faults::new().on("/files/", Fault::RangeUnsupported),
        );
        let cache = tempfile::tempdir().unwrap();
        let client = client_with(config(&index), cache.path(), concurrency, false);
        let file = only_file(&client, "opencv-python-headless").await;
        index.reset_log();
        let before = client.stats();
        let error = client
            .import_names(&name("opencv-python-headless"), &file)
            .await
            .unwrap_err();
        let ErrorKind::RangeUnsupported { url, filename } = error.kind() else {
            panic!("expected ranges unsupported: {error:?}");
        };
        assert_eq!(filename, OPENCV);
        let served = index.file(OPENCV).unwrap();
        assert!(url.to_string().ends_with(&served.url_path), "{url}");
        assert_eq!(
            wire(&index),
            [(
                served.url_path.clone(),
                Some("bytes=-65536".to_string()),
                Some(200)
            )],
            "the range is asked for once, the whole-file answer abandoned, no plain GET follows"
        );
        let after = client.stats();
        assert_eq!(after.requests - before.requests, 1);
        assert_eq!(
            after.bytes, before.bytes,
            "not one byte of the 2 MB body is read"
        );
        insta::allow_duplicates! {
            stable().bind(|| {
                insta::assert_snapshot!(error, @"`http://[INDEX]/files/opencv-python-headless/opencv_python_headless-4.10.0.84-py3-none-any.whl` ignores HTTP range requests, so reading the file list of `opencv_python_headless-4.10.0.84-py3-none-any.whl` would mean downloading all of it; it was not downloaded");
            });
        }
        assert_eq!(
            stored(cache.path()),
            Vec::<PathBuf>::new(),
            "nothing cached"
        );
        assert_eq!(
            files_under(&cache.path().join("tmp")),
            Vec::<PathBuf>::new()
        );
    }
}

#[tokio::test]
async fn sdist_is_an_error_without_a_request() {
    let index =
        TestIndex::start(Universe::new().package(Package::new("demo", "1.0").sdist().no_wheels()));
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let file = only_file(&client, "demo").await;
    index.reset_log();
    let error = client.import_names(&name("demo"), &file).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::ImportNames { .. }),
        "{error:?}"
    );
    insta::assert_snapshot!(error, @"Failed to get the import names of `demo-1.0.tar.gz`: only a wheel lists the files it installs; a source distribution would have to be built");
    assert_eq!(wire(&index), []);
    assert_eq!(stored(cache.path()), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn find_links_wheel_is_read_from_disk() {
    let files = TestIndex::start(universe());
    let empty = TestIndex::start(Universe::new());
    let cache = tempfile::tempdir().unwrap();
    let mut config = IndexConfig::new(IndexUrl::parse(&empty.url()).unwrap());
    config.find_links = vec![files.find_links_dir().display().to_string()];
    let client = client_with(config, cache.path(), 8, false);
    for (package, expected) in EXPECTED {
        let file = only_file(&client, package).await;
        assert_eq!(file.url.scheme(), "file");
        let names = client.import_names(&name(package), &file).await.unwrap();
        assert_eq!(names, expected, "{package}");
    }
    assert_eq!(files.requests(), [], "local files are not fetched");
    assert_eq!(stored(cache.path()).len(), EXPECTED.len());
}

#[tokio::test]
async fn prune_keeps_import_names_and_removes_killed_writes() {
    let index = TestIndex::start(universe());
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let file = only_file(&client, "scikit-learn").await;
    client
        .import_names(&name("scikit-learn"), &file)
        .await
        .unwrap();
    let entries = stored(cache.path());
    assert_eq!(entries.len(), 1);
    let before = strata_index::cache::summary(cache.path());

    let leftover = cache.path().join("import-names-v2/.strata-killed.tmp");
    fs_err::write(&leftover, b"sha256:").unwrap();
    let file_handle = fs_err::File::options().write(true).open(&leftover).unwrap();
    file_handle
        .file()
        .set_modified(SystemTime::now() - Duration::from_hours(2))
        .unwrap();
    drop(file_handle);
    assert_eq!(
        strata_index::cache::summary(cache.path()).files,
        before.files + 1,
        "the summary counts import names too"
    );

    let removed = strata_index::cache::prune(cache.path(), 30).unwrap();
    assert_eq!(removed.files, 1, "only the killed write");
    assert_eq!(stored(cache.path()), entries);
    index.reset_log();
    let again = client_with(crate::config(&index), cache.path(), 8, true);
    assert_eq!(
        again
            .import_names(&name("scikit-learn"), &file)
            .await
            .unwrap(),
        ["sklearn"]
    );
    assert_eq!(wire(&index), []);
}
