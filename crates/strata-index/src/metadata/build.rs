//! Building a source distribution's metadata with its own PEP 517 build backend.
//!
//! PEP 517 splits building into a *frontend* (here) and a *backend* named by the sdist's
//! `pyproject.toml`: `[build-system]` lists the `requires` to install first (PEP 518) and the
//! `build-backend` object to import (`module` or `module:object.attribute`), optionally from
//! `backend-path` directories inside the source tree (an in-tree backend, which must then be
//! loaded from there). An sdist without `pyproject.toml`, or without `[build-system]`, is a
//! setuptools project: pip then uses `requires = ["setuptools>=40.8.0"]` and the backend
//! `setuptools.build_meta:__legacy__`, and so does this module, so the same sdists build. The
//! hooks run with the source tree as the working directory. `get_requires_for_build_wheel`
//! (optional) names more requirements to install; `prepare_metadata_for_build_wheel` (optional)
//! writes a `*.dist-info` directory and returns its name; when a backend lacks it, the frontend
//! builds the wheel with `build_wheel` and takes `METADATA` from it, as pip does.
//!
//! The frontend is deliberately small: the sdist is unpacked into the caller's work directory,
//! an isolated virtual environment is made with the machine's `python -m venv` (without pip:
//! pip is bootstrapped with `ensurepip` only when something must be installed, which in-tree
//! standard-library backends never need), requirements are installed with that pip using only
//! the indexes strata resolved (`PIP_CONFIG_FILE` points at the null device and pip's own index
//! variables are removed, so the user's pip configuration cannot send the build elsewhere), and
//! each hook runs in a fresh interpreter through [`DRIVER`], a short standard-library script.
//! Everything the subprocesses print goes to one log file, whose tail becomes the error when a
//! step fails: a backend that fails (e.g. a stub sdist that downloads its real wheel from another
//! index at build time) is reported with its own words.
//!
//! Not done here: build isolation beyond a fresh venv (no sandbox, no network cut-off), timeouts,
//! `config_settings`, and caching (the caller caches the resulting metadata).
//!
//! See: <https://peps.python.org/pep-0517/>, <https://peps.python.org/pep-0518/>,
//! <https://pip.pypa.io/en/stable/reference/build-system/pyproject-toml/>

