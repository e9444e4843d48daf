//! Real pip as the oracle: what the index serves must install.
//!
//! Each test makes a venv with the machine's `python3 -m venv` (skipped, with the
//! reason printed, only when that is unavailable) and runs pip against the index
//! with the machine's pip configuration shut out.

use strata_testindex::venv::describe;
use strata_testindex::{Package, TestIndex, Universe, Venv};

/// `pip check` passes.
fn check(venv: &Venv) {
    let output = venv.pip(&["check"]);
    assert!(output.status.success(), "{}", describe(&output));
}

fn graph() -> Universe {
    Universe::new()
        .package(
            Package::new("App", "1.0")
                .requires("lib>=2")
                .requires("missing-everywhere; python_version < \"3\"")
                .extra("fast", ["speedup"])
                .requires_python(">=3.8"),
        )
        .package(Package::new("lib", "1.0"))
        .package(Package::new("lib", "2.0").requires("helper>=0.1"))
        .package(
            Package::new("lib", "3.0")
                .requires("helper")
                .yanked("broken"),
        )
        .package(Package::new("lib", "4.0").requires_python(">=4"))
        .package(Package::new("helper", "0.1").wheel_tags("py2.py3-none-any"))
        .package(
            Package::new("speedup", "1.0")
                .wheel_tags("cp311-cp311-win_amd64")
                .wheel_tags("py3-none-any"),
        )
}

fn installs_the_graph(universe: Universe) -> Option<TestIndex> {
    let venv = Venv::create()?;
    let index = TestIndex::start(universe);
    let output = venv.try_install(&index, &["app[fast]"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        venv.installed(),
        ["App==1.0", "helper==0.1", "lib==2.0", "speedup==1.0"]
    );
    assert_eq!(venv.run_python("import lib; print(lib.__version__)"), "2.0");
    check(&venv);
    for skipped in ["lib-3.0", "lib-4.0", "win_amd64"] {
        assert!(
            index
                .requests_for("/files/")
                .iter()
                .all(|record| !record.path.contains(skipped)),
            "pip must not fetch {skipped}: {:?}",
            index.requests()
        );
    }
    Some(index)
}

#[test]
fn pip_installs_a_wheel_graph_with_extras_yanks_and_requires_python() {
    let Some(index) = installs_the_graph(graph()) else {
        return;
    };
    assert!(
        index
            .requests_for("/files/")
            .iter()
            .all(|record| !record.path.ends_with(".metadata")),
        "nothing advertised, nothing fetched"
    );
}

#[test]
fn pip_uses_advertised_metadata_files() {
    let Some(index) = installs_the_graph(graph().metadata_files(true)) else {
        return;
    };
    let metadata: Vec<String> = index
        .requests_for("/files/")
        .into_iter()
        .filter(|record| record.path.ends_with(".metadata"))
        .map(|record| record.path)
        .collect();
    assert!(
        metadata
            .iter()
            .any(|path| path.ends_with("app-1.0-py3-none-any.whl.metadata")),
        "{metadata:?}"
    );
}

#[test]
fn pip_installs_from_html_only_pages() {
    let Some(index) = installs_the_graph(graph().html_only()) else {
        return;
    };
    let page = crate::client::get(&index, "/simple/lib/", &[crate::client::JSON]);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn pip_builds_sdists_with_static_and_dynamic_metadata_offline() {
    let Some(venv) = Venv::create() else {
        return;
    };
    let index = TestIndex::start(
        Universe::new()
            .package(
                Package::new("built", "1.0")
                    .no_wheels()
                    .sdist_dynamic_metadata()
                    .requires("helper>=0.1")
                    .module_file("built/core.py", "ANSWER = 42\n"),
            )
            .package(
                Package::new("plain", "2.0")
                    .no_wheels()
                    .sdist()
                    .import_name("plain_mod"),
            )
            .package(Package::new("helper", "0.1")),
    );
    let output = venv.try_install(&index, &["built", "plain"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        venv.installed(),
        ["built==1.0", "helper==0.1", "plain==2.0"],
        "the dynamic sdist's requirement came from its build"
    );
    assert_eq!(
        venv.run_python(
            "from built.core import ANSWER; import plain_mod; print(ANSWER, plain_mod.__version__)"
        ),
        "42 2.0"
    );
    check(&venv);
}

#[test]
fn pip_reports_the_failing_backend_message() {
    let Some(venv) = Venv::create() else {
        return;
    };
    let message = "this sdist downloads its wheel from another index at build time";
    let index = TestIndex::start(
        Universe::new().package(
            Package::new("stub", "1.0")
                .no_wheels()
                .sdist_build_fails(message),
        ),
    );
    let output = venv.try_install(&index, &["stub"]);
    assert!(!output.status.success(), "{}", describe(&output));
    assert!(describe(&output).contains(message), "{}", describe(&output));
    assert_eq!(venv.installed(), Vec::<String>::new());
}
