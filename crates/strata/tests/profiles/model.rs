//! Valid projects: what `strata profiles` shows of them.

use serde_json::Value;

use crate::support::{Filters, Output, Project, example_project, strata_snapshot};
use crate::{strata, strata_in};

fn json(output: &Output) -> Value {
    assert_eq!(output.code, 0, "{}", output.stderr);
    serde_json::from_str(&output.stdout).unwrap()
}

fn names(profile: &Value, field: &str) -> Vec<String> {
    profile[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["requirement"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn example_project_has_a_hierarchy_and_three_engines() {
    let output = strata_in(&example_project(), &["profiles", "--format", "json"]);
    let model = json(&output);
    let profiles = model["profiles"].as_array().unwrap();
    let kinds = |kind: &str| {
        profiles
            .iter()
            .filter(|profile| profile["kind"] == kind)
            .count()
    };
    assert!(kinds("profile") >= 6, "{model:#}");
    assert_eq!(kinds("engine"), 3);
    let development = profiles
        .iter()
        .find(|profile| profile["name"] == "development")
        .unwrap();
    assert_eq!(development["extends"], serde_json::json!(["build"]));
    // Effective requirements reach up the whole chain, each with where it came from.
    let origins: Vec<(&str, Option<&str>)> = development["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["origin"].as_str().unwrap(),
                entry["inherited-from"].as_str(),
            )
        })
        .collect();
    assert!(
        origins.contains(&("requirements/in/base.in:2", Some("base"))),
        "{origins:?}"
    );
    assert!(origins.contains(&("requirements/in/backend.in:7", Some("backend"))));
    assert!(
        origins.contains(&("requirements/in/test.in:1", None)),
        "-r include keeps its own file"
    );
    assert!(
        origins.contains(&("group:test", None)),
        "include-group expands"
    );
    let vllm = profiles
        .iter()
        .find(|profile| profile["name"] == "vllm")
        .unwrap();
    assert_eq!(vllm["target"]["python-version"], "3.12");
    assert_eq!(
        vllm["image"]["upstream"]["image"],
        "vllm/vllm-openai:v0.9.2"
    );
    assert!(names(vllm, "requirements").contains(&"vllm==0.9.2".to_string()));
    // The engine whose index is not configured is named on stderr, not silently dropped.
    assert!(output.stderr.contains("tensorrt-llm"), "{}", output.stderr);
}

#[test]
fn mermaid_draws_every_extends_edge_once() {
    let output = strata_in(&example_project(), &["profiles", "--format", "mermaid"]);
    assert_eq!(output.code, 0);
    insta::assert_snapshot!("example_mermaid", output.stdout);
    let model = json(&strata_in(
        &example_project(),
        &["profiles", "--format", "json"],
    ));
    let edges = model["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|profile| profile["extends"].as_array().unwrap().len())
        .sum::<usize>();
    assert_eq!(output.stdout.matches(" --> ").count(), edges);
}

const FULL_PYPROJECT: &str = r#"
[project]
name = "My_Proj"
dependencies = ["requests>=2.31", "rich"]

[project.optional-dependencies]
transformers = ["transformers>=4.40", "accelerate"]
vllm = ["vllm; sys_platform == 'linux'"]
all = ["my-proj[transformers,vllm]; python_version >= '3.10'"]

[dependency-groups]
test = ["pytest>=8"]
lint = ["ruff"]
dev = [{ include-group = "test" }, { include-group = "Lint" }, "ipython"]

[tool.strata]
python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"

[tool.strata.profiles.base]
include = ["project"]

[tool.strata.profiles.dev]
extends = ["base"]
include = ["group:dev", "extra:all"]

[tool.strata.engines.vllm]
extends = ["base"]
version = { file = "engine_versions/vllm.yaml", key = "library.current_version" }
image = { upstream = "vllm/vllm-openai:v{version}" }
gpu = true
"#;

#[test]
fn pyproject_extras_self_reference_groups_and_yaml_engine_load() {
    let project = Project::new(&[
        ("pyproject.toml", FULL_PYPROJECT),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: 0.10\n",
        ),
    ]);
    let model = json(&strata(&project, &["profiles", "--format", "json"]));
    assert_eq!(model["project"]["name"], "my-proj");
    let dev = &model["profiles"][1];
    assert_eq!(
        names(dev, "requirements"),
        [
            "requests>=2.31",
            "rich",
            "pytest>=8",
            "ruff",
            "ipython",
            "transformers>=4.40 ; python_full_version >= '3.10'",
            "accelerate ; python_full_version >= '3.10'",
            "vllm ; python_full_version >= '3.10' and sys_platform == 'linux'",
        ]
    );
    let vllm = &model["profiles"][2];
    assert_eq!(
        vllm["engine"]["version"], "0.10",
        "YAML float keeps its digits"
    );
    assert_eq!(names(vllm, "requirements").last().unwrap(), "vllm==0.10");
    strata_snapshot!(
        "full_pyproject_text",
        Filters::new(),
        strata(&project, &["profiles"])
    );
}

#[test]
fn selecting_a_profile_shows_it_with_its_ancestors() {
    let output = strata_in(
        &example_project(),
        &["profiles", "build", "--format", "json"],
    );
    let model = json(&output);
    let shown: Vec<&str> = model["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|profile| profile["name"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["base", "backend", "build"]);
}

#[test]
fn strata_toml_reads_project_tables_from_the_sibling_pyproject() {
    let project = Project::new(&[
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"numpy\"]\n",
        ),
        ("strata.toml", "[profiles.base]\ninclude = [\"project\"]\n"),
        ("sub/dir/.keep", ""),
    ]);
    let output = strata_in(
        &project.dir().join("sub/dir"),
        &["profiles", "--format", "json"],
    );
    let model = json(&output);
    assert_eq!(model["project"]["manifest"], "../../strata.toml");
    assert_eq!(names(&model["profiles"][0], "requirements"), ["numpy"]);
}

/// A requirement longer than a format width can be (a 70,000-character direct URL) used to
/// panic the text output; it now overflows the origins column and the others stay aligned.
#[test]
fn a_very_long_requirement_does_not_break_the_text_output() {
    let url = format!(
        "lib @ https://files.invalid/{}/lib-1.0-py3-none-any.whl#sha256=ab",
        "d".repeat(70_000)
    );
    let project = Project::new(&[
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", &format!("numpy\n{url}\ntorch>=2\n")),
    ]);
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stdout.contains("  numpy     base.in:1\n"),
        "{}",
        output.stdout
    );
    assert!(
        output.stdout.contains("  torch>=2  base.in:3\n"),
        "{}",
        output.stdout
    );
}
