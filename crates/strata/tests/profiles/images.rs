//! `strata images`: the engines' images and the generated `docker-bake.hcl`, kept current in
//! the example and checked for staleness.

use crate::support::{Project, example_project};

#[test]
fn the_examples_bake_file_is_current_and_lists_each_engines_image() {
    let project = Project::copy_of(&example_project());
    let output = project.strata(&["images", "--check"]).output();
    assert_eq!(
        output.code,
        0,
        "run `strata images --write` in examples/ml-engines\n{}",
        output.render()
    );
    let output = project.strata(&["images"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert!(
        lines[0].starts_with("transformers     llmbench:transformers-"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("vllm/vllm-openai:v") && lines[1].contains("upstream, run as it is, GPU")
    );
    assert_eq!(lines.last().unwrap(), &"docker-bake.hcl: current");

    let output = project.strata(&["images", "--format", "json"]).output();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["schema-version"], 1);
    assert_eq!(json["repository"], "llmbench");
    assert_eq!(json["bake-status"], "current");
    assert_eq!(json["engines"][0]["source"]["kind"], "dockerfile");
    assert_eq!(json["engines"][1]["source"]["kind"], "upstream");
}

#[test]
fn a_bump_makes_the_bake_file_stale_and_write_changes_only_that_engines_version() {
    let project = Project::copy_of(&example_project());
    let before = project.read("docker-bake.hcl");
    let version = project.read("engine_versions/transformers.yaml");
    let current = version
        .lines()
        .find_map(|line| line.trim().strip_prefix("current_version:"))
        .unwrap()
        .trim()
        .trim_matches('"')
        .to_string();
    project.edit(
        "engine_versions/transformers.yaml",
        &format!("\"{current}\""),
        "\"9.9.9\"",
    );
    let output = project.strata(&["images", "--check"]).output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("`docker-bake.hcl` is stale")
            && output.stderr.contains("run `strata images --write`"),
        "{}",
        output.render()
    );

    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("Wrote `docker-bake.hcl`"),
        "{}",
        output.render()
    );
    let after = project.read("docker-bake.hcl");
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(old, new)| old != new)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(
        changed,
        [(
            format!("  default     = \"{current}\"").as_str(),
            "  default     = \"9.9.9\""
        )],
        "only the variable's default moves: tags and labels use the variable"
    );
    let output = project.strata(&["images", "--check"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn a_missing_bake_file_fails_the_check_and_the_dockerfiles_arguments_decide_the_args() {
    let project = Project::new(&[
        (
            "strata.toml",
            "[profiles.base]\nrequirements = [\"numpy\"]\n\
             [engines.hf]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
             image = { build = \"docker/hf.Dockerfile\", base = \"python:3.12-slim\" }\n",
        ),
        ("v.yaml", "v: \"1.0\"\n"),
        (
            "docker/hf.Dockerfile",
            "# syntax=docker/dockerfile:1\nARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG HF_VERSION LOCK\n",
        ),
    ]);
    let output = project.strata(&["images", "--check"]).output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("`docker-bake.hcl` does not exist"),
        "{}",
        output.render()
    );
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let bake = project.read("docker-bake.hcl");
    // Declared: BASE_IMAGE, HF_VERSION, LOCK; not declared: ENGINE_VERSION.
    assert!(bake.contains("    HF_VERSION = HF_VERSION\n"), "{bake}");
    assert!(
        bake.contains("    LOCK       = \"locks/hf.txt\"\n"),
        "{bake}"
    );
    assert!(
        bake.contains("    BASE_IMAGE = \"python:3.12-slim\"\n"),
        "{bake}"
    );
    assert!(!bake.contains("ENGINE_VERSION"), "{bake}");
    // No lock yet: no fingerprint label.
    assert!(!bake.contains("lock-fingerprint"), "{bake}");
    assert!(
        bake.contains("tags        = [\"${REPOSITORY}:hf-${HF_VERSION}\"]"),
        "{bake}"
    );
}
