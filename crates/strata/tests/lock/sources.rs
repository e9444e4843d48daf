//! Requirement sources as `strata lock` sees them: a form it cannot lock fails the run on its
//! line instead of leaving a lock without it, a dependency group's reference to its own project
//! is expanded from `pyproject.toml` (never looked up on an index), and an index the first-index
//! strategy never takes from is named.

use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::Project;

fn universe() -> Universe {
    Universe::new()
        .package(Package::new("lib", "1.0").requires("util"))
        .package(Package::new("util", "0.3"))
        .package(Package::new("transformers", "4.44.0").requires("tokenizers"))
        .package(Package::new("tokenizers", "0.19.1"))
        .package(Package::new("pytest", "8.3.2"))
        .package(Package::new("rich", "13.7.1"))
}

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"

[profiles.dev]
include = ["group:dev"]
"#;

#[test]
fn editable_in_a_profile_file_is_locked_with_its_dependencies() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n[profiles.base]\nfile = \"requirements/base.in\"\n",
        &[
            ("requirements/base.in", "lib\n-e ../localpkg\n"),
            (
                "localpkg/pyproject.toml",
                "[project]\nname = \"localpkg\"\nversion = \"0.1\"\ndependencies = [\"rich\"]\n",
            ),
        ],
    );
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = project.read("locks/base.txt");
    assert!(
        lock.contains("\n-e ./localpkg  # localpkg==0.1\n"),
        "{lock}"
    );
    assert!(lock.contains("\nrich=="), "{lock}");
}

#[test]
fn a_group_that_requires_its_project_with_an_extra_expands_it_locally() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        MANIFEST,
        &[(
            "pyproject.toml",
            "[project]\nname = \"My_Proj\"\nversion = \"0.1\"\ndependencies = [\"lib\"]\n\
             [project.optional-dependencies]\ntransformers = [\"transformers>=4\"]\nunused = [\"rich\"]\n\
             [dependency-groups]\ndev = [\"my-proj[transformers]\", \"pytest\"]\n",
        )],
    );
    project.lock_ok(&index, &[]);
    let pins: Vec<String> = project.pins("dev").into_keys().collect();
    assert_eq!(
        pins,
        ["lib", "pytest", "tokenizers", "transformers", "util"]
    );
    assert!(
        index.requests_for("/simple/my-proj/").is_empty(),
        "the project is not looked up on the index"
    );
}

#[test]
fn a_group_that_includes_a_group_requiring_the_bare_project_expands_its_dependencies() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        MANIFEST,
        &[(
            "pyproject.toml",
            "[project]\nname = \"myproj\"\nversion = \"0.1\"\ndependencies = [\"lib\"]\n\
             [dependency-groups]\nruntime = [\"MyProj ; python_version >= '3.9'\"]\n\
             dev = [{ include-group = \"runtime\" }, \"pytest\"]\n",
        )],
    );
    project.lock_ok(&index, &[]);
    let pins: Vec<String> = project.pins("dev").into_keys().collect();
    assert_eq!(pins, ["lib", "pytest", "util"]);
    assert!(index.requests_for("/simple/myproj/").is_empty());
}

#[test]
fn the_default_index_the_first_index_strategy_never_takes_from_is_named() {
    // The extra index is searched first and has every package: the default index serves none.
    let index = TestIndex::start(universe());
    let extra = TestIndex::start(Universe::new().package(Package::new("rich", "14.0.0")));
    let project = Project::with_manifest(
        &format!(
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
             extra-index-url = [\"{}\"]\n[profiles.base]\nrequirements = [\"rich\"]\n",
            extra.url()
        ),
        &[],
    );
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["rich"], "14.0.0");
    assert!(
        output.stderr.contains(&format!(
            "warning: No package was taken from the index `{}`",
            index.url()
        )),
        "{}",
        output.render()
    );
}

#[test]
fn the_manifests_find_links_are_recorded_in_the_lock_and_a_flags_are_named() {
    let index = TestIndex::start(universe());
    let local = TestIndex::start(Universe::new().package(Package::new("inhouse", "0.5")));
    let project = Project::with_manifest(
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
         find-links = [\"wheels\"]\n[profiles.base]\nrequirements = [\"inhouse\", \"rich\"]\n",
        &[],
    );
    let wheel = "inhouse-0.5-py3-none-any.whl";
    fs_err::create_dir_all(project.dir().join("wheels")).unwrap();
    fs_err::copy(
        local.find_links_dir().join(wheel),
        project.dir().join("wheels").join(wheel),
    )
    .unwrap();
    drop(local);
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["inhouse"], "0.5");
    assert!(!output.stderr.contains("find-links"), "{}", output.render());
    // Relative to the lock, as pip reads a requirements file's `--find-links`.
    let lock = project.read("locks/base.txt");
    assert!(lock.contains("\n--find-links ../wheels\n\n"), "{lock}");

    if let Some(venv) = Venv::create() {
        let path = project.lock_path("base");
        venv.install(
            &index,
            &[
                "--require-hashes",
                "--no-deps",
                "-r",
                path.to_str().unwrap(),
            ],
        );
        assert!(
            venv.installed().contains(&"inhouse==0.5".to_string()),
            "{:?}",
            venv.installed()
        );
    }

    // The same directory given by the flag instead: not recorded, so named.
    project.write(
        "strata.toml",
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
         [profiles.base]\nrequirements = [\"inhouse\", \"rich\"]\n",
    );
    let output = project.lock_ok(&index, &["--find-links", "wheels"]);
    assert!(
        output.stderr.contains(
            "warning: `inhouse` was found in `--find-links`, which the locks do not record"
        ),
        "{}",
        output.render()
    );
    assert!(!project.read("locks/base.txt").contains("--find-links"));
}
