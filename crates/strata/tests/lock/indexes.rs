//! Several indexes as uv orders them: extra indexes searched before the default one (the first
//! that has a package supplies all of its versions, unless `--index-strategy
//! unsafe-best-match`), packages bound to a named index by `[tool.strata.sources]`, `explicit`
//! indexes that serve only those, local versions (`2.5.1+cu124`) as pip matches them, and locks
//! that carry the index options their pins need, so that pip installs them alone.

use strata_testindex::venv::describe;
use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::Project;

const TARGET: &str = "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n";

/// The default index: a newer torch than the CUDA index's, and the numpy torch needs.
fn default_index() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .package(Package::new("torch", "2.6.0").requires("numpy"))
            .package(Package::new("numpy", "2.1.0"))
            .package(Package::new("rich", "13.7.1"))
            .package(Package::new("servelib", "1.0")),
    )
}

/// A CUDA index: torch with a local version, and packages nothing unbound may take from it.
fn cuda_index() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .package(Package::new("torch", "2.5.1+cu124").requires("numpy"))
            .package(Package::new("numpy", "9.9.0"))
            .package(Package::new("rich", "99.0"))
            .package(Package::new("cuda-only", "1.0")),
    )
}

fn cuda_project(requirements: &str) -> Project {
    Project::with_manifest(
        &format!(
            "{TARGET}[indexes.cu]\nurl = \"${{CU_INDEX_URL}}\"\nexplicit = true\n\
             [sources]\ntorch = {{ index = \"cu\" }}\n\
             [profiles.base]\nrequirements = [{requirements}]\n"
        ),
        &[],
    )
}

#[test]
fn a_bound_package_comes_from_its_explicit_index_and_the_lock_installs_with_pip_alone() {
    let (index, cuda) = (default_index(), cuda_index());
    let project = cuda_project("\"torch==2.5.1\", \"numpy\"");
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env("CU_INDEX_URL", cuda.url())
        .output();
    assert_eq!(output.code, 0, "{}", output.render());

    // `torch==2.5.1` matches the local version, and the default index's newer torch is not
    // considered; numpy is not bound, so the explicit index's numpy is never asked for.
    let pins = project.pins("base");
    assert_eq!(pins["torch"], "2.5.1+cu124");
    assert_eq!(pins["numpy"], "2.1.0");
    assert!(index.requests_for("/simple/torch/").is_empty());
    assert!(cuda.requests_for("/simple/numpy/").is_empty());

    // The lock names the explicit index as declared, its variable unexpanded: no host.
    let lock = project.read("locks/base.txt");
    assert!(
        lock.contains("\n--extra-index-url ${CU_INDEX_URL}\n\nnumpy==2.1.0 \\\n"),
        "{lock}"
    );
    assert!(!lock.contains(&cuda.url()), "{lock}");
    assert!(!lock.contains(&index.url()), "{lock}");
    // pylock.toml records each package's index (PEP 751 `packages.index`).
    let pylock =
        strata_lockfile::pylock_toml::read(&project.read("locks/pylock.base.toml")).unwrap();
    let index_of = |name: &str| {
        pylock
            .packages
            .iter()
            .find(|package| package.name.as_ref() == name)
            .and_then(|package| package.index.clone())
            .map(|url| url.trim_end_matches('/').to_string())
    };
    assert_eq!(
        index_of("torch"),
        Some(cuda.url().trim_end_matches('/').to_string())
    );
    assert_eq!(
        index_of("numpy"),
        Some(index.url().trim_end_matches('/').to_string())
    );

    let Some(venv) = Venv::create() else { return };
    let path = project.lock_path("base");
    let install = venv
        .command("python3")
        .args(["-m", "pip", "--python"])
        .arg(venv.python())
        .args(["install", "--no-cache-dir", "--index-url", &index.url()])
        .args(["--require-hashes", "--no-deps", "-r"])
        .arg(&path)
        .env("CU_INDEX_URL", cuda.url())
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", describe(&install));
    let check = venv.pip(&["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    let installed = venv.installed();
    assert!(
        installed.contains(&"torch==2.5.1+cu124".to_string()),
        "{installed:?}"
    );

    // Locked again, with nothing changed: current.
    let check = project
        .strata(&["lock", "--check"])
        .index(&index)
        .env("CU_INDEX_URL", cuda.url())
        .output();
    assert_eq!(check.code, 0, "{}", check.render());
}

#[test]
fn an_explicit_index_serves_no_package_that_is_not_bound_to_it() {
    let (index, cuda) = (default_index(), cuda_index());
    let project = cuda_project("\"torch\", \"cuda-only\"");
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env("CU_INDEX_URL", cuda.url())
        .output();
    assert_ne!(output.code, 0, "{}", output.render());
    assert!(output.stderr.contains("cuda-only"), "{}", output.render());
    assert!(cuda.requests_for("/simple/cuda-only/").is_empty());
    assert!(project.lock_files().is_empty());
}

#[test]
fn an_extra_index_comes_first_unless_unsafe_best_match_merges() {
    let index = default_index();
    let extra = TestIndex::start(Universe::new().package(Package::new("rich", "13.0.0")));
    let project = Project::with_manifest(
        &format!(
            "{TARGET}extra-index-url = [\"{}\"]\n[profiles.base]\nrequirements = [\"rich\"]\n",
            extra.url()
        ),
        &[],
    );
    let output = project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["rich"], "13.0.0");
    assert!(index.requests_for("/simple/rich/").is_empty());
    assert!(
        output.stderr.contains(&format!(
            "warning: No package was taken from the index `{}`",
            index.url()
        )),
        "{}",
        output.render()
    );
    let lock = project.read("locks/base.txt");
    assert!(
        lock.contains(&format!(
            "\n--extra-index-url {}\n\nrich==13.0.0",
            extra.url()
        )),
        "{lock}"
    );
    let Some(venv) = Venv::create() else { return };
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
        venv.installed().contains(&"rich==13.0.0".to_string()),
        "{:?}",
        venv.installed()
    );

    project.lock_ok(
        &index,
        &["--index-strategy", "unsafe-best-match", "--upgrade"],
    );
    assert_eq!(project.pins("base")["rich"], "13.7.1");
    let lock = project.read("locks/base.txt");
    assert!(!lock.contains("--extra-index-url"), "{lock}");
}

