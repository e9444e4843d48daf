//! `strata lock --check --refresh`: locks that were right when written, checked against an index
//! that changed since (the served universe replaced at the same URL, so every lock's fingerprint
//! stays current and `--check` alone passes): a yanked pin, a file replaced by other bytes, a
//! version and a project deleted. Pages are cached for an hour by the run that locked, so a
//! check that trusted them would see the index as it was.

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::{Project, strata_snapshot};

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"

[profiles.base]
requirements = ["app", "tool"]

[profiles.dev]
extends = ["base"]
requirements = ["lint"]
"#;

/// `packages`, whose pages may be reused for an hour without asking.
fn universe(packages: &[Package]) -> Universe {
    let mut universe = Universe::new().page_max_age(3600);
    for package in packages {
        universe = universe.package(package.clone());
    }
    universe
}

/// The universe with `lib`'s releases as given.
fn with_lib(lib: &[Package]) -> Universe {
    let mut packages = vec![
        Package::new("app", "1.0").requires("lib"),
        Package::new("tool", "1.0"),
        Package::new("lint", "1.0"),
    ];
    packages.extend(lib.iter().cloned());
    universe(&packages)
}

/// The project locked on `lib` 1.0 (a wheel and an sdist), and the index, still serving it.
fn locked() -> (Project, TestIndex) {
    let index = TestIndex::start(with_lib(&[Package::new("lib", "1.0").sdist()]));
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["lib"], "1.0");
    (project, index)
}

#[test]
fn an_unchanged_index_passes_and_every_pinned_page_is_asked_again() {
    let (project, index) = locked();
    index.reset_log();
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stdout, "");
    for page in [
        "/simple/app/",
        "/simple/lib/",
        "/simple/tool/",
        "/simple/lint/",
    ] {
        assert!(
            !index.requests_for(page).is_empty(),
            "{page} is revalidated though the cache may reuse it: {:?}",
            index.requests()
        );
    }
    assert!(
        index.requests_for("/files/").is_empty(),
        "no file is downloaded: {:?}",
        index.requests()
    );
}

#[test]
fn a_yanked_pin_is_caught_with_its_reason_and_the_remedy_moves_off_it() {
    let (project, index) = locked();
    index.replace_universe(with_lib(&[
        Package::new("lib", "1.0")
            .sdist()
            .yanked("CVE-2026-0001: do not use"),
        Package::new("lib", "1.1"),
    ]));
    // The inputs did not change: `--check` alone has nothing to say.
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());

    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("yanked", project.filters().index(&index), output);

    // The remedy it names works, and the check passes after it.
    project.lock_ok(&index, &["--upgrade-package", "lib", "--refresh"]);
    assert_eq!(project.pins("base")["lib"], "1.1");
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn a_file_replaced_by_other_bytes_under_its_name_is_caught_through_a_cached_page() {
    let (project, index) = locked();
    let before = index.file("lib-1.0-py3-none-any.whl").unwrap();
    let sdist = index.file("lib-1.0.tar.gz").unwrap();
    // The wheel rebuilt: same name, same version, other bytes; the sdist as it was.
    index.replace_universe(with_lib(&[Package::new("lib", "1.0").sdist().padding(64)]));
    assert_ne!(
        index.file("lib-1.0-py3-none-any.whl").unwrap().sha256,
        before.sha256
    );
    assert_eq!(index.file("lib-1.0.tar.gz").unwrap(), sdist);

    // The page the lock run cached is still fresh for an hour: without `--refresh` nothing is
    // asked (and a plain relock would reuse it).
    index.reset_log();
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(index.requests().is_empty(), "{:?}", index.requests());

    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(&before.sha256) && !output.stderr.contains(&sdist.sha256),
        "the gone hash is named, the kept one is not: {}",
        output.render()
    );
    strata_snapshot!("replaced", project.filters().index(&index), output);

    // The remedy records the file as it is now.
    project.lock_ok(&index, &["--upgrade-package", "lib", "--refresh"]);
    let lock = fs_err::read_to_string(project.lock_path("base")).unwrap();
    assert!(
        lock.contains(&index.file("lib-1.0-py3-none-any.whl").unwrap().sha256),
        "{lock}"
    );
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn a_deleted_version_and_a_deleted_project_are_caught_in_every_lock_that_pins_them() {
    let (project, index) = locked();
    let packages: Vec<Package> = vec![
        Package::new("app", "1.0").requires("lib"),
        Package::new("lib", "1.1"),
        Package::new("lint", "1.0"),
    ];
    index.replace_universe(universe(&packages));
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("deleted", project.filters().index(&index), output);

    let output = project.lock(&index, &["--check", "--refresh", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["schema-version"], 1);
    assert_eq!(json["drift"], 4, "two pins in each of base and dev");
    let base = &json["locks"][0];
    assert_eq!(base["profile"], "base");
    assert_eq!(base["path"], "locks/base.txt");
    assert_eq!(base["current"], true);
    assert_eq!(base["checked"], 3);
    let kinds: Vec<(&str, &str)> = base["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|found| {
            (
                found["package"].as_str().unwrap(),
                found["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("lib", "version-gone"), ("tool", "project-gone")]);
    assert_eq!(
        base["drift"][0]["remedy"],
        "run `strata lock --upgrade-package lib --refresh`"
    );
}

#[test]
fn an_index_that_cannot_be_read_exits_2_naming_it() {
    let (project, index) = locked();
    index.set_faults(Faults::new().on(
        "/simple/",
        Fault::ServerError {
            status: 503,
            count: usize::MAX,
        },
    ));
    let output = project
        .strata(&["lock", "--check", "--refresh"])
        .index(&index)
        .env("STRATA_HTTP_TIMEOUT", "5")
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("Failed to compare `locks/")
            && output.stderr.contains("503")
            && output
                .stderr
                .contains(&format!("{}", index.address().port())),
        "{}",
        output.render()
    );
    let output = project.lock(&index, &["--check", "--refresh", "--offline"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("drop `--offline`"),
        "{}",
        output.render()
    );
}
