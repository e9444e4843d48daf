//! Project pages: both formats, the page cache's revalidation and freshness, `--refresh` and
//! `--offline`.

use std::collections::HashSet;

use strata_index::{ClientOptions, ErrorKind, IndexClient, ProjectListing, Refresh, Stats};
use strata_testindex::{Package, TestIndex, Universe};

use crate::{client, config, name, options, stable, wire};

fn universe() -> Universe {
    Universe::new()
        .package(
            Package::new("demo", "1.0")
                .requires_python(">=3.9")
                .requires("numpy>=1.26")
                .sdist(),
        )
        .package(Package::new("demo", "0.9").yanked("broken build"))
        .package(Package::new("demo", "0.8").yanked(""))
        .package(Package::new("numpy", "1.26.4"))
}

/// Filename, URL path, sha256, `requires-python`, yank reason.
type FileSummary = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What a listing says about each file, minus the server's port.
fn summary(listing: &ProjectListing) -> Vec<FileSummary> {
    listing
        .files
        .iter()
        .map(|file| {
            (
                file.name(),
                file.url.path().to_string(),
                file.sha256.clone(),
                file.requires_python.as_ref().map(ToString::to_string),
                file.yanked.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn json_and_html_pages_give_the_same_listing() {
    let json = TestIndex::start(universe());
    let html = TestIndex::start(universe().html_only());
    let cache = tempfile::tempdir().unwrap();
    let from_json = client(&json, &cache.path().join("json"))
        .project(&name("demo"))
        .await
        .unwrap();
    let from_html = client(&html, &cache.path().join("html"))
        .project(&name("demo"))
        .await
        .unwrap();

    assert_eq!(summary(&from_json), summary(&from_html));
    let files = summary(&from_json);
    let names: Vec<&str> = files.iter().map(|file| file.0.as_str()).collect();
    assert_eq!(
        names.iter().copied().collect::<HashSet<_>>(),
        HashSet::from([
            "demo-1.0-py3-none-any.whl",
            "demo-1.0.tar.gz",
            "demo-0.9-py3-none-any.whl",
            "demo-0.8-py3-none-any.whl",
        ])
    );
    for (filename, path, sha256, requires_python, yanked) in &files {
        let served = json.file(filename).unwrap();
        assert_eq!(path, &served.url_path, "relative URLs are joined");
        assert_eq!(
            sha256.as_deref(),
            Some(served.sha256.as_str()),
            "{filename}"
        );
        let expected_yank = match filename.as_str() {
            "demo-0.9-py3-none-any.whl" => Some("broken build"),
            "demo-0.8-py3-none-any.whl" => Some(""),
            _ => None,
        };
        assert_eq!(yanked.as_deref(), expected_yank, "{filename}");
        let expected_python = filename.starts_with("demo-1.0").then_some(">=3.9");
        assert_eq!(requires_python.as_deref(), expected_python, "{filename}");
    }
    assert_eq!(from_json.indexes, [config(&json).index_url]);
}

#[tokio::test]
async fn missing_project_is_package_not_found() {
    let index = TestIndex::start(universe());
    let cache = tempfile::tempdir().unwrap();
    let error = client(&index, cache.path())
        .project(&name("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::PackageNotFound { package, .. } if package.as_ref() == "nope"),
        "{error:?}"
    );
    stable().bind(|| {
        insta::assert_snapshot!(error, @"Package `nope` was not found on http://[INDEX]/simple/");
    });
    assert_eq!(
        wire(&index),
        [("/simple/nope/".to_string(), None, Some(404))]
    );
}

/// Fetches `demo`'s page with a fresh client on `cache` and returns the listing and the stats.
async fn run(
    index: &TestIndex,
    options: ClientOptions,
) -> Result<(std::sync::Arc<ProjectListing>, Stats), strata_index::Error> {
    let client = IndexClient::new(config(index), options)?;
    let listing = client.project(&name("demo")).await?;
    Ok((listing, client.stats()))
}

#[tokio::test]
async fn second_client_revalidates_with_etag_and_gets_304() {
    let index = TestIndex::start(universe().page_max_age(0));
    let cache = tempfile::tempdir().unwrap();
    let (first, stats) = run(&index, options(cache.path())).await.unwrap();
    assert_eq!(stats.pages_downloaded, 1);
    assert_eq!(stats.requests, 1);
    index.reset_log();

    let (second, stats) = run(&index, options(cache.path())).await.unwrap();
    assert_eq!(
        wire(&index),
        [("/simple/demo/".to_string(), None, Some(304))],
        "the stale page is revalidated, and the server only answers 304 to a matching `If-None-Match`"
    );
    assert_eq!(
        stats,
        Stats {
            requests: 1,
            pages_not_modified: 1,
            ..Stats::default()
        }
    );
    assert_eq!(summary(&first), summary(&second));
}

#[tokio::test]
async fn fresh_page_is_used_without_a_request() {
    let index = TestIndex::start(universe().page_max_age(600));
    let cache = tempfile::tempdir().unwrap();
    let (first, _) = run(&index, options(cache.path())).await.unwrap();
    index.reset_log();

    let (second, stats) = run(&index, options(cache.path())).await.unwrap();
    assert_eq!(wire(&index), []);
    assert_eq!(
        stats,
        Stats {
            pages_cached: 1,
            ..Stats::default()
        }
    );
    assert_eq!(summary(&first), summary(&second));
}

#[tokio::test]
async fn refresh_revalidates_fresh_pages() {
    let index = TestIndex::start(universe().page_max_age(600));
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    client.project(&name("demo")).await.unwrap();
    client.project(&name("numpy")).await.unwrap();
    index.reset_log();

    let all = ClientOptions {
        refresh: Refresh::All,
        ..options(cache.path())
    };
    let (_, stats) = run(&index, all).await.unwrap();
    assert_eq!(
        wire(&index),
        [("/simple/demo/".to_string(), None, Some(304))]
    );
    assert_eq!(stats.pages_not_modified, 1);
    index.reset_log();

    // `--refresh-package numpy` revalidates numpy's page and trusts demo's.
    let some = ClientOptions {
        refresh: Refresh::Packages(HashSet::from([name("numpy")])),
        ..options(cache.path())
    };
    let client = IndexClient::new(config(&index), some).unwrap();
    client.project(&name("demo")).await.unwrap();
    client.project(&name("numpy")).await.unwrap();
    assert_eq!(
        wire(&index),
        [("/simple/numpy/".to_string(), None, Some(304))]
    );
    assert_eq!(client.stats().pages_cached, 1);
}

#[tokio::test]
async fn offline_serves_stale_pages_from_the_cache_and_names_what_is_missing() {
    let index = TestIndex::start(universe().page_max_age(0));
    let cache = tempfile::tempdir().unwrap();
    let (first, _) = run(&index, options(cache.path())).await.unwrap();
    index.reset_log();

    let offline = ClientOptions {
        offline: true,
        ..options(cache.path())
    };
    let (second, stats) = run(&index, offline.clone()).await.unwrap();
    assert_eq!(summary(&first), summary(&second));
    assert_eq!(stats.pages_cached, 1);

    let client = IndexClient::new(config(&index), offline).unwrap();
    let error = client.project(&name("numpy")).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::OfflineMiss { .. }),
        "{error:?}"
    );
    stable().bind(|| {
        insta::assert_snapshot!(error, @"Not in the cache, and `--offline` forbids fetching it: the index page of `numpy` on http://[INDEX]/simple/");
    });
    let wheel = second
        .files
        .iter()
        .find(|file| file.name() == "demo-1.0-py3-none-any.whl")
        .unwrap();
    let error = client.metadata(&name("demo"), wheel).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::OfflineMiss { .. }),
        "{error:?}"
    );
    insta::assert_snapshot!(error, @"Not in the cache, and `--offline` forbids fetching it: the metadata of `demo-1.0-py3-none-any.whl`");
    assert_eq!(wire(&index), [], "offline never touches the network");
}
