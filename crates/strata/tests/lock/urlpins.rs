//! A parent's direct-URL pin (`pkg @ https://.../pkg-1.0-py3-none-any.whl#sha256=...`) reaches
//! what is locked on top of it: an engine keeps the parent's file, whether the parent was solved
//! in the same run or read back from its lock on disk, and a relock that keeps its pins keeps the
//! URL. The URL's file lives on a second loopback server, so a lock that took `pkg` from the
//! index instead (where 2.0 is newest, and 1.0 is another file) cannot pass for it.

use strata_testindex::{Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::Project;

/// The index: `pkg` 1.0 and 2.0, `app` that needs `pkg`, and the engine package in two
/// versions that each need `pkg`.
fn universe() -> Universe {
    Universe::new()
        .package(Package::new("pkg", "1.0"))
        .package(Package::new("pkg", "2.0"))
        .package(Package::new("app", "1.0").requires("pkg"))
        .package(Package::new("eng", "1.0").requires("pkg"))
        .package(Package::new("eng", "1.1").requires("pkg"))
}

/// Where the direct URL's file is served: `pkg` 1.0 alone, padded so that its hash is not the
/// index's 1.0's.
fn files() -> TestIndex {
    TestIndex::start(Universe::new().package(Package::new("pkg", "1.0").padding(64)))
}

/// `pkg @ <url>#sha256=<hash>` of `files`' wheel.
fn url_requirement(files: &TestIndex) -> (String, String) {
    let wheel = files.file("pkg-1.0-py3-none-any.whl").unwrap();
    let url = format!("{}{}", files.base_url(), wheel.url_path);
    (format!("pkg @ {url}#sha256={}", wheel.sha256), url)
}

/// A project whose `base` has `base_requirements`, a profile `dev` on it with
/// `dev_requirements`, and the engine `eng` on `base` at the version of its version file.
fn project(base_requirements: &str, dev_requirements: &str) -> Project {
    let manifest = format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = [{base_requirements}]

[profiles.dev]
extends = ["base"]
requirements = [{dev_requirements}]

[engines.eng]
extends = ["base"]
version = {{ file = "engine_versions/eng.yaml", key = "library.current_version" }}
"#
    );
    Project::with_manifest(
        &manifest,
        &[(
            "engine_versions/eng.yaml",
            "library:\n  current_version: \"1.0\"\n",
        )],
    )
}

/// The line of `name`'s lock that pins `pkg`, up to its hashes.
fn pkg_line(project: &Project, name: &str) -> String {
    let lock = fs_err::read_to_string(project.lock_path(name)).unwrap();
    lock.lines()
        .find(|line| line.starts_with("pkg"))
        .unwrap_or_else(|| panic!("no pkg in {name}'s lock:\n{lock}"))
        .trim_end_matches([' ', '\\'])
        .to_string()
}

/// Locks, then moves only the engine's version: `base` is read back from disk and the engine is
/// solved on it. The engine pins the parent's URL both times.
fn assert_engine_keeps_the_url(project: &Project, index: &TestIndex, url: &str) {
    project.lock_ok(index, &[]);
    let expected = format!("pkg @ {url}");
    assert_eq!(pkg_line(project, "base"), expected);
    assert_eq!(pkg_line(project, "eng"), expected, "first lock");

    project.edit("engine_versions/eng.yaml", "\"1.0\"", "\"1.1\"");
    let base_before = fs_err::read(project.lock_path("base")).unwrap();
    let output = project.lock_ok(index, &[]);
    assert_eq!(
        fs_err::read(project.lock_path("base")).unwrap(),
        base_before,
        "base is not relocked: {}",
        output.render()
    );
    assert_eq!(project.pins("eng")["eng"], "1.1", "{}", output.render());
    assert_eq!(
        pkg_line(project, "eng"),
        expected,
        "engine relocked on base's lock from disk: {}",
        output.render()
    );
}

/// The parent requires the URL itself: the engine inherits the requirement as well as the pin.
#[test]
fn engine_relocked_on_a_parent_that_requires_a_url_keeps_the_url() {
    let index = TestIndex::start(universe());
    let files = files();
    let (requirement, url) = url_requirement(&files);
    let project = project(&format!("{requirement:?}"), "");
    assert_engine_keeps_the_url(&project, &index, &url);
}

