//! `strata outdated`: how far each engine's version file is behind the index.

use strata_testindex::{Package, TestIndex};

use crate::project::{Locks, ml_project};
use crate::support::{Output, Project};
use crate::universe;

#[test]
fn outdated_lists_newer_final_releases_of_each_engine_and_where_its_version_is_written() {
    let index = TestIndex::start(
        universe::ml()
            .package(Package::new("vllm", "0.6.4"))
            .package(Package::new("vllm", "0.7.0"))
            .package(Package::new("vllm", "0.7.1").yanked("broken"))
            .package(Package::new("vllm", "0.8.0rc1")),
    );
    let project = ml_project();
    let output = project.strata(&["outdated"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @r"
    vllm             0.6.3        0.7.0 is out (2 newer releases); the version is in engine_versions/vllm.yaml (library.current_version)
    sglang           0.4.0        up to date
    ");

    let output = project
        .strata(&["outdated", "vllm", "--exit-code", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(value["schema-version"], 1, "{value}");
    insta::assert_json_snapshot!(value["engines"], @r#"
    [
      {
        "engine": "vllm",
        "package": "vllm",
        "current": "0.6.3",
        "version-file": "engine_versions/vllm.yaml (library.current_version)",
        "newer": [
          "0.6.4",
          "0.7.0"
        ],
        "newest": "0.7.0",
        "allowed": [
          "0.6.4",
          "0.7.0"
        ],
        "newest-allowed": "0.7.0"
      }
    ]
    "#);

    let output = project
        .strata(&["outdated", "sglang", "--exit-code"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&["outdated", "nope"]).index(&index).output();
    assert_eq!(output.code, 2, "{}", output.render());
}

#[test]
fn bump_rewrites_the_version_file_and_relocks_or_puts_it_back() {
    let vllm = |version: &str, numpy: &str| {
        Package::new("vllm", version)
            .requires("torch==2.5.1")
            .requires("transformers>=4.45.2")
            .requires(numpy)
            .requires("psutil")
    };
    let index = TestIndex::start(
        universe::ml()
            .package(vllm("0.7.0", "numpy<2.0.0"))
            // Needs numpy 2, which base's pins do not allow.
            .package(vllm("0.8.0", "numpy>=2")),
    );
    let project = ml_project();
    project.lock_ok(&index, &["vllm"]);

    let output = project
        .strata(&["bump", "vllm", "--to", "0.7.0"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        project.read("engine_versions/vllm.yaml"),
        "library:\n  name: vllm\n  current_version: \"0.7.0\"\n"
    );
    assert_eq!(project.pins("vllm")["vllm"], "0.7.0");

    let before = project.read("locks/vllm.txt");
    let output = project.strata(&["bump", "vllm"]).index(&index).output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(
            "`vllm` 0.8.0 could not be locked; `engine_versions/vllm.yaml` is back at 0.7.0"
        ),
        "{}",
        output.render()
    );
    assert_eq!(
        project.read("engine_versions/vllm.yaml"),
        "library:\n  name: vllm\n  current_version: \"0.7.0\"\n"
    );
    assert_eq!(project.read("locks/vllm.txt"), before);
}

/// An engine whose own extra bounds its package below the next major release, as projects pin
/// `transformers>=4.56,<5` while 5.x is already out.
fn bounded_engine() -> Project {
    Project::with_manifest(
        r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[engines.transformers]
include = ["extra:hf"]
version = { file = "engine_versions/transformers.yaml", key = "library.current_version" }
"#,
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"bench\"\nversion = \"0.1.0\"\n\n[project.optional-dependencies]\nhf = [\"transformers>=4.56,<5\", \"numpy\"]\n",
            ),
            (
                "engine_versions/transformers.yaml",
                "library:\n  current_version: \"4.56.0\"\n",
            ),
        ],
    )
}

fn transformers_releases() -> strata_testindex::Universe {
    let mut universe = strata_testindex::Universe::new()
        .package(Package::new("numpy", "1.26.4"))
        .package(Package::new("tokenizers", "0.21.0"));
    for version in ["4.55.0", "4.56.0", "4.56.2", "4.57.1", "5.0.0", "5.1.0"] {
        universe = universe.package(
            Package::new("transformers", version)
                .requires("numpy")
                .requires("tokenizers>=0.21"),
        );
    }
    universe
}

#[test]
fn outdated_shows_the_newest_release_and_the_newest_the_engines_requirements_allow() {
    let index = TestIndex::start(transformers_releases());
    let project = bounded_engine();
    let output = project.strata(&["outdated"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @"transformers     4.56.0       5.1.0 is out (4 newer releases), 4.57.1 is the newest that transformers>=4.56,<5 (extra:hf) allows; the version is in engine_versions/transformers.yaml (library.current_version)");

    let output = project
        .strata(&["outdated", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(value["schema-version"], 1, "{value}");
    insta::assert_json_snapshot!(value["engines"], @r#"
    [
      {
        "engine": "transformers",
        "package": "transformers",
        "current": "4.56.0",
        "version-file": "engine_versions/transformers.yaml (library.current_version)",
        "newer": [
          "4.56.2",
          "4.57.1",
          "5.0.0",
          "5.1.0"
        ],
        "newest": "5.1.0",
        "allowed": [
          "4.56.2",
          "4.57.1"
        ],
        "newest-allowed": "4.57.1",
        "bounds": [
          "transformers>=4.56,<5 (extra:hf)"
        ]
      }
    ]
    "#);
}

#[test]
fn bump_without_to_takes_the_newest_release_the_engines_requirements_allow() {
    let index = TestIndex::start(transformers_releases());
    let project = bounded_engine();
    let output = project
        .strata(&["bump", "transformers"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        project.read("engine_versions/transformers.yaml"),
        "library:\n  current_version: \"4.57.1\"\n"
    );
    assert_eq!(project.pins("transformers")["transformers"], "4.57.1");
    let said: Vec<&str> = output.stderr.lines().take(2).collect();
    assert_eq!(
        said,
        [
            "5.1.0 is out, outside `transformers>=4.56,<5` (extra:hf): bumping `transformers` to \
             4.57.1, the newest it allows",
            "Bumped `transformers` from 4.56.0 to 4.57.1 in `engine_versions/transformers.yaml` \
             (library.current_version)",
        ],
        "{}",
        output.render()
    );
}

/// A release inside `transformers>=4.56,<5` that cannot lock: it needs a tokenizers the index
/// does not have.
fn transformers_that_does_not_lock(version: &str) -> Package {
    Package::new("transformers", version)
        .requires("numpy")
        .requires("tokenizers>=0.22")
}

#[test]
fn bump_without_to_walks_down_to_the_newest_allowed_release_that_locks() {
    let index = TestIndex::start(
        transformers_releases().package(transformers_that_does_not_lock("4.58.0")),
    );
    let project = bounded_engine();
    project.lock_ok(&index, &["transformers"]);
    let output = project
        .strata(&["bump", "transformers"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        project.read("engine_versions/transformers.yaml"),
        "library:\n  current_version: \"4.57.1\"\n"
    );
    assert_eq!(project.pins("transformers")["transformers"], "4.57.1");
    assert!(
        output.stderr.contains(
            "`transformers` 4.58.0 did not lock; trying 4.57.1, the next release the engine's \
             requirements allow"
        ),
        "{}",
        output.render()
    );
    // Why 4.58.0 failed is said, but as a warning: the bump succeeded.
    assert!(
        output
            .stderr
            .contains("warning: Failed to lock engine `transformers`"),
        "{}",
        output.render()
    );
    assert!(!output.stderr.contains("error"), "{}", output.render());
    assert!(
        output.stderr.contains(
            "Bumped `transformers` from 4.56.0 to 4.57.1 in `engine_versions/transformers.yaml` \
             (library.current_version)"
        ),
        "{}",
        output.render()
    );
    // The version file and the lock agree: the lock is current for the manifest as it now is.
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn bump_with_to_tries_only_that_release() {
    let index = TestIndex::start(
        transformers_releases().package(transformers_that_does_not_lock("4.58.0")),
    );
    let project = bounded_engine();
    let output = project
        .strata(&["bump", "transformers", "--to", "4.58.0"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(
            "`transformers` 4.58.0 could not be locked; `engine_versions/transformers.yaml` is \
             back at 4.56.0"
        ),
        "{}",
        output.render()
    );
    assert!(!output.stderr.contains("4.57.1"), "{}", output.render());
    assert_eq!(
        project.read("engine_versions/transformers.yaml"),
        "library:\n  current_version: \"4.56.0\"\n"
    );
}

#[test]
fn bump_reports_the_releases_it_tried_when_none_of_the_allowed_ones_locks() {
    // Every release in the range needs the missing tokenizers; seven of them, more than a bump
    // tries.
    let mut universe = strata_testindex::Universe::new()
        .package(Package::new("numpy", "1.26.4"))
        .package(Package::new("tokenizers", "0.21.0"))
        .package(
            Package::new("transformers", "4.56.0")
                .requires("numpy")
                .requires("tokenizers>=0.21"),
        )
        .package(Package::new("transformers", "5.0.0").requires("numpy"));
    for version in [
        "4.56.1", "4.56.2", "4.57.0", "4.57.1", "4.57.2", "4.58.0", "4.58.1",
    ] {
        universe = universe.package(transformers_that_does_not_lock(version));
    }
    let index = TestIndex::start(universe);
    let project = bounded_engine();
    project.lock_ok(&index, &["transformers"]);
    let before = project.read("locks/transformers.txt");
    let output = project
        .strata(&["bump", "transformers"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert_eq!(
        project.read("engine_versions/transformers.yaml"),
        "library:\n  current_version: \"4.56.0\"\n"
    );
    assert_eq!(project.read("locks/transformers.txt"), before);
    assert_eq!(
        output.stderr.matches(" did not lock; ").count(),
        4,
        "{}",
        output.render()
    );
    assert!(
        output.stderr.contains(
            "error: none of the 5 newest releases the engine's requirements allow locks \
             (4.58.1, 4.58.0, 4.57.2, 4.57.1, 4.57.0); `engine_versions/transformers.yaml` is \
             back at 4.56.0"
        ),
        "{}",
        output.render()
    );
    assert!(
        output.stderr.contains(
            "hint: older releases the engine's requirements allow: 4.56.2, 4.56.1; `strata \
             bump transformers --to VERSION` tries one"
        ),
        "{}",
        output.render()
    );
    assert!(
        !output.stderr.contains("trying 4.56.2"),
        "{}",
        output.render()
    );

    let output = project
        .strata(&["bump", "transformers", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    assert_eq!(json["status"], "reverted");
    assert_eq!(json["from"], "4.56.0");
    assert_eq!(json["to"], "4.58.1", "{json}");
    assert_eq!(
        json["tried"],
        serde_json::json!(["4.58.1", "4.58.0", "4.57.2", "4.57.1", "4.57.0"])
    );
    assert_eq!(
        json["older-allowed"],
        serde_json::json!(["4.56.2", "4.56.1"])
    );
    assert_eq!(json["relocked"], false);
}

#[test]
fn bump_stops_at_a_failure_that_is_not_a_conflict() {
    use strata_testindex::{Fault, Faults};
    // The index fails on 4.58.0's files: an error (exit 2), not a reason to try 4.57.1.
    let index = TestIndex::start_with_faults(
        transformers_releases().package(
            Package::new("transformers", "4.58.0")
                .requires("numpy")
                .requires("tokenizers>=0.21"),
        ),
        Faults::new().on(
            "/files/transformers/transformers-4.58.0",
            Fault::ServerError {
                status: 404,
                count: usize::MAX,
            },
        ),
    );
    let project = bounded_engine();
    let output = project
        .strata(&["bump", "transformers"])
        .index(&index)
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        !output.stderr.contains("trying 4.57.1"),
        "{}",
        output.render()
    );
    assert!(
        output
            .stderr
            .contains("`engine_versions/transformers.yaml` is back at 4.56.0"),
        "{}",
        output.render()
    );
    assert_eq!(
        project.read("engine_versions/transformers.yaml"),
        "library:\n  current_version: \"4.56.0\"\n"
    );
}

#[test]
fn bump_format_json_says_what_happened_to_the_version_file_and_the_relock() {
    let parse = |output: &Output| -> serde_json::Value {
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|error| panic!("{error}: {}", output.render()))
    };
    let index = TestIndex::start(transformers_releases());
    let project = bounded_engine();
    let output = project
        .strata(&["bump", "transformers", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json = parse(&output);
    assert_eq!(json["engine"], "transformers");
    assert_eq!(json["package"], "transformers");
    assert_eq!(json["from"], "4.56.0");
    assert_eq!(json["to"], "4.57.1");
    assert_eq!(
        json["version-file"],
        "engine_versions/transformers.yaml (library.current_version)"
    );
    assert_eq!(json["status"], "bumped");
    assert_eq!(json["relocked"], true);
    assert_eq!(json["locks"][0]["profile"], "transformers", "{json}");
    assert_eq!(json["locks"][0]["status"], "locked", "{json}");
    assert!(
        json["locks"][0]["added"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("transformers==4.57.1")),
        "{json}"
    );
    assert_eq!(project.pins("transformers")["transformers"], "4.57.1");

    // Newer releases exist, none inside the engine's bounds.
    let output = project
        .strata(&["bump", "transformers", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json = parse(&output);
    assert_eq!(json["status"], "held", "{json}");
    assert!(json["to"].is_null(), "{json}");
    assert_eq!(json["relocked"], false);

    let output = project
        .strata(&[
            "bump",
            "transformers",
            "--to",
            "4.56.2",
            "--no-lock",
            "--format",
            "json",
        ])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json = parse(&output);
    assert_eq!(json["status"], "bumped");
    assert_eq!(json["from"], "4.57.1");
    assert_eq!(json["to"], "4.56.2");
    assert_eq!(json["relocked"], false);
    assert_eq!(json["locks"], serde_json::json!([]));

    let output = project
        .strata(&["bump", "transformers", "--to", "4.56.2", "--format", "json"])
        .index(&index)
        .output();
    let json = parse(&output);
    assert_eq!(json["status"], "current", "{json}");
}

#[test]
fn bump_format_json_lists_the_releases_it_tried() {
    let index = TestIndex::start(
        transformers_releases().package(transformers_that_does_not_lock("4.58.0")),
    );
    let project = bounded_engine();
    let output = project
        .strata(&["bump", "transformers", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    assert_eq!(json["status"], "bumped");
    assert_eq!(json["from"], "4.56.0");
    assert_eq!(json["to"], "4.57.1");
    assert_eq!(json["tried"], serde_json::json!(["4.58.0", "4.57.1"]));
    assert_eq!(json["relocked"], true);
    assert_eq!(json["locks"][0]["profile"], "transformers", "{json}");
    assert_eq!(project.pins("transformers")["transformers"], "4.57.1");
}
