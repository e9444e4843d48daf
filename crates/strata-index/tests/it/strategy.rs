//! Several indexes: the extra indexes are searched before the default one (uv's order), the
//! first index that has a project is the only one asked for it unless the caller opts into
//! `unsafe-best-match`, and a package bound to an index is asked of that index alone.

use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexStrategy, IndexUrl};
use strata_testindex::{Package, TestIndex, Universe};

use crate::{name, options};

/// The default index and an extra one; both have `shared`, each has a project of its own.
fn two_indexes() -> (TestIndex, TestIndex) {
    let default = TestIndex::start(
        Universe::new()
            .package(Package::new("shared", "1.0"))
            .package(Package::new("only-default", "1.0")),
    );
    let extra = TestIndex::start(
        Universe::new()
            .package(Package::new("shared", "9.0"))
            .package(Package::new("only-extra", "1.0")),
    );
    (default, extra)
}

fn configured(
    default: &TestIndex,
    extra: &TestIndex,
    strategy: IndexStrategy,
    bound: &[(&str, &TestIndex)],
) -> (IndexClient, tempfile::TempDir) {
    let cache = tempfile::tempdir().unwrap();
    let mut config = IndexConfig::new(IndexUrl::parse(&default.url()).unwrap());
    config.extra_index_urls = vec![IndexUrl::parse(&extra.url()).unwrap()];
    config.bound = bound
        .iter()
        .map(|(package, index)| (name(package), IndexUrl::parse(&index.url()).unwrap()))
        .collect();
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
async fn an_extra_index_is_searched_first_and_is_the_only_source_of_what_it_has() {
    let (default, extra) = two_indexes();
    let (client, _cache) = configured(&default, &extra, IndexStrategy::FirstIndex, &[]);

    let shared = client.project(&name("shared")).await.unwrap();
    assert_eq!(filenames(&shared), ["shared-9.0-py3-none-any.whl"]);
    assert_eq!(shared.indexes, client.config().extra_index_urls);
    assert!(
        default.requests_for("/simple/shared/").is_empty(),
        "the default index is not even asked for a project the extra index has"
    );

    let only = client.project(&name("only-default")).await.unwrap();
    assert_eq!(filenames(&only), ["only_default-1.0-py3-none-any.whl"]);
    assert_eq!(only.indexes, [client.config().index_url.clone()]);
    assert_eq!(
        extra.requests_for("/simple/only-default/")[0].status,
        Some(404)
    );
}

#[tokio::test]
async fn unsafe_best_match_merges_every_index() {
    let (default, extra) = two_indexes();
    let (client, _cache) = configured(&default, &extra, IndexStrategy::UnsafeBestMatch, &[]);

    let shared = client.project(&name("shared")).await.unwrap();
    assert_eq!(
        filenames(&shared),
        ["shared-9.0-py3-none-any.whl", "shared-1.0-py3-none-any.whl"]
    );
    assert_eq!(shared.indexes.len(), 2);
    let hosts: Vec<_> = shared.files.iter().map(|file| file.url.port()).collect();
    assert_eq!(
        hosts,
        [Some(extra.address().port()), Some(default.address().port())],
        "each file links to the index that listed it"
    );
}

#[tokio::test]
async fn a_bound_package_is_asked_of_its_index_alone_whatever_the_strategy() {
    for strategy in [IndexStrategy::FirstIndex, IndexStrategy::UnsafeBestMatch] {
        let (default, extra) = two_indexes();
        let (client, _cache) = configured(&default, &extra, strategy, &[("shared", &default)]);

        let shared = client.project(&name("shared")).await.unwrap();
        assert_eq!(
            filenames(&shared),
            ["shared-1.0-py3-none-any.whl"],
            "{strategy:?}"
        );
        assert!(
            extra.requests_for("/simple/shared/").is_empty(),
            "{strategy:?}"
        );

        // The index it is bound to lacking it does not send it elsewhere.
        let (client, _cache) = configured(&default, &extra, strategy, &[("only-extra", &default)]);
        let error = client.project(&name("only-extra")).await.unwrap_err();
        assert!(
            error.to_string().contains("only-extra"),
            "{strategy:?}: {error}"
        );
        assert!(
            extra.requests_for("/simple/only-extra/").is_empty(),
            "{strategy:?}"
        );
    }
}