#[test]
fn an_extra_index_url_flag_comes_before_the_default_index_too() {
    let index = default_index();
    let extra = TestIndex::start(Universe::new().package(Package::new("rich", "13.0.0")));
    let project = Project::with_manifest(
        &format!("{TARGET}[profiles.base]\nrequirements = [\"rich\"]\n"),
        &[],
    );
    project.lock_ok(&index, &["--extra-index-url", &extra.url()]);
    assert_eq!(project.pins("base")["rich"], "13.0.0");
}

#[test]
fn a_source_naming_an_unknown_index_or_key_is_an_error_on_its_line() {
    let index = default_index();
    let project = Project::with_manifest(
        &format!(
            "{TARGET}[indexes.cu]\nurl = \"http://127.0.0.1:9/simple\"\n\
             [sources]\ntorch = {{ index = \"cuda\" }}\n[profiles.base]\nrequirements = [\"torch\"]\n"
        ),
        &[],
    );
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("strata.toml:6:") && output.stderr.contains("declared indexes: cu"),
        "{}",
        output.render()
    );

    project.write(
        "strata.toml",
        &format!(
            "{TARGET}[indexes.cu]\nurl = \"http://127.0.0.1:9/simple\"\n\
             [sources]\ntorch = {{ index = \"cu\", tag = \"v1\" }}\n[profiles.base]\nrequirements = [\"torch\"]\n"
        ),
    );
    let output = project.lock(&index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("Unknown key `tag` in `sources.torch`")
            && output.stderr.contains("strata.toml:6:"),
        "{}",
        output.render()
    );
}

#[test]
fn a_source_whose_index_variable_is_unset_is_an_error_on_its_line() {
    let index = default_index();
    let project = cuda_project("\"torch\"");
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env_remove("CU_INDEX_URL")
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("strata.toml:7:")
            && output
                .stderr
                .contains("its index `cu` is not configured (`CU_INDEX_URL` not set)"),
        "{}",
        output.render()
    );
}

#[test]
fn compile_in_the_project_takes_bound_packages_from_their_index() {
    let (index, cuda) = (default_index(), cuda_index());
    let project = cuda_project("\"rich\"");
    project.write("requirements.in", "torch==2.5.1\n");
    let output = project
        .strata(&["compile", "requirements.in", "--generate-hashes"])
        .index(&index)
        .env("CU_INDEX_URL", cuda.url())
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output
            .stdout
            .contains("\n--extra-index-url ${CU_INDEX_URL}\n\nnumpy==2.1.0 \\\n"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("\ntorch==2.5.1+cu124 \\\n"),
        "{}",
        output.stdout
    );
}