/// The parent's URL pin comes from a sibling in its hierarchy (`dev` requires the URL, `base`
/// only `app`, which needs `pkg`): the engine on `base` has nothing but `base`'s pins to keep it
/// on that file.
#[test]
fn engine_relocked_on_a_parent_pinned_to_a_url_by_a_sibling_keeps_the_url() {
    let index = TestIndex::start(universe());
    let files = files();
    let (requirement, url) = url_requirement(&files);
    let project = project("\"app\"", &format!("{requirement:?}"));
    assert_engine_keeps_the_url(&project, &index, &url);
}

/// A relock that keeps a profile's pins as preferences (`--upgrade-package` of another package)
/// keeps its URL pin.
#[test]
fn relock_upgrading_another_package_keeps_the_url_pin() {
    let index = TestIndex::start(universe());
    let files = files();
    let (requirement, url) = url_requirement(&files);
    let project = project("\"app\"", &format!("{requirement:?}"));
    project.lock_ok(&index, &[]);
    let output = project.lock_ok(&index, &["--upgrade-package", "app"]);
    let expected = format!("pkg @ {url}");
    for name in ["base", "dev", "eng"] {
        assert_eq!(
            pkg_line(&project, name),
            expected,
            "{name}: {}",
            output.render()
        );
    }
    // The locks read back from disk have the URL pin too: nothing was added to them.
    assert!(!output.stderr.contains("+1"), "{}", output.render());
}

/// With `--layered`, a child is solved alone on its parent's lock: the parent's URL pin, which
/// here comes from its `constraints` (which a child does not inherit), is what keeps the child
/// on that file, in the run that locks the parent and in one that reads its lock from disk.
#[test]
fn layered_child_keeps_a_url_its_parent_pins_by_constraint() {
    let index = TestIndex::start(universe());
    let files = files();
    let (requirement, url) = url_requirement(&files);
    let project = Project::with_manifest(
        &format!(
            r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = ["app"]
constraints = [{requirement:?}]

[profiles.dev]
extends = ["base"]
requirements = ["pkg"]
"#
        ),
        &[],
    );
    let expected = format!("pkg @ {url}");
    let output = project.lock_ok(&index, &["--layered"]);
    assert_eq!(pkg_line(&project, "base"), expected, "{}", output.render());
    assert_eq!(pkg_line(&project, "dev"), expected, "{}", output.render());

    // Only the child changes: it is solved on base's lock as read back.
    project.edit(
        "strata.toml",
        "requirements = [\"pkg\"]",
        "requirements = [\"pkg\", \"eng\"]",
    );
    let output = project.lock_ok(&index, &["--layered"]);
    assert!(
        output.stderr.contains("base") && output.stderr.contains("unchanged"),
        "{}",
        output.render()
    );
    assert_eq!(project.pins("dev")["eng"], "1.1", "{}", output.render());
    assert_eq!(pkg_line(&project, "dev"), expected, "{}", output.render());
}

/// A direct URL pin is not the index's: `lock --check --refresh` does not compare it with the
/// index (which has another `pkg` 1.0 file, whose hash is not the lock's), says so with `-v`,
/// and compares the rest.
#[test]
fn check_against_the_index_skips_a_url_pin_and_compares_the_rest() {
    let index = TestIndex::start(universe());
    let files = files();
    let (requirement, _) = url_requirement(&files);
    let project = project(&format!("{requirement:?}, \"app\""), "");
    project.lock_ok(&index, &[]);
    let output = project.lock(&index, &["--check", "--refresh", "-v"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("`base`: not compared with the index (direct URL pins): `pkg`"),
        "{}",
        output.render()
    );

    // `app` is an index pin like any other.
    index.replace_universe(
        Universe::new()
            .package(Package::new("pkg", "1.0"))
            .package(Package::new("pkg", "2.0"))
            .package(Package::new("app", "1.0").requires("pkg").yanked(""))
            .package(Package::new("eng", "1.0").requires("pkg"))
            .package(Package::new("eng", "1.1").requires("pkg")),
    );
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("`app==1.0` was yanked;") && !output.stderr.contains("`pkg"),
        "{}",
        output.render()
    );
}
