//! Local directory requirements: `-e ../pkg` (static `[project]`, depending on an index
//! package) and `../other` (a dynamic version, read by a PEP 517 metadata build through an
//! in-tree backend) in a `.in` file under `requirements/`, so relative to that file. Both lock
//! formats, pip installing the lock from the project root into a fresh venv, an edit to the
//! editable's source seen without reinstalling, `strata sync`, and the errors.

use std::process::Command;

use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::{Project, strata_snapshot};

use crate::{TREE_BACKEND as BACKEND, TREE_BUILD_SYSTEM as BUILD_SYSTEM};

/// The files of a project `name` in the directory `dir`: a static version, or (`None`) a
/// dynamic one read from `VERSION`.
fn project_files(
    dir: &str,
    name: &str,
    version: Option<&str>,
    requires: &[&str],
) -> Vec<(String, String)> {
    let dependencies: Vec<String> = requires.iter().map(|r| format!("\"{r}\"")).collect();
    let version_line = match version {
        Some(version) => format!("version = \"{version}\"\n"),
        None => "dynamic = [\"version\"]\n".to_string(),
    };
    let mut files = vec![
        (
            format!("{dir}/pyproject.toml"),
            format!(
                "[project]\nname = \"{name}\"\n{version_line}dependencies = [{}]\n\n{BUILD_SYSTEM}",
                dependencies.join(", ")
            ),
        ),
        (format!("{dir}/_backend/backend.py"), BACKEND.to_string()),
        (
            format!("{dir}/{name}/__init__.py"),
            format!("NAME = \"{name}\"\n"),
        ),
    ];
    if version.is_none() {
        files.push((format!("{dir}/VERSION"), "2.0\n".to_string()));
    }
    files
}

fn setup(in_file: &str) -> (TestIndex, Project) {
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("dep", "1.0"))
            .package(Package::new("extra-dep", "3.0")),
    );
    let manifest = "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
                    lock-dir = \"locks\"\n\n[profiles.dev]\nfile = \"requirements/dev.in\"\n";
    let project = Project::with_manifest(manifest, &[]);
    for (path, contents) in project_files("pkg", "edpkg", Some("0.1"), &["dep"])
        .into_iter()
        .chain(project_files("other", "otherpkg", None, &[]))
    {
        project.write(&path, &contents);
    }
    project.write("requirements/dev.in", in_file);
    (index, project)
}

