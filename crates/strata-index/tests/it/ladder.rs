//! Every rung of the metadata ladder, each asserted on its source, the requests it made (paths and
//! ranges) and the bytes it cost; each run with one request in flight and with eight.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::Instant;

use pep508_rs::Requirement;
use strata_index::{
    ClientOptions, DistFile, Error, ErrorKind, FetchedMetadata, IndexClient, IndexConfig, IndexUrl,
    MetadataSource,
};
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{CONCURRENCY, Wire, config, files_under, name, options, wire};

const WHEEL: &str = "demo-1.0-py3-none-any.whl";
const SDIST: &str = "demo-1.0.tar.gz";

fn demo() -> Package {
    Package::new("demo", "1.0")
        .requires("numpy>=1.26")
        .requires("typing-extensions; python_version < '3.11'")
        .extra("fast", ["orjson>=3"])
}

fn expected_requirements() -> Vec<String> {
    [
        "numpy>=1.26",
        "typing-extensions; python_version < '3.11'",
        "orjson>=3; extra == 'fast'",
    ]
    .iter()
    .map(|text| {
        Requirement::<pep508_rs::VerbatimUrl>::from_str(text)
            .unwrap()
            .to_string()
    })
    .collect()
}

fn assert_demo_metadata(fetched: &FetchedMetadata) {
    let metadata = &fetched.metadata;
    assert_eq!(metadata.name.as_ref(), "demo");
    assert_eq!(metadata.version.to_string(), "1.0");
    let mut actual: Vec<String> = metadata
        .requires_dist
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut expected = expected_requirements();
    actual.sort();
    expected.sort();
    assert_eq!(actual, expected);
    assert_eq!(
        metadata
            .provides_extra
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["fast"]
    );
}

/// A client with `concurrency` requests in flight at most.
fn client_with(config: IndexConfig, cache: &Path, concurrency: usize) -> IndexClient {
    IndexClient::new(
        config,
        ClientOptions {
            concurrency,
            ..options(cache)
        },
    )
    .unwrap()
}

/// The file named `filename` from `package`'s listing.
async fn listed(client: &IndexClient, package: &str, filename: &str) -> DistFile {
    let listing = client.project(&name(package)).await.unwrap();
    listing
        .files
        .iter()
        .find(|file| file.name() == filename)
        .unwrap_or_else(|| panic!("`{filename}` is not listed: {:?}", listing.files))
        .clone()
}

/// Lists `package`, forgets the page request, and fetches `filename`'s metadata; returns the
/// result and the requests the metadata cost.
async fn metadata_of(
    index: &TestIndex,
    cache: &Path,
    concurrency: usize,
    filename: &str,
) -> (Result<FetchedMetadata, Error>, Vec<Wire>) {
    let client = client_with(config(index), cache, concurrency);
    let file = listed(&client, "demo", filename).await;
    index.reset_log();
    let result = client.metadata(&name("demo"), &file).await;
    (result, wire(index))
}

fn path_of(index: &TestIndex, filename: &str) -> String {
    index.file(filename).unwrap().url_path
}

#[tokio::test]
async fn pep_658_metadata_file_is_one_small_request() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(Universe::new().metadata_files(true).package(demo()));
        let cache = tempfile::tempdir().unwrap();
        let (fetched, requests) = metadata_of(&index, cache.path(), concurrency, WHEEL).await;
        let fetched = fetched.unwrap();
        assert_eq!(fetched.source, MetadataSource::Pep658);
        let metadata_file = index.file(&format!("{WHEEL}.metadata")).unwrap();
        assert_eq!(requests, [(metadata_file.url_path, None, Some(200))]);
        assert_eq!(fetched.bytes, metadata_file.size);
        assert_demo_metadata(&fetched);
    }
}

#[tokio::test]
async fn unadvertised_metadata_file_is_not_guessed() {
    let index = TestIndex::start_with_faults(
        Universe::new().metadata_files(true).package(demo()),
        Faults::new().on("/simple/", Fault::MetadataNotAdvertised),
    );
    let cache = tempfile::tempdir().unwrap();
    let (fetched, requests) = metadata_of(&index, cache.path(), 8, WHEEL).await;
    assert_eq!(fetched.unwrap().source, MetadataSource::Range);
    assert!(
        requests
            .iter()
            .all(|(path, ..)| path == &path_of(&index, WHEEL)),
        "{requests:?}"
    );
}

/// Asserts that `requests` are range requests on `path` only, starting with the tail.
fn assert_range_requests(requests: &[Wire], path: &str) {
    assert!(!requests.is_empty() && requests.len() <= 3, "{requests:?}");
    assert_eq!(
        requests[0].1.as_deref(),
        Some("bytes=-65536"),
        "{requests:?}"
    );
    for (request_path, range, status) in requests {
        assert_eq!(request_path, path);
        assert!(
            range.is_some(),
            "every request is a range request: {requests:?}"
        );
        assert_eq!(*status, Some(206));
    }
}

