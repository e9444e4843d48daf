//! `strata sync PROFILE`: a virtual environment that holds exactly a lock, installed by the
//! venv's own pip from the loopback index, with what the lock does not name removed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use strata_testindex::TestIndex;

use crate::project::Locks;
use crate::support::{Output, Project, strata_snapshot};
use crate::universe;

/// A profile small enough to install in seconds, and one that is never locked.
const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.app]
requirements = ["rich"]

[profiles.docs]
requirements = ["click"]
"#;

/// What the venv's pip must never see: another index, another configuration, a proxy.
fn isolate(command: &mut Command, project: &Project, index: &TestIndex) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("PIP_") || key.to_ascii_lowercase().ends_with("_proxy") {
            command.env_remove(key.as_ref());
        }
    }
    strata_testindex::hermetic(command)
        .env("PIP_INDEX_URL", index.url())
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_CACHE_DIR", project.root().join("pip-cache"))
        .env("HOME", project.root())
        .env("XDG_CACHE_HOME", project.root().join("xdg-cache"))
        .env("XDG_CONFIG_HOME", project.root().join("xdg-config"))
        .env("STRATA_CACHE_DIR", project.cache())
        .env("NO_COLOR", "1");
}

/// `strata sync <args> --index-url <index>` in the project (the index its locks were made
/// with, see [`Locks::lock`]), whose pip installs from `index` only.
pub(crate) fn sync(project: &Project, index: &TestIndex, args: &[&str]) -> Output {
    let mut run = project.strata(&["sync"]).args(args).index(index);
    isolate(run.command(), project, index);
    run.output()
}

/// `name -> version` of every distribution in the venv but the tools it is seeded with.
pub(crate) fn installed(venv: &Path) -> BTreeMap<String, String> {
    let lib = fs_err::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs_err::read_dir(lib.join("site-packages"))
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let (package, version) = name.strip_suffix(".dist-info")?.rsplit_once('-')?;
            let package = package.to_lowercase().replace(['_', '.'], "-");
            (!["pip", "setuptools", "wheel"].contains(&package.as_str()))
                .then(|| (package, version.to_string()))
        })
        .collect()
}

