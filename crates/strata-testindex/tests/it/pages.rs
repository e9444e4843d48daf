//! The simple API pages, in both formats, against the bytes actually served.

use strata_testindex::{Package, TestIndex, Universe};

use crate::client::{JSON, get, join, sha256};

fn universe() -> Universe {
    Universe::new()
        .package(
            Package::new("Foo.Bar", "1.0")
                .requires_python(">=3.9,<4")
                .wheel_tags("cp311-cp311-manylinux_2_17_x86_64")
                .wheel_tags("py3-none-any")
                .sdist()
                .upload_time("2024-02-05T12:00:00.000000Z"),
        )
        .package(Package::new("foo-bar", "2.0").yanked("broken \"build\""))
        .package(Package::new("zeta", "0.1"))
}

#[test]
fn json_project_page_lists_every_file_with_hashes_of_the_served_bytes() {
    let index = TestIndex::start(universe());
    let page_path = "/simple/foo-bar/";
    let response = get(&index, page_path, &[JSON]);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("application/vnd.pypi.simple.v1+json")
    );
    let page = response.json();
    assert_eq!(page["meta"]["api-version"], "1.1");
    assert_eq!(page["name"], "foo-bar");
    assert_eq!(page["versions"], serde_json::json!(["1.0", "2.0"]));

    let files = page["files"].as_array().unwrap();
    let names: Vec<&str> = files
        .iter()
        .map(|file| file["filename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "foo_bar-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "foo_bar-1.0-py3-none-any.whl",
            "foo_bar-1.0.tar.gz",
            "foo_bar-2.0-py3-none-any.whl",
        ]
    );
    for file in files {
        let url = file["url"].as_str().unwrap();
        assert!(url.starts_with("../../files/"), "relative URL: {url}");
        let served = get(&index, &join(page_path, url), &[]);
        assert_eq!(served.status, 200, "{url}");
        assert_eq!(file["hashes"]["sha256"], sha256(&served.body), "{url}");
        assert_eq!(file["size"], served.body.len(), "{url}");
        assert!(file.get("core-metadata").is_none(), "off by default");
    }
    assert_eq!(files[0]["requires-python"], ">=3.9,<4");
    assert_eq!(files[0]["yanked"], false);
    assert_eq!(files[0]["upload-time"], "2024-02-05T12:00:00.000000Z");
    assert_eq!(files[3]["yanked"], "broken \"build\"");
    assert_eq!(files[3]["requires-python"], serde_json::Value::Null);
}

