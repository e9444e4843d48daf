//! Profiles of several targets (`targets = [...]`): one lock for Linux CI and macOS laptops,
//! whose lines carry the markers that select each target's pins, one version wherever one fits
//! every target. Checked against strata's own single-target resolution of each target, and by
//! pip installing the lock on this machine.

use std::collections::BTreeMap;

use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::Project;

const LINUX: (&str, &str) = ("3.11", "x86_64-manylinux_2_28");
const MAC: (&str, &str) = ("3.12", "aarch64-apple-darwin");

const LINUX_WHEEL: &str = "cp311-cp311-manylinux_2_17_x86_64";
const MAC_WHEEL: &str = "cp312-cp312-macosx_11_0_arm64";

/// Platform wheels, a release that drops macOS, a dependency only Linux needs, and a
/// requirement whose markers force different versions per platform.
fn universe() -> Universe {
    Universe::new()
        // Compiled for both; on Linux it needs a helper.
        .package(
            Package::new("fastmath", "1.0")
                .wheel_tags(LINUX_WHEEL)
                .wheel_tags(MAC_WHEEL)
                .requires("linuxhelper ; sys_platform == 'linux'"),
        )
        .package(Package::new("linuxhelper", "0.3"))
        // The newest release has no macOS wheel: 1.0 fits both, and both take it.
        .package(
            Package::new("dropper", "1.0")
                .wheel_tags(LINUX_WHEEL)
                .wheel_tags(MAC_WHEEL),
        )
        .package(Package::new("dropper", "2.0").wheel_tags(LINUX_WHEEL))
        // Required at >=2 on Linux and <2 on macOS: the lock must fork.
        .package(Package::new("tool", "1.5"))
        .package(Package::new("tool", "2.1"))
        .package(Package::new("six", "1.17.0"))
        .package(Package::new("serve", "1.0").requires("tool"))
        // Its old release was built for Linux only: an engine on Linux that needs it cannot
        // make macOS take it.
        .package(Package::new("held", "1.0").wheel_tags(LINUX_WHEEL))
        .package(
            Package::new("held", "2.0")
                .wheel_tags(LINUX_WHEEL)
                .wheel_tags(MAC_WHEEL),
        )
}

fn target_table((python, platform): (&str, &str)) -> String {
    format!("{{ python-version = \"{python}\", python-platform = \"{platform}\" }}")
}

fn project() -> Project {
    Project::with_manifest(
        &format!(
            "targets = [{}, {}]\n\n[profiles.host]\nrequirements = [\"fastmath\", \"dropper\", \
             \"six\", \"tool>=2 ; sys_platform == 'linux'\", \"tool<2 ; sys_platform == 'darwin'\"]\n\
             \n[profiles.dev]\nextends = [\"host\"]\nrequirements = [\"tool\"]\n\
             \n[engines.serve]\nextends = [\"host\"]\n\
             version = {{ file = \"serve.yaml\", key = \"version\" }}\n",
            target_table(LINUX),
            target_table(MAC)
        ),
        &[("serve.yaml", "version: \"1.0\"\n")],
    )
}

/// `name==version` of every line of `lock` that `target` installs.
fn selected(lock: &strata_lockfile::Lock, (python, platform): (&str, &str)) -> Vec<String> {
    let target = strata_dist::Target::parse(python, platform).unwrap();
    lock.for_target(&target)
        .packages
        .iter()
        .map(|package| format!("{}=={}", package.name, package.version))
        .collect()
}

