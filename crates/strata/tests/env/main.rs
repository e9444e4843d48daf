//! `strata check`, `strata tree` and `strata why` on real venvs built by real pip from the
//! loopback test index, with `pip check` as the oracle for `strata check`.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers fail the test on setup errors, like the tests themselves"
)]

#[path = "../support/mod.rs"]
mod support;

use std::fmt::Write;

use strata_testindex::universes::fine_tuning;
use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::support::{Output, Strata};

/// Runs of pip and strata in a venv's hermetic directory, with its path shown as `[TEMP]`.
trait Runs {
    fn pip_run(&self, args: &[&str]) -> Output;
    fn strata(&self, args: &[&str]) -> Output;
    /// strata with `VIRTUAL_ENV` pointing at this venv, as after `source venv/bin/activate`.
    fn strata_activated(&self, args: &[&str]) -> Output;
}

impl Runs for Venv {
    fn pip_run(&self, args: &[&str]) -> Output {
        let output = self
            .command("python3")
            .args(["-m", "pip", "--python"])
            .arg(self.python())
            .args(args)
            .output()
            .unwrap();
        Output::from(output).hiding(&self.root().display().to_string(), support::TEMP)
    }

    fn strata(&self, args: &[&str]) -> Output {
        Strata::in_venv(self, args).hiding(self.root()).output()
    }

    fn strata_activated(&self, args: &[&str]) -> Output {
        Strata::in_venv(self, args)
            .env("VIRTUAL_ENV", self.dir())
            .hiding(self.root())
            .output()
    }
}

/// The fine-tuning stack, and a release whose metadata is written in ways pip still reads: a
/// name that is not normalized, a parenthesized specifier, markers, and a requirement on a
/// package the index does not have.
fn universe() -> Universe {
    fine_tuning().package(
        Package::new("Odd_Name", "1.0")
            .requires("Packaging (>=25, <26) ; python_version >= '3'")
            .requires("missing-one; sys_platform != 'win32'")
            .requires("ancient; python_version < '3'"),
    )
}

