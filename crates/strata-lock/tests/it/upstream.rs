//! An upstream engine with a captured package set: locked with the image's packages fixed.

use std::path::Path;

use strata_diagnostic::Diagnostic as _;
use strata_lock::{Freshness, LockError, LockOptions, ProfileOutcome};
use strata_project::Project;
use strata_testindex::{Package, TestIndex, Universe};

use super::{TestResolvers, pins, write};

/// The index has none of the image's versions: `torch 9.9.9+cu999` and `engine-lib 3.0` are
/// builds only the image has, and what the index serves of them would not fit.
fn universe() -> Universe {
    Universe::new()
        .package(Package::new("torch", "2.0.0"))
        .package(Package::new("engine-lib", "2.0").requires("torch<3"))
        .package(Package::new("numpy", "1.26.4"))
        .package(Package::new("numpy", "2.1.0"))
        .package(
            Package::new("extra-lib", "1.0")
                .requires("torch>=9")
                .requires("tqdm"),
        )
        .package(Package::new("tqdm", "4.66.0"))
        .package(Package::new("needs-new-torch", "1.0").requires("torch>=10"))
}

const MANIFEST: &str = r#"
python-version = "3.12"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[engines.engine]
requirements = ["extra-lib"]
version = { file = "engine.yaml", key = "version", package = "engine-lib" }
image = { upstream = "example/engine:v{version}", packages = "docker/engine.packages.txt" }
"#;

const CAPTURE: &str = "# strata: captured from example/engine:v3.0 by `strata images capture engine`\n\
                       engine-lib==3.0\nnumpy==1.26.4\ntorch==9.9.9+cu999\n";

fn project(dir: &Path, manifest: &str, capture: &str) -> Project {
    fs_err::write(dir.join("strata.toml"), manifest).expect("the manifest is written");
    fs_err::write(dir.join("engine.yaml"), "version: \"3.0\"\n")
        .expect("the version file is written");
    fs_err::create_dir_all(dir.join("docker")).expect("the docker directory is made");
    fs_err::write(dir.join("docker/engine.packages.txt"), capture)
        .expect("the capture file is written");
    Project::discover(dir, &|_| None).expect("the test manifest loads")
}

#[test]
fn the_image_packages_are_fixed_never_fetched_and_only_what_it_lacks_is_installed() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), MANIFEST, CAPTURE);
    let outcomes = strata_lock::lock_project(
        &project,
        &LockOptions::default(),
        &mut TestResolvers::new(&index),
    )
    .unwrap();
    let pins = pins(&outcomes);
    // extra-lib needs torch>=9, which only the image's 9.9.9+cu999 satisfies; tqdm is not in
    // the image, so it is installed; engine-lib, torch and numpy are the image's.
    assert_eq!(
        pins["engine"]
            .iter()
            .map(|(name, version)| format!("{name}=={version}"))
            .collect::<Vec<_>>(),
        ["extra-lib==1.0", "tqdm==4.66.0"]
    );
    let ProfileOutcome::Locked { text, .. } = &outcomes[0].outcome else {
        panic!("{outcomes:?}");
    };
    assert!(
        text.contains(
            "# Provided by the image example/engine:v3.0 (captured in docker/engine.packages.txt), which this lock is installed on top of and never changes:\n\
             #   engine-lib==3.0\n#   torch==9.9.9+cu999\n# strata-fingerprint: "
        ),
        "{text}"
    );
    let lock = strata_lockfile::requirements_txt::read(text).unwrap();
    assert_eq!(
        lock.provided(),
        [
            ("engine-lib".to_string(), "3.0".to_string()),
            ("torch".to_string(), "9.9.9+cu999".to_string())
        ],
        "the image packages the lock relies on read back (numpy is in the image, but unused)"
    );
    for package in ["torch", "engine-lib", "numpy"] {
        assert_eq!(
            index.requests_for(&format!("/simple/{package}/")).len(),
            0,
            "{package} is the image's: nothing of it is fetched"
        );
    }
    assert!(!index.requests_for("/simple/tqdm/").is_empty());
}