#[test]
fn one_lock_carries_every_target_with_markers_only_where_the_targets_differ() {
    let index = TestIndex::start(universe());
    let project = project();
    project.lock_ok(&index, &[]);

    let text = project.read("locks/host.txt");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.starts_with([' ', '#', '-']) && !line.is_empty())
        .collect();
    assert_eq!(
        lines,
        [
            "dropper==1.0 \\",
            "fastmath==1.0 \\",
            "linuxhelper==0.3 ; sys_platform == 'linux' \\",
            "six==1.17.0 \\",
            "tool==2.1 ; sys_platform == 'linux' \\",
            "tool==1.5 ; sys_platform == 'darwin' \\",
        ],
        "{text}"
    );
    assert!(
        text.contains(
            "(Python 3.11 on x86_64-manylinux_2_28, Python 3.12 on aarch64-apple-darwin)"
        ),
        "{text}"
    );
    // One line for fastmath, with the hashes of both platforms' wheels.
    let lock = strata_lockfile::requirements_txt::read(&text).unwrap();
    let fastmath = lock
        .packages
        .iter()
        .find(|package| package.name.as_ref() == "fastmath")
        .unwrap();
    assert_eq!(fastmath.hashes.len(), 2, "{text}");

    // The child keeps the parent's pins on each target.
    let dev = strata_lockfile::requirements_txt::read(&project.read("locks/dev.txt")).unwrap();
    for target in [LINUX, MAC] {
        let parent = selected(&lock, target);
        let child = selected(&dev, target);
        for pin in &parent {
            assert!(child.contains(pin), "{target:?}: {pin} not in {child:?}");
        }
    }

    // The engine keeps one target, the first, and its parents' pins for it: no markers.
    let serve = project.read("locks/serve.txt");
    assert!(
        serve.contains("(Python 3.11 on x86_64-manylinux_2_28)"),
        "{serve}"
    );
    let serve = strata_lockfile::requirements_txt::read(&serve).unwrap();
    assert!(!serve.has_markers());
    let serve: Vec<String> = serve
        .packages
        .iter()
        .map(|package| format!("{}=={}", package.name, package.version))
        .collect();
    for pin in selected(&lock, LINUX) {
        assert!(serve.contains(&pin), "{pin} not in {serve:?}");
    }

    // PEP 751: an environment per target, the same markers.
    let pylock =
        strata_lockfile::pylock_toml::read(&project.read("locks/pylock.host.toml")).unwrap();
    let markers: BTreeMap<String, Option<String>> = pylock
        .packages
        .iter()
        .map(|package| {
            (
                format!("{}=={}", package.name, package.version),
                package.marker.try_to_string(),
            )
        })
        .collect();
    assert_eq!(
        markers["tool==1.5"].as_deref(),
        Some("sys_platform == 'darwin'")
    );
    assert_eq!(markers["six==1.17.0"], None);
    let pylock_text = project.read("locks/pylock.host.toml");
    assert!(
        pylock_text.contains("sys_platform == 'darwin' and platform_machine == 'arm64'"),
        "{pylock_text}"
    );

    // For each target, strata's own resolution of the selected pins for that target alone is
    // exactly the selected lines: nothing missing, nothing extra, nothing at another version.
    for target in [LINUX, MAC] {
        let pins = selected(&lock, target);
        project.write("check.in", &format!("{}\n", pins.join("\n")));
        let output = project
            .strata(&[
                "compile",
                "check.in",
                "--python-version",
                target.0,
                "--python-platform",
                target.1,
                "-o",
                "check.txt",
            ])
            .index(&index)
            .output();
        assert_eq!(output.code, 0, "{}", output.render());
        let compiled = strata_lockfile::requirements_txt::read(&project.read("check.txt")).unwrap();
        let compiled: Vec<String> = compiled
            .packages
            .iter()
            .map(|package| format!("{}=={}", package.name, package.version))
            .collect();
        assert_eq!(compiled, pins, "{target:?}");
    }

    // Nothing changed: current, and a relock rewrites nothing. The index still serves every
    // file of every target's lines: no drift either.
    let check = project.strata(&["lock", "--check"]).index(&index).output();
    assert_eq!(check.code, 0, "{}", check.render());
    let drift = project
        .strata(&["lock", "--check", "--refresh"])
        .index(&index)
        .output();
    assert_eq!(drift.code, 0, "{}", drift.render());
    let before = project.lock_files();
    project.lock_ok(&index, &[]);
    assert_eq!(project.lock_files(), before);

    // `strata profiles` names both targets.
    let profiles = project.strata(&["profiles"]).output();
    assert!(
        profiles.stdout.contains(
            "targets: Python 3.11 on x86_64-manylinux_2_28; Python 3.12 on aarch64-apple-darwin"
        ),
        "{}",
        profiles.render()
    );
    let json = project
        .strata(&["profiles", "host", "--format", "json"])
        .output();
    let model: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let host = &model["profiles"][0];
    assert_eq!(host["name"], "host");
    assert_eq!(host["targets"].as_array().unwrap().len(), 2, "{host}");
    assert_eq!(
        host["targets"][1]["python-platform"],
        "aarch64-apple-darwin"
    );
    assert_eq!(host["target"], host["targets"][0]);
}

