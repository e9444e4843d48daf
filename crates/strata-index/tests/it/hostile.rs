//! An index that stalls, trickles, redirects without end, pads its pages or fails for a moment:
//! every run ends in bounded time with an error naming the URL, the package and what was
//! tried, nothing of the failure is cached, and the next run against the recovered index works
//! and fills the cache.
//!
//! Deadlines here are a second or two (set through `ClientOptions::http_timeout`, as the
//! `--http-timeout` setting does), and the time bounds asserted are an order of magnitude
//! looser, so a loaded machine makes these tests slower, never flaky.

use std::path::Path;
use std::time::{Duration, Instant};

use strata_diagnostic::Diagnostic as _;
use strata_index::{
    BodyKind, ClientOptions, ErrorKind, GaveUp, IndexClient, MetadataSource, Refresh,
};
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{config, files_under, name, options, stable};

const WHEEL: &str = "demo-1.0-py3-none-any.whl";

/// Far below how long the faults would hold a client without a deadline (minutes to hours),
/// far above what a loaded machine adds to a one-second deadline.
const BOUND: Duration = Duration::from_secs(20);

fn universe() -> Universe {
    Universe::new().package(
        Package::new("demo", "1.0")
            .requires("numpy>=1.26")
            .padding(20_000),
    )
}

fn client_with(index: &TestIndex, options: ClientOptions) -> IndexClient {
    IndexClient::new(config(index), options).unwrap()
}

/// Options with a one-second deadline per request.
fn hurried(cache: &Path) -> ClientOptions {
    ClientOptions {
        http_timeout: Duration::from_secs(1),
        ..options(cache)
    }
}

/// What the cache holds: pages and metadata entries.
fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    files_under(cache)
        .into_iter()
        .filter(|path| path.starts_with("simple-v2") || path.starts_with("metadata-v3"))
        .collect()
}

/// A healthy run after a failed one: `demo` is listed and its metadata read, and a run after
/// that takes the metadata from the cache and only revalidates the page.
async fn healthy_runs_fill_and_use_the_cache(index: &TestIndex, cache: &Path) {
    let client = client_with(index, options(cache));
    let listing = client.project(&name("demo")).await.unwrap();
    let fetched = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.metadata.requires_dist.len(), 1);
    let stats = client.stats();
    assert_eq!(stats.pages_downloaded + stats.pages_not_modified, 1);

    index.reset_log();
    let warm = client_with(index, options(cache));
    let listing = warm.project(&name("demo")).await.unwrap();
    let fetched = warm
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Cache);
    let stats = warm.stats();
    assert_eq!(
        (stats.pages_not_modified, stats.requests),
        (1, 1),
        "only the page is revalidated: {:?}",
        index.requests()
    );
}

