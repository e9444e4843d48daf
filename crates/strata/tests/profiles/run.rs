//! `strata run`: the container run line from the manifest, checked by printing it and by a fake
//! `docker` on `PATH` that records the arguments it receives.

use std::path::Path;

use crate::current_version;
use crate::support::{Project, example_project, fake_runtime, path_with};

/// A `docker` that records its arguments in `args.txt` next to it and exits 7, so a test sees
/// exactly what strata ran and that its exit code is passed on.
pub(crate) fn fake_docker(bin: &Path) {
    fake_runtime(bin, "docker", "exit 7");
}

#[test]
fn dry_run_prints_the_seeds_docker_run_line_for_a_gpu_engine_on_its_upstream_image() {
    let project = Project::copy_of(&example_project());
    let output = project
        .strata(&["run", "vllm", "--dry-run", "--", "pytest", "tests/engines"])
        .hiding(project.dir())
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    // The version is the version file's: a bump moves the image with it.
    let version = current_version(&project, "vllm");
    assert_eq!(
        output.stdout,
        format!(
            "docker run --rm -v [TEMP]:/workspace -w /workspace -e PYTHONPATH=/workspace/src \
             --gpus all --entrypoint pytest vllm/vllm-openai:v{version} tests/engines\n"
        )
    );
}

#[test]
fn run_executes_the_runtime_with_those_arguments_and_passes_its_exit_code_on() {
    let project = Project::copy_of(&example_project());
    let bin = project.root().join("bin");
    fake_docker(&bin);
    let path = path_with(&bin);
    let output = project
        .strata(&[
            "run",
            "transformers",
            "--",
            "python3",
            "-c",
            "print('hi there')",
        ])
        .env("PATH", &path)
        .output();
    assert_eq!(output.code, 7, "{}", output.render());
    let args = fs_err::read_to_string(bin.join("args.txt")).unwrap();
    let dir = fs_err::canonicalize(project.dir()).unwrap();
    let expected = [
        "run".to_string(),
        "--rm".to_string(),
        "-v".to_string(),
        format!("{}:/workspace", dir.display()),
        "-w".to_string(),
        "/workspace".to_string(),
        "-e".to_string(),
        "PYTHONPATH=/workspace/src".to_string(),
        "--entrypoint".to_string(),
        "python3".to_string(),
        // First-party: `<project name>:<engine>-<version file's version>`.
        format!(
            "llmbench:transformers-{}",
            current_version(&project, "transformers")
        ),
        "-c".to_string(),
        "print('hi there')".to_string(),
    ];
    assert_eq!(args.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn an_unknown_engine_or_one_without_an_image_exits_2_saying_what_to_do() {
    let project = Project::copy_of(&example_project());
    let output = project.strata(&["run", "vlm", "--dry-run"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("No profile or engine `vlm` in `pyproject.toml`")
            && output.stderr.contains("hint: Did you mean `vllm`?"),
        "{}",
        output.render()
    );
    // A profile without a role image has nothing to run in.
    let output = project.strata(&["run", "base", "--dry-run"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("`base` has no image"),
        "{}",
        output.render()
    );
    // Only a generated image has a dev stage.
    let output = project
        .strata(&["run", "transformers", "--dev", "--dry-run"])
        .output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("`transformers`'s image has no dev stage"),
        "{}",
        output.render()
    );

    let project = Project::new(&[
        (
            "strata.toml",
            "[profiles.base]\nrequirements = [\"numpy\"]\n[engines.e]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n",
        ),
        ("v.yaml", "v: \"1.0\"\n"),
    ]);
    let output = project.strata(&["run", "e", "--dry-run"]).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("`e` has no image: add `image = "),
        "{}",
        output.render()
    );
}