#[test]
fn html_project_page_escapes_attributes_and_links_hashes() {
    let index = TestIndex::start(universe());
    let response = get(&index, "/simple/foo-bar/", &[("Accept", "text/html")]);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some("application/vnd.pypi.simple.v1+html")
    );
    let page = response.text();
    assert!(page.contains(r#"<meta name="pypi:repository-version" content="1.1">"#));
    let anchors: Vec<&str> = page
        .lines()
        .filter(|line| line.trim_start().starts_with("<a "))
        .collect();
    assert_eq!(anchors.len(), 4, "{page}");
    for anchor in &anchors {
        let href = anchor.split("href=\"").nth(1).unwrap();
        let href = &href[..href.find('"').unwrap()];
        let (url, fragment) = href.split_once("#sha256=").unwrap();
        let served = get(&index, &join("/simple/foo-bar/", url), &[]);
        assert_eq!(fragment, sha256(&served.body), "{anchor}");
    }
    assert!(anchors[0].contains(r#"data-requires-python="&gt;=3.9,&lt;4""#));
    assert!(anchors[3].contains(r#"data-yanked="broken &quot;build&quot;""#));
    assert!(!page.contains("data-core-metadata"));
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn root_page_lists_normalized_projects_in_both_formats() {
    let index = TestIndex::start(universe());
    let json = get(&index, "/simple/", &[JSON]).json();
    assert_eq!(
        json["projects"],
        serde_json::json!([{ "name": "foo-bar" }, { "name": "zeta" }])
    );
    let html = get(&index, "/simple/", &[]).text();
    assert!(html.contains(r#"<a href="foo-bar/">foo-bar</a>"#), "{html}");
    assert!(html.contains(r#"<a href="zeta/">zeta</a>"#), "{html}");
}

#[test]
fn non_normalized_names_redirect_and_unknown_ones_are_not_found() {
    let index = TestIndex::start(universe());
    for path in ["/simple/Foo.Bar/", "/simple/foo_bar/", "/simple/foo-bar"] {
        let response = get(&index, path, &[]);
        assert_eq!(response.status, 301, "{path}");
        assert_eq!(
            response.header("Location"),
            Some("/simple/foo-bar/"),
            "{path}"
        );
    }
    assert_eq!(get(&index, "/simple/nothing/", &[]).status, 404);
    assert_eq!(get(&index, "/files/zeta/nothing.whl", &[]).status, 404);
}

#[test]
fn metadata_files_are_advertised_and_served_when_enabled() {
    let index = TestIndex::start(
        Universe::new()
            .metadata_files(true)
            .package(Package::new("a", "1.0").requires("b>=2").sdist()),
    );
    let page = get(&index, "/simple/a/", &[JSON]).json();
    let wheel = &page["files"][0];
    let metadata = get(&index, "/files/a/a-1.0-py3-none-any.whl.metadata", &[]);
    assert_eq!(metadata.status, 200);
    assert!(metadata.text().contains("Requires-Dist: b>=2\n"));
    assert_eq!(wheel["core-metadata"]["sha256"], sha256(&metadata.body));
    assert_eq!(wheel["dist-info-metadata"], wheel["core-metadata"]);
    assert!(
        page["files"][1].get("core-metadata").is_none(),
        "not for sdists"
    );

    let html = get(&index, "/simple/a/", &[]).text();
    let advertised = format!("data-core-metadata=\"sha256={}\"", sha256(&metadata.body));
    assert!(html.contains(&advertised), "{html}");
    assert!(html.contains("data-dist-info-metadata=\"sha256="), "{html}");
}

#[test]
fn served_wheel_metadata_matches_the_declaration() {
    let index = TestIndex::start(
        Universe::new().package(
            Package::new("numpy", "1.26.4")
                .requires("foo>=1")
                .requires_python(">=3.9")
                .extra("dev", ["pytest"]),
        ),
    );
    let wheel = index.file("numpy-1.26.4-py3-none-any.whl").unwrap();
    let body = get(&index, &wheel.url_path, &[]).body;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut metadata = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("numpy-1.26.4.dist-info/METADATA").unwrap(),
        &mut metadata,
    )
    .unwrap();
    insta::assert_snapshot!(metadata, @r#"
    Metadata-Version: 2.3
    Name: numpy
    Version: 1.26.4
    Summary: Generated by strata-testindex
    Requires-Python: >=3.9
    Provides-Extra: dev
    Requires-Dist: foo>=1
    Requires-Dist: pytest; extra == "dev"
    "#);
}

#[test]
fn artifacts_are_identical_across_servers() {
    let universe = || {
        Universe::new().package(
            Package::new("a", "1.0")
                .requires("b")
                .sdist()
                .padding(10_000),
        )
    };
    let first = TestIndex::start(universe());
    let second = TestIndex::start(universe());
    let hashes = |index: &TestIndex| {
        index
            .files()
            .into_iter()
            .map(|file| (file.filename, file.sha256))
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(&first), hashes(&second));
    assert_eq!(first.files().len(), 2);
    let find_links: Vec<_> = fs_err::read_dir(first.find_links_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(find_links.len(), 2, "{find_links:?}");
}

#[test]
fn invalid_universes_are_reported_with_the_offending_name() {
    let duplicate = Universe::new()
        .package(Package::new("a", "1.0"))
        .package(Package::new("A", "1.0"));
    let error = TestIndex::try_start(duplicate, strata_testindex::Faults::new()).unwrap_err();
    insta::assert_snapshot!(error, @"The file `a-1.0-py3-none-any.whl` is declared twice");
    let bad_name = Universe::new().package(Package::new("-a-", "1.0"));
    let error = TestIndex::try_start(bad_name, strata_testindex::Faults::new()).unwrap_err();
    insta::assert_snapshot!(error, @"Invalid package name `-a-`");
}

#[test]
fn a_replaced_universe_is_served_at_the_same_address_with_its_own_files() {
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("a", "1.0"))
            .package(Package::new("a", "2.0")),
    );
    let address = index.address();
    let before = index.file("a-1.0-py3-none-any.whl").unwrap();
    // 1.0's wheel rebuilt with other bytes, 2.0 yanked, `b` new.
    index.replace_universe(
        Universe::new()
            .package(Package::new("a", "1.0").padding(1000))
            .package(Package::new("a", "2.0").yanked("broken"))
            .package(Package::new("b", "0.1")),
    );
    assert_eq!(index.address(), address);
    let page = get(&index, "/simple/a/", &[JSON]).json();
    let files = page["files"].as_array().unwrap();
    assert_eq!(files[0]["filename"], "a-1.0-py3-none-any.whl");
    assert_ne!(files[0]["hashes"]["sha256"], before.sha256.as_str());
    let served = get(
        &index,
        &join("/simple/a/", files[0]["url"].as_str().unwrap()),
        &[],
    );
    assert_eq!(files[0]["hashes"]["sha256"], sha256(&served.body));
    assert_eq!(files[1]["yanked"], "broken");
    assert_eq!(get(&index, "/simple/b/", &[JSON]).status, 200);
    let find_links: Vec<_> = fs_err::read_dir(index.find_links_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(find_links.len(), 3, "{find_links:?}");

    index.replace_universe(Universe::new().package(Package::new("b", "0.1")));
    assert_eq!(get(&index, "/simple/a/", &[JSON]).status, 404);
}
