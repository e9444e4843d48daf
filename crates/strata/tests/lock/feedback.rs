//! Engines that cannot live with their hierarchy's first pins: strata feeds the engine's
//! versions back into the hierarchy's solve; when no hierarchy pins fit, the error names the
//! engine and the package and points at `isolated-from-parent`, which locks the engine apart and
//! records where it diverges.

use strata_testindex::TestIndex;

use crate::project::Locks;
use crate::support::{Project, strata_snapshot};
use crate::universe;

/// vllm 0.9.2 holds torch at 2.5.1, where a bare `torch` takes 2.7.0.
const VLLM_0_9_2: &[(&str, &str, &[&str])] = &[("vllm", "0.9.2", &["torch==2.5.1"])];

/// A project whose `base` requires `base_requirements`, with `extra` profiles after it and the
/// `vllm` engine (0.9.2, from its version file) on `base`; `isolated` sets
/// `isolated-from-parent` on the engine.
fn project(base_requirements: &str, extra: &str, isolated: bool) -> Project {
    let manifest = format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = {base_requirements}
{extra}
[engines.vllm]
extends = ["base"]
version = {{ file = "engine_versions/vllm.yaml", key = "library.current_version" }}
isolated-from-parent = {isolated}
"#
    );
    Project::with_manifest(
        &manifest,
        &[(
            "engine_versions/vllm.yaml",
            "library:\n  current_version: \"0.9.2\"\n",
        )],
    )
}

/// `training` extends `base` and needs torch 2.7: the hierarchy cannot move to the engine's
/// torch, while the engine alone (base's bare `torch` plus vllm) can.
const TRAINING: &str = r#"
[profiles.training]
extends = ["base"]
requirements = ["torch>=2.7"]
"#;

#[test]
fn base_moves_to_the_torch_its_engine_needs_where_alone_it_would_take_the_newest() {
    let index = TestIndex::start(universe::ml_and(VLLM_0_9_2));
    let project = project(r#"["torch", "rich"]"#, "", false);
    let output = project.lock_ok(&index, &[]);

    // The engine's torch was fed back: base holds 2.5.1, and with it the sympy torch 2.5.1 pins.
    assert_eq!(
        project.pins("base")["torch"],
        "2.5.1",
        "{}",
        output.render()
    );
    assert_eq!(project.pins("base")["sympy"], "1.13.1");
    let (base, vllm) = (project.pins("base"), project.pins("vllm"));
    assert_eq!(vllm["vllm"], "0.9.2");
    for (package, version) in &base {
        assert_eq!(
            vllm.get(package),
            Some(version),
            "`vllm` keeps base's {package}"
        );
    }

    // The same base without the engine takes the newest torch.
    let alone = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n\
         [profiles.base]\nrequirements = [\"torch\", \"rich\"]\n",
        &[],
    );
    alone.lock_ok(&index, &[]);
    assert_eq!(alone.pins("base")["torch"], "2.7.0");
}

#[test]
fn engine_that_no_hierarchy_pins_fit_exits_1_naming_it_and_torch_and_hints_isolated_from_parent() {
    let index = TestIndex::start(universe::ml_and(VLLM_0_9_2));
    let project = project(r#"["torch", "rich"]"#, TRAINING, false);
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    for named in ["`vllm`", "torch", "isolated-from-parent"] {
        assert!(
            output.stderr.contains(named),
            "names {named}: {}",
            output.render()
        );
    }
    strata_snapshot!(
        "engine_incompatible",
        project.filters().index(&index),
        output
    );
    assert_eq!(project.lock_files().len(), 0, "a failed run writes nothing");

    // Going on, the hierarchy keeps the pins it had before the engine asked for others.
    let output = project.lock(&index, &["--keep-going"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert_eq!(project.pins("base")["torch"], "2.7.0");
    assert_eq!(project.pins("training")["torch"], "2.7.0");
    assert!(!project.lock_path("vllm").exists(), "{}", output.render());
}

#[test]
fn engine_whose_inherited_requirements_exclude_its_own_torch_exits_1_naming_it_and_torch() {
    let index = TestIndex::start(universe::ml_and(VLLM_0_9_2));
    let project = project(r#"["torch>=2.7", "rich"]"#, "", false);
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    for named in ["`vllm`", "torch"] {
        assert!(
            output.stderr.contains(named),
            "names {named}: {}",
            output.render()
        );
    }
    strata_snapshot!(
        "engine_inherits_conflict",
        project.filters().index(&index),
        output
    );
    assert_eq!(project.lock_files().len(), 0, "a failed run writes nothing");
}

#[test]
fn isolated_engine_locks_its_own_torch_while_base_keeps_2_7_and_its_header_lists_the_divergence() {
    let index = TestIndex::start(universe::ml_and(VLLM_0_9_2));
    let project = project(r#"["torch", "rich"]"#, TRAINING, true);
    let output = project.lock_ok(&index, &[]);
    assert_eq!(
        project.pins("base")["torch"],
        "2.7.0",
        "{}",
        output.render()
    );
    assert_eq!(project.pins("training")["torch"], "2.7.0");
    let vllm = project.pins("vllm");
    assert_eq!(vllm["torch"], "2.5.1");
    assert_eq!(vllm["sympy"], "1.13.1");
    assert_eq!(vllm["vllm"], "0.9.2");
    // Base's other pins are not forced on the engine, but nothing made them move either.
    assert_eq!(vllm["rich"], project.pins("base")["rich"]);

    // The header says where the engine left its parents' pins, and only there.
    let lock = project.read("locks/vllm.txt");
    let note: Vec<&str> = lock
        .lines()
        .take_while(|line| line.starts_with('#'))
        .skip_while(|line| !line.contains("isolated-from-parent"))
        .take_while(|line| line.contains("isolated-from-parent") || line.starts_with("#   "))
        .collect();
    insta::assert_snapshot!(note.join("\n"), @r"
    # isolated-from-parent: versions that differ from the parents' locks:
    #   sympy: parents pin 1.13.3, this engine has 1.13.1
    #   torch: parents pin 2.7.0, this engine has 2.5.1
    ");
}
