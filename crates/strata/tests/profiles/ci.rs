//! `strata ci plan` on temporary git repositories with the example's layout: which cells a
//! change triggers, and the reasons given, for each kind of change.

use std::path::Path;

use crate::support::{Project, example_project};

/// `git ARGS` in `dir`, which must succeed; its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=strata",
            "-c",
            "user.email=strata@localhost",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The example in a git repository: `main` holds it as it is, and `feature` is checked out.
fn repository() -> Project {
    let project = Project::copy_of(&example_project());
    git(project.dir(), &["init", "--quiet"]);
    git(project.dir(), &["add", "--all"]);
    git(project.dir(), &["commit", "--quiet", "--message", "base"]);
    git(project.dir(), &["checkout", "--quiet", "-b", "feature"]);
    project
}

fn commit(project: &Project) {
    git(project.dir(), &["add", "--all"]);
    git(project.dir(), &["commit", "--quiet", "--message", "change"]);
}

/// The plan against `main`, as JSON: `(cell id, reasons as text)` of the cells that run.
fn plan(project: &Project) -> Vec<(String, Vec<String>)> {
    let output = project
        .strata(&["ci", "plan", "--base", "main", "--format", "json"])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["schema-version"], 1);
    let text = project.strata(&["ci", "plan", "--base", "main"]).output();
    assert_eq!(text.code, 0, "{}", text.render());
    json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cell| {
            let id = cell["id"].as_str().unwrap().to_string();
            let reasons = cell["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|reason| match reason["kind"].as_str().unwrap() {
                    "inputs" => format!("inputs {}", reason["path"].as_str().unwrap()),
                    "file" => format!("file {}", reason["path"].as_str().unwrap()),
                    "glob" => format!(
                        "glob {} {}",
                        reason["path"].as_str().unwrap(),
                        reason["glob"].as_str().unwrap()
                    ),
                    "needs" => format!("needs {}", reason["cell"].as_str().unwrap()),
                    other => other.to_string(),
                })
                .collect();
            (id, reasons)
        })
        .collect()
}

fn ids(plan: &[(String, Vec<String>)]) -> Vec<&str> {
    plan.iter().map(|(id, _)| id.as_str()).collect()
}

#[test]
fn a_bump_of_an_engines_version_file_triggers_only_that_engines_cells() {
    let project = repository();
    let version = crate::current_version(&project, "vllm");
    project.edit(
        "engine_versions/vllm.yaml",
        &format!("current_version: \"{version}\""),
        "current_version: \"9.9.9\"",
    );
    commit(&project);
    let plan = plan(&project);
    assert_eq!(
        plan,
        [(
            "test-vllm".to_string(),
            vec!["inputs engine_versions/vllm.yaml".to_string()]
        )]
    );
}

#[test]
fn a_change_under_src_triggers_every_test_cell_and_no_build() {
    let project = repository();
    project.write("src/llmbench/newmodule.py", "VALUE = 1\n");
    commit(&project);
    let plan = plan(&project);
    assert_eq!(
        ids(&plan),
        ["test-transformers", "test-vllm", "test-tensorrt-llm"]
    );
    for (_, reasons) in &plan {
        assert_eq!(
            reasons,
            &["glob src/llmbench/newmodule.py src/**".to_string()]
        );
    }
}

#[test]
fn base_in_requirements_trigger_every_engine_extending_it_and_a_comment_triggers_none() {
    let project = repository();
    let base = project.read("requirements/in/base.in");
    // A comment, even one that moves every requirement down a line, changes no engine.
    project.write(
        "requirements/in/base.in",
        &format!("# why numpy\n{base}# end\n"),
    );
    commit(&project);
    assert_eq!(plan(&project), []);

    project.write("requirements/in/base.in", &format!("{base}tqdm\n"));
    commit(&project);
    let plan = plan(&project);
    assert_eq!(
        ids(&plan),
        [
            "build-transformers",
            "test-transformers",
            "test-vllm",
            "test-tensorrt-llm"
        ]
    );
    assert_eq!(plan[0].1, ["inputs requirements/in/base.in"]);
    // The test cell of a built image runs because its build does.
    assert_eq!(plan[1].1, ["needs build-transformers"]);
    assert_eq!(plan[2].1, ["inputs requirements/in/base.in"]);
}

