//! What a solve says beyond the lock: when it fails, the requirements that clash, each with
//! where it was written (a `.in` line, an extra of `pyproject.toml`, an engine's version file, a
//! parent's lock), on `conflicts`, `lock` and `bump`; when it succeeds without an extra the
//! chosen version lacks or with a yanked version a requirement pins, a warning.

use strata_testindex::{Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::{Project, strata_snapshot};

/// A serving project's world: `accelerate` 0.33 (which `backend` pins) and 1.0 (which the
/// `transformers` extra and transformers 4.46 need).
fn universe() -> Universe {
    Universe::new()
        .package(Package::new("numpy", "1.26.4"))
        .package(Package::new("fastapi", "0.115.0"))
        .package(Package::new("pytest", "8.3.3"))
        .package(Package::new("torch", "2.5.1"))
        .package(Package::new("accelerate", "0.33.0").requires("numpy>=1.17,<2.0.0"))
        .package(
            Package::new("accelerate", "1.0.0")
                .requires("numpy>=1.17")
                .requires("torch>=2.0"),
        )
        .package(Package::new("transformers", "4.45.2").requires("numpy>=1.17"))
        .package(
            Package::new("transformers", "4.46.0")
                .requires("numpy>=1.17")
                .requires("accelerate>=1.0"),
        )
}

/// `base -> backend -> development`, where `backend.in:3` pins `accelerate==0.33.0`, and the
/// `transformers` engine (4.45.2, from its version file) on `engine_parent`, with `engine_extra`
/// included from `pyproject.toml`; `more` is appended to the manifest.
fn project(engine_parent: &str, engine_include: &str, more: &str) -> Project {
    let manifest = format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
file = "requirements/base.in"

[profiles.backend]
extends = ["base"]
file = "requirements/backend.in"

[profiles.development]
extends = ["backend"]
file = "requirements/development.in"
{more}
[engines.transformers]
extends = ["{engine_parent}"]
include = [{engine_include}]
version = {{ file = "engine_versions/transformers.yaml", key = "library.current_version" }}
"#
    );
    Project::with_manifest(
        &manifest,
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"serving\"\nversion = \"0.1.0\"\n\n\
                 [project.optional-dependencies]\ntransformers = [\"transformers\", \"accelerate>=1.0\"]\n",
            ),
            ("requirements/base.in", "numpy\n"),
            (
                "requirements/backend.in",
                "fastapi>=0.110\n# The launcher we rely on changed in accelerate 1.0.\naccelerate==0.33.0\n",
            ),
            ("requirements/development.in", "pytest>=8\n"),
            (
                "engine_versions/transformers.yaml",
                "library:\n  current_version: \"4.45.2\"\n",
            ),
        ],
    )
}

#[test]
fn conflicts_names_the_pinned_line_and_the_extra_that_clash() {
    let index = TestIndex::start(universe());
    let project = project("base", r#""extra:transformers""#, "");
    let output = project
        .strata(&["conflicts", "development", "transformers", "--exit-code"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!(
        "conflicts_development_transformers",
        project.filters().index(&index),
        output
    );
    assert!(
        output.stdout.contains(
            "`accelerate==0.33.0` (requirements/backend.in:3) and `accelerate>=1.0` (extra `transformers` of pyproject.toml) cannot both hold"
        ),
        "{}",
        output.render()
    );
}

#[test]
fn lock_names_the_pinned_line_and_the_extra_that_clash() {
    let index = TestIndex::start(universe());
    // `serving` is in the hierarchy: one solve holds backend's pin and the extra together.
    let serving =
        "\n[profiles.serving]\nextends = [\"backend\"]\ninclude = [\"extra:transformers\"]\n";
    let project = project("base", r#""extra:transformers""#, serving);
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!(
        "lock_hierarchy_with_extra",
        project.filters().index(&index),
        output
    );
    assert!(
        output.stderr.contains(
            "`accelerate==0.33.0` (requirements/backend.in:3) and `accelerate>=1.0` (extra `transformers` of pyproject.toml) cannot both hold"
        ),
        "{}",
        output.render()
    );
    assert_eq!(project.lock_files().len(), 0, "a failed run writes nothing");
}

#[test]
fn failed_bump_names_the_engine_dependency_and_the_parent_pin_that_clash() {
    let index = TestIndex::start(universe());
    let project = project("backend", "", "");
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("transformers")["accelerate"], "0.33.0");

    let output = project
        .strata(&["bump", "transformers", "--to", "4.46.0"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("bump_transformers", project.filters().index(&index), output);
    for side in [
        "`accelerate>=1.0` (required by transformers==4.46.0, from `library.current_version` in engine_versions/transformers.yaml)",
        "`accelerate==0.33.0` (requirements/backend.in:3",
    ] {
        assert!(
            output.stderr.contains(side),
            "names {side}: {}",
            output.render()
        );
    }
}

#[test]
fn lock_takes_the_newest_version_without_a_dropped_extra_and_warns_once() {
    // The newest `pkg` no longer declares `gpu`; the old sdist that still does cannot be built.
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("pkg", "3.0"))
            .package(
                Package::new("pkg", "1.0")
                    .no_wheels()
                    .sdist_build_fails("this ancient sdist cannot be built")
                    .extra("gpu", ["torch"]),
            )
            .package(Package::new("torch", "2.5.1"))
            .package(Package::new("pytest", "8.3.3")),
    );
    let project = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n\
         [profiles.base]\nrequirements = [\"pkg[gpu]\"]\n\n\
         [profiles.development]\nextends = [\"base\"]\nrequirements = [\"pytest\"]\n",
        &[],
    );
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["pkg"], "3.0");
    assert_eq!(project.pins("development")["pkg"], "3.0");
    let warning = "warning: `pkg==3.0` does not provide the extra `gpu`; it is locked without it";
    assert_eq!(
        output.stderr.matches(warning).count(),
        1,
        "one warning for the hierarchy's one solve: {}",
        output.render()
    );
}

#[test]
fn lock_of_a_yanked_version_pinned_with_double_equals_warns_once_with_the_reason() {
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("pkg", "2.0").yanked("broken metadata"))
            .package(Package::new("pkg", "2.1"))
            .package(Package::new("pytest", "8.3.3")),
    );
    let project = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n\
         [profiles.base]\nrequirements = [\"pkg==2.0\"]\n\n\
         [profiles.development]\nextends = [\"base\"]\nrequirements = [\"pytest\"]\n",
        &[],
    );
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["pkg"], "2.0");
    assert_eq!(project.pins("development")["pkg"], "2.0");
    let warning = "warning: `pkg==2.0` is a yanked version, selected because a requirement pins \
                   it with `==`; reason for being yanked: broken metadata";
    assert_eq!(
        output.stderr.matches(warning).count(),
        1,
        "one warning for the hierarchy's one solve: {}",
        output.render()
    );
}
