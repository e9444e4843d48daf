//! An engine on its own index, named in the manifest with a URL from the environment: skipped
//! or failing when the variable is unset, as the manifest says, and locked from that index
//! first when it is set.

use strata_testindex::TestIndex;

use crate::project::{ENGINE_INDEX_VARIABLE, Locks};
use crate::support::{Project, strata_snapshot};
use crate::universe;

/// A base profile and the `tensorrt-llm` engine on the `extra` index.
fn project(when_unavailable: &str) -> Project {
    let manifest = format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"

[indexes.extra]
url = "${{{ENGINE_INDEX_VARIABLE}}}"

[profiles.base]
requirements = ["numpy<2", "rich"]

[engines.tensorrt-llm]
extends = ["base"]
version = {{ file = "engine_versions/tensorrt.yaml", key = "library.current_version", package = "tensorrt-llm" }}
indexes = ["extra"]
when-index-unavailable = "{when_unavailable}"
"#
    );
    Project::with_manifest(
        &manifest,
        &[(
            "engine_versions/tensorrt.yaml",
            "library:\n  current_version: \"0.13.0\"\n",
        )],
    )
}

#[test]
fn engine_whose_index_variable_is_unset_is_skipped_and_the_rest_locks() {
    let index = TestIndex::start(universe::ml());
    let project = project("skip");
    let output = project.lock_ok(&index, &[]);
    assert!(
        output.stderr.contains("skipped") && output.stderr.contains(ENGINE_INDEX_VARIABLE),
        "{}",
        output.render()
    );
    assert!(project.lock_path("base").is_file());
    assert!(!project.lock_path("tensorrt-llm").exists());
    assert_eq!(
        index.requests_for("/simple/tensorrt-llm/"),
        [],
        "the main index is never asked for the engine"
    );
}

#[test]
fn engine_whose_index_variable_is_unset_fails_with_exit_2_naming_the_variable() {
    let index = TestIndex::start(universe::ml());
    let project = project("fail");
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains(ENGINE_INDEX_VARIABLE),
        "{}",
        output.render()
    );
    strata_snapshot!(
        "engine_index_unset",
        project.filters().index(&index),
        output
    );
    assert!(
        !project.lock_path("base").exists(),
        "a failed run writes nothing"
    );
}

#[test]
fn engine_takes_a_package_both_indexes_serve_from_its_own_index() {
    let index = TestIndex::start(universe::ml());
    let engine_index = TestIndex::start(universe::engine_index());
    let project = project("skip");
    let url = engine_index.url();
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env(ENGINE_INDEX_VARIABLE, &url)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());

    let wheel = engine_index
        .file("tensorrt_llm-0.13.0-py3-none-any.whl")
        .unwrap();
    let stub = index.file("tensorrt_llm-0.13.0.tar.gz").unwrap();
    let lock = fs_err::read_to_string(project.lock_path("tensorrt-llm")).unwrap();
    assert_eq!(project.pins("tensorrt-llm")["tensorrt-llm"], "0.13.0");
    assert!(lock.contains(&wheel.sha256), "{lock}");
    assert!(!lock.contains(&stub.sha256), "{lock}");
    // The engine keeps base's pins, from the main index.
    assert_eq!(project.pins("tensorrt-llm")["numpy"], "1.26.4");
    assert_eq!(
        index.requests_for("/files/tensorrt").len(),
        0,
        "the main index's stub is never fetched"
    );
}

#[test]
fn check_fails_on_a_skipped_engine_without_a_lock_unless_it_is_optional() {
    let index = TestIndex::start(universe::ml());
    // `lock` skips it with a warning and exits 0: the manifest asked for that.
    let skipping = project("skip");
    let output = skipping.lock_ok(&index, &[]);
    assert!(
        output.stderr.contains("it has no lock yet"),
        "{}",
        output.render()
    );
    // CI must not pass with no lock at all for it.
    let output = skipping.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(
            "`tensorrt-llm`: `locks/tensorrt-llm.txt` does not exist, and cannot be made here: the engine's index `extra` is not configured"
        ) && output.stderr.contains("when-index-unavailable = \"optional\""),
        "{}",
        output.render()
    );

    // An engine marked optional may have no lock: a warning, exit 0.
    let optional = project("optional");
    optional.lock_ok(&index, &[]);
    let output = optional.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("warning: `tensorrt-llm`")
            && output.stderr.contains("the engine is optional"),
        "{}",
        output.render()
    );
}

#[test]
fn check_verifies_a_kept_engine_lock_on_everything_but_its_unset_index() {
    let index = TestIndex::start(universe::ml());
    let engine_index = TestIndex::start(universe::engine_index());
    let project = project("skip");
    let url = engine_index.url();
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env(ENGINE_INDEX_VARIABLE, &url)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());

    // Without the variable, everything but the index's URL can still be checked.
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("is current in every input but the URL of index `extra`"),
        "{}",
        output.render()
    );

    project.edit("engine_versions/tensorrt.yaml", "\"0.13.0\"", "\"0.13.1\"");
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(
            "`tensorrt-llm`: `locks/tensorrt-llm.txt` is stale: its requirements changed"
        ),
        "{}",
        output.render()
    );
    // `lock` cannot relock it here; it says the lock it keeps is stale.
    let output = project.lock_ok(&index, &[]);
    assert!(
        output
            .stderr
            .contains("its existing lock is kept, but it is stale: its requirements changed"),
        "{}",
        output.render()
    );
}

#[test]
fn check_against_the_index_leaves_out_an_engine_whose_index_is_not_configured_here() {
    let index = TestIndex::start(universe::ml());
    let engine_index = TestIndex::start(universe::engine_index());
    let project = project("skip");
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env(ENGINE_INDEX_VARIABLE, engine_index.url())
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    index.reset_log();

    // Without the variable the engine's lock passes `--check` unverified, and is not compared.
    let output = project.lock(&index, &["--check", "--refresh"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains(
            "warning: `tensorrt-llm`: `locks/tensorrt-llm.txt` was not compared with its index: its index `extra`"
        ),
        "{}",
        output.render()
    );
    assert!(
        index.requests_for("/simple/tensorrt-llm/").is_empty(),
        "the main index is never asked for the engine's package: {:?}",
        index.requests()
    );
    assert!(
        !index.requests_for("/simple/numpy/").is_empty(),
        "base is compared: {:?}",
        index.requests()
    );
}
