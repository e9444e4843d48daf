//! `strata contracts` from the command line: the example project keeps its contracts, copies of
//! it that break them exit 1 with the finding, and configuration it cannot use exits 2.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
pub(crate) use strata_testindex::Output;

use strata_testindex::{Package, TestIndex, Universe};

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

fn strata_with_index(cwd: &Path, args: &[&str], cache: &Path, index: &TestIndex) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    strata_testindex::hermetic(&mut command)
        .args(args)
        .current_dir(cwd)
        .env("STRATA_CACHE_DIR", cache)
        .env("STRATA_INDEX_URL", index.url());
    let output = command.output().unwrap();
    Output::from(output).hiding(&cwd.display().to_string(), "[TEMP]")
}

/// The repository's example project.
fn example_project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ml-engines")
}

fn copy_dir(from: &Path, to: &Path) {
    fs_err::create_dir_all(to).unwrap();
    for entry in fs_err::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs_err::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the example project in a temporary directory, to break on purpose.
struct ExampleCopy {
    dir: tempfile::TempDir,
}

impl ExampleCopy {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&example_project(), dir.path());
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, contents: &str) -> &Self {
        let path = self.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
        self
    }

    /// Replaces the one occurrence of `old` in `path`.
    fn edit(&self, path: &str, old: &str, new: &str) -> &Self {
        let path = self.path().join(path);
        let text = fs_err::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(old).count(),
            1,
            "`{old}` in {}",
            path.display()
        );
        fs_err::write(path, text.replace(old, new)).unwrap();
        self
    }

    fn strata(&self, args: &[&str]) -> Output {
        strata(self.path(), args)
    }
}

const RUNNER: &str = "src/llmbench/runner.py";
const CONFIG: &str = "src/llmbench/config/__init__.py";
const MANIFEST: &str = "pyproject.toml";