#[tokio::test]
async fn range_requests_read_the_tail_of_the_wheel() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(Universe::new().package(demo().padding(2_000_000)));
        let cache = tempfile::tempdir().unwrap();
        let (fetched, requests) = metadata_of(&index, cache.path(), concurrency, WHEEL).await;
        let fetched = fetched.unwrap();
        assert_eq!(fetched.source, MetadataSource::Range);
        assert_range_requests(&requests, &path_of(&index, WHEEL));
        assert_eq!(fetched.bytes, index.bytes_served());
        assert!(fetched.bytes <= 64 * 1024 + 4096, "{} bytes", fetched.bytes);
        assert_demo_metadata(&fetched);
    }
}

#[tokio::test]
async fn metadata_of_a_200_mb_wheel_costs_under_one_percent_of_it() {
    let started = Instant::now();
    let index = TestIndex::start(Universe::new().package(demo().padding(200_000_000)));
    let generated = started.elapsed();
    let cache = tempfile::tempdir().unwrap();
    let (fetched, requests) = metadata_of(&index, cache.path(), 8, WHEEL).await;
    let fetched = fetched.unwrap();
    let size = index.file(WHEEL).unwrap().size;
    assert!(size > 200_000_000);
    assert_eq!(fetched.source, MetadataSource::Range);
    assert_range_requests(&requests, &path_of(&index, WHEEL));
    assert!(
        index.bytes_served() * 100 < size,
        "{} of {size} bytes",
        index.bytes_served()
    );
    assert_demo_metadata(&fetched);
    assert!(
        started.elapsed() < generated + std::time::Duration::from_secs(5),
        "reading the metadata must not take as long as moving 200 MB"
    );
}

#[tokio::test]
async fn ignored_ranges_fall_back_to_a_streamed_download() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start_with_faults(
            Universe::new().package(demo().padding(1_000_000)),
            Faults::new().on("/files/", Fault::RangeUnsupported),
        );
        let cache = tempfile::tempdir().unwrap();
        let (fetched, requests) = metadata_of(&index, cache.path(), concurrency, WHEEL).await;
        let fetched = fetched.unwrap();
        assert_eq!(fetched.source, MetadataSource::Stream);
        let wheel = index.file(WHEEL).unwrap();
        assert_eq!(requests.len(), 2, "{requests:?}");
        assert_eq!(
            requests[0],
            (
                wheel.url_path.clone(),
                Some("bytes=-65536".to_string()),
                Some(200)
            ),
            "the range is asked for, and the whole-file answer abandoned"
        );
        assert_eq!(requests[1], (wheel.url_path.clone(), None, Some(200)));
        assert_eq!(index.requests()[1].bytes_sent, wheel.size);
        assert!(fetched.bytes >= wheel.size, "{}", fetched.bytes);
        assert_demo_metadata(&fetched);
        assert_eq!(
            files_under(&cache.path().join("tmp")),
            Vec::<std::path::PathBuf>::new(),
            "the streamed wheel is not kept"
        );
    }
}

#[tokio::test]
async fn static_sdist_metadata_comes_from_pkg_info() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(Universe::new().package(demo().sdist().no_wheels()));
        let cache = tempfile::tempdir().unwrap();
        let (fetched, requests) = metadata_of(&index, cache.path(), concurrency, SDIST).await;
        let fetched = fetched.unwrap();
        assert_eq!(fetched.source, MetadataSource::SdistPkgInfo);
        let sdist = index.file(SDIST).unwrap();
        assert_eq!(requests, [(sdist.url_path, None, Some(200))]);
        assert_eq!(fetched.bytes, sdist.size);
        assert_demo_metadata(&fetched);
    }
}

