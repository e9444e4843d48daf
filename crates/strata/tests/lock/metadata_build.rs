//! A lock that fails to build an sdist's metadata says why: the backend's last lines and the
//! path of the whole log.

use strata_testindex::{Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::Project;

#[test]
fn failed_metadata_build_shows_the_backends_output_in_the_lock_error() {
    let index = TestIndex::start(
        Universe::new().package(
            Package::new("flash-attn", "2.7.4.post1")
                .requires("torch")
                .no_wheels()
                .sdist_dynamic_metadata()
                .sdist_build_fails("ModuleNotFoundError: No module named 'torch'"),
        ),
    );
    let project = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\n[profiles.base]\nrequirements = [\"flash-attn\"]\n",
        &[],
    );
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("  | ModuleNotFoundError: No module named 'torch'"),
        "{}",
        output.render()
    );
    let log = project
        .cache()
        .join("build-logs/flash-attn-2.7.4.post1.tar.gz.log");
    assert!(
        output.stderr.contains(&log.display().to_string()),
        "{}",
        output.render()
    );
    assert!(log.is_file());
}
