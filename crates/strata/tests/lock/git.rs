//! Git requirements: local repositories holding small Python packages (one with a static
//! `[project]` table, one whose version is dynamic and comes from an in-tree backend, in a
//! subdirectory), served on loopback by `git daemon`. Locks pin the full commit in both formats,
//! a relock keeps it after the branch moves, `--upgrade-package` moves it, and pip installs the
//! lock into a fresh venv.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::Project;

use crate::{TREE_BACKEND as BACKEND, TREE_BUILD_SYSTEM as BUILD_SYSTEM};

/// Runs `git` in `dir` with a fixed identity; it must succeed. Returns stdout, trimmed.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@127.0.0.1"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Writes `files` into the work tree `work` and commits them; returns the commit.
fn commit(work: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, contents) in files {
        let path = work.join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", message]);
    git(work, &["rev-parse", "HEAD"])
}

/// The files of a package `name` in `dir` (a repository's root or a subdirectory) at `version`
/// (static) or with a dynamic version read from `VERSION`.
fn package_files(
    dir: &str,
    name: &str,
    version: Option<&str>,
    requires: &[&str],
) -> Vec<(String, String)> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let module = name.replace('-', "_");
    let dependencies: Vec<String> = requires.iter().map(|r| format!("\"{r}\"")).collect();
    let (version_line, mut files) = match version {
        Some(version) => (format!("version = \"{version}\"\n"), Vec::new()),
        None => (
            "dynamic = [\"version\"]\n".to_string(),
            vec![(format!("{prefix}VERSION"), "2.0\n".to_string())],
        ),
    };
    files.push((
        format!("{prefix}pyproject.toml"),
        format!(
            "{BUILD_SYSTEM}\n[project]\nname = \"{name}\"\n{version_line}dependencies = [{}]\n",
            dependencies.join(", ")
        ),
    ));
    files.push((format!("{prefix}_backend/backend.py"), BACKEND.to_string()));
    files.push((
        format!("{prefix}{module}/__init__.py"),
        format!("NAME = \"{name}\"\n"),
    ));
    files
}

/// A `git daemon` serving the bare repositories under its base path on 127.0.0.1, killed on
/// drop; the work trees the tests commit in sit beside them.
struct GitServer {
    root: tempfile::TempDir,
    port: u16,
    daemon: Child,
}

impl GitServer {
    fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(root.path().join("served")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // `git daemon` would run `git-daemon` as a child of its own, which killing `git`
        // leaves behind: the daemon itself is started, so that drop ends it.
        let exec_path = git(root.path(), &["--exec-path"]);
        let daemon = Command::new(Path::new(&exec_path).join("git-daemon"))
            .arg("--export-all")
            .arg("--reuseaddr")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(format!(
                "--base-path={}",
                root.path().join("served").display()
            ))
            .arg(root.path().join("served"))
            // It reports every client that hangs up after `ls-refs`, which is normal.
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "git daemon did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { root, port, daemon }
    }

