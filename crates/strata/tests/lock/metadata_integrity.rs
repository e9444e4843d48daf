//! What `strata lock` makes of the metadata an index serves, as `strata compile` does: a fault
//! reading the newest version's metadata is an error naming the URL and the package, never a
//! downgrade and never a lock written or changed; metadata pip rejects too makes a version
//! unavailable with a warning; and metadata read through one index is never used for another
//! sharing the cache.

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::project::Locks;
use crate::support::Project;

const SIX: &str = "six-1.17.0-py2.py3-none-any.whl";

/// One profile, `base`, that requires a bare `six`.
fn six_project() -> Project {
    Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n[profiles.base]\nrequirements = [\"six\"]\n",
        &[],
    )
}

/// `six` 1.16.0 and 1.17.0, the newest one as `newest` makes it.
fn six_versions(newest: Package) -> Universe {
    Universe::new()
        .package(Package::new("six", "1.16.0"))
        .package(newest)
}

/// Asserts that `stderr` reports the unreadable metadata of `six` 1.17.0 on `index`: its URL,
/// the package and what was tried.
fn assert_names_the_fault(stderr: &str, index: &TestIndex) {
    let url = format!("{}/files/six/six-1.17.0-py3-none-any.whl", index.base_url());
    for expected in [
        url.as_str(),
        "for `six`",
        "(HTTP range requests on the wheel)",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
}

#[test]
fn unreadable_metadata_of_the_newest_version_fails_the_lock_and_writes_nothing() {
    let index = TestIndex::start_with_faults(
        six_versions(Package::new("six", "1.17.0")),
        Faults::new().on("/files/six/six-1.17.0", Fault::GarbageRanges),
    );
    let project = six_project();
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert_names_the_fault(&output.stderr, &index);
    assert!(
        project.lock_files().is_empty(),
        "no lock is written: {:?}",
        project.lock_files().keys()
    );
}

#[test]
fn unreadable_metadata_on_a_forced_relock_leaves_the_lock_as_it_was() {
    let index = TestIndex::start(six_versions(Package::new("six", "1.17.0")));
    let project = six_project();
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["six"], "1.17.0");
    let before = project.lock_files();

    // `--refresh` reads the metadata again, as a fresh cache (another machine, CI) would.
    index.set_faults(Faults::new().on("/files/six/six-1.17.0", Fault::GarbageRanges));
    let output = project.lock(&index, &["--force", "--refresh"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert_names_the_fault(&output.stderr, &index);
    assert!(!output.stdout.contains("1.16.0"), "{}", output.render());
    assert_eq!(project.lock_files(), before, "{}", output.render());
}

#[test]
fn metadata_pip_rejects_makes_the_version_unavailable_with_a_warning() {
    let index = TestIndex::start(six_versions(
        Package::new("six", "1.17.0").requires("not a requirement ((("),
    ));
    let project = six_project();
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["six"], "1.16.0");
    assert!(
        output.stderr.contains(
            "warning: `six` 1.17.0 is skipped: the metadata of `six-1.17.0-py3-none-any.whl` does not parse"
        ) && output.stderr.contains("which pip rejects too"),
        "{}",
        output.render()
    );
}

#[test]
fn metadata_read_through_one_index_is_never_used_for_another() {
    let honest = TestIndex::start(
        Universe::new()
            .package(Package::new("six", "1.17.0").wheel_tags("py2.py3-none-any"))
            .package(Package::new("internal-pkg", "1.0")),
    );
    let genuine = honest.file(SIX).unwrap().sha256;
    // Another index's `six` requires `internal-pkg`, listed under the genuine wheel's hash.
    let poisoning = TestIndex::start_with_faults(
        Universe::new()
            .package(
                Package::new("six", "1.17.0")
                    .wheel_tags("py2.py3-none-any")
                    .requires("internal-pkg"),
            )
            .package(Package::new("internal-pkg", "1.0")),
        Faults::new().on(
            "/simple/six/",
            Fault::AdvertisedHash {
                filename: SIX.to_string(),
                sha256: genuine,
            },
        ),
    );
    let project = six_project();
    project.lock_ok(&poisoning, &[]);
    assert_eq!(
        project.pins("base").keys().collect::<Vec<_>>(),
        ["internal-pkg", "six"],
        "that index's own answer"
    );

    // Same cache, the honest index: its own wheel's metadata, not the other index's.
    let output = project.lock_ok(&honest, &["--force"]);
    assert_eq!(
        project.pins("base").keys().collect::<Vec<_>>(),
        ["six"],
        "{}",
        output.render()
    );
    assert!(
        !honest.requests_for(&format!("/files/six/{SIX}")).is_empty(),
        "the honest index's wheel was read"
    );
}
