//! Index configuration: the layers in order, pip's configuration files, and credentials that
//! never show in an error.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::Path;

use strata_diagnostic::Diagnostic as _;
use strata_index::config::resolve;
use strata_index::{ClientOptions, ErrorKind, ExplicitIndexes, IndexClient, IndexConfig, IndexUrl};
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{name, options};

/// An environment of exactly these variables, with `HOME` and `XDG_CONFIG_HOME` in `home` so
/// the real user's pip configuration is never read.
fn environment(home: &Path, pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let mut map: HashMap<String, String> = pairs
        .iter()
        .map(|(key, value)| ((*key).to_string(), (*value).to_string()))
        .collect();
    map.insert("HOME".to_string(), home.display().to_string());
    map.insert(
        "XDG_CONFIG_HOME".to_string(),
        home.join("config").display().to_string(),
    );
    move |key| map.get(key).cloned()
}

fn url(layer: &str) -> String {
    format!("http://127.0.0.1:1/{layer}/")
}

#[test]
fn each_layer_overrides_the_ones_below_it() {
    let home = tempfile::tempdir().unwrap();
    let pip_conf = home.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!("[global]\nindex-url = {}\n", url("pip-conf")),
    )
    .unwrap();
    let pip_conf_text = pip_conf.display().to_string();
    let variables = [
        "STRATA_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_INDEX_URL",
        "PIP_INDEX_URL",
    ];
    let pip_asked = Cell::new(0);
    let pip_default = || {
        pip_asked.set(pip_asked.get() + 1);
        Some(url("pip-default"))
    };
    // (layers removed from the top, expected URL layer, expected origin)
    let cases: Vec<(usize, &str, String)> = vec![
        (0, "cli", "--index-url".to_string()),
        (1, "manifest", "the manifest's `index-url`".to_string()),
        (2, "STRATA_INDEX_URL", "STRATA_INDEX_URL".to_string()),
        (3, "UV_DEFAULT_INDEX", "UV_DEFAULT_INDEX".to_string()),
        (4, "UV_INDEX_URL", "UV_INDEX_URL".to_string()),
        (5, "PIP_INDEX_URL", "PIP_INDEX_URL".to_string()),
        (6, "pip-conf", pip_conf_text.clone()),
    ];
    for (removed, layer, origin) in cases {
        let explicit = ExplicitIndexes {
            cli_index_url: (removed < 1).then(|| url("cli")),
            manifest_index_url: (removed < 2).then(|| url("manifest")),
            ..ExplicitIndexes::default()
        };
        let mut pairs = vec![("PIP_CONFIG_FILE", pip_conf_text.as_str())];
        let values: Vec<String> = variables.iter().map(|variable| url(variable)).collect();
        for (position, variable) in variables.iter().enumerate() {
            if removed <= position + 2 {
                pairs.push((variable, values[position].as_str()));
            }
        }
        let config = resolve(&explicit, &environment(home.path(), &pairs), &pip_default).unwrap();
        assert_eq!(config.index_url.url().as_str(), url(layer), "{layer}");
        assert_eq!(config.index_origin, origin, "{layer}");
    }
    assert_eq!(
        pip_asked.get(),
        0,
        "pip is only asked when nothing else says"
    );

    let env = environment(home.path(), &[("PIP_CONFIG_FILE", "/dev/null")]);
    let config = resolve(&ExplicitIndexes::default(), &env, &pip_default).unwrap();
    assert_eq!(config.index_url.url().as_str(), url("pip-default"));
    assert_eq!(config.index_origin, "pip's default");
    assert_eq!(pip_asked.get(), 1);
}

#[test]
fn empty_variables_are_skipped() {
    let home = tempfile::tempdir().unwrap();
    let pip_index = url("pip");
    let env = environment(
        home.path(),
        &[
            ("PIP_CONFIG_FILE", "/dev/null"),
            ("STRATA_INDEX_URL", ""),
            ("UV_INDEX_URL", "  "),
            ("PIP_INDEX_URL", pip_index.as_str()),
        ],
    );
    let config = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap();
    assert_eq!(config.index_origin, "PIP_INDEX_URL");
}

#[test]
fn extra_indexes_and_find_links_come_from_the_first_layer_that_sets_any() {
    let home = tempfile::tempdir().unwrap();
    let pip_conf = home.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!(
            "[global]\nindex-url = {}\nextra-index-url = {}\nfind-links = /from/pip-conf\n",
            url("primary"),
            url("conf-extra")
        ),
    )
    .unwrap();
    let pip_conf = pip_conf.display().to_string();
    let (strata_a, strata_b, pip_extra) = (url("strata-a"), url("strata-b"), url("pip-extra"));
    let strata_extra = format!("{strata_a}  {strata_b}");
    let env = environment(
        home.path(),
        &[
            ("PIP_CONFIG_FILE", pip_conf.as_str()),
            ("STRATA_EXTRA_INDEX_URL", strata_extra.as_str()),
            ("PIP_EXTRA_INDEX_URL", pip_extra.as_str()),
            ("PIP_FIND_LINKS", "/from/variable /and/another"),
        ],
    );
    let urls = |config: &IndexConfig| -> Vec<String> {
        config
            .extra_index_urls
            .iter()
            .map(|url| url.url().to_string())
            .collect()
    };
    let config = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap();
    assert_eq!(urls(&config), [strata_a, strata_b]);
    assert_eq!(config.find_links, ["/from/variable", "/and/another"]);

    let explicit = ExplicitIndexes {
        cli_extra_index_urls: vec![url("cli-extra")],
        manifest_extra_index_urls: vec![url("manifest-extra")],
        manifest_find_links: vec!["/from/manifest".to_string()],
        ..ExplicitIndexes::default()
    };
    let config = resolve(&explicit, &env, &|| None).unwrap();
    assert_eq!(urls(&config), [url("cli-extra")]);
    assert_eq!(config.find_links, ["/from/manifest"]);

    let only_file = environment(home.path(), &[("PIP_CONFIG_FILE", pip_conf.as_str())]);
    let config = resolve(&ExplicitIndexes::default(), &only_file, &|| None).unwrap();
    assert_eq!(urls(&config), [url("conf-extra")]);
    assert_eq!(config.find_links, ["/from/pip-conf"]);
}

