//! Single flight: however many tasks ask at once, one URL is fetched once per run.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use strata_index::MetadataSource;
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{CONCURRENCY, client, name, options};

fn slow_index() -> TestIndex {
    TestIndex::start_with_faults(
        Universe::new()
            .package(Package::new("demo", "1.0").padding(100_000))
            .package(Package::new("numpy", "1.26.4")),
        // Slow enough that every task asks while the first request is in flight.
        Faults::new().everywhere(Fault::Latency(Duration::from_millis(100))),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_requests_for_one_page_make_one_request() {
    let index = slow_index();
    let cache = tempfile::tempdir().unwrap();
    let client = client(&index, cache.path());
    let tasks = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.project(&name("demo")).await })
    });
    let listings: Vec<_> = join_all(tasks)
        .await
        .into_iter()
        .map(|joined| joined.unwrap().unwrap())
        .collect();
    assert!(
        listings
            .iter()
            .all(|listing| Arc::ptr_eq(listing, &listings[0])),
        "every task gets the same listing"
    );
    assert_eq!(index.requests_for("/simple/demo/").len(), 1);
    assert_eq!(client.stats().requests, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_metadata_requests_share_one_fetch() {
    for concurrency in CONCURRENCY {
        let index = slow_index();
        let cache = tempfile::tempdir().unwrap();
        let client = strata_index::IndexClient::new(
            crate::config(&index),
            strata_index::ClientOptions {
                concurrency,
                ..options(cache.path())
            },
        )
        .unwrap();
        let demo = client.project(&name("demo")).await.unwrap();
        let numpy = client.project(&name("numpy")).await.unwrap();
        index.reset_log();
        let tasks = (0..20).map(|task| {
            let client = client.clone();
            let (package, file) = if task % 2 == 0 {
                ("demo", demo.files[0].clone())
            } else {
                ("numpy", numpy.files[0].clone())
            };
            tokio::spawn(async move { client.metadata(&name(package), &file).await })
        });
        for joined in join_all(tasks).await {
            assert_eq!(joined.unwrap().unwrap().source, MetadataSource::Range);
        }
        let shared = index.requests_for("/files/").len();
        assert_eq!(client.stats().metadata_fetched, 2);

        // What the same two files cost one task each, on a fresh cache.
        index.reset_log();
        let fresh = tempfile::tempdir().unwrap();
        let alone = crate::client(&index, fresh.path());
        alone.metadata(&name("demo"), &demo.files[0]).await.unwrap();
        alone
            .metadata(&name("numpy"), &numpy.files[0])
            .await
            .unwrap();
        assert_eq!(
            shared,
            index.requests_for("/files/").len(),
            "twenty tasks cost what two do"
        );
    }
}
