//! `strata contracts` from the command line: the example project keeps its contracts, copies of
//! it that break them exit 1 with the finding, and configuration it cannot use exits 2.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use strata_testindex::{Package, TestIndex, Universe};

use crate::support::{Filters, Output, Project, Strata, example_project, strata_snapshot};

/// Runs strata in `cwd` with colour off, as a user would from that directory, with a cache
/// directory of its own.
fn strata(cwd: &Path, args: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    strata_with_cache(cwd, args, cache.path())
}

/// Runs strata as [`strata`] does, with the cache in `cache` and, for the engine packages
/// `strata contracts` reads from the locks, an empty loopback index: the example's locked
/// wheels are unknown there, so their import names are derived from their names, and no run
/// leaves the machine.
fn strata_with_cache(cwd: &Path, args: &[&str], cache: &Path) -> Output {
    let index = TestIndex::start(Universe::new());
    strata_with_index(cwd, args, cache, &index)
}

/// Runs strata as [`strata_with_cache`] does, on `index`, with `cwd` shown as `[TEMP]`.
fn strata_with_index(cwd: &Path, args: &[&str], cache: &Path, index: &TestIndex) -> Output {
    Strata::new(args)
        .cwd(cwd)
        .cache(cache)
        .env("STRATA_INDEX_URL", index.url())
        .hiding(cwd)
        .output()
}

const RUNNER: &str = "src/llmbench/runner.py";
const CONFIG: &str = "src/llmbench/config/__init__.py";
const MANIFEST: &str = "pyproject.toml";

