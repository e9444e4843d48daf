//! An engine that moves its parents' pins says so: the first seed's shape, where the host
//! profile's bare `numpy` would take 2.4.6 but the vllm engine's numba needs numpy<2.3. The
//! summary, the host lock's header, `--format json` and `why` name the engine and the
//! requirement; `move-parent-pins = false` reports the conflict instead of moving the pin.

use strata_testindex::{Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::Project;

fn universe() -> Universe {
    Universe::new()
        .package(Package::new("numpy", "2.2.6"))
        .package(Package::new("numpy", "2.4.6"))
        .package(Package::new("pyyaml", "6.0.2"))
        .package(Package::new("llvmlite", "0.44.0"))
        .package(
            Package::new("numba", "0.61.2")
                .requires("llvmlite<0.45,>=0.44.0dev0")
                .requires("numpy<2.3,>=1.24"),
        )
        .package(
            Package::new("vllm", "0.9.2")
                .requires("numba==0.61.2")
                .requires("pyyaml"),
        )
}

/// `host` with a bare numpy and `engine` after it (the vllm engine's table, or nothing).
fn manifest(engine: &str) -> String {
    format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.host]
requirements = ["numpy", "pyyaml"]
{engine}"#
    )
}

/// The vllm engine on `host`, with `extra` lines in its table.
fn engine(extra: &str) -> String {
    format!(
        r#"
[engines.vllm]
extends = ["host"]
version = {{ file = "engine_versions/vllm.yaml", key = "library.current_version" }}
{extra}
"#
    )
}

/// `host` with a bare numpy, `vllm` on it; `engine_extra` goes into the engine's table.
fn project(engine_extra: &str) -> Project {
    Project::with_manifest(
        &manifest(&engine(engine_extra)),
        &[(
            "engine_versions/vllm.yaml",
            "library:\n  current_version: \"0.9.2\"\n",
        )],
    )
}

const HELD: &str = "numpy held at <2.3 by engine `vllm` (numba==0.61.2 requires numpy>=1.24,<2.3)";

#[test]
fn an_engine_that_holds_a_parent_pin_is_named_in_the_summary_the_header_json_and_why() {
    let index = TestIndex::start(universe());
    let project = project("");
    let output = project.lock_ok(&index, &[]);
    assert_eq!(
        project.pins("host")["numpy"],
        "2.2.6",
        "{}",
        output.render()
    );
    assert_eq!(project.pins("vllm")["numpy"], "2.2.6");

    // The summary names the engine, the requirement and the lock that carries the pin.
    assert!(
        output.stderr.contains(&format!("{HELD}, in `host`")),
        "{}",
        output.render()
    );
    // So does the parent lock's header; the engine's own lock is where the requirement is.
    let host = project.read("locks/host.txt");
    let header: Vec<&str> = host
        .lines()
        .take_while(|line| line.starts_with('#'))
        .collect();
    assert!(header.contains(&format!("# {HELD}").as_str()), "{host}");
    assert!(!project.read("locks/vllm.txt").contains(" held at "));

    // `why` counts the engine's requirement among what holds host's numpy.
    let why = project
        .strata(&["why", "numpy", "--profile", "host"])
        .index(&index)
        .output();
    assert_eq!(why.code, 0, "{}", why.render());
    assert!(!why.stdout.contains("Nothing holds"), "{}", why.render());
    assert!(
        why.stdout.contains(
            "numpy 2.2.6 is held by numba 0.61.2 (locked in engine `vllm`, which extends `host`) \
             (numpy>=1.24,<2.3); without it numpy 2.4.6 would be picked"
        ),
        "{}",
        why.render()
    );

    // A relock that keeps the pin keeps the header's word for it: same inputs, same bytes.
    let before = project.read("locks/host.txt");
    project.lock_ok(&index, &["--force"]);
    assert_eq!(project.read("locks/host.txt"), before);

    // `--format json` says the same, on a first lock of the same project.
    let fresh = self::project("");
    let json = fresh.lock_ok(&index, &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let host = value["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["profile"] == "host")
        .unwrap();
    insta::assert_json_snapshot!(host["held"], @r#"
    [
      {
        "package": "numpy",
        "version": "2.2.6",
        "engine": "vllm",
        "bound": "<2.3",
        "requirement": "numba==0.61.2 requires numpy>=1.24,<2.3"
      }
    ]
    "#);
    let vllm = value["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["profile"] == "vllm")
        .unwrap();
    assert!(vllm.get("held").is_none(), "{vllm}");

    // Without the engine, the host's numpy is the newest.
    let alone = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
         lock-dir = \"locks\"\n\n[profiles.host]\nrequirements = [\"numpy\", \"pyyaml\"]\n",
        &[],
    );
    alone.lock_ok(&index, &[]);
    assert_eq!(alone.pins("host")["numpy"], "2.4.6");
}

#[test]
fn an_engine_that_may_not_move_parent_pins_exits_1_naming_itself_the_package_and_the_pin() {
    let index = TestIndex::start(universe());
    let project = project("move-parent-pins = false");
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    for named in [
        "Engine `vllm`",
        "move-parent-pins = false",
        "numpy: profile `host` pins 2.4.6 (locks/host.txt)",
        "the engine needs <2.3 (numba==0.61.2 requires numpy>=1.24,<2.3)",
    ] {
        assert!(
            output.stderr.contains(named),
            "names {named}: {}",
            output.render()
        );
    }
    assert_eq!(project.lock_files().len(), 0, "a failed run writes nothing");

    // Going on, the host keeps its own numpy and the engine is reported as not locked.
    let output = project.lock(&index, &["--keep-going"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert_eq!(project.pins("host")["numpy"], "2.4.6");
    assert!(!project.read("locks/host.txt").contains(" held at "));
    assert!(!project.lock_path("vllm").exists(), "{}", output.render());
    assert!(
        output.stderr.contains("`vllm` was not locked"),
        "{}",
        output.render()
    );
}

#[test]
fn a_pin_an_engine_held_is_released_when_the_engine_may_no_longer_move_it_or_is_gone() {
    let index = TestIndex::start(universe());
    let project = project("");
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("host")["numpy"], "2.2.6");
    let held = project.read("locks/host.txt");

    // Forbidden now: the host would take its own numpy, which the engine cannot use; that is
    // reported, and no lock changes.
    project.write(
        "strata.toml",
        &manifest(&engine("move-parent-pins = false")),
    );
    let check = project.lock(&index, &["--check"]);
    assert_eq!(check.code, 1, "{}", check.render());
    assert!(
        check.stderr.contains("`host`: `locks/host.txt` is stale"),
        "{}",
        check.render()
    );
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("numpy: profile `host` pins 2.4.6 (locks/host.txt)"),
        "{}",
        output.render()
    );
    assert_eq!(project.read("locks/host.txt"), held);

    // Going on, the host takes its own numpy, and the engine, whose lock no longer stands on
    // the host's pins, is not locked.
    let output = project.lock(&index, &["--keep-going"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert_eq!(project.pins("host")["numpy"], "2.4.6");
    assert!(
        output.stderr.contains("`vllm` was not locked"),
        "{}",
        output.render()
    );

    // Without the engine, nothing holds the host's numpy: it gets the newest.
    let project = self::project("");
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("host")["numpy"], "2.2.6");
    project.write("strata.toml", &manifest(""));
    let output = project.lock_ok(&index, &[]);
    assert_eq!(
        project.pins("host")["numpy"],
        "2.4.6",
        "{}",
        output.render()
    );
    assert!(!project.read("locks/host.txt").contains(" held at "));
}
