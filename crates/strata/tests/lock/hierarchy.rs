//! One solve per hierarchy: children hold their parents' pins, a parent respects what only a
//! descendant declares, engines keep their parents' pins, and clashing branches fail cleanly.

use strata_testindex::TestIndex;

use crate::project::{Locks, ML_LOCKS, ml_project};
use crate::support::{Project, strata_snapshot};
use crate::universe;

/// `(child, parent)` for every `extends` edge of the ML project.
const EXTENDS: &[(&str, &str)] = &[
    ("backend", "base"),
    ("build", "backend"),
    ("development", "build"),
    ("quantization", "base"),
    ("ui", "base"),
    ("vllm", "base"),
    ("sglang", "base"),
];

/// Asserts every pin of `parent`'s lock is in `child`'s lock at the same version.
fn assert_contains_pins(project: &Project, child: &str, parent: &str) {
    let (child_pins, parent_pins) = (project.pins(child), project.pins(parent));
    assert!(!parent_pins.is_empty(), "`{parent}` has pins");
    for (package, version) in &parent_pins {
        assert_eq!(
            child_pins.get(package),
            Some(version),
            "`{child}` keeps `{parent}`'s {package}=={version}"
        );
    }
}

#[test]
fn four_level_hierarchy_and_two_conflicting_engines_lock_with_every_parent_pin_in_its_children() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    let output = project.lock_ok(&index, &[]);
    strata_snapshot!(
        "ml_first_lock_summary",
        project.filters().index(&index),
        output
    );

    for name in ML_LOCKS {
        assert!(project.lock_path(name).is_file(), "`{name}` is locked");
    }
    for (child, parent) in EXTENDS {
        assert_contains_pins(&project, child, parent);
    }
    // Transitively too: development holds base's pins through backend and build.
    assert_contains_pins(&project, "development", "base");

    // The engines cannot share an environment, and neither had to give in.
    assert_eq!(project.pins("vllm")["torch"], "2.5.1");
    assert_eq!(project.pins("sglang")["torch"], "2.7.0");
    assert_eq!(project.pins("vllm")["sympy"], "1.13.1");
    assert_eq!(project.pins("sglang")["sympy"], "1.13.3");

    // Each profile's lock is the part of the solution its own requirements reach.
    let base = project.pins("base");
    for absent in ["fastapi", "accelerate", "pytest", "gradio", "torch"] {
        assert!(!base.contains_key(absent), "`base` has no {absent}");
    }
    assert!(!project.pins("ui").contains_key("accelerate"));
    assert!(project.pins("development").contains_key("pytest"));
}

#[test]
fn base_pins_numpy_1_when_backend_needs_accelerate_where_base_alone_would_take_numpy_2() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    // Only `backend` declares the cap (through accelerate); `base` has a bare `numpy`.
    assert_eq!(project.pins("base")["numpy"], "1.26.4");
    assert_eq!(project.pins("backend")["numpy"], "1.26.4");
    assert_eq!(project.pins("backend")["accelerate"], "0.33.0");

    // What layering would lock for `base`: the same base, solved alone.
    let alone = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\n\
         [profiles.base]\nfile = \"requirements/base.in\"\n",
        &[(
            "requirements/base.in",
            &project.read("requirements/base.in"),
        )],
    );
    alone.lock_ok(&index, &[]);
    assert_eq!(alone.pins("base")["numpy"], "2.1.1");
}

#[test]
fn engine_keeps_its_parents_pins_exactly_where_it_alone_would_take_newer_ones() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &["sglang"]);
    assert_contains_pins(&project, "sglang", "base");
    // sglang accepts any numpy and would take 2.1.1 on its own.
    assert_eq!(project.pins("sglang")["numpy"], "1.26.4");
    // Naming the engine locks it and what it extends, nothing else.
    assert!(project.lock_path("base").is_file());
    assert!(!project.lock_path("vllm").exists());

    let alone = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\n\
         [profiles.sglang]\nrequirements = [\"sglang==0.4.0\", \"transformers\"]\n",
        &[],
    );
    alone.lock_ok(&index, &[]);
    assert_eq!(alone.pins("sglang")["numpy"], "2.1.1");
}

#[test]
fn clashing_sibling_branches_exit_1_naming_the_packages_and_leave_existing_locks_untouched() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    // quantization adds optimum (pydantic<2) while ui's gradio needs pydantic>=2.
    project.edit(
        "requirements/quantization.in",
        "bitsandbytes>=0.43",
        "bitsandbytes>=0.43\noptimum",
    );
    for name in ML_LOCKS {
        project.write(
            &format!("locks/{name}.txt"),
            &format!("# an old lock of {name}\nnumpy==1.0\n"),
        );
        project.write(
            &format!("locks/pylock.{name}.toml"),
            "lock-version = \"1.0\"\n",
        );
    }
    let before = project.lock_files();
    // Modification times must be able to differ.
    std::thread::sleep(std::time::Duration::from_millis(20));

    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    for named in ["gradio", "optimum", "pydantic"] {
        assert!(
            output.stderr.contains(named),
            "names {named}: {}",
            output.render()
        );
    }
    strata_snapshot!("clashing_branches", project.filters().index(&index), output);
    assert_eq!(project.lock_files(), before, "every lock file as it was");
}