#[test]
fn a_requirement_the_image_version_does_not_satisfy_names_the_image_package() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let manifest = MANIFEST.replace(r#"["extra-lib"]"#, r#"["needs-new-torch"]"#);
    let project = project(dir.path(), &manifest, CAPTURE);
    let error = strata_lock::lock_project(
        &project,
        &LockOptions::default(),
        &mut TestResolvers::new(&index),
    )
    .unwrap_err();
    assert!(error.is_no_solution(), "{error:?}");
    let LockError::Resolve { source, .. } = &error else {
        panic!("{error:?}");
    };
    let explanation = source.to_string();
    assert!(
        explanation.contains(
            "torch>=10 cannot be used (the image `example/engine:v3.0` provides torch 9.9.9+cu999, docker/engine.packages.txt:4, and strata never changes it)"
        ),
        "{explanation}"
    );
    assert!(explanation.contains("needs-new-torch"), "{explanation}");
    assert!(
        explanation.contains("strata.toml"),
        "the requirement's origin: {explanation}"
    );
    assert!(
        error
            .hints()
            .iter()
            .any(|hint| hint
                .contains("`torch` 9.9.9+cu999 is part of the image `example/engine:v3.0`")),
        "{:?}",
        error.hints()
    );
}

#[test]
fn a_capture_of_another_image_is_stale_and_recapturing_makes_the_lock_stale() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), MANIFEST, CAPTURE);
    write(
        &strata_lock::lock_project(
            &project,
            &LockOptions::default(),
            &mut TestResolvers::new(&index),
        )
        .unwrap(),
    );
    let fresh = strata_lock::check_project(&project, &LockOptions::default()).unwrap();
    assert_eq!(fresh[0].1, Freshness::Current);

    // The same image captured again, with another torch: the lock no longer describes it.
    let capture = dir.path().join("docker/engine.packages.txt");
    fs_err::write(&capture, CAPTURE.replace("9.9.9+cu999", "9.9.10+cu999")).unwrap();
    let stale = strata_lock::check_project(&project, &LockOptions::default()).unwrap();
    assert_eq!(stale[0].1, Freshness::Stale(vec!["image"]));

    // The engine moved to 3.1, its capture did not: an error, not a lock against 3.0's packages.
    fs_err::write(dir.path().join("engine.yaml"), "version: \"3.1\"\n").unwrap();
    let project = Project::discover(dir.path(), &|_| None).unwrap();
    let error = strata_lock::lock_project(
        &project,
        &LockOptions::default(),
        &mut TestResolvers::new(&index),
    )
    .unwrap_err();
    assert!(!error.is_no_solution(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "`docker/engine.packages.txt` was captured from `example/engine:v3.0`, but engine `engine` now runs in `example/engine:v3.1`: its package set is stale"
    );
    assert!(
        error.hints()[0].starts_with("Run `strata images capture engine`"),
        "{:?}",
        error.hints()
    );
}

#[test]
fn a_parent_pin_the_image_contradicts_moves_to_the_image_version_or_is_reported() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let manifest = format!(
        "{}\n[profiles.base]\nrequirements = [\"numpy\"]\n",
        MANIFEST.replace(
            "requirements = [\"extra-lib\"]",
            "extends = [\"base\"]\nrequirements = [\"extra-lib\"]"
        )
    );
    // Alone, base would take numpy 2.1.0; the image has 1.26.4, which the index also has.
    let project = project(dir.path(), &manifest, CAPTURE);
    let outcomes = strata_lock::lock_project(
        &project,
        &LockOptions::default(),
        &mut TestResolvers::new(&index),
    )
    .unwrap();
    let pins = pins(&outcomes);
    assert_eq!(
        pins["base"]["numpy"], "1.26.4",
        "the image's numpy moved base's pin"
    );
    assert!(
        !pins["engine"].contains_key("numpy"),
        "numpy is the image's: {pins:?}"
    );

    let manifest = manifest.replace("image = {", "move-parent-pins = false\nimage = {");
    let project = self::project(dir.path(), &manifest, CAPTURE);
    let error = strata_lock::lock_project(
        &project,
        &LockOptions::default(),
        &mut TestResolvers::new(&index),
    )
    .unwrap_err();
    assert!(error.is_no_solution(), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("the image `example/engine:v3.0` provides numpy 1.26.4"),
        "{error}"
    );
}
