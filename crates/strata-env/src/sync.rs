//! Making a virtual environment match a lock exactly, with the machine's own tools.
//!
//! `strata sync` does what `pip-sync` does, with pip doing the installing: create the virtual
//! environment with `python3 -m venv` if it does not exist, `pip install --require-hashes
//! --no-deps -r <lock>` (every hash checked, nothing resolved at install time; a lock that
//! pins a git repository has no hashes, and is installed without `--require-hashes`, which pip
//! refuses for a repository), then uninstall
//! every distribution the lock does not name, so the environment holds the lock and nothing
//! else. pip, setuptools and wheel are kept, as pip-sync keeps them: they belong to the
//! environment, not to the project.
//!
//! pip gets the indexes the lock was resolved against as [`PipSources`] describes, through
//! its environment, so exactly those and never on its command line.
//!
//! A lock pins most distributions to a version from the indexes (`name==version`) and some to a
//! file at a direct URL (`name @ https://.../name-1.0-py3-none-any.whl`), whose version the lock
//! does not say: both are the lock's, and neither is ever removed as unnamed (see [`Pin`]). A
//! URL pin is installed when the distribution's `direct_url.json` (PEP 610, which pip writes for
//! a URL requirement) names that URL: the same version installed from an index is not the file
//! the lock names, and pip replaces it.
//!
//! Before pip runs, [`plan`] compares the environment's installed distributions with the
//! lock's pins: an environment that already holds exactly the lock (every pin at its version or
//! from its URL, nothing else but pip's own tools) needs nothing, and the caller can say so
//! without starting pip, which would only report every requirement as already satisfied. The
//! plan also says how much pip has to do, for the caller's progress line.
//!
//! What this module deliberately does not do: install anything itself, or decide versions. The
//! caller checks the result with [`crate::check()`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::distribution::Origin;
use crate::interpreter::Interpreter;
use crate::pip::PipSources;
use crate::scan::scan_site_packages;

/// Distributions kept even though no lock names them.
const KEPT: &[&str] = &["pip", "setuptools", "wheel"];

/// What a lock pins one distribution to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    /// `name==version`: that version, from the indexes.
    Version(Version),
    /// `name @ url`: the file at that URL, whatever version it holds (as the lock writes it;
    /// credentials and the `#sha256=` fragment do not count when it is compared with what is
    /// installed).
    Url(String),
    /// The project itself, installed editable from its directory (`pip install -e DIR`, PEP
    /// 660), as `uv sync` installs it: not a line of the lock, which pins what the project
    /// needs; `strata sync` adds it. Held when pip recorded an editable install of that
    /// directory.
    Editable(PathBuf),
    /// A local directory the lock names (`-e ./pkg` or `./pkg`, its path absolute here),
    /// installed by pip from the lock like any line. Held when pip recorded an install of that
    /// directory (`direct_url.json`), editable or not as the lock says.
    Directory {
        /// The directory, absolute.
        path: PathBuf,
        /// `-e`: installed in place.
        editable: bool,
    },
}

impl Pin {
    /// The requirement line of `name` pinned so, as the caller shows it.
    fn describe(&self, name: &PackageName) -> String {
        match self {
            Self::Version(version) => format!("{name}=={version}"),
            Self::Url(url) => format!("{name} @ {url}"),
            Self::Editable(path)
            | Self::Directory {
                path,
                editable: true,
            } => format!("-e {} ({name})", path.display()),
            Self::Directory { path, .. } => format!("{} ({name})", path.display()),
        }
    }

    /// Whether `installed` is what this pin asks for.
    fn holds(&self, installed: &InstalledDistribution) -> bool {
        match self {
            Self::Version(version) => installed.version == *version,
            Self::Url(url) => installed
                .direct_url
                .as_deref()
                .is_some_and(|installed| bare_url(installed) == bare_url(url)),
            Self::Editable(path) => installed.editable && installed_from(installed, path),
            Self::Directory { path, editable } => {
                installed.editable == *editable && installed_from(installed, path)
            }
        }
    }
}