#[test]
fn sync_creates_the_venv_with_exactly_the_lock_and_a_second_sync_removes_a_hand_installed_extra() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    index.reset_log();

    let output = sync(&project, &index, &["app"]);
    if venv_tool_missing(&output) {
        return;
    }
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("No broken requirements found"),
        "{}",
        output.render()
    );
    let venv = project.dir().join(".venvs/app");
    assert_eq!(installed(&venv), project.pins("app"), "{}", output.render());
    // pip took the locked files from the test index and nowhere else.
    assert_eq!(
        index.requests_for("/files/rich/rich-13.9.4").len(),
        1,
        "{:?}",
        index.requests()
    );

    // Something installed by hand, from the same index, that the lock does not name.
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "install", "--no-deps", "filelock==3.16.1"]);
    isolate(&mut pip, &project, &index);
    let pip = pip.output().unwrap();
    assert!(
        pip.status.success(),
        "{}",
        String::from_utf8_lossy(&pip.stderr)
    );
    assert!(installed(&venv).contains_key("filelock"));

    let output = sync(&project, &index, &["app"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(installed(&venv), project.pins("app"), "{}", output.render());
    strata_snapshot!(project.filters().index(&index), output, @r"
    exit: 0
    --- stdout
    --- stderr
    Syncing `locks/app.txt` into `./.venvs/app`
    Updated `./.venvs/app`: 4 locked distributions, 0 installed, 1 removed (filelock)
    No broken requirements found.
    "
    );
}

#[test]
fn sync_of_a_profile_without_a_lock_exits_2_saying_to_run_strata_lock() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    let output = sync(&project, &index, &["docs"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("strata lock docs"),
        "{}",
        output.render()
    );
    assert!(
        !project.dir().join(".venvs").exists(),
        "{}",
        output.render()
    );
    strata_snapshot!(project.filters().index(&index), output, @r"
    exit: 2
    --- stdout
    --- stderr
    error: No lock for `docs`: run `strata lock docs` first
      Caused by: failed to open file `./locks/docs.txt`: No such file or directory (os error 2)
    "
    );
}

#[test]
fn sync_installs_from_the_index_the_manifest_names_not_pips_own() {
    let index = TestIndex::start(universe::ml());
    let manifest = format!("index-url = \"{}\"\n{MANIFEST}", index.url());
    let project = Project::with_manifest(&manifest, &[]);
    project.lock_ok(&index, &["app"]);
    // pip's own configuration points nowhere: only what strata passes it can work.
    let mut run = project.strata(&["sync", "app"]);
    isolate(run.command(), &project, &index);
    let output = run
        .command()
        .env("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() && stderr.contains("Failed to create the virtual environment") {
        strata_testindex::tool_missing(format!("`python3 -m venv` failed:\n{stderr}"));
        return;
    }
    assert!(output.status.success(), "{stderr}");
    let venv = project.dir().join(".venvs/app");
    assert_eq!(installed(&venv), project.pins("app"), "{stderr}");
}

/// What the private index of [`sync_gives_pip_the_index_password_in_its_environment_never_on_a_command_line`]
/// accepts.
const PASSWORD: &str = "s3cret-sync-token";

/// Replaces `venv`'s `python` with a script that appends its command line to `log` and then
/// runs the real interpreter under the script's name, so `sys.executable` is the script and
/// every Python process pip starts is logged too.
#[cfg(unix)]
fn log_command_lines(venv: &Path, log: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let python = venv.join("bin/python");
    let real = fs_err::canonicalize(&python).unwrap();
    fs_err::remove_file(&python).unwrap();
    fs_err::write(
        &python,
        format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$0 $*\" >> '{}'\nexec -a \"$0\" '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    fs_err::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn sync_gives_pip_the_index_password_in_its_environment_never_on_a_command_line() {
    use strata_testindex::{Fault, Faults};
    let index = TestIndex::start_with_faults(
        universe::ml(),
        Faults::new().on(
            "/",
            Fault::RequireBasicAuth {
                login: "ml-team".to_string(),
                password: PASSWORD.to_string(),
            },
        ),
    );
    let private_url = index
        .url()
        .replacen("http://", &format!("http://ml-team:{PASSWORD}@"), 1);
    let project = Project::with_manifest(MANIFEST, &[]);
    let mut lock = project.strata(&["lock", "--index-url", &private_url]);
    isolate(lock.command(), &project, &index);
    let output = lock.output();
    assert_eq!(output.code, 0, "{}", output.render());

    let venv = project.dir().join(".venvs/app");
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output();
    if !made.as_ref().is_ok_and(|made| made.status.success()) {
        strata_testindex::tool_missing(format!("`python3 -m venv` failed: {made:?}"));
        return;
    }
    let log = project.root().join("command-lines.log");
    log_command_lines(&venv, &log);

    // The password comes the way CI jobs usually give it: in pip's own variable.
    let mut run = project.strata(&["sync", "app"]);
    isolate(run.command(), &project, &index);
    let output = run.env("PIP_INDEX_URL", &private_url).output();
    assert_eq!(output.code, 0, "{}", output.render());
    // pip did reach the private index with the password, and installed the lock from it.
    assert_eq!(installed(&venv), project.pins("app"), "{}", output.render());
    assert!(!output.render().contains(PASSWORD), "{}", output.render());

    let lines = fs_err::read_to_string(&log).unwrap();
    assert!(
        lines.lines().any(|line| line.contains("-m pip install")),
        "pip install ran through the logged interpreter:\n{lines}"
    );
    for line in lines.lines() {
        assert!(
            !line.contains(PASSWORD),
            "a command line holds the password: {line}"
        );
    }
}

/// Whether `output` failed because the machine's `python3` cannot make a venv; then the test
/// is skipped (or, in CI, failed) through `tool_missing`, and the caller returns.
fn venv_tool_missing(output: &Output) -> bool {
    if output.code != 0
        && output
            .stderr
            .contains("Failed to create the virtual environment")
    {
        strata_testindex::tool_missing(format!("`python3 -m venv` failed:\n{}", output.render()));
        return true;
    }
    false
}

/// `installed(venv)` as `name==version` lines, as `--format json` lists pins.
fn pin_lines(pins: &BTreeMap<String, String>) -> Vec<String> {
    pins.iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect()
}

#[cfg(unix)]
#[test]
fn sync_of_an_environment_that_already_holds_the_lock_says_nothing_to_change_without_running_pip() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    let first = sync(&project, &index, &["app"]);
    if venv_tool_missing(&first) {
        return;
    }
    assert_eq!(first.code, 0, "{}", first.render());
    let venv = project.dir().join(".venvs/app");
    let log = project.root().join("command-lines.log");
    log_command_lines(&venv, &log);
    index.reset_log();

    let second = sync(&project, &index, &["app"]);
    assert_eq!(second.code, 0, "{}", second.render());
    strata_snapshot!(project.filters().index(&index), second, @r"
    exit: 0
    --- stdout
    --- stderr
    Syncing `locks/app.txt` into `./.venvs/app`
    `./.venvs/app` already holds exactly the 4 distributions of `locks/app.txt`: nothing to change
    No broken requirements found.
    "
    );
    let lines = fs_err::read_to_string(&log).unwrap_or_default();
    assert!(
        !lines.contains("-m pip"),
        "pip ran for an environment that holds the lock:\n{lines}"
    );
    assert_eq!(index.requests().len(), 0, "{:?}", index.requests());

    // A pin removed by hand is the one thing pip installs again.
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "uninstall", "--yes", "pygments"]);
    isolate(&mut pip, &project, &index);
    assert!(pip.output().unwrap().status.success());
    let third = sync(&project, &index, &["app"]);
    assert_eq!(third.code, 0, "{}", third.render());
    assert!(
        third.stderr.contains(
            "Updated `./.venvs/app`: 4 locked distributions, 1 installed (pygments==2.18.0), 0 removed\n"
        ),
        "{}",
        third.render()
    );
    assert_eq!(installed(&venv), project.pins("app"), "{}", third.render());
}

