//! Finding the environment to inspect: which interpreter, its site-packages and its markers.
//!
//! Discovery follows the order users expect from uv and pip: `--python PATH`, `--venv DIR`
//! (its `bin/python`), `$VIRTUAL_ENV`, `./.venv`, else `python3` on `PATH`. The library never
//! reads environment variables itself: the caller passes `VIRTUAL_ENV` in through
//! [`InterpreterRequest`].
//!
//! The interpreter is asked once, with one subprocess, for its `sysconfig` `purelib` and
//! `platlib` and its PEP 508 marker environment, so requirement markers evaluate exactly as pip
//! evaluates them there. It runs with `-I` (isolated: no user site, no `PYTHON*` variables, no
//! working directory on `sys.path`). Not `-S`: on CPython 3.11 it is `site` that switches
//! `sys.prefix` to a venv, so without it `purelib` would be the base interpreter's.
//!
//! With `--site-packages DIR` no Python runs at all; markers are then those of CPython on the
//! host platform, with the Python version read from the path (`lib/python3.11/site-packages`).

use std::path::{Path, PathBuf};
use std::process::Command;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use serde::Deserialize;

use strata_dist::Target;

use crate::error::{Error, ErrorKind};

/// What the user said about which environment to inspect, with the environment values the
/// caller read for us.
#[derive(Debug, Clone, Default)]
pub struct InterpreterRequest {
    /// `--python PATH`.
    pub python: Option<PathBuf>,
    /// `--venv DIR`.
    pub venv: Option<PathBuf>,
    /// The value of `VIRTUAL_ENV`, when set and non-empty.
    pub virtual_env: Option<PathBuf>,
    /// The directory `./.venv` is looked for in (the working directory).
    pub working_directory: PathBuf,
}

/// Where the chosen interpreter came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterpreterSource {
    /// `--python`.
    Explicit,
    /// `--venv`.
    Venv,
    /// `VIRTUAL_ENV`.
    VirtualEnv,
    /// `./.venv` in the working directory.
    DotVenv,
    /// `python3` on `PATH`.
    Path,
}