/// Whether pip recorded `installed` as installed from the directory `path`.
fn installed_from(installed: &InstalledDistribution, path: &Path) -> bool {
    installed
        .direct_url
        .as_deref()
        .and_then(|url| url.strip_prefix("file://"))
        .is_some_and(|installed| Path::new(&percent_decoded(installed)) == path)
}

/// What the environment holds of one distribution, as far as a sync compares it with a pin.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InstalledDistribution {
    version: Version,
    /// The `url` of its `direct_url.json`, when pip installed it from a URL.
    direct_url: Option<String>,
    /// `direct_url.json` says `dir_info.editable`.
    editable: bool,
}

/// `%XX` escapes decoded, as `file://` URLs carry a path's spaces and non-ASCII bytes.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        if let Some(byte) = escaped {
            out.push(byte);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `url` without its fragment and credentials: how pip records a URL in `direct_url.json` and
/// how a lock redacts it may differ in both, never in the file it names.
fn bare_url(url: &str) -> String {
    let url = url.split_once('#').map_or(url, |(url, _)| url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let rest = match rest[..authority_end].rfind('@') {
        Some(at) => &rest[at + 1..],
        None => rest,
    };
    format!("{scheme}://{rest}")
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// The virtual environment.
    pub venv: PathBuf,
    /// Whether it was created by this run.
    pub created: bool,
    /// How many distributions the lock names.
    pub locked: usize,
    /// Pins that were not installed as the lock asks before (missing, at another version, or
    /// not from the lock's URL), as `name==version` of what is now installed, by name.
    pub installed: Vec<String>,
    /// Distributions removed because the lock does not name them.
    pub removed: Vec<String>,
}

/// What a sync would change, read from the environment before anything runs (see [`plan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPlan {
    /// The virtual environment does not exist yet.
    pub create: bool,
    /// Pins the environment lacks or has otherwise (at another version, not from the lock's
    /// URL), as `name==version` or `name @ url`, by name.
    pub install: Vec<String>,
    /// Installed distributions the lock does not name (pip, setuptools and wheel excepted).
    pub remove: Vec<String>,
}

impl SyncPlan {
    /// Whether the environment already holds exactly the lock: pip would install nothing and
    /// nothing is to be removed.
    pub fn is_empty(&self) -> bool {
        !self.create && self.install.is_empty() && self.remove.is_empty()
    }
}

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A step's command failed; its output's last lines say why.
    #[error("Failed to {step} (`{command}`)\n{output}")]
    Command {
        /// What was being done.
        step: &'static str,
        /// The command line.
        command: String,
        /// The last lines of its output.
        output: String,
    },
    /// The environment could not be scanned afterwards.
    #[error(transparent)]
    Scan(#[from] crate::Error),
}

/// What [`sync`] would change in `venv` to make it hold exactly `pins`: read from the
/// distributions installed there (the venv's interpreter is asked once for its site-packages),
/// without running pip.
pub fn plan<S: std::hash::BuildHasher>(
    venv: &Path,
    pins: &HashMap<PackageName, Pin, S>,
) -> Result<SyncPlan, SyncError> {
    let venv_python = venv.join("bin").join("python");
    if !venv_python.exists() {
        let mut install: Vec<String> = pins.iter().map(|(name, pin)| pin.describe(name)).collect();
        install.sort();
        return Ok(SyncPlan {
            create: true,
            install,
            remove: Vec::new(),
        });
    }
    let installed = installed_distributions(&venv_python)?;
    let mut install: Vec<String> = pins
        .iter()
        .filter(|(name, pin)| !installed.get(*name).is_some_and(|found| pin.holds(found)))
        .map(|(name, pin)| pin.describe(name))
        .collect();
    install.sort();
    Ok(SyncPlan {
        create: false,
        install,
        remove: unlocked(&installed, pins),
    })
}