#[test]
fn sync_of_a_stale_lock_warns_and_installs_it_and_locked_refuses_it_with_exit_1() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    let old_pins = project.pins("app");
    project.edit(
        "strata.toml",
        "requirements = [\"rich\"]",
        "requirements = [\"rich\", \"click\"]",
    );

    let refused = sync(&project, &index, &["app", "--locked"]);
    assert_eq!(refused.code, 1, "{}", refused.render());
    assert!(
        !project.dir().join(".venvs").exists(),
        "nothing is installed: {}",
        refused.render()
    );
    strata_snapshot!(project.filters().index(&index), refused, @r"
    exit: 1
    --- stdout
    --- stderr
    error: `locks/app.txt` is stale: its requirements changed since it was written; `--locked` refuses to install it: run `strata lock app` first
    "
    );

    let warned = sync(&project, &index, &["app"]);
    if venv_tool_missing(&warned) {
        return;
    }
    assert_eq!(warned.code, 0, "{}", warned.render());
    assert!(
        warned.stderr.starts_with(
            "warning: `locks/app.txt` is stale: its requirements changed since it was written; \
             installing it as it is (run `strata lock app` to update it, or pass `--locked` to \
             refuse a stale lock)\n"
        ),
        "{}",
        warned.render()
    );
    let venv = project.dir().join(".venvs/app");
    assert_eq!(installed(&venv), old_pins, "{}", warned.render());

    // Locked again, the lock is current: `--locked` installs it, and nothing is said of staleness.
    project.lock_ok(&index, &["app"]);
    let current = sync(&project, &index, &["app", "--locked"]);
    assert_eq!(current.code, 0, "{}", current.render());
    assert!(!current.stderr.contains("stale"), "{}", current.render());
    assert!(
        installed(&venv).contains_key("click"),
        "{}",
        current.render()
    );
    assert_eq!(
        installed(&venv),
        project.pins("app"),
        "{}",
        current.render()
    );
}