use std::fmt::Write as _;
use std::io::{BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use serde::Deserialize;

use strata_dist::{SourceDistExtension, SourceDistFilename};

use crate::error::{Error, ErrorKind};

/// How many lines of the build output an error keeps.
const OUTPUT_LINES: usize = 40;

/// How long one step (venv, install, hook) may run. Generous: a stub sdist may download a
/// multi-GB wheel at build time, but a hung build must not hang the resolution forever.
const STEP_TIMEOUT: Duration = Duration::from_mins(20);

/// pip's defaults for a project without `[build-system]`.
const DEFAULT_REQUIRES: &str = "setuptools>=40.8.0";
const DEFAULT_BACKEND: &str = "setuptools.build_meta:__legacy__";

/// Variables that would make pip or Python look somewhere other than where strata decided.
const REMOVED_VARIABLES: [&str; 12] = [
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_USER",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "PYTHONPATH",
    "PYTHONHOME",
];

/// Runs one PEP 517 hook and writes its answer as JSON to a result file: backends print freely
/// on stdout, so stdout cannot carry the answer. Arguments: the hook (`requires` or
/// `metadata`), the backend, `backend-path` as JSON, the output directory and the result file.
const DRIVER: &str = r#""""strata's PEP 517 driver: runs one build backend hook in this interpreter."""
import importlib
import json
import os
import sys
import zipfile


def load_backend(spec, backend_path):
    roots = [os.path.abspath(path) for path in backend_path]
    sys.path[:0] = roots
    module_name, _, attribute = spec.partition(":")
    backend = importlib.import_module(module_name.strip())
    if roots:
        location = os.path.abspath(getattr(backend, "__file__", None) or "")
        if not any(location.startswith(root + os.sep) for root in roots):
            raise SystemExit(
                "The backend %r was loaded from %r, outside its backend-path %r"
                % (spec, location, backend_path)
            )
    for part in filter(None, attribute.strip().split(".")):
        backend = getattr(backend, part)
    return backend


def metadata_from_wheel(wheel, out_dir):
    with zipfile.ZipFile(wheel) as archive:
        names = [
            name
            for name in archive.namelist()
            if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
        ]
        if len(names) != 1:
            raise SystemExit(
                "%s has %d top-level *.dist-info/METADATA files" % (os.path.basename(wheel), len(names))
            )
        target = os.path.join(out_dir, "METADATA")
        with open(target, "wb") as f:
            f.write(archive.read(names[0]))
    return target


def main():
    hook, spec, backend_path, out_dir, result = sys.argv[1:]
    backend = load_backend(spec, json.loads(backend_path))
    if hook == "requires":
        get_requires = getattr(backend, "get_requires_for_build_wheel", None)
        answer = list(get_requires({})) if get_requires is not None else []
    else:
        prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
        if prepare is not None:
            metadata_dir = os.path.join(out_dir, "metadata")
            os.makedirs(metadata_dir, exist_ok=True)
            answer = os.path.join(metadata_dir, prepare(metadata_dir, {}), "METADATA")
        else:
            wheel_dir = os.path.join(out_dir, "wheel")
            os.makedirs(wheel_dir, exist_ok=True)
            wheel = backend.build_wheel(wheel_dir, {})
            answer = metadata_from_wheel(os.path.join(wheel_dir, wheel), out_dir)
        print("strata: metadata at %s" % answer)
    with open(result, "w", encoding="utf-8") as f:
        json.dump(answer, f)


main()
"#;

/// Where and how to build: the machine's interpreter and the indexes the build requirements
/// come from.
pub(crate) struct BuildEnvironment {
    /// The machine's `python3`, used only to create the build's virtual environment.
    pub(crate) python: PathBuf,
    /// pip's `--index-url`; `None` means no index at all (only `find-links`).
    pub(crate) pip_index_url: Option<String>,
    /// pip's `--extra-index-url`s.
    pub(crate) pip_extra_index_urls: Vec<String>,
    /// pip's `--find-links` (directories or pages).
    pub(crate) pip_find_links: Vec<String>,
    /// An empty temporary directory the caller owns and removes.
    pub(crate) work_dir: PathBuf,
    /// Where the log of a failed build is kept (as `<sdist filename>.log`), since the work
    /// directory goes away and an error shows only the log's last lines.
    pub(crate) log_dir: PathBuf,
}

/// Builds the `METADATA` of the sdist at `sdist` with its PEP 517 backend (see the module
/// documentation). Blocking: runs several Python processes.
pub(crate) fn build_metadata(
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
    let work_dir = std::path::absolute(&env.work_dir).map_err(|source| ErrorKind::Io {
        path: env.work_dir.clone(),
        source,
    })?;
    let mut build = Build::new(filename, env, &work_dir, step_timeout)?;

    let unpacked = work_dir.join("src");
    build.unpack(sdist, &unpacked)?;
    let source = source_root(&unpacked).map_err(|source| io_error(&unpacked, source))?;
    let system = BuildSystem::read(&source).map_err(|reason| build.failure(&reason))?;

    let venv = work_dir.join("venv");
    build.run(
        "create the build environment",
        Command::new(&env.python)
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv),
    )?;
    build.venv_python = Some(venv_python(&venv));
    build.install(&system.requires)?;

    let driver = work_dir.join("strata_build_driver.py");
    write_file(&driver, DRIVER.as_bytes())?;
    let requires: Vec<String> = build.hook("requires", &driver, &system, &source)?;
    build.install(&requires)?;
    let metadata: PathBuf = build.hook("metadata", &driver, &system, &source)?;
    fs_err::read(&metadata).map_err(|source| {
        build.failure(&format!(
            "Failed to read the metadata the backend wrote: {source}"
        ))
    })
}

/// The `[build-system]` table, with pip's defaults applied.
#[derive(Debug, PartialEq, Eq)]
struct BuildSystem {
    requires: Vec<String>,
    backend: String,
    backend_path: Vec<String>,
}