/// Makes `venv` hold exactly the distributions pinned in the lock at `lock` (`pins`, its
/// `name==version` and `name @ url` lines), creating it with `python` when missing; pip installs
/// from `indexes`. pip runs in `working_dir`, the directory the lock's relative paths (local
/// directory pins) are relative to: the project root.
pub fn sync<S: std::hash::BuildHasher>(
    lock: &Path,
    working_dir: &Path,
    pins: &HashMap<PackageName, Pin, S>,
    venv: &Path,
    python: &Path,
    indexes: &PipSources,
) -> Result<SyncReport, SyncError> {
    // Absolute: pip may run in `working_dir`, and the lock's path and the interpreter's must
    // hold there.
    let lock = &std::path::absolute(lock).unwrap_or_else(|_| lock.to_path_buf());
    let venv_python = std::path::absolute(venv)
        .unwrap_or_else(|_| venv.to_path_buf())
        .join("bin")
        .join("python");
    let created = !venv_python.exists();
    let before = if created {
        run(
            "create the virtual environment",
            Command::new(python).arg("-m").arg("venv").arg(venv),
        )?;
        BTreeMap::new()
    } else {
        installed_distributions(&venv_python)?
    };
    let mut install = Command::new(&venv_python);
    install.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    // pip refuses hash-checking mode with a git requirement or a local directory, and such a
    // lock has no hashes.
    let unhashable = pins.values().any(|pin| {
        matches!(pin, Pin::Url(url) if url.starts_with("git+"))
            || matches!(pin, Pin::Directory { .. })
    });
    if !unhashable {
        install.arg("--require-hashes");
    }
    install.arg("--no-deps");
    indexes.apply(&mut install);
    if pins
        .values()
        .any(|pin| matches!(pin, Pin::Directory { .. }))
    {
        // The lock's paths are relative to the project root, as its header says.
        install.current_dir(working_dir);
    }
    run("install the lock", install.arg("-r").arg(lock))?;
    let current = installed_distributions(&venv_python)?;
    for (name, pin) in pins {
        let Pin::Editable(path) = pin else {
            continue;
        };
        if current.get(name).is_some_and(|found| pin.holds(found)) {
            continue;
        }
        // Its own requirements are the lock's pins, so no resolution: `--no-deps`. The build
        // backend comes from the same indexes, in pip's isolated build environment.
        let mut editable = Command::new(&venv_python);
        editable.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "-e",
        ]);
        editable.arg(path);
        indexes.apply(&mut editable);
        run("install the project", &mut editable)?;
    }
    let after = installed_distributions(&venv_python)?;
    let installed: Vec<String> = after
        .iter()
        .filter(|(name, _)| {
            pins.get(*name).is_some_and(|pin| {
                !before
                    .get(*name)
                    .is_some_and(|previous| pin.holds(previous))
            })
        })
        .map(|(name, found)| format!("{name}=={}", found.version))
        .collect();
    let removed = unlocked(&after, pins);
    if !removed.is_empty() {
        run(
            "remove distributions the lock does not name",
            uninstall(&venv_python).args(&removed),
        )?;
    }
    Ok(SyncReport {
        venv: venv.to_path_buf(),
        created,
        locked: pins
            .values()
            .filter(|pin| !matches!(pin, Pin::Editable(_)))
            .count(),
        installed,
        removed,
    })
}

