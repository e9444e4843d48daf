//! Several indexes: the first index that has a project is the only one asked for it, unless the
//! caller opts into `unsafe-best-match`.

use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexStrategy, IndexUrl};
use strata_testindex::{Package, TestIndex, Universe};

use crate::{name, options};

fn two_indexes() -> (TestIndex, TestIndex) {
    let first = TestIndex::start(Universe::new().package(Package::new("shared", "1.0")));
    let second = TestIndex::start(
        Universe::new()
            .package(Package::new("shared", "9.0"))
            .package(Package::new("only-second", "1.0")),
    );
    (first, second)
}

fn client(
    first: &TestIndex,
    second: &TestIndex,
    strategy: IndexStrategy,
) -> (IndexClient, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let mut config = IndexConfig::new(IndexUrl::parse(&first.url()).unwrap());
    config.extra_index_urls = vec![IndexUrl::parse(&second.url()).unwrap()];
    let options = ClientOptions {
        index_strategy: strategy,
        ..options(cache.path())
    };
    (IndexClient::new(config, options).unwrap(), cache)
}

fn filenames(listing: &strata_index::ProjectListing) -> Vec<String> {
    listing
        .files
        .iter()
        .map(strata_index::DistFile::name)
        .collect()
}

#[tokio::test]
async fn first_index_that_has_a_project_is_the_only_source() {
    let (first, second) = two_indexes();
    let (client, _cache) = client(&first, &second, IndexStrategy::FirstIndex);

    let shared = client.project(&name("shared")).await.unwrap();
    assert_eq!(filenames(&shared), ["shared-1.0-py3-none-any.whl"]);
    assert_eq!(shared.indexes, [client.config().index_url.clone()]);
    assert_eq!(
        second.requests_for("/simple/shared/").len(),
        0,
        "a later index is not even asked for a project the first one has"
    );

    let only = client.project(&name("only-second")).await.unwrap();
    assert_eq!(filenames(&only), ["only_second-1.0-py3-none-any.whl"]);
    assert_eq!(only.indexes, client.config().extra_index_urls);
    assert_eq!(
        first.requests_for("/simple/only-second/")[0].status,
        Some(404)
    );
}

#[tokio::test]
async fn unsafe_best_match_merges_every_index() {
    let (first, second) = two_indexes();
    let (client, _cache) = client(&first, &second, IndexStrategy::UnsafeBestMatch);

    let shared = client.project(&name("shared")).await.unwrap();
    assert_eq!(
        filenames(&shared),
        ["shared-1.0-py3-none-any.whl", "shared-9.0-py3-none-any.whl"]
    );
    assert_eq!(shared.indexes.len(), 2);
    let hosts: Vec<_> = shared.files.iter().map(|file| file.url.port()).collect();
    assert_eq!(
        hosts,
        [Some(first.address().port()), Some(second.address().port())],
        "each file links to the index that listed it"
    );
}
