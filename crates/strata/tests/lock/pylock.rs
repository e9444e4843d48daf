//! `pylock.<name>.toml` next to every lock by default, and none when the manifest says
//! `pylock = false`.

use strata_testindex::TestIndex;

use crate::project::{Locks, ML_FILES, ML_LOCKS, ML_MANIFEST, ml_project};
use crate::support::Project;
use crate::universe;

#[test]
fn every_profile_and_engine_gets_a_pylock_toml_of_lock_version_1_0_by_default() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let mut expected: Vec<String> = ML_LOCKS
        .iter()
        .flat_map(|name| [format!("{name}.txt"), format!("pylock.{name}.toml")])
        .collect();
    expected.sort();
    let files: Vec<String> = project.lock_files().into_keys().collect();
    assert_eq!(files, expected);
    for name in ML_LOCKS {
        let text = project.read(&format!("locks/pylock.{name}.toml"));
        let top_level: Vec<&str> = text
            .lines()
            .take_while(|line| !line.starts_with('['))
            .collect();
        assert!(
            top_level.contains(&"lock-version = \"1.0\""),
            "`{name}`:\n{text}"
        );
        let pylock = strata_lockfile::pylock_toml::read(&text)
            .unwrap_or_else(|error| panic!("`{name}`: {error}\n{text}"));
        assert_eq!(pylock.pins().count(), project.pins(name).len(), "`{name}`");
    }
}

#[test]
fn pylock_false_in_the_manifest_writes_only_the_requirements_locks_and_relocks_as_a_no_op() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(&format!("pylock = false\n{ML_MANIFEST}"), ML_FILES);
    project.lock_ok(&index, &[]);
    let files = project.lock_files();
    let mut expected: Vec<String> = ML_LOCKS.iter().map(|name| format!("{name}.txt")).collect();
    expected.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);

    // Without a pylock to agree with, the requirements lock alone is current.
    std::thread::sleep(std::time::Duration::from_millis(20));
    index.reset_log();
    project.lock_ok(&index, &[]);
    assert_eq!(index.requests(), [], "no request at all");
    assert_eq!(project.lock_files(), files, "no file rewritten");
}