impl BuildSystem {
    /// Reads `pyproject.toml` in `source`; a missing file or table means setuptools.
    fn read(source: &Path) -> Result<Self, String> {
        let path = source.join("pyproject.toml");
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(error) => return Err(error.to_string()),
        };
        Self::parse(&text)
    }

    fn parse(pyproject: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct PyProject {
            #[serde(rename = "build-system")]
            build_system: Option<Table>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case")]
        struct Table {
            requires: Option<Vec<String>>,
            build_backend: Option<String>,
            backend_path: Option<Vec<String>>,
        }

        let project: PyProject = toml::from_str(pyproject)
            .map_err(|error| format!("Invalid `pyproject.toml`: {error}"))?;
        let table = project.build_system.unwrap_or(Table {
            requires: None,
            build_backend: None,
            backend_path: None,
        });
        // pip rejects a `[build-system]` without `requires`; defaulting it as for a missing
        // table builds the same sdists a lenient frontend (uv) builds.
        Ok(Self {
            requires: table
                .requires
                .unwrap_or_else(|| vec![DEFAULT_REQUIRES.to_string()]),
            backend: table
                .build_backend
                .unwrap_or_else(|| DEFAULT_BACKEND.to_string()),
            backend_path: table.backend_path.unwrap_or_default(),
        })
    }
}

/// The state of one build: its log and, once made, the virtual environment's interpreter.
struct Build<'a> {
    filename: &'a SourceDistFilename,
    env: &'a BuildEnvironment,
    work_dir: &'a Path,
    log_path: PathBuf,
    log: fs_err::File,
    venv_python: Option<PathBuf>,
    has_pip: bool,
    step_timeout: Duration,
}

impl<'a> Build<'a> {
    fn new(
        filename: &'a SourceDistFilename,
        env: &'a BuildEnvironment,
        work_dir: &'a Path,
        step_timeout: Duration,
    ) -> Result<Self, Error> {
        fs_err::create_dir_all(work_dir).map_err(|source| io_error(work_dir, source))?;
        let log_path = work_dir.join("build.log");
        let log = fs_err::File::create(&log_path).map_err(|source| io_error(&log_path, source))?;
        Ok(Self {
            filename,
            env,
            work_dir,
            log_path,
            log,
            venv_python: None,
            has_pip: false,
            step_timeout,
        })
    }

    /// Unpacks the sdist into `destination`; formats without a linked decoder go through
    /// Python's own unpacker.
    fn unpack(&mut self, sdist: &Path, destination: &Path) -> Result<(), Error> {
        let unpacked = match self.filename.extension() {
            SourceDistExtension::TarGz => fs_err::File::open(sdist).and_then(|file| {
                // `unpack` refuses members that would land outside `destination`.
                tar::Archive::new(GzDecoder::new(BufReader::new(file))).unpack(destination)
            }),
            SourceDistExtension::Zip => fs_err::File::open(sdist).and_then(|file| {
                zip::ZipArchive::new(BufReader::new(file))
                    .and_then(|mut archive| archive.extract(destination))
                    .map_err(std::io::Error::other)
            }),
            SourceDistExtension::TarBz2 | SourceDistExtension::TarXz => {
                return self.run(
                    "unpack the sdist",
                    Command::new(&self.env.python)
                        .args([
                            "-I",
                            "-c",
                            "import shutil, sys\ntry:\n    shutil.unpack_archive(sys.argv[1], sys.argv[2], filter='data')\nexcept TypeError:\n    shutil.unpack_archive(sys.argv[1], sys.argv[2])",
                        ])
                        .arg(sdist)
                        .arg(destination),
                );
            }
        };
        unpacked.map_err(|error| self.failure(&format!("Failed to unpack the sdist: {error}")))
    }

