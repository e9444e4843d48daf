//! Building a source distribution's metadata with its own PEP 517 build backend, as a resolver
//! needs it for an sdist without static metadata.
//!
//! The sdist is unpacked into the caller's work directory, an isolated virtual environment is
//! made ([`BuildVenv`]), the `[build-system]` requirements and what
//! `get_requires_for_build_wheel` adds are installed with pip from exactly the indexes the
//! caller resolved against, and `prepare_metadata_for_build_wheel` writes the `*.dist-info`
//! directory; when a backend lacks it, the wheel is built with `build_wheel` and `METADATA` taken
//! from it, as pip does.
//!
//! Not done here: build isolation beyond a fresh venv (no sandbox, no network cut-off),
//! `config_settings`, and caching (the caller caches the resulting metadata).

use std::path::{Path, PathBuf};
use std::time::Duration;

use strata_dist::SourceDistFilename;

use crate::PipSources;
use crate::archive;
use crate::driver::{self, Hook};
use crate::error::{Error, io_error};
use crate::session::{STEP_TIMEOUT, Session, SessionOptions};
use crate::system::BuildSystem;
use crate::venv::BuildVenv;

/// Where and how to build: the machine's interpreter and the sources of the build requirements.
#[derive(Debug, Clone)]
pub struct BuildEnvironment {
    /// The machine's `python3`, used only to create the build's virtual environment.
    pub python: PathBuf,
    /// Where pip takes the build requirements from.
    pub sources: PipSources,
    /// An empty temporary directory the caller owns and removes.
    pub work_dir: PathBuf,
    /// Where the log of a failed build is kept (as `<sdist filename>.log`), since the work
    /// directory goes away and an error shows only the log's last lines.
    pub log_dir: PathBuf,
}

/// Builds the `METADATA` of the sdist at `sdist` with its PEP 517 backend (see the module
/// documentation). Blocking: runs several Python processes.
///
/// # Errors
///
/// When a step fails: the error carries the last lines of the build's output.
pub fn build_metadata(
    sdist: &Path,
    filename: &SourceDistFilename,
    env: &BuildEnvironment,
) -> Result<Vec<u8>, Error> {
    build_metadata_within(sdist, filename, env, STEP_TIMEOUT)
}

fn build_metadata_within(
    sdist: &Path,
    filename: &SourceDistFilename,
    env: &BuildEnvironment,
    step_timeout: Duration,
) -> Result<Vec<u8>, Error> {
    let work_dir =
        std::path::absolute(&env.work_dir).map_err(|source| io_error(&env.work_dir, source))?;
    let mut session = Session::new(
        format!("metadata of `{filename}`"),
        &work_dir,
        env.log_dir.join(format!("{filename}.log")),
        SessionOptions {
            step_timeout,
            echo: false,
        },
    )?;
    let source = archive::unpack(
        &mut session,
        &env.python,
        sdist,
        filename.extension(),
        &work_dir.join("src"),
    )?;
    metadata_of_tree(&mut session, &source, env, &work_dir)
}

/// Builds the `METADATA` of the source tree at `source` (a checkout, not an archive) with its
/// PEP 517 backend, as [`build_metadata`] does for an sdist; `label` names the tree in the
/// log's file name and in errors (`pkg @ <commit>`). The backend runs in the tree itself and
/// may write into it (a setuptools `*.egg-info`). Blocking: runs several Python processes.
///
/// # Errors
///
/// When a step fails: the error carries the last lines of the build's output.
pub fn build_metadata_of_tree(
    source: &Path,
    label: &str,
    env: &BuildEnvironment,
) -> Result<Vec<u8>, Error> {
    let work_dir =
        std::path::absolute(&env.work_dir).map_err(|source| io_error(&env.work_dir, source))?;
    let mut session = Session::new(
        format!("metadata of `{label}`"),
        &work_dir,
        env.log_dir.join(format!("{label}.log")),
        SessionOptions {
            step_timeout: STEP_TIMEOUT,
            echo: false,
        },
    )?;
    metadata_of_tree(&mut session, source, env, &work_dir)
}

