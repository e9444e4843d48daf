//! Making a virtual environment match a lock exactly, with the machine's own tools.
//!
//! `strata sync` does what `pip-sync` does, with pip doing the installing: create the virtual
//! environment with `python3 -m venv` if it does not exist, `pip install --require-hashes
//! --no-deps -r <lock>` (every hash checked, nothing resolved at install time), then uninstall
//! every distribution the lock does not name, so the environment holds the lock and nothing
//! else. pip, setuptools and wheel are kept, as pip-sync keeps them: they belong to the
//! environment, not to the project.
//!
//! What this module deliberately does not do: install anything itself, or decide versions. The
//! caller checks the result with [`crate::check()`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use pep508_rs::PackageName;

use crate::interpreter::Interpreter;
use crate::scan::scan_site_packages;

/// Distributions kept even though no lock names them.
const KEPT: &[&str] = &["pip", "setuptools", "wheel"];

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// The virtual environment.
    pub venv: PathBuf,
    /// Whether it was created by this run.
    pub created: bool,
    /// How many distributions the lock names.
    pub locked: usize,
    /// Distributions removed because the lock does not name them.
    pub removed: Vec<String>,
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

/// Makes `venv` hold exactly the distributions pinned in the lock at `lock` (whose names are
/// `locked`), creating it with `python` when missing. `pip_options` go to `pip install` as
/// they are: the indexes the lock was resolved against (`--index-url`, `--extra-index-url`,
/// `--find-links`), since a lock names files, not where they are.
pub fn sync<S: std::hash::BuildHasher>(
    lock: &Path,
    locked: &HashSet<PackageName, S>,
    venv: &Path,
    python: &Path,
    pip_options: &[String],
) -> Result<SyncReport, SyncError> {
    let venv_python = venv.join("bin").join("python");
    let created = !venv_python.exists();
    if created {
        run(
            "create the virtual environment",
            Command::new(python).arg("-m").arg("venv").arg(venv),
        )?;
    }
    run(
        "install the lock",
        Command::new(&venv_python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--require-hashes",
                "--no-deps",
            ])
            .args(pip_options)
            .arg("-r")
            .arg(lock),
    )?;
    let interpreter = Interpreter::query(&venv_python)?;
    let scan = scan_site_packages(&interpreter.site_packages)?;
    let kept: HashSet<PackageName> = KEPT
        .iter()
        .filter_map(|name| PackageName::new((*name).to_string()).ok())
        .collect();
    let mut removed: Vec<String> = scan
        .distributions
        .iter()
        .map(|distribution| distribution.name.clone())
        .filter(|name| !locked.contains(name) && !kept.contains(name))
        .map(|name| name.to_string())
        .collect();
    removed.sort();
    removed.dedup();
    if !removed.is_empty() {
        run(
            "remove distributions the lock does not name",
            Command::new(&venv_python)
                .args([
                    "-m",
                    "pip",
                    "uninstall",
                    "--yes",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(&removed),
        )?;
    }
    Ok(SyncReport {
        venv: venv.to_path_buf(),
        created,
        locked: locked.len(),
        removed,
    })
}

fn run(step: &'static str, command: &mut Command) -> Result<(), SyncError> {
    // Index URLs may carry credentials: the rendered command line never shows them.
    let rendered = redact(&format!("{command:?}").replace('"', ""));
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
