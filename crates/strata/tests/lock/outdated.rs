//! `strata outdated`: how far each engine's version file is behind the index.

use strata_testindex::{Package, TestIndex};

use crate::project::TestProject;
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
    let project = TestProject::ml();
    let output = project.strata(&index, &["outdated"]);
    assert_eq!(output.code, 0, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @r"
    vllm             0.6.3        0.7.0 is out (2 newer releases); the version is in engine_versions/vllm.yaml (library.current_version)
    sglang           0.4.0        up to date
    ");

    let output = project.strata(
        &index,
        &["outdated", "vllm", "--exit-code", "--format", "json"],
    );
    assert_eq!(output.code, 1, "{}", output.render());
    let value: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    insta::assert_json_snapshot!(value, @r#"
    [
      {
        "engine": "vllm",
        "package": "vllm",
        "current": "0.6.3",
        "version-file": "engine_versions/vllm.yaml (library.current_version)",
        "newer": [
          "0.6.4",
          "0.7.0"
        ]
      }
    ]
    "#);

    let output = project.strata(&index, &["outdated", "sglang", "--exit-code"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&index, &["outdated", "nope"]);
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
    let project = TestProject::ml();
    project.lock_ok(&index, &["vllm"]);

    let output = project.strata(&index, &["bump", "vllm", "--to", "0.7.0"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        project.read("engine_versions/vllm.yaml"),
        "library:\n  name: vllm\n  current_version: \"0.7.0\"\n"
    );
    assert_eq!(project.pins("vllm")["vllm"], "0.7.0");

    let before = project.read("locks/vllm.txt");
    let output = project.strata(&index, &["bump", "vllm"]);
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