    /// Installs `requirements` into the build environment, bootstrapping pip the first time.
    fn install(&mut self, requirements: &[String]) -> Result<(), Error> {
        if requirements.is_empty() {
            return Ok(());
        }
        let python = self.python().to_path_buf();
        if !self.has_pip {
            self.run(
                "bootstrap pip in the build environment",
                Command::new(&python).args(["-I", "-m", "ensurepip", "--default-pip"]),
            )?;
            self.has_pip = true;
        }
        let mut command = Command::new(&python);
        command.args(["-I", "-m", "pip", "install"]);
        // Index URLs go through the environment, not the command line, which other users of the
        // machine can read; pip redacts their passwords in what it prints.
        match &self.env.pip_index_url {
            Some(url) => {
                command.env("PIP_INDEX_URL", url);
            }
            None => {
                // No index: only `find-links`, and nothing written to the user's pip cache.
                command.env("PIP_NO_INDEX", "1").arg("--no-cache-dir");
            }
        }
        if !self.env.pip_extra_index_urls.is_empty() {
            command.env(
                "PIP_EXTRA_INDEX_URL",
                self.env.pip_extra_index_urls.join(" "),
            );
        }
        for find_links in &self.env.pip_find_links {
            command.args(["--find-links", find_links]);
        }
        command.args(requirements);
        self.run(
            &format!("install `{}`", requirements.join("`, `")),
            &mut command,
        )
    }

    /// Runs one driver hook in the source tree and reads its JSON answer.
    fn hook<T: serde::de::DeserializeOwned>(
        &mut self,
        hook: &str,
        driver: &Path,
        system: &BuildSystem,
        source: &Path,
    ) -> Result<T, Error> {
        let out_dir = self.work_dir.join(format!("out-{hook}"));
        let result = self.work_dir.join(format!("{hook}.json"));
        let backend_path = serde_json::to_string(
            &system
                .backend_path
                .iter()
                .map(|path| source.join(path).to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
        )
        .expect("a list of strings serializes to JSON");
        let python = self.python().to_path_buf();
        self.run(
            &format!("run the `{}` backend ({hook})", system.backend),
            Command::new(python)
                .arg("-I")
                .arg(driver)
                .args([hook, &system.backend, &backend_path])
                .arg(&out_dir)
                .arg(&result)
                .current_dir(source),
        )?;
        let answer = fs_err::read(&result).map_err(|error| self.failure(&error.to_string()))?;
        serde_json::from_slice(&answer).map_err(|error| {
            self.failure(&format!(
                "The build driver wrote an unreadable answer: {error}"
            ))
        })
    }

    fn python(&self) -> &Path {
        self.venv_python
            .as_deref()
            .expect("the build environment is made before anything runs in it")
    }

    /// Runs `command` with its output appended to the log; a failure carries the log's tail.
    fn run(&mut self, what: &str, command: &mut Command) -> Result<(), Error> {
        // The log records what was done, not the command line, which may hold index URLs.
        let _ = writeln!(self.log, "strata: {what}");
        let (stdout, stderr) = match (self.log.file().try_clone(), self.log.file().try_clone()) {
            (Ok(stdout), Ok(stderr)) => (stdout, stderr),
            (Err(source), _) | (_, Err(source)) => return Err(io_error(&self.log_path, source)),
        };
        for variable in REMOVED_VARIABLES {
            command.env_remove(variable);
        }
        command
            .env("PIP_CONFIG_FILE", null_device())
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("PYTHONNOUSERSITE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::from(stdout))
            .stderr(Stdio::from(stderr));
        let mut child = command.spawn().map_err(|error| {
            self.failure(&format!(
                "Failed to {what}: cannot run `{}`: {error}",
                command.get_program().to_string_lossy()
            ))
        })?;
        let deadline = Instant::now() + self.step_timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    // Only the direct child is killed; what it started dies with its pipes or
                    // lingers until it finishes, which is all std offers without a process group.
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "Failed to {what}: still running after {} seconds, stopped",
                        self.step_timeout.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(error) => break Err(format!("Failed to {what}: {error}")),
            }
        };
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(self.failure(&format!("Failed to {what}: {status}"))),
            Err(reason) => Err(self.failure(&reason)),
        }
    }

    /// A build error with the last lines of the log, ending with `last_line`; the whole log,
    /// `last_line` included, is kept in the log directory.
    fn failure(&self, last_line: &str) -> Error {
        let mut log = fs_err::read(&self.log_path).unwrap_or_default();
        log.extend_from_slice(last_line.as_bytes());
        log.push(b'\n');
        let kept = self.env.log_dir.join(format!("{}.log", self.filename));
        // Without a kept copy the error still carries the tail; the path then names the work
        // directory's log, gone once the caller cleans up, which is all that can be said.
        let log_path = match strata_fs::write_atomic_unsynced(&kept, &log) {
            Ok(()) => kept,
            Err(_) => self.log_path.clone(),
        };
        let log = String::from_utf8_lossy(&log);
        let mut lines: Vec<&str> = log.lines().collect();
        let start = lines.len().saturating_sub(OUTPUT_LINES);
        let output = lines
            .drain(start..)
            .fold(String::new(), |mut output, line| {
                let _ = writeln!(output, "{line}");
                output
            });
        ErrorKind::Build {
            filename: self.filename.to_string(),
            output: output.trim_end().to_string(),
            log: log_path,
        }
        .into()
    }
}