#[test]
fn sync_format_json_reports_the_status_what_was_installed_and_removed_and_the_findings() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    let parse = |output: &Output| -> serde_json::Value {
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|error| panic!("{error}: {}", output.render()))
    };

    let created = sync(&project, &index, &["app", "--format", "json"]);
    if venv_tool_missing(&created) {
        return;
    }
    assert_eq!(created.code, 0, "{}", created.render());
    let json = parse(&created);
    assert_eq!(json["profile"], "app");
    assert_eq!(json["lock"], "locks/app.txt");
    assert_eq!(json["venv"], "./.venvs/app");
    assert_eq!(json["status"], "created");
    assert!(json["stale"].is_null(), "{json}");
    assert_eq!(json["locked"], 4);
    assert_eq!(
        json["installed"],
        serde_json::json!(pin_lines(&project.pins("app")))
    );
    assert_eq!(json["removed"], serde_json::json!([]));
    assert_eq!(json["findings"], serde_json::json!([]));

    // Something the lock does not name is removed.
    let venv = project.dir().join(".venvs/app");
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "install", "--no-deps", "filelock==3.16.1"]);
    isolate(&mut pip, &project, &index);
    assert!(pip.output().unwrap().status.success());
    let updated = parse(&sync(&project, &index, &["app", "--format", "json"]));
    assert_eq!(updated["status"], "updated");
    assert_eq!(updated["installed"], serde_json::json!([]));
    assert_eq!(updated["removed"], serde_json::json!(["filelock"]));

    let unchanged = parse(&sync(&project, &index, &["app", "--format", "json"]));
    assert_eq!(unchanged["status"], "unchanged");
    assert_eq!(unchanged["installed"], serde_json::json!([]));
    assert_eq!(unchanged["removed"], serde_json::json!([]));

    // A lock edited by hand to drop a pin: stale, installed all the same, and the result has a
    // broken requirement (a finding, exit 1).
    let mut edited = String::new();
    let mut dropping = false;
    for line in project.read("locks/app.txt").split_inclusive('\n') {
        if !line.starts_with([' ', '#']) {
            dropping = line.starts_with("mdurl==");
        }
        if !dropping {
            edited.push_str(line);
        }
    }
    project.write("locks/app.txt", &edited);
    let broken = sync(&project, &index, &["app", "--format", "json"]);
    assert_eq!(broken.code, 1, "{}", broken.render());
    let json = parse(&broken);
    assert_eq!(json["status"], "updated", "{json}");
    assert_eq!(json["removed"], serde_json::json!(["mdurl"]), "{json}");
    assert_eq!(
        json["stale"]["reason"], "was edited after strata wrote it",
        "{json}"
    );
    assert_eq!(json["findings"][0]["kind"], "missing", "{json}");

    let refused = sync(&project, &index, &["app", "--format", "json", "--locked"]);
    assert_eq!(refused.code, 1, "{}", refused.render());
    let json = parse(&refused);
    assert_eq!(json["status"], "refused");
    assert!(
        json["stale"]["edited"]
            .as_array()
            .is_some_and(|lines| !lines.is_empty()),
        "{json}"
    );
}