    /// A new repository `name`: a work tree to commit in, pushed to the served bare one.
    fn repository(&self, name: &str, files: &[(String, String)]) -> Repository {
        let bare = self.root.path().join("served").join(format!("{name}.git"));
        git(
            self.root.path(),
            &["init", "-q", "--bare", bare.to_str().unwrap()],
        );
        let work = self.root.path().join("work").join(name);
        fs_err::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q"]);
        git(&work, &["remote", "add", "origin", bare.to_str().unwrap()]);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let first = commit(&work, &borrowed, "first");
        git(&work, &["push", "-q", "origin", "main"]);
        Repository {
            work,
            url: format!("git://127.0.0.1:{}/{name}.git", self.port),
            first,
        }
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

struct Repository {
    work: PathBuf,
    /// `git://127.0.0.1:<port>/<name>.git`.
    url: String,
    /// The first commit, on `main`.
    first: String,
}

impl Repository {
    /// Commits `files` on `main` and pushes; returns the new commit.
    fn advance(&self, files: &[(&str, &str)]) -> String {
        let commit = commit(&self.work, files, "next");
        git(&self.work, &["push", "-q", "origin", "main"]);
        commit
    }

    fn tag(&self, tag: &str) {
        git(&self.work, &["tag", tag]);
        git(&self.work, &["push", "-q", "origin", tag]);
    }
}

/// Three repositories: `gitpkg` (static, needs `pkg` from the index) locked by branch,
/// `dynpkg` (dynamic version, in `dyn/`) by tag, `hashpkg` by short hash.
struct Setup {
    server: GitServer,
    gitpkg: Repository,
    mono: Repository,
    hashpkg: Repository,
    index: TestIndex,
    project: Project,
}

fn setup() -> Setup {
    let server = GitServer::start();
    let gitpkg = server.repository(
        "gitpkg",
        &package_files("", "gitpkg", Some("1.0"), &["pkg"]),
    );
    let mono = server.repository("mono", &package_files("dyn", "dynpkg", None, &[]));
    mono.tag("v2.0");
    let hashpkg = server.repository("hashpkg", &package_files("", "hashpkg", Some("0.3"), &[]));
    let index = TestIndex::start(Universe::new().package(Package::new("pkg", "1.0")));
    let manifest = format!(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = [
    "gitpkg @ git+{}@main",
    "dynpkg @ git+{}@v2.0#subdirectory=dyn",
    "hashpkg @ git+{}@{}",
]
"#,
        gitpkg.url,
        mono.url,
        hashpkg.url,
        &hashpkg.first[..9],
    );
    let project = Project::with_manifest(&manifest, &[]);
    Setup {
        server,
        gitpkg,
        mono,
        hashpkg,
        index,
        project,
    }
}

/// The line of `locks/base.txt` that pins `name`.
fn pin_line(project: &Project, name: &str) -> String {
    let lock = project.read("locks/base.txt");
    lock.lines()
        .find(|line| line.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in the lock:\n{lock}"))
        .to_string()
}

#[test]
fn git_requirements_lock_to_full_commits_in_both_formats_and_install_with_pip() {
    let setup = setup();
    let project = &setup.project;
    project.lock_ok(&setup.index, &[]);

    assert_eq!(
        pin_line(project, "gitpkg"),
        format!("gitpkg @ git+{}@{}", setup.gitpkg.url, setup.gitpkg.first)
    );
    assert_eq!(
        pin_line(project, "dynpkg"),
        format!(
            "dynpkg @ git+{}@{}#subdirectory=dyn",
            setup.mono.url, setup.mono.first
        )
    );
    assert_eq!(
        pin_line(project, "hashpkg"),
        format!(
            "hashpkg @ git+{}@{}",
            setup.hashpkg.url, setup.hashpkg.first
        )
    );
    let lock = project.read("locks/base.txt");
    // `pkg`, the dependency of `gitpkg`, comes from the index; pip refuses hash-checking mode
    // with a git line, so the lock has no hash at all.
    assert!(lock.contains("pkg==1.0"), "{lock}");
    assert!(!lock.contains("--hash="), "{lock}");
    assert!(lock.contains("pins a git repository by commit"), "{lock}");

    let pylock = project.read("locks/pylock.base.toml");
    assert!(
        pylock.contains(&format!(
            "vcs = {{ type = \"git\", url = \"{}\", requested-revision = \"v2.0\", commit-id = \"{}\", subdirectory = \"dyn\" }}",
            setup.mono.url, setup.mono.first
        )),
        "{pylock}"
    );
    assert!(
        pylock.contains(&format!(
            "vcs = {{ type = \"git\", url = \"{}\", requested-revision = \"main\", commit-id = \"{}\" }}",
            setup.gitpkg.url, setup.gitpkg.first
        )),
        "{pylock}"
    );

    // The lock's metadata reads from the pinned commits, as `tree` shows.
    let tree = project
        .strata(&["tree", "--profile", "base"])
        .index(&setup.index)
        .output();
    assert_eq!(tree.code, 0, "{}", tree.render());
    assert!(
        tree.stdout
            .contains("gitpkg==1.0\n└── pkg [required: Any, locked: 1.0]"),
        "{}",
        tree.render()
    );

    // A second run finds the locks current.
    let again = project.lock_ok(&setup.index, &["--check"]);
    assert_eq!(again.code, 0, "{}", again.render());

    let venv = Venv::create().expect("python3 with venv, which this test needs");
    let lock_path = project.lock_path("base");
    venv.install(&setup.index, &["-r", lock_path.to_str().unwrap()]);
    assert_eq!(
        venv.run_python("import gitpkg, dynpkg, hashpkg, pkg; print(gitpkg.NAME, dynpkg.NAME)"),
        "gitpkg dynpkg"
    );
    let check = venv.pip(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    drop(setup.server);
}

#[test]
fn a_relock_keeps_the_locked_commit_until_the_package_is_upgraded() {
    let setup = setup();
    let project = &setup.project;
    project.lock_ok(&setup.index, &[]);
    let moved = setup.gitpkg.advance(&[("pyproject.toml", &format!(
        "{BUILD_SYSTEM}\n[project]\nname = \"gitpkg\"\nversion = \"1.1\"\ndependencies = [\"pkg\"]\n"
    ))]);

    project.lock_ok(&setup.index, &["--force"]);
    assert_eq!(
        pin_line(project, "gitpkg"),
        format!("gitpkg @ git+{}@{}", setup.gitpkg.url, setup.gitpkg.first)
    );

    project.lock_ok(&setup.index, &["--upgrade-package", "gitpkg"]);
    assert_eq!(
        pin_line(project, "gitpkg"),
        format!("gitpkg @ git+{}@{moved}", setup.gitpkg.url)
    );
    // The others stay where they were.
    assert_eq!(
        pin_line(project, "hashpkg"),
        format!(
            "hashpkg @ git+{}@{}",
            setup.hashpkg.url, setup.hashpkg.first
        )
    );
    let pylock = project.read("locks/pylock.base.toml");
    assert!(
        pylock.contains(&format!("commit-id = \"{moved}\"")),
        "{pylock}"
    );
}

#[test]
fn a_missing_repository_names_the_requirement_the_git_command_and_its_stderr() {
    let setup = setup();
    let project = Project::with_manifest(
        &format!(
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\n[profiles.base]\nrequirements = [\"gone @ git+git://127.0.0.1:{}/gone.git@main\"]\n",
            setup.server.port
        ),
        &[],
    );
    let output = project.lock(&setup.index, &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("Failed to resolve the git requirement `gone @ git+git://127.0.0.1:"),
        "{}",
        output.render()
    );
    assert!(output.stderr.contains("strata.toml"), "{}", output.render());
    assert!(output.stderr.contains("fetch"), "{}", output.render());
    assert!(output.stderr.contains("  | fatal:"), "{}", output.render());
}

#[test]
fn sync_installs_a_lock_with_git_pins_and_a_second_sync_keeps_them() {
    let setup = setup();
    let project = &setup.project;
    project.lock_ok(&setup.index, &[]);
    let output = crate::sync::sync(project, &setup.index, &["base"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let python = project.dir().join(".venvs/base/bin/python");
    let imported = Command::new(&python)
        .args(["-c", "import gitpkg, dynpkg, hashpkg; print(dynpkg.NAME)"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "dynpkg",
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    // pip's `direct_url.json` records each repository at its commit: nothing to reinstall.
    let again = crate::sync::sync(project, &setup.index, &["base"]);
    assert_eq!(again.code, 0, "{}", again.render());
    assert!(
        again
            .stderr
            .contains("already holds exactly the 4 distributions of `locks/base.txt`"),
        "{}",
        again.render()
    );
}

#[test]
fn compile_of_an_in_file_pins_the_commit_and_keeps_it_until_upgraded() {
    let setup = setup();
    let project = &setup.project;
    project.write(
        "requirements.in",
        &format!("# a comment\ngitpkg @ git+{}@main\n", setup.gitpkg.url),
    );
    let compile = |extra: &[&str]| {
        let mut args = vec![
            "compile",
            "requirements.in",
            "-o",
            "requirements.txt",
            "--generate-hashes",
            "--python-version",
            "3.11",
        ];
        args.extend_from_slice(extra);
        let output = project.strata(&args).index(&setup.index).output();
        assert_eq!(output.code, 0, "{}", output.render());
        project.read("requirements.txt")
    };
    let first = compile(&[]);
    let pinned = format!("gitpkg @ git+{}@{}", setup.gitpkg.url, setup.gitpkg.first);
    assert!(first.contains(&pinned), "{first}");
    assert!(first.contains("pkg==1.0"), "{first}");
    assert!(!first.contains("--hash="), "{first}");

    let moved = setup
        .gitpkg
        .advance(&[("gitpkg/__init__.py", "NAME = \"moved\"\n")]);
    assert!(compile(&[]).contains(&pinned));
    let upgraded = compile(&["--upgrade-package", "gitpkg"]);
    assert!(
        upgraded.contains(&format!("gitpkg @ git+{}@{moved}", setup.gitpkg.url)),
        "{upgraded}"
    );
}

#[test]
fn a_failing_git_requirement_of_an_in_file_names_its_line_and_never_a_password() {
    let setup = setup();
    let project = &setup.project;
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    project.write(
        "requirements.in",
        &format!("pkg\nsecret @ git+http://user:hunter2@127.0.0.1:{closed}/x.git@main\n"),
    );
    let output = project
        .strata(&["compile", "requirements.in", "--python-version", "3.11"])
        .index(&setup.index)
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("requirements.in:2"),
        "{}",
        output.render()
    );
    assert!(
        output.stderr.contains("git --git-dir"),
        "{}",
        output.render()
    );
    assert!(!output.stderr.contains("hunter2"), "{}", output.render());
    assert!(output.stderr.contains("****"), "{}", output.render());
}

#[test]
fn git_requirements_of_project_dependencies_and_extras_lock_to_commits() {
    let setup = setup();
    let manifest = "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n[profiles.base]\ninclude = [\"project\", \"extra:more\"]\n";
    let pyproject = format!(
        "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"gitpkg @ git+{}@main\"]\n\n\
         [project.optional-dependencies]\nmore = [\"hashpkg @ git+{}@{}\"]\n",
        setup.gitpkg.url,
        setup.hashpkg.url,
        &setup.hashpkg.first[..7],
    );
    let project = Project::with_manifest(manifest, &[("pyproject.toml", &pyproject)]);
    project.lock_ok(&setup.index, &[]);
    assert_eq!(
        pin_line(&project, "gitpkg"),
        format!("gitpkg @ git+{}@{}", setup.gitpkg.url, setup.gitpkg.first)
    );
    assert_eq!(
        pin_line(&project, "hashpkg"),
        format!(
            "hashpkg @ git+{}@{}",
            setup.hashpkg.url, setup.hashpkg.first
        )
    );
}

#[test]
fn a_build_backend_in_a_relative_submodule_is_checked_out_for_the_metadata_and_by_pip() {
    let server = GitServer::start();
    // The backend lives in a repository of its own, vendored as a submodule.
    server.repository(
        "backends",
        &[("backend.py".to_string(), BACKEND.to_string())],
    );
    let files = [
        (
            "pyproject.toml".to_string(),
            format!("{BUILD_SYSTEM}\n[project]\nname = \"subpkg\"\ndynamic = [\"version\"]\n"),
        ),
        ("VERSION".to_string(), "5.0\n".to_string()),
        (
            "subpkg/__init__.py".to_string(),
            "NAME = \"subpkg\"\n".to_string(),
        ),
    ];
    let repository = server.repository("subpkg", &files);
    // Relative, as projects write them so that a fork's submodules follow the fork.
    git(
        &repository.work,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            "../backends.git",
            "_backend",
        ],
    );
    let commit = repository.advance(&[]);
    let index = TestIndex::start(Universe::new());
    let project = Project::with_manifest(
        &format!(
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\
             lock-dir = \"locks\"\n\n[profiles.base]\nrequirements = [\"subpkg @ git+{}@main\"]\n",
            repository.url
        ),
        &[],
    );
    let output = project.lock_ok(&index, &[]);
    // The version comes from the backend, which only the submodule has.
    assert_eq!(
        pin_line(&project, "subpkg"),
        format!("subpkg @ git+{}@{commit}", repository.url),
        "{}",
        output.render()
    );
    let tree = project
        .strata(&["tree", "--profile", "base"])
        .index(&index)
        .output();
    assert_eq!(tree.code, 0, "{}", tree.render());
    assert!(tree.stdout.contains("subpkg==5.0"), "{}", tree.render());

    // pip checks the submodule out too, and builds with it.
    let venv = Venv::create().expect("python3 with venv, which this test needs");
    let lock_path = project.lock_path("base");
    venv.install(&index, &["-r", lock_path.to_str().unwrap()]);
    assert_eq!(
        venv.run_python("import subpkg; print(subpkg.NAME)"),
        "subpkg"
    );
    assert_eq!(venv.installed(), ["subpkg==5.0"]);
    drop(server);
}
