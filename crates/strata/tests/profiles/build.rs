//! `strata build`: a PEP 517 frontend proven on real builds. The backend is a small
//! standard-library one written here (an in-tree backend through `backend-path`, or a wheel the
//! loopback index serves); pip installs what it builds into a fresh venv, which imports it.
//! Its `[tool.tiny]` table makes it ask for more requirements, fail, or write a wrong `RECORD`.

use std::path::Path;

use strata_testindex::venv::Venv;
use strata_testindex::{Package, TestIndex, Universe};

use crate::support::{Output, Project};

/// A PEP 517 backend of the standard library: packages `src/<module>` as it is, with metadata
/// from `[project]`; `[tool.tiny]` `wheel-requires` (a list), `fail` (a message) and
/// `bad-record` (true) change what it does.
const TINY_BACKEND: &str = r#""""A tiny PEP 517 backend from the standard library."""
import base64
import hashlib
import io
import os
import tarfile
import tomllib
import zipfile


def _pyproject():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _settings():
    return _pyproject().get("tool", {}).get("tiny", {})


def _names():
    project = _pyproject()["project"]
    name = project["name"]
    return name, name.replace("-", "_"), project["version"], project.get("dependencies", [])


def _metadata():
    name, _, version, dependencies = _names()
    lines = ["Metadata-Version: 2.1", "Name: %s" % name, "Version: %s" % version]
    lines += ["Requires-Dist: %s" % dependency for dependency in dependencies]
    return "\n".join(lines) + "\n"


def get_requires_for_build_wheel(config_settings=None):
    return list(_settings().get("wheel-requires", []))