#[test]
fn example_project_keeps_its_contracts() {
    let output = strata(&example_project(), &["contracts"]);
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!("example_text", output.render());

    let output = strata(&example_project(), &["contracts", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    insta::assert_json_snapshot!("example_json", json);

    let output = strata(&example_project(), &["contracts", "--format", "github"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stdout, "", "no annotations when nothing is broken");
    insta::assert_snapshot!("example_github", output.render());
}

#[test]
fn project_flag_finds_the_example_from_elsewhere() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = strata(
        &repository,
        &["contracts", "--project", "examples/ml-engines", "-v"],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!("example_verbose_from_repository", output.render());
}

#[test]
fn engine_import_at_module_level_in_a_host_module_exits_1() {
    let project = ExampleCopy::new();
    project.edit(
        RUNNER,
        "from llmbench.config import StudyConfig\n",
        "from llmbench.config import StudyConfig\nimport vllm\n",
    );
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stdout.starts_with(
            "src/llmbench/runner.py:6:1: STR001 Host module `llmbench.runner` imports engine \
             package `vllm` at module level"
        ),
        "{}",
        output.render()
    );
    insta::assert_snapshot!("direct_engine_import_text", output.render());

    let output = project.strata(&["contracts", "--format", "json"]);
    assert_eq!(output.code, 1, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    insta::assert_json_snapshot!("direct_engine_import_json", json);

    let output = project.strata(&["contracts", "--format", "github"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("direct_engine_import_github", output.render());

    // Run from the parent directory, paths are relative to where the user is, so they can be
    // clicked and GitHub finds the annotated file from the repository root.
    let name = project.path().file_name().unwrap().to_str().unwrap();
    let parent = project.path().parent().unwrap();
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
    let project = ExampleCopy::new();
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
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("engine_through_a_chain", output.render());
}

#[test]
fn torch_is_checked_only_when_engine_packages_lists_it() {
    let project = ExampleCopy::new();
    project.edit(
        CONFIG,
        "from dataclasses import dataclass\n",
        "from dataclasses import dataclass\n\nimport torch\n",
    );
    let output = project.strata(&["contracts"]);
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
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("declared_torch", output.render());
}

#[test]
fn lower_layer_importing_a_higher_one_exits_1() {
    let project = ExampleCopy::new();
    project.edit(
        CONFIG,
        "from dataclasses import dataclass\n",
        "from dataclasses import dataclass\n\nimport llmbench.cli\n",
    );
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("layers_broken", output.render());
}

#[test]
fn file_that_does_not_parse_exits_1() {
    let project = ExampleCopy::new();
    project.write("src/llmbench/engines/broken.py", "def load(:\n    pass\n");
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("syntax_error", output.render());
}

#[test]
fn root_flag_without_a_project_runs_import_linter_contracts() {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in [
        (
            ".importlinter",
            "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = App \
             layers\ntype = layers\nlayers =\n    app.api\n    app.core\n",
        ),
        ("src/app/__init__.py", ""),
        ("src/app/api.py", "from app import core\n"),
        ("src/app/core.py", "from app import api\n"),
    ] {
        let path = dir.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
    let output = strata(dir.path(), &["contracts", "--root", "src"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!("root_without_project", output.render());

    let output = strata(dir.path(), &["contracts"]);
    assert_eq!(
        output.code,
        2,
        "without `--root` a project is needed: {}",
        output.render()
    );
}

#[test]
fn invalid_import_linter_contract_exits_2_showing_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let pyproject = "[project]\nname = \"app\"\n\n[tool.importlinter]\nroot_package = \"app\"\n\n\
                     [[tool.importlinter.contracts]]\nname = \"Layers\"\ntype = \"layers\"\n\
                     layers = [\"app.api\", \"app.core\"]\nignore_imports = [\"app.api\"]\n";
    fs_err::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    fs_err::create_dir_all(dir.path().join("app")).unwrap();
    fs_err::write(dir.path().join("app/__init__.py"), "").unwrap();
    let output = strata(dir.path(), &["contracts", "--root", "."]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.render(), @r"
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
    let project = ExampleCopy::new();
    project.edit(MANIFEST, "\"llmbench.config\"]", "\"llmbench.settings\"]");
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("`llmbench.settings` does not exist"),
        "{}",
        output.render()
    );
}

#[test]
fn unusable_source_roots_exit_2() {
    let project = ExampleCopy::new();
    let output = project.strata(&["contracts", "--root", "no-such-dir"]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.stderr, @"error: Source root `no-such-dir` is not a directory");

    project.edit(
        MANIFEST,
        "[tool.strata.contracts]\n",
        "[tool.strata.contracts]\nroot = [\"src\", \"lib\"]\n",
    );
    let output = project.strata(&["contracts"]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.stderr, @"error: `[tool.strata.contracts] root` in `pyproject.toml` must name one source root, not 2; choose one with `--root DIR`");
}

#[test]
fn the_import_cache_changes_no_verdict_and_no_cache_bypasses_it() {
    let project = ExampleCopy::new();
    project
        .edit(
            RUNNER,
            "from llmbench.config import StudyConfig\n",
            "from llmbench.config import StudyConfig\nimport vllm\n",
        )
        .write("src/llmbench/engines/broken.py", "def load(:\n    pass\n");
    // Files younger than a few seconds are never cached; a checkout's are older.
    age(project.path());
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = strata_with_cache(project.path(), args, cache.path());
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
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    for (path, contents) in [
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
    ] {
        fs_err::create_dir_all(project.join(path).parent().unwrap()).unwrap();
        fs_err::write(project.join(path), contents).unwrap();
    }
    let cache = project.join(".cache");
    // Before the engine is locked, only its own name is an engine package: `cv2` passes.
    let output = strata_with_index(project, &["contracts", "-v"], &cache, &index);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("engine packages: fastvision"),
        "{}",
        output.render()
    );

    let locked = strata_with_index(project, &["lock"], &cache, &index);
    assert_eq!(locked.code, 0, "{}", locked.render());
    let output = strata_with_index(project, &["contracts", "-v"], &cache, &index);
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
    let again = strata_with_index(project, &["contracts"], &cache, &index);
    assert_eq!(again.code, 1, "{}", again.render());
    assert_eq!(index.requests().len(), before);
}