#[test]
fn a_profile_file_no_engine_reads_triggers_nothing_and_neither_does_the_readme() {
    let project = repository();
    let backend = project.read("requirements/in/backend.in");
    project.write("requirements/in/backend.in", &format!("{backend}tqdm\n"));
    project.write("README.md", "# changed\n");
    commit(&project);
    assert_eq!(plan(&project), []);
    let output = project.strata(&["ci", "plan", "--base", "main"]).output();
    assert!(
        output.stdout.starts_with("2 changed files against ")
            && output.stdout.contains("No cell runs.")
            && output.stdout.contains(
                "Not triggered: build-transformers, test-transformers, test-vllm, test-tensorrt-llm"
            ),
        "{}",
        output.render()
    );
}

#[test]
fn renames_count_as_both_paths_and_deletions_count() {
    let project = repository();
    project.write("notes/old.py", "x = 1\n");
    commit(&project);
    git(project.dir(), &["branch", "--force", "main"]);
    // Moved from outside every glob into `tests/`: the new path triggers the test cells.
    git(project.dir(), &["mv", "notes/old.py", "tests/moved.py"]);
    // The transformers image's own Dockerfile deleted: its build runs (and fails, as it should).
    git(
        project.dir(),
        &["rm", "--quiet", "docker/Dockerfile.transformers"],
    );
    commit(&project);
    let output = project
        .strata(&["ci", "plan", "--base", "main", "--format", "json"])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        json["changed"],
        serde_json::json!([
            "docker/Dockerfile.transformers",
            "notes/old.py",
            "tests/moved.py"
        ])
    );
    let plan = plan(&project);
    assert_eq!(plan[0].0, "build-transformers");
    assert_eq!(plan[0].1, ["file docker/Dockerfile.transformers"]);
    assert_eq!(
        plan[1].1,
        ["needs build-transformers", "glob tests/moved.py tests/**"]
    );
    assert_eq!(plan[2].1, ["glob tests/moved.py tests/**"]);
}

#[test]
fn changed_files_can_come_from_the_command_line_or_stdin_and_all_plans_everything() {
    let project = repository();
    let output = project
        .strata(&[
            "ci",
            "plan",
            "--changed",
            "src/llmbench/cli/__init__.py",
            "--format",
            "matrix",
        ])
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let matrix: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let include = matrix["include"].as_array().unwrap();
    assert_eq!(include.len(), 3);
    assert_eq!(
        include[1],
        serde_json::json!({
            "id": "test-vllm", "engine": "vllm", "cell": "test", "gpu": true,
            "runner": ["self-hosted", "gpu"], "tag": format!("vllm/vllm-openai:v{}", crate::current_version(&project, "vllm")),
        })
    );

    // Without a base, a file the model reads counts as changed for every engine reading it.
    let output = project
        .strata(&["ci", "plan", "--changed", "-"])
        .output_with_stdin("requirements/in/base.in\n");
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output
            .stdout
            .contains("requirements/in/base.in is read by the model, and there is no base to compare with (no --base given)"),
        "{}",
        output.render()
    );

    let output = project
        .strata(&["ci", "plan", "--all", "--format", "json"])
        .output();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["cells"].as_array().unwrap().len(), 4);
    assert_eq!(json["has-builds"], true);
    assert_eq!(json["builds"]["include"][0]["id"], "build-transformers");
}

#[test]
fn github_output_gets_the_matrices_and_gates_and_the_summary_a_table() {
    let project = repository();
    let outputs = project.dir().join("github-output");
    let summary = project.dir().join("summary.md");
    let output = project
        .strata(&["ci", "plan", "--changed", "README.md", "--github-output"])
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        fs_err::read_to_string(&outputs).unwrap(),
        "builds={\"include\":[]}\ncells={\"include\":[]}\nhas-builds=false\nhas-cells=false\n"
    );
    assert!(
        fs_err::read_to_string(&summary)
            .unwrap()
            .contains("No cell runs.")
    );

    let output = project
        .strata(&["ci", "plan", "--all", "--github-output"])
        .env_remove("GITHUB_OUTPUT")
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("--github-output needs `GITHUB_OUTPUT`")
    );
}