/// `pip uninstall` in the environment of `venv_python`, the names to follow.
fn uninstall(venv_python: &Path) -> Command {
    let mut command = Command::new(venv_python);
    command.args([
        "-m",
        "pip",
        "uninstall",
        "--yes",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    command
}

/// Every distribution installed in the environment of `venv_python`, by name.
fn installed_distributions(
    venv_python: &Path,
) -> Result<BTreeMap<PackageName, InstalledDistribution>, SyncError> {
    let interpreter = Interpreter::query(venv_python)?;
    let scan = scan_site_packages(&interpreter.site_packages)?;
    Ok(scan
        .distributions
        .into_iter()
        .map(|distribution| {
            let recorded = match &distribution.origin {
                Origin::Installed(installed) => installed.direct_url.as_ref(),
                Origin::Locked(_) => None,
            };
            (
                distribution.name,
                InstalledDistribution {
                    version: distribution.version,
                    direct_url: recorded.and_then(recorded_url),
                    editable: recorded
                        .and_then(|json| json.get("dir_info")?.get("editable")?.as_bool())
                        .unwrap_or(false),
                },
            )
        })
        .collect())
}

/// The URL a `direct_url.json` records, as a lock writes it: for a git checkout (PEP 610
/// `vcs_info`), `git+<url>@<commit>`, since pip records the repository and the commit apart.
fn recorded_url(direct_url: &serde_json::Value) -> Option<String> {
    let url = direct_url.get("url")?.as_str()?;
    let vcs = direct_url.get("vcs_info");
    match (
        vcs.and_then(|vcs| vcs.get("vcs"))
            .and_then(serde_json::Value::as_str),
        vcs.and_then(|vcs| vcs.get("commit_id"))
            .and_then(serde_json::Value::as_str),
    ) {
        (Some(system), Some(commit)) => Some(format!("{system}+{url}@{commit}")),
        _ => Some(url.to_string()),
    }
}

/// The installed distributions `pins` does not name, but for the tools a venv is seeded with;
/// sorted.
fn unlocked<S: std::hash::BuildHasher>(
    installed: &BTreeMap<PackageName, InstalledDistribution>,
    pins: &HashMap<PackageName, Pin, S>,
) -> Vec<String> {
    let kept: HashSet<PackageName> = KEPT
        .iter()
        .filter_map(|name| PackageName::new((*name).to_string()).ok())
        .collect();
    installed
        .keys()
        .filter(|name| !pins.contains_key(*name) && !kept.contains(*name))
        .map(ToString::to_string)
        .collect()
}

fn run(step: &'static str, command: &mut Command) -> Result<(), SyncError> {
    // The program and its arguments only: the environment holds the index URLs. Redacted all
    // the same, as pip's output is.
    let rendered = redact(
        &std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|part| part.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let output = command.output().map_err(|error| SyncError::Command {
        step,
        command: rendered.clone(),
        output: error.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(30)..].join("\n");
    Err(SyncError::Command {
        step,
        command: rendered,
        output: redact(&tail),
    })
}

/// `scheme://user:password@host` -> `scheme://****@host` in a command line or pip's output.
fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(credentials) => {
                out.push_str("****");
                out.push_str(&tail[credentials..end]);
            }
            None => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_editable_pin_is_held_by_an_editable_install_of_that_directory() {
        use super::{InstalledDistribution, Pin};
        let installed = |url: &str, editable: bool| InstalledDistribution {
            version: pep440_rs::Version::new([0, 4]),
            direct_url: Some(url.to_string()),
            editable,
        };
        let pin = Pin::Editable(std::path::PathBuf::from("/work/my project"));
        assert!(pin.holds(&installed("file:///work/my%20project", true)));
        // Installed from the directory, but not editable: a copy that goes stale.
        assert!(!pin.holds(&installed("file:///work/my%20project", false)));
        assert!(!pin.holds(&installed("file:///work/other", true)));
    }

    #[test]
    fn a_url_pin_compares_urls_without_credentials_or_fragment() {
        use super::{InstalledDistribution, Pin};
        let installed = |direct_url: Option<&str>| InstalledDistribution {
            version: pep440_rs::Version::new([1, 0]),
            direct_url: direct_url.map(str::to_string),
            editable: false,
        };
        let pin = Pin::Url("https://ml:tok@host/files/x-1.0-py3-none-any.whl".to_string());
        assert!(pin.holds(&installed(Some(
            "https://host/files/x-1.0-py3-none-any.whl#sha256=aa"
        ))));
        assert!(!pin.holds(&installed(Some(
            "https://host/files/x-1.1-py3-none-any.whl"
        ))));
        // The same version from an index is not the URL's file.
        assert!(!pin.holds(&installed(None)));
        assert!(Pin::Version(pep440_rs::Version::new([1, 0])).holds(&installed(None)));
    }

    #[test]
    fn credentials_in_urls_are_redacted() {
        assert_eq!(
            super::redact("pip install --index-url https://ml:tok@host/simple/ -r x.txt"),
            "pip install --index-url https://****@host/simple/ -r x.txt"
        );
        assert_eq!(
            super::redact("see https://host/simple/"),
            "see https://host/simple/"
        );
    }
}