#[cfg(unix)]
#[test]
fn sync_shows_progress_on_a_terminal_and_only_its_summary_in_a_pipe() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    // A terminal for strata's stderr: python3's pty module, which copies it to this pipe.
    let mut command = Command::new("python3");
    command
        .args([
            "-c",
            "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
            env!("CARGO_BIN_EXE_strata"),
            "sync",
            "app",
            "--index-url",
            &index.url(),
        ])
        .current_dir(project.dir())
        .stdin(std::process::Stdio::null());
    isolate(&mut command, &project, &index);
    let on_terminal = Output::from(command.output().unwrap());
    if on_terminal.code != 0 {
        strata_testindex::tool_missing(format!(
            "`python3` with its pty module and venv is needed:\n{}",
            on_terminal.render()
        ));
        return;
    }
    assert!(
        on_terminal
            .stdout
            .contains("Creating `./.venvs/app` and installing 4 distributions with pip ("),
        "{}",
        on_terminal.render()
    );

    let venv = project.dir().join(".venvs/app");
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "uninstall", "--yes", "pygments"]);
    isolate(&mut pip, &project, &index);
    assert!(pip.output().unwrap().status.success());
    let piped = sync(&project, &index, &["app"]);
    assert_eq!(piped.code, 0, "{}", piped.render());
    assert!(
        !piped.stderr.contains("with pip"),
        "no progress line in a pipe: {}",
        piped.render()
    );
}

#[test]
fn sync_keeps_a_direct_url_requirement_of_the_lock_installed() {
    let index = TestIndex::start(universe::ml());
    let wheel = index
        .files()
        .into_iter()
        .find(|file| {
            file.filename.starts_with("filelock-3.16.1-")
                && Path::new(&file.filename)
                    .extension()
                    .is_some_and(|extension| extension.eq_ignore_ascii_case("whl"))
        })
        .expect("the test index serves a filelock 3.16.1 wheel");
    let url = format!("{}{}", index.base_url(), wheel.url_path);
    let manifest = MANIFEST.replace(
        "requirements = [\"rich\"]",
        &format!(
            "requirements = [\"rich\", \"filelock @ {url}#sha256={}\"]",
            wheel.sha256
        ),
    );
    let project = Project::with_manifest(&manifest, &[]);
    project.lock_ok(&index, &["app"]);
    assert!(
        project
            .read("locks/app.txt")
            .contains(&format!("filelock @ {url}")),
        "{}",
        project.read("locks/app.txt")
    );
    // The lock: its index pins and the file at the URL.
    let mut locked = project.pins("app");
    locked.insert("filelock".to_string(), "3.16.1".to_string());

    let output = sync(&project, &index, &["app", "--format", "json"]);
    if venv_tool_missing(&output) {
        return;
    }
    assert_eq!(output.code, 0, "{}", output.render());
    let venv = project.dir().join(".venvs/app");
    assert_eq!(installed(&venv), locked, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    assert_eq!(json["locked"], 5, "{json}");
    assert_eq!(json["removed"], serde_json::json!([]), "{json}");
    assert!(
        json["installed"]
            .as_array()
            .is_some_and(|lines| lines.contains(&serde_json::json!("filelock==3.16.1"))),
        "{json}"
    );
    let check = project
        .strata(&["check", "--venv", ".venvs/app"])
        .index(&index)
        .output();
    assert_eq!(check.code, 0, "{}", check.render());

    // Installed from its URL, it is what the lock asks for: nothing to change.
    let again = sync(&project, &index, &["app"]);
    assert_eq!(again.code, 0, "{}", again.render());
    assert!(
        again.stderr.contains(
            "`./.venvs/app` already holds exactly the 5 distributions of `locks/app.txt`: nothing \
             to change"
        ),
        "{}",
        again.render()
    );

    // The same version from the index is not the file the lock names: pip puts the URL's back.
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "uninstall", "--yes", "filelock"]);
    isolate(&mut pip, &project, &index);
    assert!(pip.output().unwrap().status.success());
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args(["-m", "pip", "install", "--no-deps", "filelock==3.16.1"]);
    isolate(&mut pip, &project, &index);
    assert!(pip.output().unwrap().status.success());
    let reinstalled = sync(&project, &index, &["app"]);
    assert_eq!(reinstalled.code, 0, "{}", reinstalled.render());
    assert!(
        reinstalled
            .stderr
            .contains("1 installed (filelock==3.16.1), 0 removed"),
        "{}",
        reinstalled.render()
    );
    assert_eq!(installed(&venv), locked, "{}", reinstalled.render());
}

