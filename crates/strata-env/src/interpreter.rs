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
//! Starting Python costs 20 to 50 ms, more than everything else `strata check` does, so the
//! answer is cached when the caller gives a cache directory: one small JSON file per interpreter
//! path under `<cache>/interpreters/`, valid while the interpreter's resolved executable (size,
//! modification time) and the venv's `pyvenv.cfg` (modification time) are unchanged. Upgrading
//! or recreating the venv changes one of them; a stale or unreadable entry is simply asked again.
//!
//! With `--site-packages DIR` no Python runs at all; markers are then those of CPython on the
//! host platform, with the Python version read from the path (`lib/python3.11/site-packages`).

use std::path::{Path, PathBuf};
use std::process::Command;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use serde::{Deserialize, Serialize};

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

#[derive(Serialize, Deserialize)]
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
        let answer = Self::ask(python)?;
        Self::from_answer(python, answer)
    }

    /// Like [`Interpreter::query`], through a cache of answers in `cache_directory`.
    ///
    /// Cache failures are never errors: an entry that cannot be read or written only costs
    /// the subprocess.
    pub fn query_cached(python: &Path, cache_directory: Option<&Path>) -> Result<Self, Error> {
        let Some(cache_directory) = cache_directory else {
            return Self::query(python);
        };
        let Some(key) = CacheKey::of(python) else {
            return Self::query(python);
        };
        let entry = cache_directory
            .join("interpreters")
            .join(format!("{:016x}.json", key.digest()));
        if let Ok(bytes) = fs_err::read(&entry)
            && let Ok(cached) = serde_json::from_slice::<CacheEntry>(&bytes)
            && cached.key == key
            && let Ok(interpreter) = Self::from_answer(python, cached.answer)
        {
            return Ok(interpreter);
        }
        let answer = Self::ask(python)?;
        let json = serde_json::to_vec(&CacheEntryRef {
            key: &key,
            answer: &answer,
        })
        .expect("plain data serializes");
        if let Some(parent) = entry.parent()
            && fs_err::create_dir_all(parent).is_ok()
        {
            let _ = strata_fs::write_atomic_unsynced(&entry, &json);
        }
        Self::from_answer(python, answer)
    }

    fn ask(python: &Path) -> Result<Answer, Error> {
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
        serde_json::from_slice(&output.stdout).map_err(|source| {
            ErrorKind::InterpreterOutput {
                python: python.to_path_buf(),
                source,
            }
            .into()
        })
    }

    fn from_answer(python: &Path, answer: Answer) -> Result<Self, Error> {
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

/// What a cached answer is valid for.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CacheKey {
    /// The interpreter path as given (a venv's `bin/python` is a symlink shared by every venv of
    /// one base interpreter, so the given path, not the resolved one, names the environment).
    python: PathBuf,
    /// Size and modification time (nanoseconds) of the resolved executable.
    executable: (u64, u128),
    /// Modification time (nanoseconds) of `pyvenv.cfg` next to `bin/`, if there is one.
    pyvenv_cfg: Option<u128>,
}

impl CacheKey {
    fn of(python: &Path) -> Option<Self> {
        let python = std::path::absolute(python).ok()?;
        let modified = |metadata: &std::fs::Metadata| -> Option<u128> {
            Some(
                metadata
                    .modified()
                    .ok()?
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()?
                    .as_nanos(),
            )
        };
        // A bare name (`python3`) is looked up on `PATH` by the OS; without resolving it here
        // there is nothing to key on, so it is not cached.
        let executable = fs_err::metadata(&python).ok()?;
        let pyvenv_cfg = python
            .parent()
            .and_then(Path::parent)
            .and_then(|venv| fs_err::metadata(venv.join("pyvenv.cfg")).ok())
            .and_then(|metadata| modified(&metadata));
        Some(Self {
            executable: (executable.len(), modified(&executable)?),
            python,
            pyvenv_cfg,
        })
    }

    /// FNV-1a of the path, to name the entry file; collisions are caught by comparing keys.
    fn digest(&self) -> u64 {
        self.python
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
            })
    }
}

#[derive(Deserialize)]
struct CacheEntry {
    key: CacheKey,
    answer: Answer,
}

#[derive(Serialize)]
struct CacheEntryRef<'a> {
    key: &'a CacheKey,
    answer: &'a Answer,
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
    Ok(host_target(&python_version)?.markers())
}

/// CPython `python_version` on this machine's operating system and architecture (as strata
/// was built for them): what a lock of several targets is read for when nothing says which.
pub fn host_target(python_version: &str) -> Result<Target, Error> {
    let system = match std::env::consts::OS {
        "macos" => "apple-darwin",
        "windows" => "pc-windows-msvc",
        _ => "unknown-linux-gnu",
    };
    let platform = format!("{}-{system}", std::env::consts::ARCH);
    Target::parse(python_version, &platform).map_err(|error| {
        ErrorKind::HostMarkers {
            message: error.to_string(),
        }
        .into()
    })
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
    #[cfg(unix)]
    fn a_cached_answer_is_reused_until_the_interpreter_changes() {
        let root = tempfile::tempdir().unwrap();
        let venv = root.path().join("venv");
        fs_err::create_dir_all(venv.join("bin")).unwrap();
        fs_err::write(venv.join("pyvenv.cfg"), "version = 3.11.7\n").unwrap();
        // A fake interpreter that answers once, then breaks: only the cache can answer again.
        let python = venv.join("bin/python");
        let answer = format!(
            r#"{{"executable": "{0}", "purelib": "{1}", "platlib": "{1}", "implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix", "platform_machine": "x86_64", "platform_python_implementation": "CPython", "platform_release": "6", "platform_system": "Linux", "platform_version": "1", "python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux"}}"#,
            python.display(),
            venv.join("lib/python3.11/site-packages").display()
        );
        let script = format!(
            "#!/bin/sh\n[ -e {marker} ] && exit 3\ntouch {marker}\necho '{answer}'\n",
            marker = root.path().join("asked").display()
        );
        fs_err::write(&python, script).unwrap();
        let mut permissions = fs_err::metadata(&python).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        fs_err::set_permissions(&python, permissions).unwrap();
        let cache = root.path().join("cache");

        let first = Interpreter::query_cached(&python, Some(&cache)).unwrap();
        let second = Interpreter::query_cached(&python, Some(&cache)).unwrap();
        assert_eq!(first.site_packages, second.site_packages);
        assert_eq!(second.markers.python_full_version().to_string(), "3.11.7");

        // Recreating the venv invalidates the entry: the (now broken) interpreter is asked.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs_err::write(venv.join("pyvenv.cfg"), "version = 3.11.8\n").unwrap();
        let error = Interpreter::query_cached(&python, Some(&cache)).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InterpreterFailed { .. }),
            "{error}"
        );
    }

    #[test]
    fn host_markers_take_the_python_version_from_the_path() {
        let markers = host_markers(Path::new("/v/lib/python3.10/site-packages")).unwrap();
        assert_eq!(markers.python_version().to_string(), "3.10");
    }
}
