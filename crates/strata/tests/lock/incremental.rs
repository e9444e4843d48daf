//! Relocking: nothing changed costs nothing, one changed line re-solves one hierarchy with the
//! old pins as preferences, `--check` finds stale and missing locks, `--upgrade-package` moves
//! one package, and the same inputs always give the same bytes.

use std::collections::BTreeMap;

use strata_testindex::TestIndex;

use crate::project::{Locks, ML_LOCKS, ml_project};
use crate::support::{Project, strata_snapshot};
use crate::universe;

#[test]
fn relock_with_nothing_changed_makes_no_request_and_rewrites_no_file() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let before = project.lock_files();
    assert_eq!(before.len(), 2 * ML_LOCKS.len(), "{:?}", before.keys());
    std::thread::sleep(std::time::Duration::from_millis(20));
    index.reset_log();

    let output = project.lock_ok(&index, &[]);
    assert_eq!(index.requests(), [], "no request at all");
    assert_eq!(project.lock_files(), before, "no file rewritten");
    for name in ML_LOCKS {
        assert!(
            output
                .stderr
                .lines()
                .any(|line| line.starts_with(name) && line.contains("unchanged")),
            "`{name}` reported unchanged: {}",
            output.render()
        );
    }
}

#[test]
fn changing_a_ui_line_resolves_only_its_hierarchy_keeps_pins_and_rewrites_only_changed_locks() {
    // click 8.1.8 is out, but ui pins 8.1.7, which backend (through uvicorn) shares.
    let index = TestIndex::start(universe::ml_and(&[("click", "8.1.8", &[])]));
    let project = ml_project();
    project.write("requirements/ui.in", "gradio>=4.44,<5\nclick==8.1.7\n");
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("backend")["click"], "8.1.7");
    let before = project.lock_files();
    std::thread::sleep(std::time::Duration::from_millis(20));
    index.reset_log();

    project.edit("requirements/ui.in", "click==8.1.7", "click>=8");
    let output = project.lock_ok(&index, &[]);

    // Existing pins are preferences: nothing moves to click 8.1.8.
    for name in ["backend", "build", "development", "ui"] {
        assert_eq!(project.pins(name)["click"], "8.1.7", "`{name}` keeps click");
    }
    // Only ui's files changed (its fingerprint), so only they were written.
    let after = project.lock_files();
    let changed: Vec<&String> = after
        .iter()
        .filter(|(name, file)| before.get(*name) != Some(file))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(changed, ["pylock.ui.toml", "ui.txt"], "{}", output.render());
    assert_eq!(project.pins("ui"), crate::pins_of(&before["ui.txt"].0));
    // The engines were not resolved again: nothing of theirs was asked for.
    for path in ["/simple/vllm/", "/simple/sglang/", "/simple/transformers/"] {
        assert_eq!(index.requests_for(path), [], "{path}");
    }
}

#[test]
fn changing_a_base_line_resolves_the_engines_on_top_of_it_too() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let before = project.lock_files();
    std::thread::sleep(std::time::Duration::from_millis(20));

    project.edit("requirements/base.in", "filelock", "filelock>=3.12");
    let output = project.lock_ok(&index, &[]);
    let after = project.lock_files();
    // Every profile extends base, so every lock records a new fingerprint, engines included.
    for name in ML_LOCKS {
        let file = format!("{name}.txt");
        assert_ne!(before[&file], after[&file], "`{name}`: {}", output.render());
        assert_eq!(
            crate::pins_of(&after[&file].0),
            crate::pins_of(&before[&file].0),
            "`{name}` keeps its pins"
        );
    }
}

#[test]
fn check_exits_0_when_current_and_1_naming_a_stale_or_missing_lock() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    index.reset_log();

    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(index.requests(), [], "checking needs no index");

    project.edit("requirements/build.in", "wheel", "wheel>=0.40");
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("`build`") && output.stderr.contains("locks/build.txt"),
        "{}",
        output.render()
    );
    assert!(output.stderr.contains("stale"), "{}", output.render());
    // development extends build: its effective requirements changed too.
    assert!(
        output.stderr.contains("`development`"),
        "{}",
        output.render()
    );
    assert!(!output.stderr.contains("`base`"), "{}", output.render());
    strata_snapshot!("check_stale", project.filters().index(&index), output);

    project.lock_ok(&index, &[]);
    fs_err::remove_file(project.lock_path("vllm")).unwrap();
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("`vllm`") && output.stderr.contains("does not exist"),
        "{}",
        output.render()
    );
    assert!(
        !project.lock_path("vllm").exists(),
        "--check writes nothing"
    );
}

#[test]
fn upgrade_package_changes_only_that_package_and_what_it_forces() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let before: BTreeMap<&str, BTreeMap<String, String>> = ML_LOCKS
        .iter()
        .map(|name| (*name, project.pins(name)))
        .collect();

    // A newer fastapi that needs a newer starlette, and a newer uvicorn nobody asked for.
    let newer = TestIndex::start(universe::ml_and(&[
        (
            "fastapi",
            "0.115.2",
            &[
                "starlette>=0.40.0,<0.42.0",
                "pydantic>=1.7.4,!=2.0.0,<3.0.0",
                "typing-extensions>=4.8.0",
            ],
        ),
        ("starlette", "0.41.0", &["anyio>=3.4.0,<5"]),
        ("uvicorn", "0.31.0", &["click>=7.0", "h11>=0.8"]),
    ]));
    let output = project.lock_ok(&newer, &["--upgrade-package", "fastapi"]);

    for name in ML_LOCKS {
        let after = project.pins(name);
        let mut expected = before[name].clone();
        if expected.contains_key("fastapi") {
            expected.insert("fastapi".to_string(), "0.115.2".to_string());
            expected.insert("starlette".to_string(), "0.41.0".to_string());
        }
        assert_eq!(after, expected, "`{name}`: {}", output.render());
    }
    assert_eq!(project.pins("backend")["uvicorn"], "0.30.6");
}

#[test]
fn same_project_locked_twice_in_fresh_directories_gives_identical_files() {
    let index = TestIndex::start(universe::ml());
    let first = ml_project();
    let second = ml_project();
    first.lock_ok(&index, &[]);
    second.lock_ok(&index, &[]);
    let bytes = |project: &Project| -> BTreeMap<String, Vec<u8>> {
        project
            .lock_files()
            .into_iter()
            .map(|(name, (bytes, _))| (name, bytes))
            .collect()
    };
    let (first, second) = (bytes(&first), bytes(&second));
    assert_eq!(first.len(), 2 * ML_LOCKS.len());
    for (name, contents) in &first {
        assert!(
            second.get(name) == Some(contents),
            "`{name}` differs between the two runs"
        );
    }
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
}