#[test]
fn pip_config_file_is_parsed_as_pip_reads_it() {
    let home = tempfile::tempdir().unwrap();
    let pip_conf = home.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!(
            "# a comment\n\
             ; another\n\
             [global]\n\
             index_url = {global}\n\
             timeout = 60\n\
             \n\
             [freeze]\n\
             index-url = {freeze}\n\
             \n\
             [install]\n\
             Index-URL: {install}\n\
             extra-index-url =\n    {a}\n    # not a URL, a comment\n\t{b}\n\
             find-links = /wheels\n",
            global = url("global"),
            freeze = url("freeze"),
            install = url("install"),
            a = url("a"),
            b = url("b"),
        ),
    )
    .unwrap();
    let path = pip_conf.display().to_string();
    let env = environment(home.path(), &[("PIP_CONFIG_FILE", path.as_str())]);
    let config = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap();
    assert_eq!(
        config.index_url.url().as_str(),
        url("install"),
        "[install] wins over [global]"
    );
    assert_eq!(config.index_origin, path);
    assert_eq!(
        config
            .extra_index_urls
            .iter()
            .map(|url| url.url().to_string())
            .collect::<Vec<_>>(),
        [url("a"), url("b")]
    );
    assert_eq!(config.find_links, ["/wheels"]);
}

#[test]
fn user_pip_config_is_found_under_xdg_config_home() {
    let home = tempfile::tempdir().unwrap();
    let user_conf = home.path().join("config/pip/pip.conf");
    fs_err::create_dir_all(user_conf.parent().unwrap()).unwrap();
    fs_err::write(
        &user_conf,
        format!("[global]\nindex-url = {}\n", url("user")),
    )
    .unwrap();
    let env = environment(home.path(), &[]);
    let config = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap();
    assert_eq!(config.index_url.url().as_str(), url("user"));
    assert_eq!(config.index_origin, user_conf.display().to_string());
}

#[test]
fn invalid_url_names_where_it_came_from_without_its_password() {
    let home = tempfile::tempdir().unwrap();
    let env = environment(
        home.path(),
        &[
            ("PIP_CONFIG_FILE", "/dev/null"),
            (
                "PIP_INDEX_URL",
                "http://user:secret@127.0.0.1:notaport/simple/",
            ),
        ],
    );
    let error = resolve(&ExplicitIndexes::default(), &env, &|| None).unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Config { origin, .. } if origin == "PIP_INDEX_URL"),
        "{error:?}"
    );
    insta::assert_snapshot!(error, @"Invalid index configuration in PIP_INDEX_URL: `http://****@127.0.0.1:notaport/simple/` is not a URL: invalid port number");
    assert!(!error.to_string().contains("secret"), "{error}");
}

/// An index answering 500 to everything, reached with credentials in its URL.
fn failing_client(index: &TestIndex, cache: &Path) -> IndexClient {
    let with_credentials = index.url().replace("http://", "http://user:secret@");
    let config = IndexConfig::new(IndexUrl::parse(&with_credentials).unwrap());
    IndexClient::new(
        config,
        ClientOptions {
            attempts: 2,
            ..options(cache)
        },
    )
    .unwrap()
}

#[tokio::test]
async fn credentials_in_the_index_url_never_show_in_errors() {
    let index = TestIndex::start(Universe::new().package(Package::new("demo", "1.0")));
    let cache = tempfile::tempdir().unwrap();
    let client = failing_client(&index, cache.path());
    assert!(!client.config().index_url.to_string().contains("secret"));

    let error = client.project(&name("missing")).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::PackageNotFound { .. }),
        "{error:?}"
    );
    let listing = client.project(&name("demo")).await.unwrap();
    assert_eq!(
        listing.files[0].url.password(),
        Some("secret"),
        "files on the index's host are fetched with its credentials"
    );

    index.set_faults(Faults::new().everywhere(Fault::ServerError {
        status: 500,
        count: usize::MAX,
    }));
    let page_error = failing_client(&index, &cache.path().join("other"))
        .project(&name("demo"))
        .await
        .unwrap_err();
    let file_error = client
        .metadata(&name("demo"), &listing.files[0])
        .await
        .unwrap_err();
    for error in [error, page_error, file_error] {
        let text = format!("{error} {error:?} {}", error.hints().join(" "));
        assert!(!text.contains("secret"), "{text}");
        assert!(error.to_string().contains("****:****@127.0.0.1"), "{error}");
    }
}