def build_sdist(sdist_directory, config_settings=None):
    _, module, version, _ = _names()
    stem = "%s-%s" % (module, version)
    path = os.path.join(sdist_directory, stem + ".tar.gz")
    with tarfile.open(path, "w:gz") as archive:
        for source in ["pyproject.toml", "backend", "src"]:
            if os.path.exists(source):
                archive.add(source, arcname="%s/%s" % (stem, source))
        data = _metadata().encode()
        info = tarfile.TarInfo("%s/PKG-INFO" % stem)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    print("tiny: wrote", os.path.basename(path))
    return os.path.basename(path)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    for requirement in get_requires_for_build_wheel():
        __import__(requirement.replace("-", "_"))
    if "fail" in _settings():
        print("tiny: compiling the extension")
        raise SystemExit(_settings()["fail"])
    _, module, version, _ = _names()
    filename = "%s-%s-py3-none-any.whl" % (module, version)
    dist_info = "%s-%s.dist-info" % (module, version)
    files = {}
    for root, _, names in os.walk(os.path.join("src", module)):
        for entry in names:
            path = os.path.join(root, entry)
            with open(path, "rb") as f:
                files[os.path.relpath(path, "src").replace(os.sep, "/")] = f.read()
    files[dist_info + "/METADATA"] = _metadata().encode()
    files[dist_info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tiny\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in files.items():
        hashed = data + b"tampered" if _settings().get("bad-record") else data
        digest = base64.urlsafe_b64encode(hashlib.sha256(hashed).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append(dist_info + "/RECORD,,")
    files[dist_info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    print("tiny: wrote", filename)
    return filename
"#;

/// A project `demo-pkg` 1.2.0 with `build_system` as its `[build-system]` table and `tiny` as
/// its `[tool.tiny]` table, the backend in `backend/` and its module in `src/demo_pkg`.
fn project(build_system: &str, tiny: &str) -> Project {
    let pyproject = format!(
        "[build-system]\n{build_system}\n\n[project]\nname = \"demo-pkg\"\nversion = \"1.2.0\"\n\n\
         [tool.tiny]\n{tiny}\n\n[tool.strata]\npython-version = \"3.11\"\n"
    );
    Project::new(&[
        ("pyproject.toml", &pyproject),
        ("backend/tiny_backend.py", TINY_BACKEND),
        ("src/demo_pkg/__init__.py", "VALUE = 42\n"),
    ])
}

const IN_TREE: &str =
    "requires = []\nbuild-backend = \"tiny_backend\"\nbackend-path = [\"backend\"]";

/// The machine's Python can make venvs (what the build and the oracle need); `None` skips, or
/// fails when tools are required.
fn venv() -> Option<Venv> {
    Venv::create()
}

fn build(project: &Project, index: &TestIndex, args: &[&str]) -> Output {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    project
        .strata(&all)
        .index(index)
        .hiding(project.root())
        .output()
}

/// Installs `wheel` into `venv` without an index and returns what the module says.
fn install_and_import(venv: &Venv, wheel: &Path) -> String {
    let output = venv.pip(&[
        "install",
        "--no-index",
        "--no-deps",
        &wheel.display().to_string(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        strata_testindex::venv::describe(&output)
    );
    venv.run_python(
        "import demo_pkg, importlib.metadata as m; print(demo_pkg.VALUE, m.version('demo-pkg'))",
    )
}

fn dist_files(project: &Project) -> Vec<String> {
    let Ok(entries) = fs_err::read_dir(project.dir().join("dist")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Nothing a failed build staged is left in the project.
fn no_staging_left(project: &Project) {
    let staged: Vec<String> = fs_err::read_dir(project.dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".strata-build-"))
        .collect();
    assert!(staged.is_empty(), "{staged:?}");
}

#[test]
fn in_tree_backend_builds_the_sdist_then_the_wheel_which_installs_and_imports() {
    let Some(venv) = venv() else {
        return;
    };
    let index = TestIndex::start(Universe::new());
    let project = project(IN_TREE, "");
    let output = build(&project, &index, &[]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        output.stdout,
        "dist/demo_pkg-1.2.0.tar.gz\ndist/demo_pkg-1.2.0-py3-none-any.whl\n",
        "{}",
        output.render()
    );
    // The backend's own output streams through, between strata's steps.
    assert!(
        output.stderr.contains("tiny: wrote demo_pkg-1.2.0.tar.gz"),
        "{}",
        output.render()
    );
    assert_eq!(
        dist_files(&project),
        ["demo_pkg-1.2.0-py3-none-any.whl", "demo_pkg-1.2.0.tar.gz"]
    );
    // The sdist holds what PEP 625 asks for, and the wheel was built from it.
    let members = venv.run_python(&format!(
        "import tarfile; print(sorted(tarfile.open({:?}).getnames()))",
        project.dir().join("dist/demo_pkg-1.2.0.tar.gz").display()
    ));
    assert!(members.contains("'demo_pkg-1.2.0/PKG-INFO'"), "{members}");
    assert!(
        members.contains("'demo_pkg-1.2.0/src/demo_pkg/__init__.py'"),
        "{members}"
    );
    assert_eq!(
        install_and_import(
            &venv,
            &project.dir().join("dist/demo_pkg-1.2.0-py3-none-any.whl")
        ),
        "42 1.2.0"
    );
    let lock = project.read("locks/build-system.txt");
    assert!(lock.contains("# strata-build-requires: []\n"), "{lock}");
    assert!(
        lock.contains("for the build backend of `demo-pkg` (Python 3."),
        "{lock}"
    );
}

#[test]
fn a_backend_from_the_index_is_locked_with_what_it_adds_and_reused_without_requests() {
    let Some(venv) = venv() else {
        return;
    };
    let index = TestIndex::start(
        Universe::new()
            .package(
                Package::new("tiny-backend", "1.0")
                    .module_file("tiny_backend/__init__.py", TINY_BACKEND),
            )
            .package(
                Package::new("tiny-backend", "0.9")
                    .module_file("tiny_backend/__init__.py", TINY_BACKEND),
            )
            .package(Package::new("build-helper", "2.1"))
            .package(Package::new("unrelated", "1.0")),
    );
    let project = project(
        "requires = [\"tiny-backend>=0.9\"]\nbuild-backend = \"tiny_backend\"",
        "wheel-requires = [\"build-helper\"]",
    );
    let first = build(&project, &index, &["--format", "json"]);
    assert_eq!(first.code, 0, "{}", first.render());
    assert!(
        first.stdout.contains("\"build-lock-written\": true"),
        "{}",
        first.render()
    );

    // The lock pins the backend and what `get_requires_for_build_wheel` added, with hashes,
    // and records both lists.
    let lock = project.read("locks/build-system.txt");
    assert!(
        lock.contains("\ntiny-backend==1.0 \\\n    --hash=sha256:"),
        "{lock}"
    );
    assert!(
        lock.contains("\nbuild-helper==2.1 \\\n    --hash=sha256:"),
        "{lock}"
    );
    assert!(!lock.contains("unrelated"), "{lock}");
    assert!(
        lock.contains("# strata-build-requires: [\"tiny-backend>=0.9\"]\n"),
        "{lock}"
    );
    assert!(
        lock.contains("# strata-build-added: [\"build-helper\"]\n"),
        "{lock}"
    );
    assert_eq!(
        install_and_import(
            &venv,
            &project.dir().join("dist/demo_pkg-1.2.0-py3-none-any.whl")
        ),
        "42 1.2.0"
    );

    // The second build resolves nothing and installs nothing: not one request to the index.
    index.reset_log();
    let second = build(&project, &index, &["--format", "json"]);
    assert_eq!(second.code, 0, "{}", second.render());
    assert!(
        second.stdout.contains("\"build-lock-written\": false"),
        "{}",
        second.render()
    );
    assert!(
        second.stdout.contains("\"environments-created\": 0"),
        "{}",
        second.render()
    );
    assert!(index.requests().is_empty(), "{:?}", index.requests());
    assert_eq!(project.read("locks/build-system.txt"), lock);
    assert_eq!(
        dist_files(&project),
        ["demo_pkg-1.2.0-py3-none-any.whl", "demo_pkg-1.2.0.tar.gz"]
    );

    // `--locked` accepts the lock as it is, and refuses a `[build-system]` it was not made for.
    let locked = build(&project, &index, &["--locked"]);
    assert_eq!(locked.code, 0, "{}", locked.render());
    project.edit("pyproject.toml", "tiny-backend>=0.9", "tiny-backend<1");
    let refused = build(&project, &index, &["--locked"]);
    assert_eq!(refused.code, 2, "{}", refused.render());
    assert!(
        refused.stderr.contains(
            "error: The build lock `locks/build-system.txt` was made for `[build-system].requires` [\"tiny-backend>=0.9\"], not [\"tiny-backend<1\"]; run `strata build` without `--locked` to update it"
        ),
        "{}", refused.render()
    );
    assert_eq!(project.read("locks/build-system.txt"), lock);
    // Without `--locked` it is resolved again, to the older backend.
    let relocked = build(&project, &index, &[]);
    assert_eq!(relocked.code, 0, "{}", relocked.render());
    assert!(
        project
            .read("locks/build-system.txt")
            .contains("\ntiny-backend==0.9 \\\n"),
        "{}",
        project.read("locks/build-system.txt")
    );

    // Environments of both locks now (the sdist's and the wheel's of each). All last used 40
    // days ago; then a build uses the current lock's, and `strata cache prune` removes only the
    // others.
    let envs = project.cache().join("build-envs");
    let environments = || -> Vec<std::path::PathBuf> {
        let mut dirs: Vec<_> = fs_err::read_dir(&envs)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        dirs
    };
    let all = environments();
    assert!(all.len() >= 2, "{all:?}");
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_hours(40 * 24);
    for dir in environments() {
        fs_err::File::options()
            .append(true)
            .open(dir.join(".strata-complete"))
            .unwrap()
            .file()
            .set_modified(long_ago)
            .unwrap();
    }
    let reused = build(&project, &index, &["--format", "json"]);
    assert!(
        reused.stdout.contains("\"environments-created\": 0"),
        "{}",
        reused.render()
    );
    let used: Vec<std::path::PathBuf> = all
        .iter()
        .filter(|dir| {
            fs_err::metadata(dir.join(".strata-complete"))
                .unwrap()
                .modified()
                .unwrap()
                > long_ago + std::time::Duration::from_hours(1)
        })
        .cloned()
        .collect();
    assert!(
        !used.is_empty() && used.len() < all.len(),
        "{all:?} {used:?}"
    );
    let prune = project.strata(&["cache", "prune"]).output();
    assert_eq!(prune.code, 0, "{}", prune.render());
    assert_eq!(environments(), used, "{}", prune.render());
    let again = build(&project, &index, &["--format", "json"]);
    assert!(
        again.stdout.contains("\"environments-created\": 0"),
        "{}",
        again.render()
    );
}

#[test]
fn a_failing_backend_exits_2_with_its_output_and_leaves_nothing_in_dist() {
    if venv().is_none() {
        return;
    }
    let index = TestIndex::start(Universe::new());
    let project = project(IN_TREE, "fail = \"error: the CUDA compiler is missing\"");
    let output = build(&project, &index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("error: Failed to build `demo-pkg` with its build backend; the last lines of its output (all of it is in `[TEMP]/cache/build-logs/demo-pkg.log`):"),
        "{}", output.render()
    );
    assert!(
        output
            .stderr
            .contains("  | tiny: compiling the extension\n"),
        "{}",
        output.render()
    );
    assert!(
        output
            .stderr
            .contains("  | error: the CUDA compiler is missing\n"),
        "{}",
        output.render()
    );
    assert!(
        output.stderr.contains(
            "  | Failed to run the `tiny_backend` backend (build_wheel): exit status: 1\n"
        ),
        "{}",
        output.render()
    );
    // The sdist was built before the wheel failed; neither reached `dist/`.
    assert!(
        !project.dir().join("dist").exists(),
        "{:?}",
        dist_files(&project)
    );
    no_staging_left(&project);
}

#[test]
fn a_wheel_whose_record_hashes_are_wrong_is_refused() {
    if venv().is_none() {
        return;
    }
    let index = TestIndex::start(Universe::new());
    let project = project(IN_TREE, "bad-record = true");
    let output = build(&project, &index, &["--wheel"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains(
            "error: The build backend wrote `demo_pkg-1.2.0-py3-none-any.whl`, which is not a valid distribution: the `demo_pkg-1.2.0.dist-info/RECORD` hash of `demo_pkg-1.2.0.dist-info/METADATA` is wrong"
        ),
        "{}", output.render()
    );
    assert!(dist_files(&project).is_empty());
    no_staging_left(&project);
}

#[test]
fn locked_refuses_a_missing_build_lock_and_writes_nothing() {
    if venv().is_none() {
        return;
    }
    let index = TestIndex::start(Universe::new());
    let project = project(IN_TREE, "");
    let output = build(&project, &index, &["--locked"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("error: The build lock `locks/build-system.txt` is missing or was not written by `strata build`; run `strata build` without `--locked` to update it"),
        "{}", output.render()
    );
    assert!(!project.dir().join("locks/build-system.txt").exists());
    assert!(dist_files(&project).is_empty());
}

/// The directory of wheels `crates/strata/tests/setup-build-wheels.sh` downloads (setuptools,
/// for the example's `[build-system]`); `None` skips, or fails when tools are required.
#[expect(
    clippy::disallowed_methods,
    reason = "a test-only switch set by .ci/run, not a strata setting"
)]
fn build_wheels() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("STRATA_TEST_BUILD_WHEELS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/build-wheels"),
        std::path::PathBuf::from,
    );
    let has_setuptools = fs_err::read_dir(&dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("setuptools-")
        })
    });
    if !has_setuptools {
        strata_testindex::tool_missing(format!(
            "no setuptools wheel in `{}` (run crates/strata/tests/setup-build-wheels.sh, or name \
             its directory in STRATA_TEST_BUILD_WHEELS)",
            dir.display()
        ));
        return None;
    }
    Some(dir)
}

#[test]
fn the_example_project_builds_its_own_wheel_with_setuptools() {
    let Some(venv) = venv() else {
        return;
    };
    let Some(wheels) = build_wheels() else {
        return;
    };
    let project = Project::copy_of(&crate::support::example_project());
    // The committed build lock was made against the real index: another index configuration
    // resolves it again, from the downloaded setuptools.
    let index = TestIndex::start(Universe::new());
    let output = build(
        &project,
        &index,
        &["--find-links", &wheels.display().to_string()],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        dist_files(&project),
        ["llmbench-0.4.0-py3-none-any.whl", "llmbench-0.4.0.tar.gz"]
    );
    let lock = project.read("locks/build-system.txt");
    assert!(lock.contains("\nsetuptools==80.9.0 \\\n"), "{lock}");
    let wheel = project.dir().join("dist/llmbench-0.4.0-py3-none-any.whl");
    let installed = venv.pip(&[
        "install",
        "--no-index",
        "--no-deps",
        &wheel.display().to_string(),
    ]);
    assert!(
        installed.status.success(),
        "{}",
        strata_testindex::venv::describe(&installed)
    );
    assert_eq!(
        venv.run_python(
            "import llmbench, llmbench.runner, importlib.metadata as m; print(llmbench.__version__, m.version('llmbench'), sorted(m.requires('llmbench'))[:2])"
        ),
        "0.4.0 0.4.0 ['accelerate>=1.0; extra == \"transformers\"', 'codecarbon>=2.5; extra == \"energy\"']"
    );
}
