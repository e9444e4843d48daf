//! `check` against `pip check` on the same real environments: the same lines and the same verdict.

use strata_env::{Extras, check};
use strata_testindex::{Package, TestIndex, Universe};

use crate::venv::{Venv, VenvExt};

/// strata's findings as lines, sorted, and whether there are any (exit 1).
fn strata_check(venv: &Venv, extras: Extras) -> (Vec<String>, bool) {
    let findings = check(&venv.environment(extras));
    let mut lines: Vec<String> = findings.iter().map(ToString::to_string).collect();
    lines.sort();
    (lines, !findings.is_empty())
}

fn universe() -> Universe {
    Universe::new()
        .package(
            Package::new("App", "1.0")
                .requires("Lib_Thing (>=2.0, <3) ; python_version >= '3'")
                .requires("helper[fast]>=0.5")
                .requires("absent-everywhere; python_version < \"3\"")
                .requires("also-absent; sys_platform == 'linux' or sys_platform == 'darwin'")
                .requires("gone>=1")
                .requires("pinned==1.0.*"),
        )
        .package(Package::new("lib-thing", "1.0"))
        .package(Package::new("lib-thing", "2.5"))
        .package(Package::new("helper", "0.4").extra("fast", ["speedup>=2"]))
        .package(Package::new("pinned", "1.1"))
        .package(Package::new("speedup", "1.0"))
}

#[test]
fn broken_environment_made_with_no_deps_matches_pip_check() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(universe());
    venv.install(
        &index,
        &[
            "--no-deps",
            "App==1.0",
            "lib-thing==1.0",
            "helper==0.4",
            "pinned==1.1",
        ],
    );

    let (pip_lines, pip_failed) = venv.pip_check();
    let (strata_lines, strata_failed) = strata_check(&venv, Extras::Ignore);
    assert_eq!(strata_lines, pip_lines);
    assert_eq!(strata_failed, pip_failed);
    insta::assert_snapshot!(strata_lines.join("\n"), @r#"
    app 1.0 has requirement Lib_Thing<3,>=2.0; python_version >= "3", but you have lib-thing 1.0.
    app 1.0 has requirement helper[fast]>=0.5, but you have helper 0.4.
    app 1.0 has requirement pinned==1.0.*, but you have pinned 1.1.
    app 1.0 requires also-absent, which is not installed.
    app 1.0 requires gone, which is not installed.
    "#);

    // Following extras finds what pip misses: `helper[fast]` needs `speedup`.
    let (following, _) = strata_check(&venv, Extras::Follow);
    let extra: Vec<&String> = following
        .iter()
        .filter(|line| !pip_lines.contains(line))
        .collect();
    assert_eq!(
        extra,
        ["helper 0.4 requires speedup, which is not installed."]
    );
}

#[test]
fn repaired_environment_passes_both_checks() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(
        universe()
            .package(Package::new("helper", "0.5").extra("fast", ["speedup>=2"]))
            .package(Package::new("speedup", "2.0"))
            .package(Package::new("gone", "1.0"))
            .package(Package::new("also-absent", "1.0"))
            .package(Package::new("pinned", "1.0.3")),
    );
    venv.install(&index, &["App==1.0"]);
    let (pip_lines, pip_failed) = venv.pip_check();
    let (strata_lines, strata_failed) = strata_check(&venv, Extras::Follow);
    assert_eq!((strata_lines, strata_failed), (pip_lines, pip_failed));
    assert!(!strata_failed);

    // Taking one away with pip breaks both the same way.
    let output = venv.pip(&["uninstall", "--yes", "speedup", "gone"]);
    assert!(
        output.status.success(),
        "{}",
        crate::venv::describe(&output)
    );
    let (pip_lines, pip_failed) = venv.pip_check();
    let (strata_lines, strata_failed) = strata_check(&venv, Extras::Ignore);
    assert_eq!((&strata_lines, strata_failed), (&pip_lines, pip_failed));
    assert_eq!(
        strata_lines,
        ["app 1.0 requires gone, which is not installed."]
    );
    let (following, _) = strata_check(&venv, Extras::Follow);
    assert_eq!(
        following,
        [
            "app 1.0 requires gone, which is not installed.",
            "helper 0.5 requires speedup, which is not installed.",
        ]
    );
}

#[test]
fn legacy_egg_info_is_read_as_pip_reads_it() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(universe());
    venv.install(&index, &["--no-deps", "lib-thing==1.0"]);
    let egg = venv.site_packages().join("Old_Style-0.9-py3.11.egg-info");
    fs_err::create_dir_all(&egg).unwrap();
    fs_err::write(
        egg.join("PKG-INFO"),
        "Metadata-Version: 1.1\nName: Old_Style\nVersion: 0.9\n",
    )
    .unwrap();
    fs_err::write(
        egg.join("requires.txt"),
        "lib_thing>=2\nnowhere\n\n[Some Extra]\nalso-nowhere\n[:sys_platform == \"linux\"]\nlinux-dep\n[:python_version < \"3\"]\nancient\n",
    )
    .unwrap();

    let (pip_lines, pip_failed) = venv.pip_check();
    let (strata_lines, strata_failed) = strata_check(&venv, Extras::Follow);
    assert_eq!((&strata_lines, strata_failed), (&pip_lines, pip_failed));
    assert_eq!(strata_lines.len(), 3, "{strata_lines:?}");
}
