//! The container run line: an engine's image, the project bind-mounted, the GPUs passed.

use std::path::{Path, PathBuf};

use crate::plan::Image;

/// The command that lists the packages an upstream image has installed, for
/// `strata images capture`: the image's own `python3` running `pip list --format=freeze`, which
/// writes every installed distribution as `name==version` (editable and direct-URL installs
/// too, where `pip freeze` would write their URLs). No GPU and no project mount: listing
/// packages needs neither.
///
/// ```
/// use strata_images::{Runtime, capture_command};
///
/// assert_eq!(
///     capture_command(Runtime::Podman, "vllm/vllm-openai:v0.6.3").join(" "),
///     "podman run --rm --entrypoint python3 vllm/vllm-openai:v0.6.3 -m pip list --format=freeze"
/// );
/// ```
pub fn capture_command(runtime: Runtime, image: &str) -> Vec<String> {
    [
        runtime.program(),
        "run",
        "--rm",
        "--entrypoint",
        "python3",
        image,
        "-m",
        "pip",
        "list",
        "--format=freeze",
    ]
    .map(str::to_string)
    .to_vec()
}

/// Where the project is mounted in the container, and the working directory there. One fixed
/// path, so commands and `PYTHONPATH` read the same on every machine.
pub const WORKSPACE: &str = "/workspace";

/// The container runtime that runs the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Runtime {
    /// `docker`.
    #[default]
    Docker,
    /// `podman`.
    Podman,
}

impl Runtime {
    /// The command's name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Docker => "docker",
            Self::Podman => "podman",
        }
    }

    /// The arguments that pass every GPU through: Docker's `--gpus all`; for podman the CDI
    /// device NVIDIA's container toolkit generates (podman has no `--gpus` of its own use).
    fn gpu_args(self) -> [&'static str; 2] {
        match self {
            Self::Docker => ["--gpus", "all"],
            Self::Podman => ["--device", "nvidia.com/gpu=all"],
        }
    }
}

/// What to run, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    /// The project directory as an absolute path: a bind mount's source must be one (a
    /// relative one would name a volume).
    pub project_dir: PathBuf,
    /// The command and its arguments; empty runs the image's own entrypoint.
    pub command: Vec<String>,
    /// The runtime.
    pub runtime: Runtime,
    /// Pass the GPUs through even to an engine that does not declare `gpu = true`.
    pub gpus: bool,
}

impl RunRequest {
    /// `command` in `project_dir` (absolute) with Docker, GPUs as the engine declares.
    pub fn new(project_dir: PathBuf, command: Vec<String>) -> Self {
        Self {
            project_dir,
            command,
            runtime: Runtime::default(),
            gpus: false,
        }
    }
}

/// The argument vector that runs `request` in `engine`'s image: the container removed on exit,
/// the project root bind-mounted at [`WORKSPACE`] and used as the working directory, its
/// source roots on `PYTHONPATH` (so `src/` layouts import without installing the project), the
/// GPUs passed through for a GPU engine, and the command as the entrypoint with its arguments
/// after the image, as the seeds write it.
pub fn run_command(
    project: &strata_project::Project,
    engine: &Image,
    request: &RunRequest,
) -> Vec<String> {
    let mut argv: Vec<String> = [request.runtime.program(), "run", "--rm"]
        .map(String::from)
        .to_vec();
    argv.push("-v".to_string());
    argv.push(format!("{}:{WORKSPACE}", request.project_dir.display()));
    argv.push("-w".to_string());
    argv.push(WORKSPACE.to_string());
    let python_path: Vec<String> = project
        .contracts
        .roots
        .iter()
        .filter(|root| **root != Path::new("."))
        .map(|root| format!("{WORKSPACE}/{}", root.display()))
        .collect();
    if !python_path.is_empty() {
        argv.push("-e".to_string());
        argv.push(format!("PYTHONPATH={}", python_path.join(":")));
    }
    if engine.gpu || request.gpus {
        argv.extend(request.runtime.gpu_args().map(String::from));
    }
    let (entrypoint, args) = match request.command.split_first() {
        Some((first, rest)) => (Some(first), rest),
        None => (None, &[][..]),
    };
    if let Some(entrypoint) = entrypoint {
        argv.push("--entrypoint".to_string());
        argv.push(entrypoint.clone());
    }
    argv.push(engine.image.clone());
    argv.extend(args.iter().cloned());
    argv
}

/// `argv` as one line a POSIX shell reads back as the same words: plain words as they are,
/// others in single quotes.
///
/// ```
/// let line = strata_images::shell_words(&["docker".into(), "run".into(), "a b".into(), "it's".into()]);
/// assert_eq!(line, r#"docker run 'a b' 'it'\''s'"#);
/// ```
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            let plain = !word.is_empty()
                && word.bytes().all(|byte| {
                    byte.is_ascii_alphanumeric()
                        || matches!(
                            byte,
                            b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'@' | b'+'
                        )
                });
            if plain {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ImagePlan;

    fn project() -> (tempfile::TempDir, strata_project::Project) {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join("src/app")).unwrap();
        fs_err::write(dir.path().join("v.yaml"), "v: \"4.47.1\"\nw: \"0.6.3\"\n").unwrap();
        fs_err::write(
            dir.path().join("strata.toml"),
            r#"
            [profiles.base]
            requirements = ["numpy"]
            [engines.transformers]
            extends = ["base"]
            version = { file = "v.yaml", key = "v" }
            image = { build = "docker/Dockerfile.transformers" }
            [engines.vllm]
            extends = ["base"]
            version = { file = "v.yaml", key = "w" }
            image = { upstream = "vllm/vllm-openai:v{version}" }
            gpu = true
            "#,
        )
        .unwrap();
        let project = strata_project::Project::discover(dir.path(), &|_| None).unwrap();
        (dir, project)
    }

    fn words(argv: &[String]) -> String {
        argv.join(" ")
    }

    #[test]
    fn a_gpu_engine_runs_its_upstream_image_with_the_project_mounted_and_the_gpus_passed() {
        let (dir, project) = project();
        let plan = ImagePlan::of(&project);
        let request = RunRequest::new(
            dir.path().to_path_buf(),
            vec!["pytest".into(), "tests/engines".into()],
        );
        let argv = run_command(&project, plan.image("vllm").unwrap(), &request);
        assert_eq!(
            words(&argv),
            format!(
                "docker run --rm -v {}:/workspace -w /workspace -e PYTHONPATH=/workspace/src \
                 --gpus all --entrypoint pytest vllm/vllm-openai:v0.6.3 tests/engines",
                dir.path().display()
            )
        );
    }

    #[test]
    fn a_cpu_engine_gets_no_gpus_unless_asked_and_podman_gets_the_cdi_device() {
        let (dir, project) = project();
        let plan = ImagePlan::of(&project);
        let transformers = plan.image("transformers").unwrap();
        let mut request = RunRequest::new(dir.path().to_path_buf(), Vec::new());
        let argv = run_command(&project, transformers, &request);
        assert!(!argv.iter().any(|word| word.contains("gpu")), "{argv:?}");
        // No command: the image's own entrypoint, nothing after the image.
        assert_eq!(argv.last().unwrap(), &transformers.image);
        assert!(!argv.contains(&"--entrypoint".to_string()));

        request.gpus = true;
        request.runtime = Runtime::Podman;
        let argv = run_command(&project, transformers, &request);
        assert_eq!(argv[0], "podman");
        assert!(
            words(&argv).contains("--device nvidia.com/gpu=all"),
            "{argv:?}"
        );
    }
}
