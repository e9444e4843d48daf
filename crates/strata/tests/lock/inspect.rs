//! `strata check`, `tree` and `why` on the locks `strata lock` writes (`--profile NAME`): every
//! lock passes the checker, and `why` names what holds a pin, the profile's own lines included.

use strata_testindex::TestIndex;

use crate::project::{Locks, ml_project};
use crate::support::{Output, Project};
use crate::universe;

#[test]
fn every_lock_strata_writes_passes_strata_check() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let requests = index.requests().len();
    for profile in [
        "base",
        "backend",
        "build",
        "development",
        "quantization",
        "ui",
        "vllm",
    ] {
        let check = project
            .strata(&["check", "--profile", profile])
            .index(&index)
            .output();
        assert_eq!(
            (check.code, check.stdout.as_str()),
            (0, "No broken requirements found.\n"),
            "{profile}: {}",
            check.render()
        );
    }
    // Locking cached the metadata of every pinned file: checking fetches none, and only
    // revalidates the pages the index said must be (`max-age=0`), each answered `304`.
    let asked = &index.requests()[requests..];
    assert!(!asked.is_empty());
    for request in asked {
        assert!(
            request.path.starts_with("/simple/") && request.status == Some(304),
            "{request:?}"
        );
    }
}

/// The binding-constraint lines of `strata why`'s text.
fn held(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|line| line.contains(" is held by ") || line.contains(" violates "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn why_names_the_requirement_or_the_profile_line_that_holds_a_pin() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &["backend"]);
    let why = project
        .strata(&["why", "numpy", "--profile", "backend"])
        .index(&index)
        .output();
    insta::assert_snapshot!(why.render(), @r"
    exit: 0
    --- stdout
    numpy 1.26.4 (requested)
    Required through 2 paths:
      accelerate 0.33.0 -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      numpy 1.26.4
    numpy 1.26.4 is held by accelerate 0.33.0 (numpy>=1.17,<2.0.0); others hold it there too
    numpy 1.26.4 is held by bitsandbytes 0.43.3 (locked in `quantization`, solved with `backend`) (numpy<2); others hold it there too
    --- stderr
    ");

    // `base` is solved with its children: backend's accelerate and quantization's
    // bitsandbytes each hold base's numpy below 2.
    let why = project
        .strata(&["why", "numpy", "--profile", "base"])
        .index(&index)
        .output();
    insta::assert_snapshot!(held(&why.stdout), @r"
    numpy 1.26.4 is held by accelerate 0.33.0 (locked in `backend`, solved with `base`) (numpy>=1.17,<2.0.0); others hold it there too
    numpy 1.26.4 is held by bitsandbytes 0.43.3 (locked in `quantization`, solved with `base`) (numpy<2); others hold it there too
    ");
    // An engine stands on its parents' pins: base's pin holds the engine's numpy.
    project.lock_ok(&index, &["sglang"]);
    let why = project
        .strata(&["why", "numpy", "--profile", "sglang"])
        .index(&index)
        .output();
    insta::assert_snapshot!(held(&why.stdout), @"numpy 1.26.4 is held by locks/base.txt (the pin of parent `base`) (numpy==1.26.4); without it numpy 2.1.1 would be picked");

    // The profile's own line is a constraint like any package's requirement.
    project.edit("requirements/base.in", "numpy\n", "numpy<2\n");
    project.lock_ok(&index, &["base"]);
    let why = project
        .strata(&["why", "numpy", "--profile", "base", "--format", "json"])
        .index(&index)
        .output();
    let value: serde_json::Value = serde_json::from_str(&why.stdout).unwrap();
    insta::assert_json_snapshot!(value["constraints"], @r#"
    [
      {
        "by": "accelerate 0.33.0 (locked in `backend`, solved with `base`)",
        "specifier": ">=1.17,<2.0.0",
        "satisfied": true,
        "without_it": "1.26.4"
      },
      {
        "by": "bitsandbytes 0.43.3 (locked in `quantization`, solved with `base`)",
        "specifier": "<2",
        "satisfied": true,
        "without_it": "1.26.4"
      },
      {
        "by": "requirements/base.in:2 (profile `base`)",
        "specifier": "<2",
        "satisfied": true,
        "without_it": "1.26.4"
      }
    ]
    "#);

    let tree = project
        .strata(&["tree", "--profile", "base", "--depth", "1"])
        .index(&index)
        .output();
    insta::assert_snapshot!(tree.render(), @r"
    exit: 0
    --- stdout
    filelock==3.16.1
    numpy==1.26.4
    rich==13.9.4
    ├── markdown-it-py [required: >=2.2.0, locked: 3.0.0]
    └── pygments [required: >=2.13.0,<3.0.0, locked: 2.18.0]
    --- stderr
    ");

    let unknown = project
        .strata(&["check", "--profile", "nope"])
        .index(&index)
        .output();
    insta::assert_snapshot!(unknown.render(), @r"
    exit: 2
    --- stdout
    --- stderr
    error: No profile or engine `nope` in `strata.toml`; the project has `base`, `backend`, `build`, `development`, `quantization`, `ui`, `vllm`, `sglang`
    ");
}

#[test]
fn a_pylock_toml_reads_as_the_same_environment_as_its_requirements_lock() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &["backend"]);
    let requirements = project.lock_path("backend");
    let pylock = requirements.with_file_name("pylock.backend.toml");
    let tree = |lock: &std::path::Path| {
        project
            .strata(&[
                "tree",
                "--lock",
                lock.to_str().unwrap(),
                "--python-version",
                "3.11",
                "--format",
                "json",
            ])
            .index(&index)
            .output()
    };
    let (from_requirements, from_pylock) = (tree(&requirements), tree(&pylock));
    assert_eq!(from_pylock.code, 0, "{}", from_pylock.render());
    assert_eq!(from_pylock.stdout, from_requirements.stdout);
    let check = project
        .strata(&["check", "--lock", pylock.to_str().unwrap()])
        .index(&index)
        .output();
    assert_eq!(check.code, 0, "{}", check.render());
}

/// `strata check --lock` on `lock`, with the project's cache (filled by the lock run) and with
/// an empty one: the verdict, the findings and the exit code must not depend on which.
///
/// The warm run is first; with `fresh_pages` (the index granted `max-age` when the lock run
/// read its pages) it must ask the index nothing.
fn check_warm_and_cold(
    project: &Project,
    index: &TestIndex,
    lock: &str,
    fresh_pages: bool,
) -> (Output, Output) {
    let args = ["check", "--lock", lock];
    let requests = index.requests().len();
    let warm = project.strata(&args).index(index).output();
    if fresh_pages {
        let asked = &index.requests()[requests..];
        assert!(asked.is_empty(), "{asked:?}\n{}", warm.render());
    }
    let cold_cache = project.root().join("cold-cache");
    let cold = project
        .strata(&args)
        .index(index)
        .cache(&cold_cache)
        .output();
    (warm, cold)
}

#[test]
fn a_pin_whose_hashes_are_another_versions_files_is_a_finding_with_a_warm_cache_too() {
    // Pages fresh for ten minutes, as the index grants them: the warm check asks nothing.
    let index = TestIndex::start(universe::ml().page_max_age(600));
    let project = ml_project();
    project.lock_ok(&index, &[]);
    // numpy 2.1.1 with the hashes of 1.26.4's files, which the lock run cached the metadata of.
    let base = project.read("locks/base.txt");
    assert!(base.contains("numpy==1.26.4 "), "{base}");
    project.write(
        "wrong-hash.txt",
        &base.replace("numpy==1.26.4 ", "numpy==2.1.1 "),
    );
    let line = base
        .lines()
        .position(|line| line.starts_with("numpy=="))
        .unwrap()
        + 1;

    let (warm, cold) = check_warm_and_cold(&project, &index, "wrong-hash.txt", true);
    assert_eq!(warm.code, 1, "{}", warm.render());
    assert_eq!(
        (cold.code, &cold.stdout),
        (warm.code, &warm.stdout),
        "{}",
        cold.render()
    );
    assert_eq!(
        warm.stdout,
        format!(
            "numpy 2.1.1 (line {line} of the lock) could not be checked: no file of version \
             2.1.1 on the index has the lock's hash.\n"
        ),
        "{}",
        warm.render()
    );
}

#[test]
fn a_pinned_version_the_index_does_not_have_is_a_finding_with_a_warm_cache_too() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let backend = project.read("locks/backend.txt");
    let pin = backend
        .lines()
        .find(|line| line.starts_with("pydantic=="))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    project.write(
        "no-such-version.txt",
        &backend.replace(&format!("{pin} "), "pydantic==2.99.99 "),
    );
    let line = backend
        .lines()
        .position(|line| line.starts_with("pydantic=="))
        .unwrap()
        + 1;

    let (warm, cold) = check_warm_and_cold(&project, &index, "no-such-version.txt", false);
    assert_eq!(warm.code, 1, "{}", warm.render());
    assert_eq!(
        (cold.code, &cold.stdout),
        (warm.code, &warm.stdout),
        "{}",
        cold.render()
    );
    assert_eq!(
        warm.stdout,
        format!(
            "pydantic 2.99.99 (line {line} of the lock) could not be checked: the index has no \
             version 2.99.99.\n"
        ),
        "{}",
        warm.render()
    );
}