#[test]
fn sync_installs_this_machines_lines_and_check_reads_the_lock_per_target() {
    let index = TestIndex::start(universe());
    let project = project();
    project.lock_ok(&index, &[]);

    // `check --profile` on a target named by the flags: the macOS lines are consistent.
    let check = project
        .strata(&[
            "check",
            "--profile",
            "host",
            "--python-version",
            MAC.0,
            "--python-platform",
            MAC.1,
        ])
        .index(&index)
        .output();
    assert_eq!(check.code, 0, "{}", check.render());
    // `tree` on this machine (Linux x86_64): linuxhelper under fastmath, tool 2.1.
    let tree = project
        .strata(&["tree", "--profile", "host"])
        .index(&index)
        .output();
    assert_eq!(tree.code, 0, "{}", tree.render());
    assert!(tree.stdout.contains("linuxhelper"), "{}", tree.render());
    assert!(
        tree.stdout.contains("tool==2.1") || tree.stdout.contains("tool 2.1"),
        "{}",
        tree.render()
    );
    assert!(!tree.stdout.contains("1.5"), "{}", tree.render());

    let Some(_) = Venv::create() else { return };
    let output = crate::sync::sync(&project, &index, &["host"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let installed = crate::sync::installed(&project.dir().join(".venvs/host"));
    let expected: BTreeMap<String, String> = [
        ("dropper", "1.0"),
        ("fastmath", "1.0"),
        ("linuxhelper", "0.3"),
        ("six", "1.17.0"),
        ("tool", "2.1"),
    ]
    .into_iter()
    .map(|(name, version)| (name.to_string(), version.to_string()))
    .collect();
    assert_eq!(installed, expected);
    // A second sync: nothing to do.
    let again = crate::sync::sync(&project, &index, &["host"]);
    assert_eq!(again.code, 0, "{}", again.render());
    assert!(
        again
            .stderr
            .contains("already holds exactly the 5 distributions"),
        "{}",
        again.render()
    );
    // pip agrees that the environment is consistent.
    let pip_check = std::process::Command::new(project.dir().join(".venvs/host/bin/python"))
        .args(["-m", "pip", "check"])
        .output()
        .unwrap();
    assert!(
        pip_check.status.success(),
        "{}",
        strata_testindex::venv::describe(&pip_check)
    );
}

#[test]
fn targets_no_marker_tells_apart_and_targets_beside_python_version_are_refused() {
    let project = Project::with_manifest(
        &format!(
            "targets = [{}, {}]\n[profiles.a]\nrequirements = [\"six\"]\n",
            target_table(("3.11", "x86_64-manylinux_2_17")),
            target_table(("3.11", "x86_64-manylinux_2_28"))
        ),
        &[],
    );
    let output = project.strata(&["profiles"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("no marker tells"),
        "{}",
        output.render()
    );

    let project = Project::with_manifest(
        &format!(
            "python-version = \"3.11\"\ntargets = [{}]\n[profiles.a]\nrequirements = [\"six\"]\n",
            target_table(LINUX)
        ),
        &[],
    );
    let output = project.strata(&["profiles"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(output.stderr.contains("not both"), "{}", output.render());
}

#[test]
fn a_target_that_cannot_be_solved_is_named_and_nothing_is_written() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        &format!(
            "targets = [{}, {}]\n[profiles.host]\nrequirements = [\"dropper==2.0\"]\n",
            target_table(LINUX),
            target_table(MAC)
        ),
        &[],
    );
    let output = project.lock(&index, &[]);
    assert_ne!(output.code, 0, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("Failed to lock profile `host` for Python 3.12 on aarch64-apple-darwin"),
        "{}",
        output.render()
    );
    assert!(!project.dir().join("locks/host.txt").exists());
}

#[test]
fn conflicts_pairs_profiles_on_every_target_they_share() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        &format!(
            "targets = [{}, {}]\n\n\
             [profiles.laptop]\nrequirements = [\"six\", \"tool<2 ; sys_platform == 'darwin'\"]\n\
             \n[profiles.linux]\nrequirements = [\"tool>=2\"]\npython-version = \"{}\"\n\
             python-platform = \"{}\"\n\
             \n[profiles.mac]\nrequirements = [\"tool>=2\"]\npython-version = \"{}\"\n\
             python-platform = \"{}\"\n",
            target_table(LINUX),
            target_table(MAC),
            LINUX.0,
            LINUX.1,
            MAC.0,
            MAC.1
        ),
        &[],
    );
    let output = project
        .strata(&["conflicts", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let pairs: Vec<(String, bool, String)> = json["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                format!("{} {}", pair["first"], pair["second"]).replace('"', ""),
                pair["compatible"].as_bool().unwrap(),
                pair["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            // On Linux, the laptop's `tool<2` does not apply.
            ("laptop linux".to_string(), true, String::new()),
            // On macOS it does, against `tool>=2`: the laptop's second target is paired too.
            ("laptop mac".to_string(), false, "no-solution".to_string()),
            (
                "linux mac".to_string(),
                false,
                "different-targets".to_string()
            ),
        ],
        "{}",
        output.render()
    );
    let explanation = json["pairs"][1]["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("For Python 3.12 on aarch64-apple-darwin:\n"),
        "{explanation}"
    );
}

#[test]
fn an_engine_moves_its_parents_pin_on_its_own_target_only() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        &format!(
            "targets = [{}, {}]\n\n[profiles.host]\nrequirements = [\"held\", \"six\"]\n\
             \n[engines.serve]\nextends = [\"host\"]\nrequirements = [\"held<2\"]\n\
             version = {{ file = \"serve.yaml\", key = \"version\" }}\n",
            target_table(LINUX),
            target_table(MAC)
        ),
        &[("serve.yaml", "version: \"1.0\"\n")],
    );
    let output = project.lock_ok(&index, &[]);
    // The engine (Linux, the first target) needs held 1.0, which macOS has no wheel of: the
    // host takes 1.0 on Linux, where the engine inherits it, and keeps 2.0 on macOS.
    let host = strata_lockfile::requirements_txt::read(&project.read("locks/host.txt")).unwrap();
    assert_eq!(
        selected(&host, LINUX),
        ["held==1.0", "six==1.17.0"],
        "{}",
        output.render()
    );
    assert_eq!(selected(&host, MAC), ["held==2.0", "six==1.17.0"]);
    assert_eq!(project.pins("serve")["held"], "1.0");
    assert!(
        project
            .read("locks/host.txt")
            .contains("held held at <2 by engine `serve`"),
        "{}",
        project.read("locks/host.txt")
    );
    // The locks are what a relock makes, and `--check` says so.
    let before = project.lock_files();
    project.lock_ok(&index, &[]);
    assert_eq!(project.lock_files(), before);
    project.lock_ok(&index, &["--check"]);
}
