//! The locks install with real pip, hashes required and no dependency resolution of its own,
//! into fresh virtual environments, and `pip check` finds nothing broken.

use std::collections::BTreeMap;

use strata_testindex::venv::describe;
use strata_testindex::{TestIndex, Venv};

use crate::project::{Locks, ml_project};
use crate::universe;

/// `name -> version` of every distribution pip lists in the venv.
fn installed(venv: &Venv) -> BTreeMap<String, String> {
    venv.installed()
        .iter()
        .filter_map(|pin| pin.split_once("=="))
        .map(|(name, version)| {
            (
                name.to_lowercase().replace(['_', '.'], "-"),
                version.to_string(),
            )
        })
        .collect()
}

#[test]
fn development_and_engine_locks_install_with_pip_require_hashes_and_pass_pip_check() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);

    std::thread::scope(|scope| {
        for name in ["development", "vllm"] {
            let (project, index) = (&project, &index);
            scope.spawn(move || {
                let Some(venv) = Venv::create() else { return };
                let lock = project.lock_path(name);
                venv.install(
                    index,
                    &[
                        "--require-hashes",
                        "--no-deps",
                        "-r",
                        lock.to_str().unwrap(),
                    ],
                );
                let check = venv.pip(&["check"]);
                assert!(check.status.success(), "{name}: {}", describe(&check));
                assert_eq!(installed(&venv), project.pins(name), "{name}");
            });
        }
    });
}

#[test]
fn every_pylock_holds_the_same_pins_as_its_requirements_lock() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    for name in crate::project::ML_LOCKS {
        let pylock_path = project
            .dir()
            .join("locks")
            .join(format!("pylock.{name}.toml"));
        let pylock =
            strata_lockfile::pylock_toml::read(&fs_err::read_to_string(pylock_path).unwrap())
                .unwrap();
        let pins: BTreeMap<String, String> = pylock
            .pins()
            .map(|(package, version)| (package.to_string(), version.to_string()))
            .collect();
        assert_eq!(pins, project.pins(name), "`{name}`");
    }
}
