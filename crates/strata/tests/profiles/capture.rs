//! `strata images capture`: the package set of an upstream engine's image, listed by a fake
//! `docker` on `PATH` that records its arguments, written with a header naming the image; and
//! every way it cannot be done (exit 2, saying what to do).

use std::path::Path;

use crate::support::{Output, Project, fake_runtime, path_with};

const MANIFEST: &str = r#"python-version = "3.12"
python-platform = "x86_64-manylinux_2_28"

[engines.vllm]
requirements = ["vllm"]
version = { file = "vllm.yaml", key = "version" }
image = { upstream = "vllm/vllm-openai:v{version}", packages = "docker/vllm.packages.txt" }

[engines.local]
requirements = ["numpy"]
version = { file = "vllm.yaml", key = "version", package = "numpy" }
image = { base = "python:3.12-slim" }

[engines.bare]
requirements = ["numpy"]
version = { file = "vllm.yaml", key = "version", package = "numpy" }
image = { upstream = "example/bare:{version}" }
"#;

fn project() -> Project {
    Project::with_manifest(MANIFEST, &[("vllm.yaml", "version: 0.6.3\n")])
}

/// `strata images capture <args>` with `bin` first on `PATH` (and nothing else, when `only`).
fn capture(project: &Project, bin: &Path, only: bool, args: &[&str]) -> Output {
    let path = if only {
        bin.display().to_string()
    } else {
        path_with(bin)
    };
    let mut all = vec!["images", "capture"];
    all.extend_from_slice(args);
    project
        .strata(&all)
        .env("PATH", &path)
        .hiding(project.dir())
        .output()
}

#[test]
fn capture_runs_pip_list_in_the_image_and_writes_its_output_under_a_header() {
    let project = project();
    let bin = project.root().join("bin");
    fake_runtime(
        &bin,
        "docker",
        "printf 'vllm==0.6.3\\ntorch==2.5.1+cu124\\nnumpy==1.26.4\\n'",
    );
    let output = capture(&project, &bin, false, &["vllm"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        fs_err::read_to_string(bin.join("args.txt")).unwrap(),
        "run\n--rm\n--entrypoint\npython3\nvllm/vllm-openai:v0.6.3\n-m\npip\nlist\n--format=freeze\n"
    );
    assert_eq!(
        project.read("docker/vllm.packages.txt"),
        "# strata: captured from vllm/vllm-openai:v0.6.3 by `strata images capture vllm`\n\
         # What the image has installed (`python3 -m pip list --format=freeze`): the engine's\n\
         # lock keeps these versions. Capture again after changing the engine's version.\n\
         numpy==1.26.4\ntorch==2.5.1+cu124\nvllm==0.6.3\n"
    );
    assert!(
        output.stderr.contains(
            "Captured 3 packages of `vllm/vllm-openai:v0.6.3` in `docker/vllm.packages.txt`"
        ),
        "{}",
        output.render()
    );

    // podman the same way; the same packages leave the file as it was.
    fake_runtime(
        &bin,
        "podman",
        "printf 'vllm==0.6.3\\ntorch==2.5.1+cu124\\nnumpy==1.26.4\\n'",
    );
    let output = capture(&project, &bin, false, &["vllm", "--runtime", "podman"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains("Unchanged: 3 packages"),
        "{}",
        output.render()
    );
}

#[test]
fn print_shows_the_command_without_running_it() {
    let project = project();
    let bin = project.root().join("bin");
    // No runtime at all on PATH: --print does not need one.
    fs_err::create_dir_all(&bin).unwrap();
    let output = capture(&project, &bin, true, &["vllm", "--print"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        output.stdout,
        "docker run --rm --entrypoint python3 vllm/vllm-openai:v0.6.3 -m pip list --format=freeze\n"
    );
    assert!(
        output.stderr.contains(
            "save its output as `docker/vllm.packages.txt` under the line `# strata: captured from vllm/vllm-openai:v0.6.3 by `strata images capture vllm``"
        ),
        "{}",
        output.render()
    );
    assert!(!project.dir().join("docker/vllm.packages.txt").exists());
}

#[test]
fn what_capture_cannot_do_is_exit_2_saying_what_to_do() {
    let project = project();
    let bin = project.root().join("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let cases: [(&[&str], bool, &str); 3] = [
        (
            &["local"],
            false,
            "Engine `local` does not run in an upstream image",
        ),
        (
            &["bare"],
            false,
            "Engine `bare` names no file for its image's packages: in `strata.toml` (line 17), write `image = { upstream = \"example/bare:{version}\", packages = \"docker/bare.packages.txt\" }`",
        ),
        (
            &["vllm"],
            true,
            "Cannot run `docker`: is it installed and on PATH?",
        ),
    ];
    for (args, only, says) in cases {
        let output = capture(&project, &bin, only, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.render());
        assert!(
            output.stderr.contains(says),
            "{args:?}: {}",
            output.render()
        );
    }

    fake_runtime(
        &bin,
        "docker",
        "echo 'Unable to find image vllm/vllm-openai:v0.6.3 locally' >&2\nexit 125",
    );
    let output = capture(&project, &bin, false, &["vllm"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("exit status: 125")
            && output
                .stderr
                .contains("Unable to find image vllm/vllm-openai:v0.6.3 locally"),
        "{}",
        output.render()
    );

    // Output that is not a package list is named by its line, and nothing is written.
    fake_runtime(&bin, "docker", "printf 'torch==2.5.1\\nnot a package\\n'");
    let output = capture(&project, &bin, false, &["vllm"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains(
            "Line 2 of `docker output` is not a package the image provides: it is not `name==version`"
        ),
        "{}",
        output.render()
    );
    assert!(!project.dir().join("docker/vllm.packages.txt").exists());
}

#[test]
fn packages_without_upstream_is_a_located_error() {
    let project = Project::with_manifest(
        &MANIFEST.replace(
            "image = { base = \"python:3.12-slim\" }",
            "image = { base = \"python:3.12-slim\", packages = \"docker/local.txt\" }",
        ),
        &[("vllm.yaml", "version: 0.6.3\n")],
    );
    let output = project.strata(&["profiles"]).hiding(project.dir()).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("Invalid image.packages `docker/local.txt`")
            && output.stderr.contains("strata.toml:12:"),
        "{}",
        output.render()
    );
}
