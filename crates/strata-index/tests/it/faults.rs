//! Every fault switch of the test index: retried to success, or reported with the URL and the
//! package, and never cached.

use strata_diagnostic::Diagnostic as _;
use strata_index::{ErrorKind, MetadataSource};
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{client, files_under, name, stable};

const WHEEL: &str = "demo-1.0-py3-none-any.whl";

fn universe() -> Universe {
    Universe::new().package(Package::new("demo", "1.0").requires("numpy>=1.26"))
}

fn statuses(index: &TestIndex, prefix: &str) -> Vec<Option<u16>> {
    index
        .requests_for(prefix)
        .iter()
        .map(|record| record.status)
        .collect()
}

#[tokio::test]
async fn server_errors_are_retried_to_success() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/",
            Fault::ServerError {
                status: 503,
                count: 2,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let listing = client.project(&name("demo")).await.unwrap();
    assert_eq!(listing.files.len(), 1);
    assert_eq!(
        statuses(&index, "/simple/demo/"),
        [Some(503), Some(503), Some(200)]
    );
    assert_eq!(client.stats().requests, 3);
}

#[tokio::test]
async fn connection_resets_are_retried_to_success() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/files/", Fault::ConnectionReset { count: 2 }),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let listing = client.project(&name("demo")).await.unwrap();
    let fetched = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Range);
    assert_eq!(fetched.metadata.requires_dist.len(), 1);
    let files = statuses(&index, "/files/");
    assert_eq!(
        files[..2],
        [None, None],
        "two requests closed without an answer, then success: {files:?}"
    );
    assert!(
        files[2..].iter().all(|status| *status == Some(206)),
        "{files:?}"
    );
    assert_eq!(client.stats().requests, 1 + files.len() as u64);
}

#[tokio::test]
async fn truncated_bodies_are_retried_to_success() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new()
            .on("/simple/", Fault::TruncatedBody { count: 1 })
            .on("/files/", Fault::RangeUnsupported)
            .on("/files/", Fault::TruncatedBody { count: 2 }),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let listing = client.project(&name("demo")).await.unwrap();
    assert_eq!(statuses(&index, "/simple/demo/"), [Some(200), Some(200)]);
    let fetched = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Stream);
    let wheel = index.file(WHEEL).unwrap();
    let downloads: Vec<_> = index
        .requests_for("/files/")
        .into_iter()
        .filter(|record| record.range.is_none())
        .map(|record| record.bytes_sent)
        .collect();
    assert_eq!(
        downloads.last(),
        Some(&wheel.size),
        "the last download is whole: {downloads:?}"
    );
    assert!(
        downloads.len() >= 2 && downloads[0] < wheel.size,
        "a truncated download was retried: {downloads:?}"
    );
    assert_eq!(
        files_under(&cache.path().join("tmp")),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test]
async fn persistent_server_errors_name_the_url_the_package_and_the_attempts() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/files/",
            Fault::ServerError {
                status: 500,
                count: usize::MAX,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let listing = client.project(&name("demo")).await.unwrap();
    let error = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    let ErrorKind::Network {
        url,
        package,
        attempts,
        ..
    } = error.kind()
    else {
        panic!("expected a network error: {error:?}");
    };
    assert_eq!(*attempts, 4);
    assert_eq!(package.as_ref().map(AsRef::as_ref), Some("demo"));
    assert!(
        url.to_string()
            .ends_with("/files/demo/demo-1.0-py3-none-any.whl")
    );
    assert_eq!(statuses(&index, "/files/"), [Some(500); 4]);
    stable().bind(|| {
        insta::assert_snapshot!(error, @"Failed to fetch `http://[INDEX]/files/demo/demo-1.0-py3-none-any.whl` for `demo` after 4 attempts in [TIME]: HTTP 500 Internal Server Error");
    });
    assert!(!error.hints().is_empty());
    assert_eq!(
        files_under(&cache.path().join("metadata-v3")),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test]
async fn wrong_hash_on_a_streamed_download_is_an_error_and_nothing_is_cached() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new()
            .on("/simple/", Fault::WrongHash)
            .on("/files/", Fault::RangeUnsupported),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let listing = client.project(&name("demo")).await.unwrap();
    let error = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    let ErrorKind::HashMismatch {
        url,
        expected,
        actual,
    } = error.kind()
    else {
        panic!("expected a hash mismatch: {error:?}");
    };
    let wheel = index.file(WHEEL).unwrap();
    assert_eq!(actual, &wheel.sha256);
    assert_ne!(expected, &wheel.sha256);
    assert_eq!(listing.files[0].sha256.as_deref(), Some(expected.as_str()));
    assert!(url.to_string().ends_with(&wheel.url_path));
    assert_eq!(
        files_under(&cache.path().join("metadata-v3")),
        Vec::<std::path::PathBuf>::new()
    );
    assert_eq!(
        files_under(&cache.path().join("tmp")),
        Vec::<std::path::PathBuf>::new(),
        "the bad download is deleted"
    );
}

#[tokio::test]
async fn malformed_pages_are_invalid_responses_naming_the_url() {
    for universe in [universe(), universe().html_only()] {
        let index = TestIndex::start_with_faults(
            universe,
            Faults::new().on("/simple/", Fault::MalformedPage),
        );
        let cache = tempfile::tempdir().unwrap();
        let error = client(&index, cache.path())
            .project(&name("demo"))
            .await
            .unwrap_err();
        let ErrorKind::InvalidResponse { url, .. } = error.kind() else {
            panic!("expected an invalid response: {error:?}");
        };
        assert_eq!(url.to_string(), format!("{}demo/", index.url()));
        assert!(error.to_string().contains(&index.url()), "{error}");
        assert_eq!(
            files_under(&cache.path().join("simple-v2")),
            Vec::<std::path::PathBuf>::new(),
            "an unreadable page is not cached"
        );
    }
}