#[tokio::test]
async fn a_trickling_page_fails_at_the_deadline_naming_the_url_the_package_and_the_time() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/demo/",
            Fault::Trickle {
                bytes_per_second: 1,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let error = client_with(&index, hurried(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    let spent = started.elapsed();
    assert!(spent < BOUND, "{spent:?}: {error}");
    let ErrorKind::Network {
        url,
        package,
        attempts,
        elapsed,
        gave_up,
        ..
    } = error.kind()
    else {
        panic!("expected a network error: {error:?}");
    };
    assert_eq!(*gave_up, GaveUp::Deadline(Duration::from_secs(1)));
    assert_eq!(url.to_string(), format!("{}demo/", index.url()));
    assert_eq!(package.as_ref().map(AsRef::as_ref), Some("demo"));
    assert_eq!(*attempts, 1, "the one attempt used the whole deadline");
    assert!(*elapsed >= Duration::from_secs(1), "{elapsed:?}");
    let message = error.to_string();
    assert!(
        message.contains("within its deadline of 1 s")
            && message.contains("the body was still arriving"),
        "{message}"
    );
    assert!(
        error
            .hints()
            .iter()
            .any(|hint| hint.contains("STRATA_HTTP_TIMEOUT")),
        "{:?}",
        error.hints()
    );
    assert_eq!(index.requests_for("/simple/demo/").len(), 1);
    assert_eq!(entries(cache.path()), Vec::<std::path::PathBuf>::new());

    index.set_faults(Faults::new());
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn trickling_metadata_fails_at_the_deadline_too() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/files/",
            Fault::Trickle {
                bytes_per_second: 100,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client_with(&index, hurried(cache.path()));
    let listing = client.project(&name("demo")).await.unwrap();
    let started = Instant::now();
    let error = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let ErrorKind::Network {
        url,
        package,
        gave_up: GaveUp::Deadline(_),
        ..
    } = error.kind()
    else {
        panic!("expected a deadline error: {error:?}");
    };
    assert!(url.to_string().ends_with(&format!("/files/demo/{WHEEL}")));
    assert_eq!(package.as_ref().map(AsRef::as_ref), Some("demo"));
    stable().bind(|| {
        let message = error.to_string();
        let message = regex_lite_bytes(&message);
        insta::assert_snapshot!(message, @"Failed to fetch `http://[INDEX]/files/demo/demo-1.0-py3-none-any.whl` for `demo` within its deadline of 1 s (1 attempt in [TIME]): the body was still arriving, [N] bytes so far");
    });
    assert_eq!(files_under(&cache.path().join("metadata-v3")).len(), 0);

    index.set_faults(Faults::new());
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_trickling_whole_wheel_download_fails_at_the_deadline_and_leaves_no_file() {
    // The server ignores ranges, so the wheel is streamed whole to a temporary file: at 2,000
    // bytes a second its 21 KB would take ten seconds.
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/files/", Fault::RangeUnsupported).on(
            "/files/",
            Fault::Trickle {
                bytes_per_second: 2_000,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client_with(&index, hurried(cache.path()));
    let listing = client.project(&name("demo")).await.unwrap();
    let started = Instant::now();
    let error = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let ErrorKind::Network {
        url,
        gave_up: GaveUp::Deadline(_),
        ..
    } = error.kind()
    else {
        panic!("expected a deadline error: {error:?}");
    };
    assert!(url.to_string().ends_with(&format!("/files/demo/{WHEEL}")));
    let downloads: Vec<_> = index
        .requests_for("/files/")
        .into_iter()
        .filter(|record| record.range.is_none())
        .collect();
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    assert_eq!(
        files_under(&cache.path().join("tmp")),
        Vec::<std::path::PathBuf>::new(),
        "the partial download is deleted"
    );

    index.set_faults(Faults::new().on("/files/", Fault::RangeUnsupported));
    let fetched = client_with(&index, hurried(cache.path()))
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Stream);
}

/// Replaces the byte count of a trickled body, which depends on the machine's pace.
fn regex_lite_bytes(message: &str) -> String {
    let marker = "arriving, ";
    match message.find(marker) {
        Some(at) => {
            let start = at + marker.len();
            let digits = message[start..]
                .find(|character: char| !character.is_ascii_digit())
                .map_or(message.len(), |end| start + end);
            format!("{}[N]{}", &message[..start], &message[digits..])
        }
        None => message.to_string(),
    }
}

#[tokio::test]
async fn a_stalled_answer_fails_at_the_deadline_not_after_every_read_timeout() {
    let index =
        TestIndex::start_with_faults(universe(), Faults::new().on("/simple/demo/", Fault::Stall));
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // The read timeout is left at its default (30 s): four attempts would wait two minutes.
    let error = client_with(&index, hurried(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    let ErrorKind::Network { gave_up, .. } = error.kind() else {
        panic!("expected a network error: {error:?}");
    };
    assert_eq!(*gave_up, GaveUp::Deadline(Duration::from_secs(1)));
    stable().bind(|| {
        insta::assert_snapshot!(error, @"Failed to fetch `http://[INDEX]/simple/demo/` for `demo` within its deadline of 1 s (1 attempt in [TIME]): no answer to the request had arrived");
    });
    assert_eq!(entries(cache.path()), Vec::<std::path::PathBuf>::new());

    index.set_faults(Faults::new());
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_redirect_loop_is_a_final_error_after_one_request() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/demo/", Fault::RedirectLoop),
    );
    let cache = tempfile::tempdir().unwrap();
    let error = client_with(&index, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    let ErrorKind::Network {
        gave_up, attempts, ..
    } = error.kind()
    else {
        panic!("expected a network error: {error:?}");
    };
    assert_eq!((*gave_up, *attempts), (GaveUp::Redirects, 1));
    stable().bind(|| {
        insta::assert_snapshot!(error, @"Failed to fetch `http://[INDEX]/simple/demo/` for `demo`: it redirects in a loop: `http://[INDEX]/simple/demo/` -> `http://[INDEX]/simple/demo/`; not retried, as every attempt would be redirected the same way (1 attempt in [TIME])");
    });
    assert!(
        error.hints().iter().any(|hint| hint.contains("curl -sIL")),
        "{:?}",
        error.hints()
    );
    assert_eq!(
        index.requests_for("/simple/demo/").len(),
        1,
        "the loop is seen at its first redirect"
    );
    assert_eq!(entries(cache.path()), Vec::<std::path::PathBuf>::new());

    index.set_faults(Faults::new());
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_redirect_chain_is_followed_up_to_the_limit_and_refused_past_it() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/demo/",
            Fault::RedirectChain(strata_index::MAX_REDIRECTS),
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let client = client_with(&index, options(cache.path()));
    let listing = client.project(&name("demo")).await.unwrap();
    let fetched = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.metadata.requires_dist.len(), 1);
    assert_eq!(
        index.requests().len() - index.requests_for("/files/").len(),
        strata_index::MAX_REDIRECTS + 1,
        "every hop, then the page: {:?}",
        index.requests()
    );

    let longer = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/demo/",
            Fault::RedirectChain(strata_index::MAX_REDIRECTS + 1),
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let error = client_with(&longer, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    let ErrorKind::Network {
        gave_up, attempts, ..
    } = error.kind()
    else {
        panic!("expected a network error: {error:?}");
    };
    assert_eq!((*gave_up, *attempts), (GaveUp::Redirects, 1));
    assert!(
        error
            .to_string()
            .contains("it redirects more than 10 times: `http://"),
        "{error}"
    );
    assert_eq!(
        longer.requests().len(),
        strata_index::MAX_REDIRECTS + 1,
        "one attempt, not retried: {:?}",
        longer.requests()
    );
}

#[tokio::test]
async fn an_oversized_page_is_refused_at_the_bound_without_reading_the_rest() {
    let padded = 4 * strata_index::MAX_PAGE_BYTES;
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on("/simple/demo/", Fault::OversizedPage(padded)),
    );
    let cache = tempfile::tempdir().unwrap();
    let error = client_with(&index, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    let ErrorKind::TooLarge {
        url,
        package,
        what,
        limit,
        received,
        announced,
    } = error.kind()
    else {
        panic!("expected a body too large: {error:?}");
    };
    assert_eq!(url.to_string(), format!("{}demo/", index.url()));
    assert_eq!(package.as_ref().map(AsRef::as_ref), Some("demo"));
    assert_eq!(
        (*what, *limit, *announced),
        (BodyKind::Page, strata_index::MAX_PAGE_BYTES, None)
    );
    assert!(*received > *limit, "{received}");
    assert!(
        *received < *limit + 1024 * 1024,
        "reading stopped at the bound: {received}"
    );
    let message = error.to_string();
    assert!(
        message.contains("more than 64 MiB for an index page")
            && message.contains("(needed for `demo`)"),
        "{message}"
    );
    assert_eq!(index.requests_for("/simple/demo/").len(), 1, "not retried");
    // The index logs the whole body as sent until a write fails, which it notices once the
    // client's hang-up reaches it: wait for that, however slow the machine.
    let waited = Instant::now();
    let sent = loop {
        let sent = index.requests_for("/simple/demo/")[0].bytes_sent;
        if sent < padded || waited.elapsed() > BOUND {
            break sent;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(sent < padded, "the client hung up before the end: {sent}");
    assert_eq!(entries(cache.path()), Vec::<std::path::PathBuf>::new());

    index.set_faults(Faults::new());
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_404_without_caching_headers_is_not_remembered() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/demo/",
            Fault::NotFound {
                count: 1,
                max_age: None,
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let error = client_with(&index, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::PackageNotFound { .. }),
        "{error:?}"
    );
    assert_eq!(error.cached_page(), None, "the 404 came from the index");
    assert_eq!(entries(cache.path()), Vec::<std::path::PathBuf>::new());

    // The mirror has synced: the next run asks again instead of failing for ten minutes.
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_cached_404_the_index_allowed_says_how_to_bypass_it() {
    let index = TestIndex::start_with_faults(
        universe(),
        Faults::new().on(
            "/simple/demo/",
            Fault::NotFound {
                count: 1,
                max_age: Some(600),
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let first = client_with(&index, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    assert_eq!(first.cached_page(), None);

    // The index granted ten minutes: the 404 is reused, and the error says so.
    let second = client_with(&index, options(cache.path()))
        .project(&name("demo"))
        .await
        .unwrap_err();
    assert_eq!(index.requests_for("/simple/demo/").len(), 1);
    let reused = second.cached_page().expect("the 404 came from the cache");
    assert_eq!(reused.package.as_ref(), "demo");
    let hints = second.hints();
    assert!(
        hints[0].starts_with("The index page of `demo` was reused from the cache (fetched ")
            && hints[0].contains("`--refresh-package demo` (or `--refresh`) bypasses the cache"),
        "{hints:?}"
    );

    let refreshed = client_with(
        &index,
        ClientOptions {
            refresh: Refresh::Packages([name("demo")].into_iter().collect()),
            ..options(cache.path())
        },
    );
    assert_eq!(
        refreshed.project(&name("demo")).await.unwrap().files.len(),
        1
    );
    healthy_runs_fill_and_use_the_cache(&index, cache.path()).await;
}

#[tokio::test]
async fn a_wrong_metadata_hash_from_a_cached_page_says_how_to_bypass_it() {
    let index = TestIndex::start_with_faults(
        universe().metadata_files(true).page_max_age(600),
        Faults::new().on(
            "/simple/demo/",
            Fault::AdvertisedMetadataHash {
                filename: "demo-1.0-py3-none-any.whl".to_string(),
                sha256: Some("ab".repeat(32)),
            },
        ),
    );
    let cache = tempfile::tempdir().unwrap();
    let first = client_with(&index, options(cache.path()));
    let listing = first.project(&name("demo")).await.unwrap();
    let error = first
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Metadata { reason, .. } if reason.starts_with("the page advertises sha256")),
        "{error:?}"
    );
    assert_eq!(error.cached_page(), None, "the page came from the index");
    assert_eq!(files_under(&cache.path().join("metadata-v3")).len(), 0);

    // The index is fixed, but the page it sent allowed ten minutes of reuse.
    index.set_faults(Faults::new());
    let second = client_with(&index, options(cache.path()));
    let listing = second.project(&name("demo")).await.unwrap();
    let error = second
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Metadata { reason, .. } if reason.starts_with("the page advertises sha256")),
        "{error:?}"
    );
    assert_eq!(
        error.cached_page().map(|page| page.package.to_string()),
        Some("demo".to_string())
    );
    assert!(
        error
            .hints()
            .iter()
            .any(|hint| hint.contains("`--refresh-package demo` (or `--refresh`)")),
        "{:?}",
        error.hints()
    );

    let refreshed = client_with(
        &index,
        ClientOptions {
            refresh: Refresh::Packages([name("demo")].into_iter().collect()),
            ..options(cache.path())
        },
    );
    let listing = refreshed.project(&name("demo")).await.unwrap();
    let fetched = refreshed
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Pep658);

    index.reset_log();
    let warm = client_with(&index, options(cache.path()));
    let listing = warm.project(&name("demo")).await.unwrap();
    let fetched = warm
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap();
    assert_eq!(fetched.source, MetadataSource::Cache);
    assert_eq!(index.requests(), [], "page and metadata from the cache");
}