#[test]
fn an_editable_and_a_plain_directory_lock_with_their_dependencies_and_install_with_pip() {
    let (index, project) = setup("-e ../pkg\n../other\n");
    project.lock_ok(&index, &[]);

    let lock = project.read("locks/dev.txt");
    // Paths relative to the project root, where the header says pip runs; no hashes.
    assert!(lock.contains("\n-e ./pkg  # edpkg==0.1\n"), "{lock}");
    assert!(lock.contains("\n./other  # otherpkg==2.0\n"), "{lock}");
    assert!(lock.contains("\ndep==1.0\n    # via edpkg\n"), "{lock}");
    assert!(!lock.contains("--hash="), "{lock}");
    assert!(
        lock.contains("# Install it from the project root with: pip install --no-deps -r"),
        "{lock}"
    );
    let pylock = project.read("locks/pylock.dev.toml");
    assert!(
        pylock.contains(
            "name = \"edpkg\"\nversion = \"0.1\"\ndependencies = [{ name = \"dep\" }]\n\
             directory = { path = \"../pkg\", editable = true }\n"
        ),
        "{pylock}"
    );
    assert!(
        pylock.contains(
            "name = \"otherpkg\"\nversion = \"2.0\"\ndirectory = { path = \"../other\", editable = false }\n"
        ),
        "{pylock}"
    );
    // PEP 751: relative to the lock file, in `locks/`. Nothing changed: current.
    let again = project.lock_ok(&index, &["--check"]);
    assert_eq!(again.code, 0, "{}", again.render());

    // The lock's requirements come from the directories themselves (tree, check).
    let tree = project
        .strata(&["tree", "--profile", "dev"])
        .index(&index)
        .output();
    assert_eq!(tree.code, 0, "{}", tree.render());
    assert!(
        tree.stdout
            .contains("edpkg==0.1\n└── dep [required: Any, locked: 1.0]"),
        "{}",
        tree.render()
    );
    assert!(tree.stdout.contains("otherpkg==2.0"), "{}", tree.render());
    let check = project
        .strata(&["check", "--profile", "dev"])
        .index(&index)
        .output();
    assert_eq!(check.code, 0, "{}", check.render());
    let check = project
        .strata(&["check", "--lock", "locks/pylock.dev.toml"])
        .index(&index)
        .output();
    assert_eq!(check.code, 0, "{}", check.render());

    let venv = Venv::create().expect("python3 with venv, which this test needs");
    let url = index.url();
    let install = venv
        .command("python3")
        .current_dir(project.dir())
        .args(["-m", "pip", "--python"])
        .arg(venv.python())
        .args(["install", "--no-cache-dir", "--no-deps", "--index-url"])
        .arg(url.as_str())
        .args(["-r", "locks/dev.txt"])
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "{}{}",
        String::from_utf8_lossy(&install.stdout),
        String::from_utf8_lossy(&install.stderr)
    );
    assert_eq!(
        venv.run_python("import edpkg, otherpkg, dep; print(edpkg.NAME, otherpkg.NAME)"),
        "edpkg otherpkg"
    );
    // Editable: an edit of the source shows without reinstalling.
    project.write("pkg/edpkg/__init__.py", "NAME = \"edited\"\n");
    assert_eq!(venv.run_python("import edpkg; print(edpkg.NAME)"), "edited");
    let check = venv.pip(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_relock_reads_the_directory_again() {
    let (index, project) = setup("-e ../pkg\n");
    project.lock_ok(&index, &[]);
    project.write("other/VERSION", "2.1\n");
    project.write("requirements/dev.in", "-e ../pkg\n../other\n");
    project.lock_ok(&index, &[]);
    assert!(
        project
            .read("locks/dev.txt")
            .contains("./other  # otherpkg==2.1")
    );
    project.write("other/VERSION", "2.2\n");
    project.lock_ok(&index, &["--force"]);
    let lock = project.read("locks/dev.txt");
    assert!(lock.contains("./other  # otherpkg==2.2"), "{lock}");
}

#[test]
fn sync_installs_directory_pins_editable_or_not_and_a_second_sync_keeps_them() {
    let (index, project) = setup("-e ../pkg\n../other\n");
    project.lock_ok(&index, &[]);
    let output = crate::sync::sync(&project, &index, &["dev"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let python = project.dir().join(".venvs/dev/bin/python");
    let run = |code: &str| {
        let output = Command::new(&python).args(["-c", code]).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    assert_eq!(
        run("import edpkg, otherpkg, dep; print(edpkg.NAME)"),
        "edpkg"
    );
    project.write("pkg/edpkg/__init__.py", "NAME = \"edited\"\n");
    assert_eq!(run("import edpkg; print(edpkg.NAME)"), "edited");
    let again = crate::sync::sync(&project, &index, &["dev"]);
    assert_eq!(again.code, 0, "{}", again.render());
    assert!(
        again
            .stderr
            .contains("already holds exactly the 3 distributions of `locks/dev.txt`"),
        "{}",
        again.render()
    );
}

#[test]
fn compile_writes_paths_relative_to_the_current_directory() {
    let (index, project) = setup("-e ../pkg\n../other\n");
    let output = project
        .strata(&[
            "compile",
            "requirements/dev.in",
            "-o",
            "requirements.txt",
            "--generate-hashes",
            "--python-version",
            "3.11",
        ])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = project.read("requirements.txt");
    assert!(lock.contains("-e ./pkg  # edpkg==0.1"), "{lock}");
    assert!(lock.contains("./other  # otherpkg==2.0"), "{lock}");
    // pip cannot hash a directory, so no line has a hash, and the header says why.
    assert!(!lock.contains("--hash="), "{lock}");
    assert!(
        lock.contains("# No --hash lines: this lock pins a local directory"),
        "{lock}"
    );
}

#[test]
fn a_missing_directory_is_an_error_on_its_line() {
    let (index, project) = setup("dep\n-e ../nowhere\n");
    let output = project.strata(&["lock"]).index(&index).output();
    strata_snapshot!("missing", project.filters().index(&index), output);
}

#[test]
fn a_directory_that_is_no_project_is_an_error_on_its_line() {
    let (index, project) = setup("../requirements\n");
    let output = project.strata(&["lock"]).index(&index).output();
    strata_snapshot!("no_project", project.filters().index(&index), output);
}

#[test]
fn a_name_that_disagrees_with_the_directory_is_an_error_on_its_line() {
    let (index, project) = setup("wrong @ ../pkg\n");
    let output = project.strata(&["lock"]).index(&index).output();
    strata_snapshot!("wrong_name", project.filters().index(&index), output);
}

#[test]
fn diff_names_a_directory_pin_whose_version_moved() {
    let (index, project) = setup("-e ../pkg\n../other\n");
    project.lock_ok(&index, &[]);
    project.write("old.txt", &project.read("locks/dev.txt"));
    project.write("other/VERSION", "2.1\n");
    project.lock_ok(&index, &["--force"]);
    let output = project
        .strata(&["diff", "old.txt", "locks/dev.txt"])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(output.stdout.contains("otherpkg"), "{}", output.render());
    assert!(output.stdout.contains("2.0"), "{}", output.render());
    assert!(output.stdout.contains("2.1"), "{}", output.render());
    assert!(!output.stdout.contains("edpkg"), "{}", output.render());
}

#[test]
fn a_file_url_in_project_dependencies_is_locked_with_its_absolute_path() {
    let (index, project) = setup("dep\n");
    let other = project.dir().join("other").canonicalize().unwrap();
    project.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"app\"\nversion = \"0.1\"\ndependencies = [\"otherpkg @ file://{}\"]\n",
            other.display()
        ),
    );
    project.write(
        "strata.toml",
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
         lock-dir = \"locks\"\n\n[profiles.dev]\ninclude = [\"project\"]\n",
    );
    project.lock_ok(&index, &[]);
    let lock = project.read("locks/dev.txt");
    assert!(
        lock.contains(&format!("\n{}  # otherpkg==2.0\n", other.display())),
        "{lock}"
    );
}

#[test]
fn an_edit_to_a_directorys_dependencies_makes_its_lock_stale() {
    let (index, project) = setup("-e ../pkg\n");
    project.lock_ok(&index, &[]);
    assert!(!project.read("locks/dev.txt").contains("\nextra-dep=="));
    project.edit(
        "pkg/pyproject.toml",
        "[\"dep\"]",
        "[\"dep\", \"extra-dep\"]",
    );
    let check = project.lock(&index, &["--check"]);
    assert_eq!(check.code, 1, "{}", check.render());
    assert!(check.stderr.contains("requirements"), "{}", check.render());
    // A relock without --force reads the directory again.
    project.lock_ok(&index, &[]);
    assert!(
        project.read("locks/dev.txt").contains("\nextra-dep==3.0"),
        "{}",
        project.read("locks/dev.txt")
    );
}

#[test]
fn an_edit_to_the_file_a_dynamic_version_is_read_from_makes_its_lock_stale() {
    let (index, project) = setup("../other\n");
    // The file setuptools would read the version from, as the project declares it.
    let pyproject = project.read("other/pyproject.toml");
    project.write(
        "other/pyproject.toml",
        &format!("{pyproject}\n[tool.setuptools.dynamic]\nversion = {{ file = \"VERSION\" }}\n"),
    );
    project.lock_ok(&index, &[]);
    assert!(
        project
            .read("locks/dev.txt")
            .contains("\n./other  # otherpkg==2.0\n")
    );
    project.write("other/VERSION", "2.1\n");
    let check = project.lock(&index, &["--check"]);
    assert_eq!(check.code, 1, "{}", check.render());
    project.lock_ok(&index, &[]);
    assert!(
        project
            .read("locks/dev.txt")
            .contains("\n./other  # otherpkg==2.1\n"),
        "{}",
        project.read("locks/dev.txt")
    );
}

#[test]
fn a_lock_with_directory_pins_stays_current_in_another_checkout() {
    let (index, project) = setup("-e ../pkg\n../other\n");
    project.lock_ok(&index, &[]);
    let elsewhere = Project::copy_of(project.dir());
    let check = elsewhere.lock_ok(&index, &["--check"]);
    assert_eq!(check.code, 0, "{}", check.render());
}

#[test]
fn a_child_profile_keeps_its_parents_directory_pin() {
    let (index, project) = setup("../other\n");
    project.write("requirements/base.in", "-e ../pkg\n");
    project.write(
        "strata.toml",
        "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
         lock-dir = \"locks\"\n\n[profiles.base]\nfile = \"requirements/base.in\"\n\n\
         [profiles.dev]\nextends = [\"base\"]\nfile = \"requirements/dev.in\"\n",
    );
    project.lock_ok(&index, &[]);
    let dev = project.read("locks/dev.txt");
    assert!(dev.contains("\n-e ./pkg  # edpkg==0.1\n"), "{dev}");
    assert!(dev.contains("\n./other  # otherpkg==2.0\n"), "{dev}");
    let layered = project.lock_ok(&index, &["--layered", "--force"]);
    assert_eq!(layered.code, 0, "{}", layered.render());
    assert_eq!(project.read("locks/dev.txt"), dev);
    // `strata profiles` shows them as the lock writes them (relative to the project root),
    // with their names, never as internal URLs.
    let output = project
        .strata(&["profiles", "dev", "--format", "json"])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let dev = json["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|profile| profile["name"] == "dev")
        .unwrap();
    let requirements: Vec<(&str, &str, &str)> = dev["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|requirement| {
            (
                requirement["requirement"].as_str().unwrap(),
                requirement["name"].as_str().unwrap(),
                requirement["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        requirements,
        [
            ("-e ./pkg", "edpkg", "requirements/base.in:1"),
            ("./other", "otherpkg", "requirements/dev.in:1"),
        ]
    );
    let text = project.strata(&["profiles", "dev"]).output();
    assert!(
        text.stdout.contains("-e ./pkg (edpkg)"),
        "{}",
        text.render()
    );
}