/// The steps after the source tree exists: environment, build requirements, metadata hook.
fn metadata_of_tree(
    session: &mut Session,
    source: &Path,
    env: &BuildEnvironment,
    work_dir: &Path,
) -> Result<Vec<u8>, Error> {
    let system = BuildSystem::read(source).map_err(|error| session.failure(&error.to_string()))?;
    let mut venv = BuildVenv::create(session, &env.python, &work_dir.join("venv"))?;
    venv.install(session, &system.requires, &env.sources)?;
    let python = venv.python().to_path_buf();
    let out_dir = work_dir.join("out");
    let requires: Vec<String> = driver::call(
        session,
        &python,
        work_dir,
        &system,
        source,
        Hook::RequiresForWheel,
        &out_dir,
    )?;
    venv.install(session, &requires, &env.sources)?;
    let metadata: PathBuf = driver::call(
        session,
        &python,
        work_dir,
        &system,
        source,
        Hook::Metadata,
        &out_dir,
    )?;
    fs_err::read(&metadata).map_err(|source| {
        session.failure(&format!(
            "Failed to read the metadata the backend wrote: {source}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use pep508_rs::PackageName;
    use zip::write::SimpleFileOptions;

    use std::io::Write as _;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use crate::error::ErrorKind;
    use crate::session::OUTPUT_LINES;

    use super::*;

    const PYPROJECT: &str = "[build-system]\nrequires = []\nbuild-backend = \"demo_backend\"\nbackend-path = [\"backend\"]\n";

    /// Reads `requirements.txt` relative to the working directory, which PEP 517 says is the
    /// source tree: the requirements exist only once the backend runs there.
    const METADATA_FUNCTION: &str = r#"
import os


def _metadata(extra=()):
    with open("requirements.txt", encoding="utf-8") as f:
        requirements = [line.strip() for line in f if line.strip()] + list(extra)
    return "Metadata-Version: 2.1\nName: strata-demo\nVersion: 1.0\n" + "".join(
        "Requires-Dist: %s\n" % requirement for requirement in requirements
    )
"#;

    fn filename(extension: &str) -> SourceDistFilename {
        SourceDistFilename::parse(
            &format!("strata_demo-1.0{extension}"),
            &PackageName::new("strata-demo".to_string()).unwrap(),
        )
        .unwrap()
    }

    /// The machine's `python3` when it can make a virtual environment; tests skip otherwise
    /// (or fail, when tools are required: `strata_testindex::tool_missing`).
    fn python() -> Option<PathBuf> {
        let probe = tempfile::tempdir().unwrap();
        let made = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(probe.path().join("venv"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if made {
            Some(PathBuf::from("python3"))
        } else {
            strata_testindex::tool_missing("`python3 -m venv` is not available on this machine");
            None
        }
    }

    /// Writes `strata_demo-1.0{extension}` holding `files` under `strata_demo-1.0/`.
    fn write_sdist(directory: &Path, extension: &str, files: &[(&str, &str)]) -> PathBuf {
        let path = directory.join(format!("strata_demo-1.0{extension}"));
        let members = files
            .iter()
            .map(|(name, content)| (format!("strata_demo-1.0/{name}"), content.as_bytes()));
        match extension {
            ".zip" => {
                let mut archive = zip::ZipWriter::new(fs_err::File::create(&path).unwrap());
                for (name, content) in members {
                    archive
                        .start_file(name, SimpleFileOptions::default())
                        .unwrap();
                    archive.write_all(content).unwrap();
                }
                archive.finish().unwrap();
            }
            ".tar.gz" => {
                let file = fs_err::File::create(&path).unwrap();
                let mut archive = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
                for (name, content) in members {
                    let mut header = tar::Header::new_gnu();
                    header.set_size(content.len() as u64);
                    header.set_mode(0o644);
                    header.set_entry_type(tar::EntryType::Regular);
                    archive.append_data(&mut header, name, content).unwrap();
                }
                archive.into_inner().unwrap().finish().unwrap();
            }
            ".tar.bz2" => {
                // No bzip2 encoder is linked: Python recompresses the `.tar.gz`.
                let tar_gz = write_sdist(directory, ".tar.gz", files);
                let status = Command::new("python3")
                    .args([
                        "-I",
                        "-c",
                        "import sys, tarfile\nwith tarfile.open(sys.argv[1]) as source, tarfile.open(sys.argv[2], 'w:bz2') as target:\n    for member in source.getmembers():\n        target.addfile(member, source.extractfile(member))",
                    ])
                    .arg(&tar_gz)
                    .arg(&path)
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            other => panic!("no writer for `{other}`"),
        }
        path
    }

    fn environment(python: PathBuf, work_dir: &Path) -> BuildEnvironment {
        BuildEnvironment {
            python,
            sources: PipSources::default(),
            work_dir: work_dir.to_path_buf(),
            log_dir: work_dir.with_file_name("logs"),
        }
    }

    fn build(files: &[(&str, &str)], find_links: &[PathBuf]) -> Option<Result<String, Error>> {
        build_as(".tar.gz", files, find_links)
    }

    fn build_as(
        extension: &str,
        files: &[(&str, &str)],
        find_links: &[PathBuf],
    ) -> Option<Result<String, Error>> {
        let python = python()?;
        let directory = tempfile::tempdir().unwrap();
        let sdist = write_sdist(directory.path(), extension, files);
        let mut env = environment(python, &directory.path().join("work"));
        env.sources.find_links = find_links
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        Some(
            build_metadata(&sdist, &filename(extension), &env)
                .map(|bytes| String::from_utf8(bytes).unwrap()),
        )
    }

    fn build_output(error: &Error) -> &str {
        match error.kind() {
            ErrorKind::Failed { output, .. } => output,
            other => panic!("not a build error: {other}"),
        }
    }

    #[test]
    fn in_tree_backend_prepares_dynamic_metadata() {
        let backend = format!(
            "{METADATA_FUNCTION}
def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, 'strata_demo-1.0.dist-info')
    os.makedirs(dist_info)
    with open(os.path.join(dist_info, 'METADATA'), 'w', encoding='utf-8') as f:
        f.write(_metadata())
    return 'strata_demo-1.0.dist-info'


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise SystemExit('build_wheel ran although prepare_metadata_for_build_wheel exists')
"
        );
        let Some(result) = build(
            &[
                ("pyproject.toml", PYPROJECT),
                ("backend/demo_backend.py", &backend),
                (
                    "requirements.txt",
                    "numpy>=1.26\ntorch==2.9.1; sys_platform == 'linux'\n",
                ),
                (
                    "PKG-INFO",
                    "Metadata-Version: 2.2\nName: strata-demo\nVersion: 1.0\nDynamic: Requires-Dist\n",
                ),
            ],
            &[],
        ) else {
            return;
        };
        insta::assert_snapshot!(result.unwrap(), @r"
        Metadata-Version: 2.1
        Name: strata-demo
        Version: 1.0
        Requires-Dist: numpy>=1.26
        Requires-Dist: torch==2.9.1; sys_platform == 'linux'
        ");
    }

    #[test]
    fn backend_without_prepare_hook_builds_the_wheel() {
        let backend = format!(
            "{METADATA_FUNCTION}
import zipfile


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = 'strata_demo-1.0-py3-none-any.whl'
    with zipfile.ZipFile(os.path.join(wheel_directory, name), 'w') as archive:
        archive.writestr('strata_demo/__init__.py', '')
        archive.writestr('strata_demo/_vendor/other-2.0.dist-info/METADATA', 'Name: other\\n')
        archive.writestr('strata_demo-1.0.dist-info/METADATA', _metadata(['from-the-wheel']))
    return name
"
        );
        let Some(result) = build(
            &[
                ("pyproject.toml", PYPROJECT),
                ("backend/demo_backend.py", &backend),
                ("requirements.txt", "numpy>=1.26\n"),
            ],
            &[],
        ) else {
            return;
        };
        insta::assert_snapshot!(result.unwrap(), @r"
        Metadata-Version: 2.1
        Name: strata-demo
        Version: 1.0
        Requires-Dist: numpy>=1.26
        Requires-Dist: from-the-wheel
        ");
    }

    #[test]
    fn zip_and_bzip2_sdists_are_unpacked() {
        let backend = format!(
            "{METADATA_FUNCTION}
def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    os.makedirs(os.path.join(metadata_directory, 'demo.dist-info'))
    with open(os.path.join(metadata_directory, 'demo.dist-info', 'METADATA'), 'w') as f:
        f.write(_metadata())
    return 'demo.dist-info'
"
        );
        for extension in [".zip", ".tar.bz2"] {
            let Some(result) = build_as(
                extension,
                &[
                    ("pyproject.toml", PYPROJECT),
                    ("backend/demo_backend.py", &backend),
                    ("requirements.txt", "numpy>=1.26\n"),
                ],
                &[],
            ) else {
                return;
            };
            assert!(
                result.unwrap().ends_with("Requires-Dist: numpy>=1.26\n"),
                "{extension}"
            );
        }
    }

    #[test]
    fn failing_backend_is_reported_with_its_output() {
        let backend = "
import sys


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    for line in range(100):
        print('compiling step %d' % line)
    sys.stdout.flush()
    raise SystemExit('This sdist downloads its real wheel from another index at build time')
";
        let Some(result) = build(
            &[
                ("pyproject.toml", PYPROJECT),
                ("backend/demo_backend.py", backend),
            ],
            &[],
        ) else {
            return;
        };
        let error = result.unwrap_err();
        let ErrorKind::Failed { log, .. } = error.kind() else {
            panic!("not a build error: {error}");
        };
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "Failed to build metadata of `strata-demo-1.0.tar.gz` with its build backend; the last lines of its output (all of it is in `{}`):\n  | ",
                log.display()
            )),
            "{message}"
        );
        let output = build_output(&error);
        assert_eq!(output.lines().count(), OUTPUT_LINES, "{output}");
        assert!(
            output.contains("This sdist downloads its real wheel from another index at build time"),
            "{output}"
        );
        assert!(output.contains("compiling step 99"), "{output}");
        assert!(!output.contains("compiling step 50\n"), "{output}");
        assert_eq!(
            output.lines().last(),
            Some("Failed to run the `demo_backend` backend (metadata): exit status: 1"),
            "{output}"
        );
    }

    #[test]
    fn hung_backend_is_stopped_after_the_step_timeout() {
        let Some(python) = python() else {
            return;
        };
        let directory = tempfile::tempdir().unwrap();
        let backend = "import time\n\ndef prepare_metadata_for_build_wheel(d, c=None):\n    print('waiting', flush=True)\n    time.sleep(600)\n";
        let sdist = write_sdist(
            directory.path(),
            ".tar.gz",
            &[
                ("pyproject.toml", PYPROJECT),
                ("backend/demo_backend.py", backend),
            ],
        );
        let env = environment(python, &directory.path().join("work"));
        let started = Instant::now();
        let error =
            build_metadata_within(&sdist, &filename(".tar.gz"), &env, Duration::from_secs(10))
                .unwrap_err();
        assert!(started.elapsed() < Duration::from_mins(1));
        let output = build_output(&error);
        assert!(output.contains("waiting"), "{output}");
        assert_eq!(
            output.lines().last(),
            Some(
                "Failed to run the `demo_backend` backend (metadata): still running after 10 seconds, stopped"
            ),
            "{output}"
        );
    }

    #[test]
    fn backend_outside_its_backend_path_is_refused() {
        // `backend-path` names `backend/`, but the module sits at the root of the source tree;
        // the interpreter would not find it, and the error says so.
        let Some(result) = build(
            &[
                ("pyproject.toml", PYPROJECT),
                (
                    "demo_backend.py",
                    "def prepare_metadata_for_build_wheel(d, c=None):\n    return ''\n",
                ),
            ],
            &[],
        ) else {
            return;
        };
        let error = result.unwrap_err();
        let output = build_output(&error);
        assert!(
            output.contains("ModuleNotFoundError: No module named 'demo_backend'"),
            "{output}"
        );
    }

    /// A minimal installable wheel of `name` 1.0 whose module defines `VALUE`.
    fn write_wheel(directory: &Path, name: &str, value: &str) {
        let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let dist_info = format!("{name}-1.0.dist-info");
        let files = [
            (format!("{name}/__init__.py"), format!("VALUE = {value:?}\n")),
            (
                format!("{dist_info}/METADATA"),
                format!("Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"),
            ),
            (
                format!("{dist_info}/WHEEL"),
                "Wheel-Version: 1.0\nGenerator: strata-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                    .to_string(),
            ),
            (
                format!("{dist_info}/RECORD"),
                format!("{name}/__init__.py,,\n{dist_info}/METADATA,,\n{dist_info}/WHEEL,,\n{dist_info}/RECORD,,\n"),
            ),
        ];
        for (path, content) in files {
            archive
                .start_file(path, SimpleFileOptions::default())
                .unwrap();
            archive.write_all(content.as_bytes()).unwrap();
        }
        let bytes = archive.finish().unwrap().into_inner();
        fs_err::write(
            directory.join(format!("{name}-1.0-py3-none-any.whl")),
            bytes,
        )
        .unwrap();
    }

    #[test]
    fn build_requirements_are_installed_from_find_links_only() {
        let find_links = tempfile::tempdir().unwrap();
        write_wheel(find_links.path(), "strata_helper", "numpy>=1.26");
        write_wheel(find_links.path(), "strata_helper_two", "scipy");
        let backend = format!(
            "{METADATA_FUNCTION}
import strata_helper


def get_requires_for_build_wheel(config_settings=None):
    return ['strata-helper-two']


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    import strata_helper_two

    dist_info = os.path.join(metadata_directory, 'strata_demo-1.0.dist-info')
    os.makedirs(dist_info)
    with open(os.path.join(dist_info, 'METADATA'), 'w', encoding='utf-8') as f:
        f.write(_metadata([strata_helper.VALUE, strata_helper_two.VALUE]))
    return 'strata_demo-1.0.dist-info'
"
        );
        let pyproject = PYPROJECT.replace("requires = []", "requires = [\"strata-helper\"]");
        let Some(result) = build(
            &[
                ("pyproject.toml", &pyproject),
                ("backend/demo_backend.py", &backend),
                ("requirements.txt", ""),
            ],
            &[find_links.path().to_path_buf()],
        ) else {
            return;
        };
        insta::assert_snapshot!(result.unwrap(), @r"
        Metadata-Version: 2.1
        Name: strata-demo
        Version: 1.0
        Requires-Dist: numpy>=1.26
        Requires-Dist: scipy
        ");
    }

    #[test]
    fn missing_build_requirement_is_reported() {
        let empty = tempfile::tempdir().unwrap();
        let pyproject = PYPROJECT.replace("requires = []", "requires = [\"strata-absent\"]");
        let Some(result) = build(
            &[
                ("pyproject.toml", &pyproject),
                ("backend/demo_backend.py", ""),
            ],
            &[empty.path().to_path_buf()],
        ) else {
            return;
        };
        let error = result.unwrap_err();
        let output = build_output(&error);
        assert!(output.contains("strata-absent"), "{output}");
        assert_eq!(
            output.lines().last(),
            Some("Failed to install `strata-absent`: exit status: 1"),
            "{output}"
        );
    }
}