#[test]
fn check_matches_pip_check_on_a_broken_environment() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(universe());
    venv.install(&index, &["axolotl"]);

    let pip = venv.pip_run(&["check"]);
    let strata = venv.strata(&["check", "--venv", "venv"]);
    assert_eq!((strata.code, &strata.stdout), (pip.code, &pip.stdout));
    insta::assert_snapshot!(strata.render(), @r"
    exit: 0
    --- stdout
    No broken requirements found.
    --- stderr
    ");

    venv.install(&index, &["--no-deps", "numpy==2.1.1", "Odd_Name"]);
    let pip = venv.pip_run(&["check"]);
    let strata = venv.strata(&["check", "--python", "venv/bin/python"]);
    assert_eq!(strata.sorted_lines(), pip.sorted_lines());
    assert_eq!(strata.code, pip.code);
    insta::assert_snapshot!(strata.render(), @r#"
    exit: 1
    --- stdout
    odd-name 1.0 requires missing-one, which is not installed.
    accelerate 0.33.0 has requirement numpy<2.0.0,>=1.17, but you have numpy 2.1.1.
    odd-name 1.0 has requirement Packaging<26,>=25; python_version >= "3", but you have packaging 24.1.
    --- stderr
    "#);

    let json = venv.strata_activated(&["check", "--format", "json"]);
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    insta::assert_json_snapshot!(value["findings"][0], @r#"
    {
      "kind": "missing",
      "package": "odd-name",
      "version": "1.0",
      "requirement_name": "missing-one",
      "requirement": "missing-one; sys_platform != \"win32\""
    }
    "#);
}

#[test]
fn tree_invert_and_why_explain_numpy_in_the_issue_environment() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(universe());
    venv.install(&index, &["axolotl"]);

    let why = venv.strata_activated(&["why", "numpy"]);
    insta::assert_snapshot!(why.render(), @r"
    exit: 0
    --- stdout
    numpy 1.26.4
    Required through 7 paths:
      axolotl 0.4.1 -> accelerate 0.33.0 (accelerate==0.33.0) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> bitsandbytes 0.43.3 (bitsandbytes==0.43.3) -> numpy 1.26.4 (any version)
      axolotl 0.4.1 -> datasets 2.20.0 (datasets==2.20.0) -> numpy 1.26.4 (numpy>=1.17)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> accelerate 0.33.0 (accelerate>=0.21.0) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> numpy 1.26.4 (numpy>=1.17)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> accelerate 0.33.0 (any version) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> datasets 2.20.0 (datasets>=2.18.0) -> numpy 1.26.4 (numpy>=1.17)
    numpy 1.26.4 is held by accelerate 0.33.0 (numpy>=1.17,<2.0.0)
    --- stderr
    ");

    venv.install(&index, &["--no-deps", "numpy==2.1.1"]);
    let site_packages = venv.dir().join("lib");
    let python_dir = fs_err::read_dir(&site_packages)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let site_packages = python_dir.join("site-packages");
    let tree = venv.strata(&[
        "tree",
        "--invert",
        "--package",
        "numpy",
        "--site-packages",
        site_packages.to_str().unwrap(),
    ]);
    insta::assert_snapshot!(tree.render(), @r"
    exit: 0
    --- stdout
    numpy==2.1.1
    ├── accelerate==0.33.0 [requires: numpy>=1.17,<2.0.0] (violated)
    │   ├── axolotl==0.4.1 [requires: accelerate==0.33.0]
    │   ├── peft==0.12.0 [requires: accelerate>=0.21.0]
    │   │   └── axolotl==0.4.1 [requires: peft==0.12.0]
    │   └── trl==0.9.6 [requires: accelerate]
    │       └── axolotl==0.4.1 [requires: trl==0.9.6]
    ├── bitsandbytes==0.43.3 [requires: numpy]
    │   └── axolotl==0.4.1 [requires: bitsandbytes==0.43.3]
    ├── datasets==2.20.0 [requires: numpy>=1.17]
    │   ├── axolotl==0.4.1 [requires: datasets==2.20.0]
    │   └── trl==0.9.6 [requires: datasets>=2.18.0]
    │       └── axolotl==0.4.1 [requires: trl==0.9.6]
    └── peft==0.12.0 [requires: numpy>=1.17]
        └── axolotl==0.4.1 [requires: peft==0.12.0]
    --- stderr
    warning: Some requirements are not satisfied; `strata check` lists them
    ");

    let why = venv.strata(&["why", "numpy", "--venv", "venv"]);
    insta::assert_snapshot!(why.render(), @r"
    exit: 0
    --- stdout
    numpy 2.1.1 (requested)
    Required through 8 paths:
      axolotl 0.4.1 -> accelerate 0.33.0 (accelerate==0.33.0) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> bitsandbytes 0.43.3 (bitsandbytes==0.43.3) -> numpy 2.1.1 (any version)
      axolotl 0.4.1 -> datasets 2.20.0 (datasets==2.20.0) -> numpy 2.1.1 (numpy>=1.17)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> accelerate 0.33.0 (accelerate>=0.21.0) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> numpy 2.1.1 (numpy>=1.17)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> accelerate 0.33.0 (any version) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> datasets 2.20.0 (datasets>=2.18.0) -> numpy 2.1.1 (numpy>=1.17)
      numpy 2.1.1
    numpy 2.1.1 violates accelerate 0.33.0 (numpy>=1.17,<2.0.0)
    --- stderr
    ");

    let mermaid = venv.strata(&[
        "tree",
        "--venv",
        "venv",
        "--package",
        "trl",
        "--depth",
        "1",
        "--format",
        "mermaid",
    ]);
    insta::assert_snapshot!(mermaid.render(), @r#"
    exit: 0
    --- stdout
    flowchart TD
        accelerate["accelerate 0.33.0"]
        datasets["datasets 2.20.0"]
        trl["trl 0.9.6"]
        trl -- "any" --> accelerate
        trl -- ">=2.18.0" --> datasets
    --- stderr
    "#);
}

#[test]
fn bad_environments_and_names_exit_2() {
    let Some(venv) = Venv::create() else { return };
    let output = venv.strata(&["check", "--venv", "nowhere"]);
    insta::assert_snapshot!(output.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: No Python interpreter in the virtual environment `nowhere` (looked for `nowhere/bin/python`)
    ");
    let output = venv.strata(&["why", "not-installed", "--venv", "venv"]);
    insta::assert_snapshot!(output.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: `not-installed` is not installed in this environment
    ");
    let output = venv.strata(&["tree", "--venv", "venv", "--package", "not-installed"]);
    insta::assert_snapshot!(output.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: `not-installed` is not installed in this environment
    ");
    let output = venv.strata(&[
        "check",
        "--python",
        "venv/bin/python",
        "--site-packages",
        "x",
    ]);
    insta::assert_snapshot!(output.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: the argument '--python <PATH>' cannot be used with '--site-packages <DIR>'

    Usage: strata check --python <PATH>

    For more information, try '--help'.
    ");
}

/// The lock block of `name==version` with the hashes the test index serves for that version.
fn pinned_block(index: &TestIndex, name: &str, filename_prefix: &str, via: &str) -> String {
    let mut block = name.to_string();
    for file in index.files() {
        if file.filename.starts_with(filename_prefix) {
            let _ = write!(block, " \\\n    --hash=sha256:{}", file.sha256);
        }
    }
    let _ = write!(block, "\n    # via {via}\n");
    block
}

/// Replaces the block of `name` (from its pin line to the next unindented line) in a lock.
fn replace_block(lock: &str, name: &str, block: &str) -> String {
    let start = lock.find(&format!("\n{name}==")).unwrap() + 1;
    let end = lock[start..]
        .match_indices('\n')
        .map(|(offset, _)| start + offset + 1)
        .find(|&line| line >= lock.len() || !lock[line..].starts_with(' '))
        .unwrap();
    format!("{}{block}{}", &lock[..start], &lock[end..])
}

#[test]
fn check_tree_and_why_on_a_lock_match_pip_on_what_the_lock_installs() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(universe());
    let url = index.url();
    let python_version = venv.python_version();
    let lock_flags = |lock: &str| -> Vec<String> {
        [
            "--lock",
            lock,
            "--index-url",
            &url,
            "--python-version",
            &python_version,
        ]
        .map(str::to_string)
        .to_vec()
    };
    let strata = |args: &[&str], lock: &str| {
        let mut all: Vec<String> = args.iter().map(ToString::to_string).collect();
        all.extend(lock_flags(lock));
        venv.strata(&all.iter().map(String::as_str).collect::<Vec<_>>())
    };

    fs_err::write(venv.root().join("requirements.in"), "axolotl\n").unwrap();
    let compiled = venv.strata(&[
        "compile",
        "requirements.in",
        "-o",
        "lock.txt",
        "--generate-hashes",
        "--index-url",
        &url,
        "--python-version",
        &python_version,
    ]);
    assert_eq!(compiled.code, 0, "{}", compiled.render());

    // A consistent lock: nothing to report, and numpy is held below 2 by accelerate alone.
    let check = strata(&["check"], "lock.txt");
    assert_eq!(
        (check.code, check.stdout.as_str()),
        (0, "No broken requirements found.\n")
    );
    let why = strata(&["why", "numpy"], "lock.txt");
    assert!(
        why.stdout.ends_with(
            "numpy 1.26.4 is held by accelerate 0.33.0 (numpy>=1.17,<2.0.0); without it numpy \
             2.1.1 would be picked\n"
        ),
        "{}",
        why.render()
    );

    // A broken lock, made as people make them: numpy bumped by hand, a package added without
    // its requirements.
    let text = fs_err::read_to_string(venv.root().join("lock.txt")).unwrap();
    let mut broken = replace_block(
        &text,
        "numpy",
        &pinned_block(&index, "numpy==2.1.1", "numpy-2.1.1", "-r requirements.in"),
    );
    broken.push_str(&pinned_block(
        &index,
        "odd-name==1.0",
        "odd_name-1.0",
        "-r requirements.in",
    ));
    fs_err::write(venv.root().join("broken.txt"), &broken).unwrap();

    let output = venv.pip_run(&[
        "install",
        "--index-url",
        &url,
        "--no-cache-dir",
        "--no-deps",
        "--require-hashes",
        "-r",
        "broken.txt",
    ]);
    assert_eq!(output.code, 0, "{}", output.render());
    let pip = venv.pip_run(&["check"]);
    let check = strata(&["check"], "broken.txt");
    // The same problems, in pip's sentences about pins instead of installs.
    let as_pip: Vec<String> = check
        .sorted_lines()
        .iter()
        .map(|line| {
            line.replace("which is not in the lock", "which is not installed")
                .replace("but the lock pins", "but you have")
        })
        .collect();
    assert_eq!(as_pip, pip.sorted_lines(), "{}", check.render());
    assert_eq!(check.code, pip.code);
    insta::assert_snapshot!(check.render(), @r#"
    exit: 1
    --- stdout
    odd-name 1.0 requires missing-one, which is not in the lock.
    accelerate 0.33.0 has requirement numpy<2.0.0,>=1.17, but the lock pins numpy 2.1.1.
    odd-name 1.0 has requirement Packaging<26,>=25; python_version >= "3", but the lock pins packaging 24.1.
    --- stderr
    "#);

    // The lock's tree is the tree of what it installs.
    let tree = strata(&["tree", "--invert", "--package", "numpy"], "broken.txt");
    let installed = venv.strata(&["tree", "--invert", "--package", "numpy", "--venv", "venv"]);
    assert_eq!(tree.render(), installed.render());
    assert!(
        tree.stdout
            .contains("accelerate==0.33.0 [requires: numpy>=1.17,<2.0.0] (violated)")
    );
    let why = strata(&["why", "numpy"], "broken.txt");
    insta::assert_snapshot!(why.render(), @r"
    exit: 0
    --- stdout
    numpy 2.1.1 (requested)
    Required through 8 paths:
      axolotl 0.4.1 -> accelerate 0.33.0 (accelerate==0.33.0) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> bitsandbytes 0.43.3 (bitsandbytes==0.43.3) -> numpy 2.1.1 (any version)
      axolotl 0.4.1 -> datasets 2.20.0 (datasets==2.20.0) -> numpy 2.1.1 (numpy>=1.17)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> accelerate 0.33.0 (accelerate>=0.21.0) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> numpy 2.1.1 (numpy>=1.17)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> accelerate 0.33.0 (any version) -> numpy 2.1.1 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> datasets 2.20.0 (datasets>=2.18.0) -> numpy 2.1.1 (numpy>=1.17)
      numpy 2.1.1
    numpy 2.1.1 violates accelerate 0.33.0 (numpy>=1.17,<2.0.0); numpy 1.26.4 is the newest release every requirement allows
    --- stderr
    ");

    // A pin the index does not have is reported, not fatal.
    fs_err::write(
        venv.root().join("gone.txt"),
        "numpy==9.9.9\npackaging==24.1\n",
    )
    .unwrap();
    let gone = strata(&["check"], "gone.txt");
    insta::assert_snapshot!(gone.render(), @r"
    exit: 1
    --- stdout
    numpy 9.9.9 (line 1 of the lock) could not be checked: the index has no version 9.9.9.
    --- stderr
    ");
    let absent = strata(&["why", "torch"], "gone.txt");
    insta::assert_snapshot!(absent.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: `torch` is not in the lock `gone.txt`
    ");
    let unpinned = {
        fs_err::write(venv.root().join("loose.txt"), "numpy\nnumpy>=1\n").unwrap();
        strata(&["tree"], "loose.txt")
    };
    insta::assert_snapshot!(unpinned.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: loose.txt:1: `numpy` has no version; a lock pins every requirement with `==`
    ");
}