/// Chooses the interpreter to ask, in discovery order.
///
/// A virtual environment named by `--venv` or `VIRTUAL_ENV` must contain `bin/python`; `./.venv`
/// is used only when it does.
pub fn find_interpreter(
    request: &InterpreterRequest,
) -> Result<(PathBuf, InterpreterSource), Error> {
    if let Some(python) = &request.python {
        return Ok((python.clone(), InterpreterSource::Explicit));
    }
    for (venv, source) in [
        (&request.venv, InterpreterSource::Venv),
        (&request.virtual_env, InterpreterSource::VirtualEnv),
    ] {
        if let Some(venv) = venv {
            let python = venv_python(venv);
            if !python.exists() {
                return Err(ErrorKind::NoVenvInterpreter {
                    venv: venv.clone(),
                    python,
                }
                .into());
            }
            return Ok((python, source));
        }
    }
    let dot_venv = venv_python(&request.working_directory.join(".venv"));
    if dot_venv.exists() {
        return Ok((dot_venv, InterpreterSource::DotVenv));
    }
    Ok((PathBuf::from("python3"), InterpreterSource::Path))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// What the interpreter reported about itself.
#[derive(Debug, Clone)]
pub struct Interpreter {
    /// `sys.executable`.
    pub executable: PathBuf,
    /// The site-packages directories to scan (`purelib`, then `platlib` when different).
    pub site_packages: Vec<PathBuf>,
    /// The PEP 508 marker environment.
    pub markers: MarkerEnvironment,
}

const QUERY: &str = r#"
import json, os, platform, sys, sysconfig
def full(info):
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version
print(json.dumps({
    "executable": sys.executable,
    "purelib": sysconfig.get_path("purelib"),
    "platlib": sysconfig.get_path("platlib"),
    "implementation_name": sys.implementation.name,
    "implementation_version": full(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"#;

#[derive(Deserialize)]
struct Answer {
    executable: PathBuf,
    purelib: PathBuf,
    platlib: PathBuf,
    implementation_name: String,
    implementation_version: String,
    os_name: String,
    platform_machine: String,
    platform_python_implementation: String,
    platform_release: String,
    platform_system: String,
    platform_version: String,
    python_full_version: String,
    python_version: String,
    sys_platform: String,
}

impl Interpreter {
    /// Asks `python` for its site-packages and marker environment (one subprocess).
    pub fn query(python: &Path) -> Result<Self, Error> {
        let output = Command::new(python)
            .args(["-I", "-c", QUERY])
            .output()
            .map_err(|source| ErrorKind::SpawnInterpreter {
                python: python.to_path_buf(),
                source,
            })?;
        if !output.status.success() {
            return Err(ErrorKind::InterpreterFailed {
                python: python.to_path_buf(),
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            }
            .into());
        }
        Self::from_json(python, &output.stdout)
    }

    fn from_json(python: &Path, json: &[u8]) -> Result<Self, Error> {
        let answer: Answer =
            serde_json::from_slice(json).map_err(|source| ErrorKind::InterpreterOutput {
                python: python.to_path_buf(),
                source,
            })?;
        let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: &answer.implementation_name,
            implementation_version: &answer.implementation_version,
            os_name: &answer.os_name,
            platform_machine: &answer.platform_machine,
            platform_python_implementation: &answer.platform_python_implementation,
            platform_release: &answer.platform_release,
            platform_system: &answer.platform_system,
            platform_version: &answer.platform_version,
            python_full_version: &answer.python_full_version,
            python_version: &answer.python_version,
            sys_platform: &answer.sys_platform,
        })
        .map_err(|error| ErrorKind::InterpreterMarkers {
            python: python.to_path_buf(),
            message: error.to_string(),
        })?;
        let mut site_packages = vec![answer.purelib];
        if !site_packages.contains(&answer.platlib) {
            site_packages.push(answer.platlib);
        }
        Ok(Self {
            executable: answer.executable,
            site_packages,
            markers,
        })
    }
}

/// The marker environment for a bare `--site-packages DIR`: CPython on this host, with the
/// Python version taken from a `python3.X` component of the path (else 3.12).
pub fn host_markers(site_packages: &Path) -> Result<MarkerEnvironment, Error> {
    let python_version = site_packages
        .components()
        .filter_map(|component| component.as_os_str().to_str())
        .find_map(|component| {
            let version = component.strip_prefix("python")?;
            (version.contains('.') && version.chars().all(|c| c.is_ascii_digit() || c == '.'))
                .then(|| version.to_string())
        })
        .unwrap_or_else(|| "3.12".to_string());
    let system = match std::env::consts::OS {
        "macos" => "apple-darwin",
        "windows" => "pc-windows-msvc",
        _ => "unknown-linux-gnu",
    };
    let platform = format!("{}-{system}", std::env::consts::ARCH);
    let target =
        Target::parse(&python_version, &platform).map_err(|error| ErrorKind::HostMarkers {
            message: error.to_string(),
        })?;
    Ok(target.markers())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_python_wins_over_every_venv() {
        let request = InterpreterRequest {
            python: Some(PathBuf::from("/opt/py/bin/python3")),
            venv: Some(PathBuf::from("/nonexistent")),
            virtual_env: Some(PathBuf::from("/nonexistent")),
            working_directory: PathBuf::from("/nonexistent"),
        };
        assert_eq!(
            find_interpreter(&request).unwrap(),
            (
                PathBuf::from("/opt/py/bin/python3"),
                InterpreterSource::Explicit
            )
        );
    }

    #[test]
    fn discovery_order_is_venv_then_virtual_env_then_dot_venv_then_path() {
        let root = tempfile::tempdir().unwrap();
        let make = |name: &str| {
            let bin = root.path().join(name).join("bin");
            fs_err::create_dir_all(&bin).unwrap();
            fs_err::write(bin.join("python"), "").unwrap();
            root.path().join(name)
        };
        let (flag, variable) = (make("flag"), make("variable"));
        make(".venv");
        let mut request = InterpreterRequest {
            python: None,
            venv: Some(flag.clone()),
            virtual_env: Some(variable.clone()),
            working_directory: root.path().to_path_buf(),
        };
        assert_eq!(
            find_interpreter(&request).unwrap(),
            (flag.join("bin/python"), InterpreterSource::Venv)
        );
        request.venv = None;
        assert_eq!(
            find_interpreter(&request).unwrap(),
            (variable.join("bin/python"), InterpreterSource::VirtualEnv)
        );
        request.virtual_env = None;
        assert_eq!(
            find_interpreter(&request).unwrap(),
            (
                root.path().join(".venv/bin/python"),
                InterpreterSource::DotVenv
            )
        );
        request.working_directory = root.path().join("flag");
        assert_eq!(
            find_interpreter(&request).unwrap(),
            (PathBuf::from("python3"), InterpreterSource::Path)
        );
    }

    #[test]
    fn a_venv_without_python_is_an_error_naming_it() {
        let request = InterpreterRequest {
            venv: Some(PathBuf::from("/nonexistent/venv")),
            ..InterpreterRequest::default()
        };
        insta::assert_snapshot!(
            find_interpreter(&request).unwrap_err(),
            @"No Python interpreter in the virtual environment `/nonexistent/venv` (looked for `/nonexistent/venv/bin/python`)"
        );
    }

    #[test]
    fn host_markers_take_the_python_version_from_the_path() {
        let markers = host_markers(Path::new("/v/lib/python3.10/site-packages")).unwrap();
        assert_eq!(markers.python_version().to_string(), "3.10");
    }
}