/// The directory holding the project: the archive's single top-level directory, as sdists have.
fn source_root(unpacked: &Path) -> std::io::Result<PathBuf> {
    let mut directories = Vec::new();
    for entry in fs_err::read_dir(unpacked)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "pyproject.toml" || name == "setup.py" {
            return Ok(unpacked.to_path_buf());
        }
        if entry.file_type()?.is_dir() {
            directories.push(entry.path());
        }
    }
    Ok(match <[PathBuf; 1]>::try_from(directories) {
        Ok([directory]) => directory,
        Err(_) => unpacked.to_path_buf(),
    })
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

fn null_device() -> &'static str {
    // pip skips a configuration file named `os.devnull`.
    if cfg!(windows) { "nul" } else { "/dev/null" }
}

fn write_file(path: &Path, content: &[u8]) -> Result<(), Error> {
    fs_err::File::create(path)
        .and_then(|mut file| file.write_all(content))
        .map_err(|source| io_error(path, source))
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    ErrorKind::Io {
        path: path.to_path_buf(),
        source,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use flate2::Compression;
    use flate2::write::GzEncoder;
    use pep508_rs::PackageName;
    use zip::write::SimpleFileOptions;

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
            pip_index_url: None,
            pip_extra_index_urls: Vec::new(),
            pip_find_links: Vec::new(),
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
        env.pip_find_links = find_links
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
            ErrorKind::Build { output, .. } => output,
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
        let ErrorKind::Build { log, .. } = error.kind() else {
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

    #[test]
    fn build_system_defaults_follow_pip() {
        let cases = [
            (
                "",
                vec!["setuptools>=40.8.0"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[project]\nname = \"x\"\n",
                vec!["setuptools>=40.8.0"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\n",
                vec!["setuptools>=61", "wheel"],
                "setuptools.build_meta:__legacy__",
                vec![],
            ),
            (
                "[build-system]\nrequires = [\"flit_core>=3.2\"]\nbuild-backend = \"flit_core.buildapi\"\n",
                vec!["flit_core>=3.2"],
                "flit_core.buildapi",
                vec![],
            ),
            (
                "[build-system]\nrequires = []\nbuild-backend = \"backend:api\"\nbackend-path = [\".\"]\n",
                vec![],
                "backend:api",
                vec!["."],
            ),
        ];
        for (pyproject, requires, backend, backend_path) in cases {
            assert_eq!(
                BuildSystem::parse(pyproject).unwrap(),
                BuildSystem {
                    requires: requires.into_iter().map(String::from).collect(),
                    backend: backend.to_string(),
                    backend_path: backend_path.into_iter().map(String::from).collect(),
                },
                "{pyproject}"
            );
        }
    }

    #[test]
    fn invalid_pyproject_is_an_error() {
        insta::assert_snapshot!(
            BuildSystem::parse("[build-system]\nrequires = \"setuptools\"\n").unwrap_err(),
            @r#"
        Invalid `pyproject.toml`: TOML parse error at line 2, column 12
          |
        2 | requires = "setuptools"
          |            ^^^^^^^^^^^^
        invalid type: string "setuptools", expected a sequence
        "#
        );
    }
}