#[test]
fn example_project_keeps_its_contracts() {
    let output = strata(&example_project(), &["contracts"]);
    assert_eq!(output.code, 0, "{}", output.render());
    strata_snapshot!("example_text", Filters::new(), output);

    let output = strata(&example_project(), &["contracts", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    insta::assert_json_snapshot!("example_json", json);

    let output = strata(&example_project(), &["contracts", "--format", "github"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stdout, "", "no annotations when nothing is broken");
    strata_snapshot!("example_github", Filters::new(), output);
}

#[test]
fn project_flag_finds_the_example_from_elsewhere() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = strata(
        &repository,
        &["contracts", "--project", "examples/ml-engines", "-v"],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    strata_snapshot!("example_verbose_from_repository", Filters::new(), output);
}

#[test]
fn engine_import_at_module_level_in_a_host_module_exits_1() {
    let project = Project::copy_of(&example_project());
    project.edit(
        RUNNER,
        "from llmbench.config import StudyConfig\n",
        "from llmbench.config import StudyConfig\nimport vllm\n",
    );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stdout.starts_with(
            "src/llmbench/runner.py:6:1: STR001 Host module `llmbench.runner` imports engine \
             package `vllm` at module level"
        ),
        "{}",
        output.render()
    );
    strata_snapshot!("direct_engine_import_text", Filters::new(), output);

    let output = strata(project.dir(), &["contracts", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    insta::assert_json_snapshot!("direct_engine_import_json", json);

    let output = strata(project.dir(), &["contracts", "--format", "github"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("direct_engine_import_github", Filters::new(), output);

    // Run from the parent directory, paths are relative to where the user is, so they can be
    // clicked and GitHub finds the annotated file from the repository root.
    let name = project.dir().file_name().unwrap().to_str().unwrap();
    let parent = project.dir().parent().unwrap();
    let output = strata(
        parent,
        &["contracts", "--project", name, "--format", "github"],
    );
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stdout.starts_with(&format!(
            "::error title=STR001 EngineImportAtModuleLevel,file={name}/src/llmbench/runner.py,line=6,"
        )),
        "{}",
        output.render()
    );
}

#[test]
fn engine_reached_through_a_non_host_module_shows_the_chain() {
    let project = Project::copy_of(&example_project());
    project
        .write(
            "src/llmbench/engines/vllm_engine.py",
            "import vllm\n\n\ndef load(model):\n    return vllm.LLM(model)\n",
        )
        .edit(
            CONFIG,
            "from dataclasses import dataclass\n",
            "from dataclasses import dataclass\n\nfrom llmbench.engines import vllm_engine\n",
        );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("engine_through_a_chain", Filters::new(), output);
}

#[test]
fn torch_is_checked_only_when_engine_packages_lists_it() {
    let project = Project::copy_of(&example_project());
    project.edit(
        CONFIG,
        "from dataclasses import dataclass\n",
        "from dataclasses import dataclass\n\nimport torch\n",
    );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(
        output.code,
        0,
        "derived engine packages are the engines' own: {}",
        output.render()
    );

    project.edit(
        MANIFEST,
        "[tool.strata.contracts]\n",
        "[tool.strata.contracts]\nengine-packages = [\"torch\", \"vllm\"]\n",
    );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("declared_torch", Filters::new(), output);
}

#[test]
fn lower_layer_importing_a_higher_one_exits_1() {
    let project = Project::copy_of(&example_project());
    project.edit(
        CONFIG,
        "from dataclasses import dataclass\n",
        "from dataclasses import dataclass\n\nimport llmbench.cli\n",
    );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("layers_broken", Filters::new(), output);
}

#[test]
fn file_that_does_not_parse_exits_1() {
    let project = Project::copy_of(&example_project());
    project.write("src/llmbench/engines/broken.py", "def load(:\n    pass\n");
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("syntax_error", Filters::new(), output);
}

#[test]
fn root_flag_without_a_project_runs_import_linter_contracts() {
    let project = Project::new(&[
        (
            ".importlinter",
            "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = App \
             layers\ntype = layers\nlayers =\n    app.api\n    app.core\n",
        ),
        ("src/app/__init__.py", ""),
        ("src/app/api.py", "from app import core\n"),
        ("src/app/core.py", "from app import api\n"),
    ]);
    let output = strata(project.dir(), &["contracts", "--root", "src"]);
    assert_eq!(output.code, 1, "{}", output.render());
    strata_snapshot!("root_without_project", Filters::new(), output);

    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(
        output.code,
        2,
        "without `--root` a project is needed: {}",
        output.render()
    );
}

#[test]
fn invalid_import_linter_contract_exits_2_showing_the_line() {
    let pyproject = "[project]\nname = \"app\"\n\n[tool.importlinter]\nroot_package = \"app\"\n\n\
                     [[tool.importlinter.contracts]]\nname = \"Layers\"\ntype = \"layers\"\n\
                     layers = [\"app.api\", \"app.core\"]\nignore_imports = [\"app.api\"]\n";
    let project = Project::new(&[("pyproject.toml", pyproject), ("app/__init__.py", "")]);
    let output = strata(project.dir(), &["contracts", "--root", "."]);
    assert_eq!(output.code, 2, "{}", output.render());
    strata_snapshot!(Filters::new(), output, @r"
    exit: 2
    --- stdout
    --- stderr
    error: ./pyproject.toml:7: `app.api` is not an import expression (`importer -> imported`)
     --> pyproject.toml:7:1
      |
    7 | [[tool.importlinter.contracts]]
      | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    ");
}

#[test]
fn contract_naming_a_missing_module_exits_2() {
    let project = Project::copy_of(&example_project());
    project.edit(MANIFEST, "\"llmbench.config\"]", "\"llmbench.settings\"]");
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("`llmbench.settings` does not exist"),
        "{}",
        output.render()
    );
}

#[test]
fn unusable_source_roots_exit_2() {
    let project = Project::copy_of(&example_project());
    let output = strata(project.dir(), &["contracts", "--root", "no-such-dir"]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.stderr, @"error: Source root `no-such-dir` is not a directory");

    project.edit(
        MANIFEST,
        "[tool.strata.contracts]\n",
        "[tool.strata.contracts]\nroot = [\"src\", \"lib\"]\n",
    );
    let output = strata(project.dir(), &["contracts"]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.stderr, @"error: `[tool.strata.contracts] root` in `pyproject.toml` must name one source root, not 2; choose one with `--root DIR`");
}

#[test]
fn the_import_cache_changes_no_verdict_and_no_cache_bypasses_it() {
    let project = Project::copy_of(&example_project());
    project
        .edit(
            RUNNER,
            "from llmbench.config import StudyConfig\n",
            "from llmbench.config import StudyConfig\nimport vllm\n",
        )
        .write("src/llmbench/engines/broken.py", "def load(:\n    pass\n");
    // Files younger than a few seconds are never cached; a checkout's are older.
    age(project.dir());
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = strata_with_cache(project.dir(), args, cache.path());
        assert_eq!(output.code, 1, "{}", output.render());
        output.render()
    };

    let uncached = run(&["contracts", "--no-cache"]);
    assert!(
        !cache.path().join("contracts-v1").exists(),
        "--no-cache writes nothing"
    );
    assert!(uncached.contains("broken.py:1:10"), "{uncached}");
    assert_eq!(run(&["contracts"]), uncached, "cold");
    let entries: Vec<PathBuf> = fs_err::read_dir(cache.path().join("contracts-v1"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "one cache file per project root");
    assert_eq!(run(&["contracts"]), uncached, "warm: the syntax error too");

    fs_err::write(&entries[0], "not a cache").unwrap();
    assert_eq!(run(&["contracts"]), uncached, "a corrupt cache is ignored");

    // An edit is seen on the next run.
    project.write("src/llmbench/engines/broken.py", "def load():\n    pass\n");
    let fixed = run(&["contracts"]);
    assert!(!fixed.contains("broken.py"), "{fixed}");
    assert_eq!(fixed, run(&["contracts", "--no-cache"]));
}

/// Sets every file under `dir` to an hour ago.
fn age(dir: &Path) {
    for entry in fs_err::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            age(&entry.path());
        } else {
            std::fs::File::options()
                .write(true)
                .open(entry.path())
                .unwrap()
                .set_modified(std::time::SystemTime::now() - std::time::Duration::from_hours(1))
                .unwrap();
        }
    }
}

#[test]
fn engine_packages_come_from_the_engine_locks_by_the_import_names_their_wheels_install() {
    // The engine brings opencv (imported as `cv2`) and torch; the host profile locks neither.
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("torch", "2.4.0").requires("numpy"))
            .package(Package::new("opencv-python-headless", "4.10.0.84").import_name("cv2"))
            .package(
                Package::new("fastvision", "1.0")
                    .requires("torch")
                    .requires("opencv-python-headless"),
            ),
    );
    let project = Project::new(&[
        (
            "strata.toml",
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
             lock-dir = \"locks\"\n\n[profiles.base]\nrequirements = [\"numpy\"]\n\n\
             [engines.fastvision]\nextends = [\"base\"]\nversion = { file = \"versions.toml\", \
             key = \"fastvision\" }\n\n[contracts]\nhost = [\"app.cli\"]\n",
        ),
        ("versions.toml", "fastvision = \"1.0\"\n"),
        ("src/app/__init__.py", ""),
        ("src/app/cli.py", "import numpy\nimport cv2\n"),
    ]);
    let cache = project.cache();
    // Before the engine is locked, only its own name is an engine package: `cv2` passes.
    let output = strata_with_index(project.dir(), &["contracts", "-v"], &cache, &index);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("engine packages: fastvision"),
        "{}",
        output.render()
    );

    let locked = strata_with_index(project.dir(), &["lock"], &cache, &index);
    assert_eq!(locked.code, 0, "{}", locked.render());
    let output = strata_with_index(project.dir(), &["contracts", "-v"], &cache, &index);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("engine packages: cv2, fastvision, torch"),
        "{}",
        output.render()
    );
    assert!(
        output.stdout.contains("src/app/cli.py:2:1: STR001"),
        "{}",
        output.render()
    );

    // The wheels' file lists are cached under the lock's hashes: a second run asks the index
    // nothing at all.
    let before = index.requests().len();
    let again = strata_with_index(project.dir(), &["contracts"], &cache, &index);
    assert_eq!(again.code, 1, "{}", again.render());
    assert_eq!(index.requests().len(), before);
}
