//! `strata version` and `strata version bump`: every segment, a dynamic version in a module,
//! the rest of the file kept byte for byte, the release commit and tag in a temporary git
//! repository, and each refusal (which writes nothing).

use std::path::Path;
use std::process::Command;

use crate::strata;
use crate::support::{Output, Project, strata_snapshot};

/// A pyproject whose version sits among comments and odd spacing that a rewrite must keep.
fn pyproject(version: &str) -> String {
    format!(
        "# The app.\n[project]\nname    = \"app\"  # not \"1.2.3\"\nversion = '{version}'   # bumped by `strata version bump`\n\
         description = \"version = '1.2.3'\"\n\n[tool.strata]\npython-version = \"3.11\"\n"
    )
}

/// `git` with none of the machine's configuration and a fixed identity.
const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_AUTHOR_NAME", "Release Bot"),
    ("GIT_AUTHOR_EMAIL", "release@example.invalid"),
    ("GIT_COMMITTER_NAME", "Release Bot"),
    ("GIT_COMMITTER_EMAIL", "release@example.invalid"),
];

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .envs(GIT_ENV.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// The project as a git repository with everything committed; `None` (the test skipped,
/// saying why) when the machine has no `git`.
fn committed(project: &Project) -> Option<()> {
    if Command::new("git").arg("--version").output().is_err() {
        strata_testindex::tool_missing("`git` is not installed");
        return None;
    }
    git(project.dir(), &["init", "--quiet", "--initial-branch=main"]);
    git(project.dir(), &["add", "--all"]);
    git(project.dir(), &["commit", "--quiet", "-m", "initial"]);
    Some(())
}

fn bump(project: &Project, args: &[&str]) -> Output {
    let mut all = vec!["version", "bump"];
    all.extend_from_slice(args);
    project
        .strata(&all)
        .envs(GIT_ENV)
        .hiding(project.dir())
        .output()
}

#[test]
fn every_segment_moves_the_version_and_only_the_version() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("1.2.3", &["major"], "2.0.0"),
        ("1.2.3", &["minor"], "1.3.0"),
        ("1.2.3", &["patch"], "1.2.4"),
        ("1.3.0", &["pre"], "1.3.1a0"),
        ("1.3.1a0", &["pre"], "1.3.1a1"),
        ("1.3.0", &["pre", "--pre-kind", "rc"], "1.3.1rc0"),
        ("1.3.1a1", &["pre", "--pre-kind", "beta"], "1.3.1b0"),
        ("1.3.1rc0", &["pre", "--pre-kind", "rc"], "1.3.1rc1"),
        ("1.3.1rc1", &["patch"], "1.3.1"),
        ("2.0.0b1", &["major"], "2.0.0"),
        ("1.3.0", &["post"], "1.3.0.post0"),
        ("1.3.0.post0", &["post"], "1.3.0.post1"),
        ("1.3.0", &["dev"], "1.3.1.dev0"),
        ("1.3.1.dev0", &["dev"], "1.3.1.dev1"),
        ("1.3.0", &["1.4.0rc2"], "1.4.0rc2"),
    ];
    for (from, args, to) in cases {
        let project = Project::new(&[("pyproject.toml", &pyproject(from))]);
        let output = bump(&project, args);
        assert_eq!(output.code, 0, "{from} {args:?}: {}", output.render());
        assert_eq!(output.stdout, format!("{to}\n"), "{from} {args:?}");
        assert!(
            output
                .stderr
                .contains(&format!("from {from} to {to} in `pyproject.toml:4`")),
            "{from} {args:?}: {}",
            output.render()
        );
        assert_eq!(
            project.read("pyproject.toml"),
            pyproject(to),
            "{from} {args:?}"
        );
        let shown = strata(&project, &["version"]);
        assert_eq!(shown.stdout, format!("{to}\n"), "{from} {args:?}");
    }
}

