//! `strata sync PROFILE`: a virtual environment that holds exactly a lock, installed by the
//! venv's own pip from the loopback index, with what the lock does not name removed.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use strata_testindex::TestIndex;

use crate::project::TestProject;
use crate::{Output, filtered, universe};

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
fn isolate(command: &mut Command, project: &TestProject, index: &TestIndex) {
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

/// `strata sync <args>` in the project, whose pip installs from `index` only.
fn sync(project: &TestProject, index: &TestIndex, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command.arg("sync").args(args).current_dir(project.dir());
    isolate(&mut command, project, index);
    let output = command.output().unwrap();
    Output::from(output)
}

/// `name -> version` of every distribution in the venv but the tools it is seeded with.
fn installed(venv: &Path) -> BTreeMap<String, String> {
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
    let project = TestProject::new(MANIFEST, &[]);
    project.lock_ok(&index, &["app"]);
    index.reset_log();

    let output = sync(&project, &index, &["app"]);
    if output.code != 0
        && output
            .stderr
            .contains("Failed to create the virtual environment")
    {
        strata_testindex::tool_missing(format!("`python3 -m venv` failed:\n{}", output.render()));
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
    insta::assert_snapshot!(
        filtered(&output.render(), &[&index], &[project.root()]),
        @r"
    exit: 0
    --- stdout
    --- stderr
    Syncing `locks/app.txt` into `./.venvs/app`
    Updated `./.venvs/app`: 4 locked distributions installed, 1 removed (filelock)
    No broken requirements found.
    "
    );
}

#[test]
fn sync_of_a_profile_without_a_lock_exits_2_saying_to_run_strata_lock() {
    let index = TestIndex::start(universe::ml());
    let project = TestProject::new(MANIFEST, &[]);
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
    insta::assert_snapshot!(
        filtered(&output.render(), &[&index], &[project.root()]),
        @r"
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
    let project = TestProject::new(&manifest, &[]);
    project.lock_ok(&index, &["app"]);
    // pip's own configuration points nowhere: only what strata passes it can work.
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command.arg("sync").arg("app").current_dir(project.dir());
    isolate(&mut command, &project, &index);
    command.env("PIP_INDEX_URL", "http://127.0.0.1:9/simple/");
    let output = command.output().unwrap();
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
    let project = TestProject::new(MANIFEST, &[]);
    let mut lock = Command::new(env!("CARGO_BIN_EXE_strata"));
    lock.args(["lock", "--index-url", &private_url])
        .current_dir(project.dir());
    isolate(&mut lock, &project, &index);
    let output = Output::from(lock.output().unwrap());
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
    let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
    command.args(["sync", "app"]).current_dir(project.dir());
    isolate(&mut command, &project, &index);
    command.env("PIP_INDEX_URL", &private_url);
    let output = Output::from(command.output().unwrap());
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
