//! `strata diff OLD NEW`: the changes between two locks, named by file, profile or `REV:PATH`.

use std::process::Command;

use strata_testindex::TestIndex;

use crate::project::{Locks, ml_project};
use crate::support::{Output, Project};
use crate::universe;

/// Runs git in the project with a fixed identity and no user configuration.
fn git(project: &Project, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(project.dir())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `strata diff <args>` in the project.
fn diff(project: &Project, args: &[&str]) -> Output {
    project.strata(&["diff"]).args(args).output()
}

#[test]
fn diff_names_every_change_between_two_locks_by_file_profile_or_revision() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &["backend"]);

    // Two profiles of one hierarchy: the child adds to its parent's pins and changes none.
    let output = diff(&project, &["base", "backend"]);
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @r"
    locks/base.txt -> locks/backend.txt
    + accelerate 0.33.0
    + annotated-types 0.7.0
    + anyio 4.6.0
    + click 8.1.7
    + fastapi 0.115.0
    + fsspec 2024.9.0
    + h11 0.14.0
    + idna 3.10
    + jinja2 3.1.4
    + markupsafe 2.1.5
    + mpmath 1.3.0
    + networkx 3.3
    + packaging 24.1
    + psutil 6.0.0
    + pydantic 2.9.2
    + pydantic-core 2.23.4
    + pyyaml 6.0.2
    + sniffio 1.3.1
    + starlette 0.38.6
    + sympy 1.13.3
    + torch 2.7.0
    + typing-extensions 4.12.2
    + uvicorn 0.30.6
    23 added, 0 removed, 0 upgraded, 0 downgraded
    ");

    // A change to the project, seen as git saw the lock before it.
    git(&project, &["init", "--quiet"]);
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "--quiet", "-m", "locked"]);
    project.edit("requirements/base.in", "numpy\n", "numpy<1.27\n");
    project.edit("requirements/base.in", "rich>=13\n", "");
    project.lock_ok(&index, &["base"]);
    let output = diff(&project, &["HEAD:locks/base.txt", "base", "--exit-code"]);
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @r"
    HEAD:locks/base.txt -> locks/base.txt
    - markdown-it-py 3.0.0
    - mdurl 0.1.2
    - pygments 2.18.0
    - rich 13.9.4
    0 added, 4 removed, 0 upgraded, 0 downgraded
    ");

    let json = diff(
        &project,
        &["HEAD:locks/base.txt", "locks/base.txt", "--format", "json"],
    );
    assert_eq!(json.code, 0, "{}", json.render());
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    insta::assert_json_snapshot!(value["removed"], @r#"
    [
      {
        "name": "markdown-it-py",
        "version": "3.0.0"
      },
      {
        "name": "mdurl",
        "version": "0.1.2"
      },
      {
        "name": "pygments",
        "version": "2.18.0"
      },
      {
        "name": "rich",
        "version": "13.9.4"
      }
    ]
    "#);

    // A lock edited by hand: one pin up, one down.
    let edited = project
        .read("locks/base.txt")
        .replace("numpy==1.26.4", "numpy==2.1.1")
        .replace("filelock==3.16.1", "filelock==3.0.0");
    project.write("locks/edited.txt", &edited);
    let output = diff(&project, &["base", "locks/edited.txt"]);
    insta::assert_snapshot!(output.stdout, @r"
    locks/base.txt -> locks/edited.txt
    ↑ numpy 1.26.4 -> 2.1.1
    ↓ filelock 3.16.1 -> 3.0.0
    0 added, 0 removed, 1 upgraded, 1 downgraded
    ");

    let missing = diff(&project, &["nothing", "base"]);
    assert_eq!(missing.code, 2, "{}", missing.render());
}
