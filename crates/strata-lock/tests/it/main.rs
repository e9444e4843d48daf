//! `strata_lock::lock_project` on small projects against the loopback index, without the CLI:
//! the locking rules themselves (a hierarchy is one solve, an engine keeps its parents' pins,
//! a run with nothing changed resolves nothing, an unknown name is a located error).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use strata_diagnostic::Diagnostic as _;
use strata_index::{ClientOptions, IndexClient, IndexConfig, IndexUrl};
use strata_lock::{LockError, LockOptions, ProfileLock, ProfileOutcome, ResolverSource};
use strata_project::Project;
use strata_resolve::{ResolveError, Resolver};
use strata_testindex::{Package, TestIndex, Universe};

/// Resolvers on the test index, counting how many were asked for.
struct TestResolvers {
    url: String,
    cache: tempfile::TempDir,
    built: usize,
}

impl TestResolvers {
    fn new(index: &TestIndex) -> Self {
        Self {
            url: index.url(),
            cache: tempfile::tempdir().expect("a temporary directory can be made"),
            built: 0,
        }
    }
}

impl ResolverSource for TestResolvers {
    fn resolver(&mut self, named_indexes: &[String]) -> Result<Arc<Resolver>, ResolveError> {
        assert!(named_indexes.is_empty(), "no test project names an index");
        self.built += 1;
        let mut options = ClientOptions::new(self.cache.path().to_path_buf());
        options.attempts = 1;
        let client = IndexClient::new(
            IndexConfig::new(IndexUrl::parse(&self.url).expect("the test index URL parses")),
            options,
        )
        .expect("a client for the test index");
        Ok(Arc::new(Resolver::new(client)?))
    }
}

fn universe() -> Universe {
    Universe::new()
        .package(Package::new("numpy", "1.26.4"))
        .package(Package::new("numpy", "2.1.0"))
        .package(Package::new("accel", "1.0").requires("numpy<2"))
        .package(Package::new("engine-lib", "3.0").requires("numpy"))
        .package(Package::new("engine-lib", "3.1").requires("numpy>=2"))
}

fn project(dir: &Path, manifest: &str) -> Project {
    fs_err::write(dir.join("strata.toml"), manifest).expect("the manifest is written");
    fs_err::write(dir.join("engine.yaml"), "library:\n  version: \"3.0\"\n")
        .expect("the version file is written");
    Project::discover(dir, &|_| None).expect("the test manifest loads")
}

const MANIFEST: &str = r#"
python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[profiles.base]
requirements = ["numpy"]

[profiles.backend]
extends = ["base"]
requirements = ["accel"]

[engines.engine]
extends = ["base"]
version = { file = "engine.yaml", key = "library.version", package = "engine-lib" }
"#;

/// Pins of each lock a run produced, by profile.
fn pins(outcomes: &[ProfileLock]) -> BTreeMap<String, BTreeMap<String, String>> {
    outcomes
        .iter()
        .filter_map(|outcome| match &outcome.outcome {
            ProfileOutcome::Locked { text, .. } => Some((
                outcome.name.to_string(),
                strata_lockfile::requirements_txt::read(text)
                    .expect("a lock strata wrote reads back")
                    .packages
                    .into_iter()
                    .map(|package| (package.name.to_string(), package.version.to_string()))
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn write(outcomes: &[ProfileLock]) {
    for outcome in outcomes {
        if let ProfileOutcome::Locked { text, .. } = &outcome.outcome {
            let dir = outcome.path.parent().expect("a lock is in a directory");
            fs_err::create_dir_all(dir).expect("the lock directory is made");
            fs_err::write(&outcome.path, text).expect("the lock is written");
        }
    }
}

#[test]
fn a_hierarchy_is_one_solve_and_an_engine_keeps_its_parents_pins() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), MANIFEST);
    let mut resolvers = TestResolvers::new(&index);
    let outcomes =
        strata_lock::lock_project(&project, &LockOptions::default(), &mut resolvers).unwrap();
    let pins = pins(&outcomes);
    // `base` alone would take numpy 2; `backend`'s accel needs numpy<2, and a hierarchy agrees.
    assert_eq!(pins["base"]["numpy"], "1.26.4");
    assert_eq!(pins["backend"]["numpy"], "1.26.4");
    assert_eq!(pins["backend"]["accel"], "1.0");
    // The engine's version file pins engine-lib 3.0, which takes the base's numpy as it is.
    assert_eq!(pins["engine"]["engine-lib"], "3.0");
    assert_eq!(pins["engine"]["numpy"], "1.26.4");
}

#[test]
fn a_run_with_nothing_changed_resolves_nothing() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), MANIFEST);
    let mut first = TestResolvers::new(&index);
    write(&strata_lock::lock_project(&project, &LockOptions::default(), &mut first).unwrap());
    assert!(first.built > 0);

    let mut second = TestResolvers::new(&index);
    let outcomes =
        strata_lock::lock_project(&project, &LockOptions::default(), &mut second).unwrap();
    let unchanged: HashMap<String, bool> = outcomes
        .iter()
        .map(|outcome| {
            (
                outcome.name.to_string(),
                matches!(outcome.outcome, ProfileOutcome::Unchanged),
            )
        })
        .collect();
    assert_eq!(unchanged.len(), 3, "{unchanged:?}");
    assert!(
        unchanged.values().all(|unchanged| *unchanged),
        "{unchanged:?}"
    );
    assert_eq!(second.built, 0, "an unchanged project needs no resolver");
    let report = strata_lock::check_project(&project, &LockOptions::default()).unwrap();
    assert!(report.iter().all(|(_, freshness)| freshness.passes()));
}

#[test]
fn an_unknown_profile_is_an_error_naming_the_manifest_and_the_near_miss() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let project = project(dir.path(), MANIFEST);
    let options = LockOptions {
        profiles: vec!["backnd".to_string()],
        ..LockOptions::default()
    };
    let error =
        strata_lock::lock_project(&project, &options, &mut TestResolvers::new(&index)).unwrap_err();
    assert!(matches!(error, LockError::UnknownProfile(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "No profile or engine `backnd` in `strata.toml`; the project has `base`, `backend`, `engine`"
    );
    assert_eq!(error.hints(), ["Did you mean `backend`?"]);
}

mod upstream;