/// A PEP 660 backend of the standard library for `demo-app`: `build_editable` writes a wheel
/// whose `.pth` file puts `src/` on the path, `build_wheel` a wheel with the module copied.
const EDITABLE_BACKEND: &str = r#"import base64, hashlib, os, zipfile

NAME, MODULE, VERSION = "demo-app", "demo_app", "0.1.0"


def _wheel(directory, files):
    dist_info = "%s-%s.dist-info" % (MODULE, VERSION)
    files = dict(files)
    files[dist_info + "/METADATA"] = (
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\nRequires-Dist: rich\n" % (NAME, VERSION)
    ).encode()
    files[dist_info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [
        "%s,sha256=%s,%d"
        % (path, base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), len(data))
        for path, data in files.items()
    ]
    record.append(dist_info + "/RECORD,,")
    files[dist_info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    name = "%s-%s-py3-none-any.whl" % (MODULE, VERSION)
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {MODULE + ".pth": (os.path.abspath("src") + "\n").encode()})


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.join("src", MODULE, "__init__.py"), "rb") as f:
        return _wheel(wheel_directory, {MODULE + "/__init__.py": f.read()})
"#;

#[test]
fn sync_installs_the_project_itself_editable_unless_asked_not_to() {
    let index = TestIndex::start(universe::ml());
    let pyproject = "[build-system]\nrequires = []\nbuild-backend = \"editable_backend\"\nbackend-path = [\"backend\"]\n\n\
        [project]\nname = \"demo-app\"\nversion = \"0.1.0\"\ndependencies = [\"rich\"]\n\n\
        [tool.strata]\npython-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\n\n\
        [tool.strata.profiles.app]\ninclude = [\"project\"]\n";
    let project = Project::new(&[
        ("pyproject.toml", pyproject),
        ("backend/editable_backend.py", EDITABLE_BACKEND),
        ("src/demo_app/__init__.py", "VALUE = 1\n"),
    ]);
    project.lock_ok(&index, &["app"]);

    let output = sync(&project, &index, &["app"]);
    if venv_tool_missing(&output) {
        return;
    }
    assert_eq!(output.code, 0, "{}", output.render());
    let venv = project.dir().join(".venvs/app");
    let mut expected = project.pins("app");
    expected.insert("demo-app".to_string(), "0.1.0".to_string());
    assert_eq!(installed(&venv), expected, "{}", output.render());
    // Its requirements are the lock's pins: nothing is broken.
    assert!(
        output.stderr.contains("No broken requirements found"),
        "{}",
        output.render()
    );
    let value = || {
        let run = Command::new(venv.join("bin/python"))
            .args(["-I", "-c", "import demo_app; print(demo_app.VALUE)"])
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        String::from_utf8(run.stdout).unwrap().trim().to_string()
    };
    assert_eq!(value(), "1");
    // Editable: the environment sees the source as it is now.
    project.write("src/demo_app/__init__.py", "VALUE = 2\n");
    assert_eq!(value(), "2");

    // Held as it is: the second sync runs no pip.
    let again = sync(&project, &index, &["app", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.render());
    assert!(
        again.stdout.contains("\"status\": \"unchanged\""),
        "{}",
        again.render()
    );

    // Left out on request: removed as something the lock does not name.
    let without = sync(&project, &index, &["app", "--no-install-project"]);
    assert_eq!(without.code, 0, "{}", without.render());
    assert_eq!(
        installed(&venv),
        project.pins("app"),
        "{}",
        without.render()
    );
}