#[test]
fn an_engine_that_lists_an_explicit_index_takes_only_bound_packages_from_it() {
    let (index, cuda) = (default_index(), cuda_index());
    let project = Project::with_manifest(
        &format!(
            "{TARGET}[indexes.cu]\nurl = \"${{CU_INDEX_URL}}\"\nexplicit = true\n\
             [sources]\ntorch = {{ index = \"cu\" }}\n\
             [profiles.base]\nrequirements = [\"numpy\"]\n\
             [engines.serve]\nextends = [\"base\"]\nindexes = [\"cu\"]\n\
             version = {{ file = \"serve.yaml\", key = \"version\", package = \"servelib\" }}\n\
             requirements = [\"torch==2.5.1\", \"rich\"]\n"
        ),
        &[("serve.yaml", "version: \"1.0\"\n")],
    );
    let output = project
        .strata(&["lock"])
        .index(&index)
        .env("CU_INDEX_URL", cuda.url())
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let pins = project.pins("serve");
    assert_eq!(pins["torch"], "2.5.1+cu124");
    assert_eq!(
        pins["rich"], "13.7.1",
        "rich is not bound: not from the explicit index"
    );
    assert!(cuda.requests_for("/simple/rich/").is_empty());
    let lock = project.read("locks/serve.txt");
    assert!(
        lock.contains("\n--extra-index-url ${CU_INDEX_URL}\n"),
        "{lock}"
    );
    assert!(!project.read("locks/base.txt").contains("--extra-index-url"));
}

#[test]
fn a_lock_written_before_locks_carried_index_options_stays_current() {
    let index = default_index();
    let extra = TestIndex::start(Universe::new().package(Package::new("rich", "13.0.0")));
    let project = Project::with_manifest(
        &format!(
            "{TARGET}extra-index-url = [\"{}\"]\n[profiles.base]\nrequirements = [\"rich\"]\n",
            extra.url()
        ),
        &[],
    );
    project.lock_ok(&index, &[]);
    // Both files as strata wrote them before: no option lines, no `index` keys, sealed so.
    let mut lock =
        strata_lockfile::requirements_txt::read(&project.read("locks/base.txt")).unwrap();
    assert!(!lock.options.is_empty());
    lock.options.clear();
    project.write(
        "locks/base.txt",
        &strata_lockfile::requirements_txt::write(&lock),
    );
    let mut pylock =
        strata_lockfile::pylock_toml::read(&project.read("locks/pylock.base.toml")).unwrap();
    for package in &mut pylock.packages {
        package.index = None;
    }
    let target = strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28").unwrap();
    project.write(
        "locks/pylock.base.toml",
        &strata_lockfile::pylock_toml::write(&pylock, std::slice::from_ref(&target)),
    );
    assert!(!project.read("locks/base.txt").contains("--extra-index-url"));

    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn a_source_for_a_package_no_lock_pins_is_named_in_a_warning() {
    let (index, cuda) = (default_index(), cuda_index());
    let lock = |project: &Project| {
        project
            .strata(&["lock"])
            .index(&index)
            .env("CU_INDEX_URL", cuda.url())
            .output()
    };
    // Bound and locked: nothing to say.
    let bound = cuda_project("\"torch==2.5.1\"");
    let output = lock(&bound);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(!output.stderr.contains("sources"), "{}", output.render());

    // A misspelt name binds nothing; the run, and the no-op run after it, say so.
    let misspelt = Project::with_manifest(
        &format!(
            "{TARGET}[indexes.cu]\nurl = \"${{CU_INDEX_URL}}\"\nexplicit = true\n\
             [sources]\ntroch = {{ index = \"cu\" }}\n\
             [profiles.base]\nrequirements = [\"numpy\"]\n"
        ),
        &[],
    );
    for _ in 0..2 {
        let output = lock(&misspelt);
        assert_eq!(output.code, 0, "{}", output.render());
        assert!(
            output.stderr.contains(
                "warning: `[tool.strata.sources]` binds `troch` to index `cu` (strata.toml:"
            ) && output
                .stderr
                .contains("but no lock pins `troch`: is the name misspelt?"),
            "{}",
            output.render()
        );
    }
}