/// Whether `python3 -m venv` works here; when it does not, the test is skipped saying why, or
/// fails when tools are required (`strata_testindex::tool_missing`).
fn venv_available() -> bool {
    let dir = tempfile::tempdir().unwrap();
    match Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(dir.path().join("venv"))
        .output()
    {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            strata_testindex::tool_missing(format!(
                "`python3 -m venv` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
            false
        }
        Err(error) => {
            strata_testindex::tool_missing(format!("`python3` is not available: {error}"));
            false
        }
    }
}

#[tokio::test]
async fn dynamic_sdist_metadata_is_built_with_its_backend() {
    if !venv_available() {
        return;
    }
    for concurrency in CONCURRENCY {
        let index =
            TestIndex::start(Universe::new().package(demo().sdist_dynamic_metadata().no_wheels()));
        let cache = tempfile::tempdir().unwrap();
        let (fetched, requests) = metadata_of(&index, cache.path(), concurrency, SDIST).await;
        let fetched = fetched.unwrap();
        assert_eq!(fetched.source, MetadataSource::Build);
        let sdist = index.file(SDIST).unwrap();
        assert_eq!(
            requests,
            [(sdist.url_path, None, Some(200))],
            "the in-tree backend needs nothing from the index"
        );
        assert_demo_metadata(&fetched);
        assert_eq!(
            files_under(&cache.path().join("tmp")),
            Vec::<std::path::PathBuf>::new()
        );

        // Built once: the next client takes it from the cache.
        let (again, requests) = metadata_of(&index, cache.path(), concurrency, SDIST).await;
        assert_eq!(again.unwrap().source, MetadataSource::Cache);
        assert_eq!(requests, []);
    }
}

#[tokio::test]
async fn failing_build_reports_the_backend_output() {
    if !venv_available() {
        return;
    }
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(
            Universe::new().package(
                demo()
                    .sdist_build_fails("this stub downloads its real wheel from another index")
                    .no_wheels(),
            ),
        );
        let cache = tempfile::tempdir().unwrap();
        let (result, _) = metadata_of(&index, cache.path(), concurrency, SDIST).await;
        let error = result.unwrap_err();
        let ErrorKind::Build {
            filename,
            output,
            log,
        } = error.kind()
        else {
            panic!("expected a build error: {error:?}");
        };
        assert_eq!(filename, SDIST);
        assert!(
            output.contains("this stub downloads its real wheel from another index"),
            "{output}"
        );
        assert_eq!(log, &cache.path().join(format!("build-logs/{SDIST}.log")));
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "Failed to build metadata of `demo-1.0.tar.gz` with its build backend; the last lines of its output (all of it is in `{}`):\n  | ",
                log.display()
            )),
            "{message}"
        );
        assert!(
            message.ends_with(
                "\n  | Failed to run the `strata_test_backend` backend (metadata): exit status: 1"
            ),
            "{message}"
        );
        assert_eq!(
            files_under(cache.path())
                .iter()
                .filter(|path| !path.starts_with("simple-v2") && !path.starts_with("build-logs"))
                .count(),
            0,
            "a failed build leaves neither metadata nor build directories: {:?}",
            files_under(cache.path())
        );
    }
}

#[tokio::test]
async fn find_links_directory_is_read_locally() {
    for concurrency in CONCURRENCY {
        let files = TestIndex::start(Universe::new().package(demo().sdist()));
        let empty = TestIndex::start(Universe::new());
        let cache = tempfile::tempdir().unwrap();
        let mut config = IndexConfig::new(IndexUrl::parse(&empty.url()).unwrap());
        config.find_links = vec![files.find_links_dir().display().to_string()];
        let client = client_with(config, cache.path(), concurrency);

        let wheel = listed(&client, "demo", WHEEL).await;
        assert_eq!(wheel.url.scheme(), "file");
        assert_eq!(wheel.sha256, Some(files.file(WHEEL).unwrap().sha256));
        let fetched = client.metadata(&name("demo"), &wheel).await.unwrap();
        assert_eq!(fetched.source, MetadataSource::Local);
        assert_eq!(fetched.bytes, 0);
        assert_demo_metadata(&fetched);

        let sdist = listed(&client, "demo", SDIST).await;
        let fetched = client.metadata(&name("demo"), &sdist).await.unwrap();
        assert_eq!(fetched.source, MetadataSource::SdistPkgInfo);
        assert_demo_metadata(&fetched);

        assert_eq!(files.requests(), [], "local files are not fetched");
        assert_eq!(
            wire(&empty),
            [("/simple/demo/".to_string(), None, Some(404))]
        );
    }
}

#[tokio::test]
async fn second_run_takes_metadata_from_the_cache_without_requests() {
    for concurrency in CONCURRENCY {
        let index = TestIndex::start(Universe::new().package(demo().padding(100_000)));
        let cache = tempfile::tempdir().unwrap();
        let first = client_with(config(&index), cache.path(), concurrency);
        let wheel = listed(&first, "demo", WHEEL).await;
        assert_eq!(
            first.metadata(&name("demo"), &wheel).await.unwrap().source,
            MetadataSource::Range
        );
        index.reset_log();

        let second = client_with(config(&index), cache.path(), concurrency);
        let fetched = second.metadata(&name("demo"), &wheel).await.unwrap();
        assert_eq!(fetched.source, MetadataSource::Cache);
        assert_eq!(fetched.bytes, 0);
        assert_demo_metadata(&fetched);
        assert_eq!(wire(&index), []);
        assert_eq!(second.stats().metadata_cached, 1);
        assert_eq!(second.stats().requests, 0);
    }
}