#[test]
fn a_dynamic_version_in_a_module_is_read_and_bumped_in_place() {
    let manifest = "[project]\nname = \"eleanor\"\ndynamic = [\"version\"]\n\n[tool.strata]\n\
                    python-version = \"3.11\"\nversion-file = { path = \"src/eleanor/version.py\" }\n";
    let module = |version: &str| {
        format!(
            "\"\"\"Eleanor's version, bumped by `strata version bump`.\"\"\"\n\nVERSION_NOTE = \"not 0.4.2\"\n\
             __version__ = \"{version}\"  # keep this comment\n__all__ = [\"__version__\"]\n"
        )
    };
    let project = Project::new(&[
        ("pyproject.toml", manifest),
        ("src/eleanor/version.py", &module("0.4.2")),
    ]);
    let output = strata(&project, &["version", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["version"], "0.4.2");
    assert_eq!(json["file"], "src/eleanor/version.py");
    assert_eq!(json["line"], 4);
    assert_eq!(json["declared-by"], "version-file");

    let output = bump(&project, &["minor", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        (&json["from"], &json["to"]),
        (&"0.4.2".into(), &"0.5.0".into())
    );
    assert_eq!(json["written"], true);
    assert_eq!(project.read("src/eleanor/version.py"), module("0.5.0"));
    assert_eq!(project.read("pyproject.toml"), manifest);
}

#[test]
fn dry_run_prints_the_change_and_writes_nothing() {
    let project = Project::new(&[("pyproject.toml", &pyproject("1.2.3"))]);
    let output = bump(&project, &["minor", "--dry-run"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stdout, "pyproject.toml:4: 1.2.3 -> 1.3.0\n");
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.3"));
}

#[test]
fn a_version_that_is_not_higher_is_refused_unless_allowed() {
    let project = Project::new(&[("pyproject.toml", &pyproject("1.3.1b2"))]);
    for args in [
        &["1.3.0"][..],
        &["1.3.1b2"],
        &["pre", "--pre-kind", "alpha"],
    ] {
        let output = bump(&project, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.render());
        assert!(
            output
                .stderr
                .contains("is not higher; pass `--allow-downgrade`"),
            "{args:?}: {}",
            output.render()
        );
        assert_eq!(project.read("pyproject.toml"), pyproject("1.3.1b2"));
    }
    let output = bump(&project, &["1.3.0", "--allow-downgrade"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(project.read("pyproject.toml"), pyproject("1.3.0"));
}

#[test]
fn no_version_says_which_file_and_what_to_add() {
    let project = Project::new(&[(
        "pyproject.toml",
        "[project]\nname = \"app\"\n\n[tool.strata]\npython-version = \"3.11\"\n",
    )]);
    let output = strata(&project, &["version"]);
    assert_eq!(output.code, 2, "{}", output.render());
    strata_snapshot!("no_version", project.filters(), output);

    project.write(
        "pyproject.toml",
        "[project]\nname = \"app\"\ndynamic = [\"version\"]\n\n[tool.strata]\npython-version = \"3.11\"\n",
    );
    let output = bump(&project, &["patch"]);
    assert_eq!(output.code, 2, "{}", output.render());
    strata_snapshot!("dynamic_version_without_a_file", project.filters(), output);
}

#[test]
fn tag_makes_an_annotated_tag_on_a_commit_of_just_the_version_file() {
    let project = Project::new(&[
        ("pyproject.toml", &pyproject("1.2.3")),
        ("src/app/__init__.py", ""),
    ]);
    if committed(&project).is_none() {
        return;
    }
    let before = git(project.dir(), &["rev-parse", "HEAD"]);
    let output = bump(&project, &["patch", "--commit", "--tag"]);
    assert_eq!(output.code, 0, "{}", output.render());

    let dir = project.dir();
    assert_eq!(git(dir, &["log", "-1", "--format=%s"]), "Release 1.2.4");
    assert_eq!(git(dir, &["rev-parse", "HEAD~1"]), before);
    assert_eq!(
        git(dir, &["show", "--name-only", "--format=", "HEAD"]),
        "pyproject.toml"
    );
    assert_eq!(git(dir, &["cat-file", "-t", "v1.2.4"]), "tag", "annotated");
    assert_eq!(
        git(dir, &["rev-parse", "v1.2.4^{commit}"]),
        git(dir, &["rev-parse", "HEAD"])
    );
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.4"));
}

#[test]
fn commit_and_tag_refusals_write_nothing() {
    let project = Project::new(&[
        ("pyproject.toml", &pyproject("1.2.3")),
        ("src/app/__init__.py", ""),
    ]);
    // Not a repository yet.
    let output = bump(&project, &["patch", "--commit"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("needs a git repository"),
        "{}",
        output.render()
    );
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.3"));

    if committed(&project).is_none() {
        return;
    }
    let head = git(project.dir(), &["rev-parse", "HEAD"]);

    // Another file changed.
    project.write("src/app/__init__.py", "x = 1\n");
    let output = bump(&project, &["patch", "--commit"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("other changes (`src/app/__init__.py`)"),
        "{}",
        output.render()
    );
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.3"));
    git(project.dir(), &["checkout", "--", "src/app/__init__.py"]);

    // The tag exists.
    git(project.dir(), &["tag", "v1.2.4"]);
    let output = bump(&project, &["patch", "--commit", "--tag"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("the tag `v1.2.4` already exists"),
        "{}",
        output.render()
    );
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.3"));
    assert_eq!(git(project.dir(), &["rev-parse", "HEAD"]), head);

    // A change to the version file itself is not a refusal: it goes into the release commit.
    project.edit("pyproject.toml", "# The app.", "# The app, released.");
    let output = bump(&project, &["minor", "--commit", "--tag"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(git(project.dir(), &["cat-file", "-t", "v1.3.0"]), "tag");
}

#[test]
fn a_bump_that_is_neither_a_segment_nor_a_version_is_refused() {
    let project = Project::new(&[("pyproject.toml", &pyproject("1.2.3"))]);
    for (args, fragment) in [
        (&["mayor"][..], "`mayor` is neither a segment"),
        (
            &["minor", "--pre-kind", "rc"],
            "`--pre-kind` chooses the kind of a `pre` bump",
        ),
    ] {
        let output = bump(&project, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.render());
        assert!(output.stderr.contains(fragment), "{}", output.render());
        assert!(output.stdout.is_empty(), "{}", output.render());
    }
    assert_eq!(project.read("pyproject.toml"), pyproject("1.2.3"));
}

#[test]
fn a_plain_version_file_next_to_strata_toml_is_read_and_bumped() {
    let project = Project::new(&[
        (
            "strata.toml",
            "python-version = \"3.11\"\nversion-file = { path = \"VERSION\" }\n",
        ),
        ("VERSION", "0.9.0\n"),
    ]);
    let output = bump(&project, &["pre", "--pre-kind", "rc"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(project.read("VERSION"), "0.9.1rc0\n");
    assert_eq!(strata(&project, &["version"]).stdout, "0.9.1rc0\n");
}
