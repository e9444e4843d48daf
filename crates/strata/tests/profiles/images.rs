//! `strata images`: the engines' images and the generated `docker-bake.hcl`, kept current in
//! the example and checked for staleness.

use std::path::Path;

use crate::current_version;
use crate::support::{Project, example_project};

/// A project whose engine `hf` gets the Dockerfile strata writes.
const GENERATED_ENGINE: &str = "[profiles.base]\nrequirements = [\"numpy\"]\n\
    [engines.hf]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
    image = { base = \"python:3.12-slim-bookworm\" }\n";

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
    let current = current_version(&project, "transformers");
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

/// A program of the images tests' tool venv (see `crates/strata/tests/setup-image-tools.sh`):
/// `python` (with python-hcl2) or `hadolint`; `None` when it is not there (skipped locally, a
/// failure when tools are required).
#[expect(
    clippy::disallowed_methods,
    reason = "a test-only switch set by .ci/run, not a strata setting"
)]
fn image_tool(program: &str) -> Option<std::path::PathBuf> {
    let venv = std::env::var_os("STRATA_TEST_IMAGE_TOOLS_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/image-tools-venv"),
        std::path::PathBuf::from,
    );
    let path = venv.join("bin").join(program);
    if !path.is_file() {
        strata_testindex::tool_missing(format!(
            "`{}` does not exist (run crates/strata/tests/setup-image-tools.sh, or name its \
             venv in STRATA_TEST_IMAGE_TOOLS_VENV)",
            path.display()
        ));
        return None;
    }
    Some(path)
}

/// `file` read by python-hcl2: each block kind (`variable`, `group`, `target`) as a map from
/// block name to its attributes, with the quotes python-hcl2 keeps on strings taken off.
fn parse_hcl(python: &Path, file: &Path) -> serde_json::Value {
    const SCRIPT: &str = r#"
import hcl2, json, sys
def unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, dict):
        return {unquote(key): unquote(item) for key, item in value.items() if key != "__is_block__"}
    return value
document = hcl2.load(open(sys.argv[1]))
out = {}
for kind, blocks in document.items():
    for block in blocks:
        for name, body in block.items():
            out.setdefault(kind, {})[unquote(name)] = unquote(body)
print(json.dumps(out))
"#;
    let output = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python-hcl2 rejects `{}`:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_bake_file_parses_with_a_real_hcl_parser_and_says_what_strata_planned() {
    let Some(python) = image_tool("python") else {
        return;
    };
    let project = Project::copy_of(&example_project());
    let bake = parse_hcl(&python, &project.dir().join("docker-bake.hcl"));
    let version = current_version(&project, "transformers");
    assert_eq!(bake["variable"]["REPOSITORY"]["default"], "llmbench");
    assert_eq!(bake["variable"]["TRANSFORMERS_VERSION"]["default"], version);
    assert_eq!(
        bake["group"]["default"]["targets"],
        serde_json::json!(["transformers"])
    );
    assert_eq!(bake["group"]["gpu"]["targets"], serde_json::json!([]));
    let target = &bake["target"]["transformers"];
    assert_eq!(target["dockerfile"], "docker/Dockerfile.transformers");
    assert_eq!(
        target["inherits"],
        serde_json::json!(["_common", "docker-metadata-action"])
    );
    assert_eq!(bake["target"]["_common"]["context"], ".");
    assert_eq!(
        target["tags"],
        serde_json::json!(["${REPOSITORY}:transformers-${TRANSFORMERS_VERSION}"])
    );
    // The example's Dockerfile declares only BASE_IMAGE, and gets the manifest's base.
    assert_eq!(
        target["args"],
        serde_json::json!({ "BASE_IMAGE": "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime" })
    );
    let lock = project.read("locks/transformers.txt");
    let fingerprint = lock
        .lines()
        .find_map(|line| line.strip_prefix("# strata-fingerprint: "))
        .unwrap();
    assert_eq!(target["labels"]["dev.strata.lock-fingerprint"], fingerprint);
    // No upstream engine has a target: they run as they are.
    assert!(bake["target"].get("vllm").is_none());
}

#[test]
fn check_detects_each_kind_of_staleness_and_write_makes_it_current_again() {
    // Each edit changes one input of the bake file: the repository, a Dockerfile's declared
    // arguments, the lock (its fingerprint label), the base image.
    let edits: &[(&str, &str, &str)] = &[
        (
            "pyproject.toml",
            "[tool.strata]\n",
            "[tool.strata]\nimages = { repository = \"team/llmbench\" }\n",
        ),
        (
            "docker/Dockerfile.transformers",
            "FROM ${BASE_IMAGE}\n",
            "FROM ${BASE_IMAGE}\nARG LOCK=locks/transformers.txt\n",
        ),
        (
            "locks/transformers.txt",
            "# strata-fingerprint: ",
            "# strata-fingerprint: 0",
        ),
        (
            "pyproject.toml",
            "base = \"pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\"",
            "base = \"pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime\"",
        ),
    ];
    for (file, old, new) in edits {
        let project = Project::copy_of(&example_project());
        assert!(project.read(file).contains(old), "{file} has no `{old}`");
        project.edit(file, old, new);
        let output = project.strata(&["images", "--check"]).output();
        assert_eq!(output.code, 1, "{file}: {}", output.render());
        assert!(output.stderr.contains("is stale"), "{}", output.render());
        let output = project.strata(&["images", "--write"]).output();
        assert_eq!(output.code, 0, "{}", output.render());
        let output = project.strata(&["images", "--check"]).output();
        assert_eq!(output.code, 0, "{file}: {}", output.render());
    }
}

#[test]
fn the_generated_dockerfile_lints_clean_with_hadolint() {
    let Some(hadolint) = image_tool("hadolint") else {
        return;
    };
    let project = Project::new(&[
        ("strata.toml", GENERATED_ENGINE),
        ("v.yaml", "v: \"1.0\"\n"),
        ("src/hf/__init__.py", ""),
    ]);
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let bake = project.read("docker-bake.hcl");
    assert!(
        bake.contains("  target      = \"runtime\"\n")
            && bake.contains(
                "  contexts    = { base = \"docker-image://python:3.12-slim-bookworm\" }\n"
            ),
        "{bake}"
    );
    // Nothing at all, not even at the info level.
    let lint = std::process::Command::new(hadolint)
        .args(["--no-color", "--failure-threshold", "info"])
        .arg(project.dir().join("docker/hf.Dockerfile"))
        .output()
        .unwrap();
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn write_never_overwrites_a_dockerfile_strata_did_not_write() {
    let project = Project::new(&[
        ("strata.toml", GENERATED_ENGINE),
        ("v.yaml", "v: \"1.0\"\n"),
        ("docker/hf.Dockerfile", "FROM python:3.12\n"),
    ]);
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("`docker/hf.Dockerfile` exists and was not written by strata"),
        "{}",
        output.render()
    );
    assert_eq!(project.read("docker/hf.Dockerfile"), "FROM python:3.12\n");
}
