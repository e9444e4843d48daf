//! The lock run's switches: `--layered` (pip-tools' way, which fails the numpy case),
//! `--keep-going` (write what resolved, keep the rest), `--upgrade-package P==V` (one package
//! to one version everywhere) and `--format json` (the summary as data).

use std::collections::BTreeMap;

use strata_testindex::TestIndex;

use crate::project::{Locks, ML_FILES, ML_LOCKS, ML_MANIFEST, ml_project};
use crate::support::{Project, strata_snapshot};
use crate::universe;

#[test]
fn layered_fails_the_numpy_case_showing_the_parent_pin_empties_the_child_range_which_one_solve_locks()
 {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    let output = project.lock(&index, &["--layered"]);
    assert_eq!(output.code, 1, "{}", output.render());
    // base alone took numpy 2.1.1; backend's accelerate needs numpy<2, and the explanation
    // names the two sides with where each comes from.
    for named in [
        "`backend`",
        "`numpy>=1.17, <2.0.0` (required by accelerate==0.33.0, from requirements/backend.in:4)",
        "the constraint `numpy==2.1.1` (locks/base.txt, the lock of profile `base`)",
    ] {
        assert!(
            output.stderr.contains(named),
            "names {named}: {}",
            output.render()
        );
    }
    strata_snapshot!(
        "layered_numpy_case",
        project.filters().index(&index),
        output
    );
    assert_eq!(project.lock_files().len(), 0, "a failed run writes nothing");

    // One solve per hierarchy locks the same project.
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["numpy"], "1.26.4");
    assert_eq!(project.pins("backend")["accelerate"], "0.33.0");
}

#[test]
fn layered_locks_each_profile_within_its_parents_pins_when_they_leave_room() {
    let index = TestIndex::start(universe::ml());
    // base states the cap itself: the pip-tools chain then works, and gives the same locks.
    let project = ml_project();
    project.edit("requirements/base.in", "numpy\n", "numpy<2\n");
    project.lock_ok(&index, &["--layered"]);
    let layered: BTreeMap<&str, BTreeMap<String, String>> = ML_LOCKS
        .iter()
        .map(|name| (*name, project.pins(name)))
        .collect();
    assert_eq!(layered["base"]["numpy"], "1.26.4");
    assert_eq!(layered["backend"]["numpy"], "1.26.4");

    project.lock_ok(&index, &["--force"]);
    for name in ML_LOCKS {
        assert_eq!(project.pins(name), layered[name], "`{name}`");
    }
}

/// Two clashing branches under `base`, an engine on `base`, and an engine of its own.
const KEEP_GOING_MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = ["numpy", "rich"]

[profiles.quantization]
extends = ["base"]
requirements = ["bitsandbytes>=0.43", "optimum"]

[profiles.ui]
extends = ["base"]
requirements = ["gradio>=4.44,<5"]

[engines.vllm]
extends = ["base"]
version = { file = "engine_versions/vllm.yaml", key = "library.current_version" }

[engines.sglang]
requirements = ["transformers"]
version = { file = "engine_versions/sglang.yaml", key = "library.current_version" }
"#;

#[test]
fn keep_going_writes_the_independent_engine_keeps_the_clashing_locks_and_exits_1() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(KEEP_GOING_MANIFEST, ML_FILES);
    for name in ["base", "quantization", "ui", "vllm"] {
        project.write(
            &format!("locks/{name}.txt"),
            &format!("# an old lock of {name}\nnumpy==1.0\n"),
        );
    }
    let before = project.lock_files();
    std::thread::sleep(std::time::Duration::from_millis(20));

    let output = project.lock(&index, &["--keep-going"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert_eq!(project.pins("sglang")["sglang"], "0.4.0");
    assert_eq!(project.pins("sglang")["torch"], "2.7.0");
    let after = project.lock_files();
    for name in ["base", "quantization", "ui"] {
        let file = format!("{name}.txt");
        assert!(after[&file] == before[&file], "`{name}` kept as it was");
        assert!(
            output
                .stderr
                .lines()
                .any(|line| line.starts_with(name) && line.contains("failed")),
            "`{name}` reported failed: {}",
            output.render()
        );
    }
    // vllm extends the hierarchy that failed: without its parents' pins it cannot be locked.
    assert!(
        output
            .stderr
            .lines()
            .any(|line| line.starts_with("vllm") && line.contains("failed")),
        "`vllm` reported failed: {}",
        output.render()
    );
    assert!(
        after["vllm.txt"] == before["vllm.txt"],
        "`vllm` kept as it was: {}",
        output.render()
    );
    strata_snapshot!("keep_going", project.filters().index(&index), output);
}

#[test]
fn upgrade_package_to_a_version_moves_it_there_in_every_lock_that_has_it_and_nothing_else() {
    let index = TestIndex::start(universe::ml());
    let manifest = format!("{ML_MANIFEST}\n[profiles.docs]\nrequirements = [\"pygments\"]\n");
    let project = Project::with_manifest(&manifest, ML_FILES);
    project.lock_ok(&index, &[]);
    let names: Vec<&str> = ML_LOCKS.iter().copied().chain(["docs"]).collect();
    let before: BTreeMap<&str, BTreeMap<String, String>> = names
        .iter()
        .map(|name| (*name, project.pins(name)))
        .collect();
    assert_eq!(before["base"]["filelock"], "3.16.1");

    // Newer releases on both sides of the wanted one: neither the newest nor the old pin wins.
    let newer = TestIndex::start(universe::ml_and(&[
        ("filelock", "3.16.2", &[]),
        ("filelock", "3.17.0", &[]),
        (
            "rich",
            "13.9.5",
            &["markdown-it-py>=2.2.0", "pygments>=2.13.0,<3.0.0"],
        ),
    ]));
    let output = project.lock_ok(&newer, &["--upgrade-package", "filelock==3.16.2"]);
    for name in &names {
        let mut expected = before[name].clone();
        if let Some(version) = expected.get_mut("filelock") {
            *version = "3.16.2".to_string();
        }
        assert_eq!(
            project.pins(name),
            expected,
            "`{name}`: {}",
            output.render()
        );
    }
    assert!(
        !project.pins("docs").contains_key("filelock"),
        "never added"
    );
}

#[test]
fn json_summary_lists_each_profile_with_status_count_and_changes() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    let output = project.lock_ok(&index, &["--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    let rows = summary["locks"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|row| row["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ML_LOCKS);
    for row in rows {
        let name = row["profile"].as_str().unwrap();
        let pins = project.pins(name);
        assert_eq!(row["status"], "locked", "{row}");
        assert_eq!(row["path"], format!("locks/{name}.txt"), "{row}");
        assert_eq!(row["packages"], pins.len(), "{row}");
        let mut added: Vec<String> = pins
            .iter()
            .map(|(package, version)| format!("{package}=={version}"))
            .collect();
        let mut listed: Vec<String> = row["added"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| entry.as_str().unwrap().to_string())
            .collect();
        listed.sort();
        added.sort();
        assert_eq!(listed, added, "`{name}`");
        for empty in ["removed", "upgraded", "downgraded"] {
            assert_eq!(row[empty], serde_json::json!([]), "`{name}` {empty}");
        }
    }

    // A relock that moves one package lists it as upgraded where it moved, unchanged elsewhere.
    let newer = TestIndex::start(universe::ml_and(&[("filelock", "3.17.0", &[])]));
    let output = project.lock_ok(
        &newer,
        &["--upgrade-package", "filelock", "--format", "json"],
    );
    let summary: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    insta::assert_json_snapshot!("json_upgrade_summary", summary);
}
