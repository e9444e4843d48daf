//! `strata diff OLD NEW`: what changed between two locks.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use strata_lockfile::{LineName, Lock, LockDiff};

use crate::ExitStatus;
use crate::args::{DataFormat, DiffArgs, GlobalArgs};
use crate::commands::{display_path, parse_lock, try_load_project};
use crate::output;
use crate::printer::Printer;

pub(crate) fn diff(
    global: &GlobalArgs,
    args: &DiffArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = try_load_project(global)?;
    let (old_name, old) = read_side(&args.old, project.as_ref())?;
    let (new_name, new) = read_side(&args.new, project.as_ref())?;
    let changes = LockDiff::between(Some(&old), &new);
    let text = match args.format {
        DataFormat::Text => render_text(&old_name, &new_name, &changes),
        DataFormat::Json => output::json::render(&DiffJson::new(&old_name, &new_name, &changes))?,
    };
    printer.data(&text)?;
    Ok(if args.exit_code && !changes.is_empty() {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

/// Reads one side: an existing file, else a profile's lock, else `REV:PATH` through git.
fn read_side(side: &str, project: Option<&strata_project::Project>) -> Result<(String, Lock)> {
    let path = Path::new(side);
    if path.is_file() {
        let text = fs_err::read_to_string(path)?;
        return Ok((display_path(path), parse_lock(&text, path)?));
    }
    if let Some(project) = project
        && let Some(profile) = project.find_profile(side)
    {
        let path = strata_lock::lock_path(project, &profile.name);
        let text = fs_err::read_to_string(&path).with_context(|| {
            format!(
                "Cannot read the lock of `{side}` (`{}`); `strata lock {side}` writes it",
                display_path(&path)
            )
        })?;
        return Ok((display_path(&path), parse_lock(&text, &path)?));
    }
    if let Some((revision, file)) = side.split_once(':')
        && !revision.is_empty()
        && !file.is_empty()
    {
        let output = std::process::Command::new("git")
            .args(["show", side])
            .output()
            .context("Failed to run `git show`")?;
        if !output.status.success() {
            bail!(
                "`{side}` is neither a file nor a profile, and `git show {side}` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let text = String::from_utf8(output.stdout)
            .with_context(|| format!("`git show {side}` is not UTF-8 text"))?;
        return Ok((side.to_string(), parse_lock(&text, &PathBuf::from(file))?));
    }
    bail!(
        "`{side}` is neither a lock file, a profile of the project, nor `REV:PATH` for a lock in \
         git"
    )
}

fn render_text(old: &str, new: &str, changes: &LockDiff) -> String {
    let mut out = format!("{old} -> {new}\n");
    for (name, version) in &changes.added {
        let _ = writeln!(out, "+ {name} {version}");
    }
    for (name, version) in &changes.removed {
        let _ = writeln!(out, "- {name} {version}");
    }
    for (name, from, to) in &changes.upgraded {
        let _ = writeln!(out, "↑ {name} {from} -> {to}");
    }
    for (name, from, to) in &changes.downgraded {
        let _ = writeln!(out, "↓ {name} {from} -> {to}");
    }
    if changes.is_empty() {
        out.push_str("No changes.\n");
    } else {
        let _ = writeln!(
            out,
            "{} added, {} removed, {} upgraded, {} downgraded",
            changes.added.len(),
            changes.removed.len(),
            changes.upgraded.len(),
            changes.downgraded.len()
        );
    }
    out
}

/// `--format json`: each change with its versions.
#[derive(Serialize)]
struct DiffJson {
    old: String,
    new: String,
    added: Vec<Pin>,
    removed: Vec<Pin>,
    upgraded: Vec<Change>,
    downgraded: Vec<Change>,
}

#[derive(Serialize)]
struct Pin {
    name: String,
    /// The line's marker, in a lock of several targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
    version: String,
}

#[derive(Serialize)]
struct Change {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
    from: String,
    to: String,
}

impl DiffJson {
    fn new(old: &str, new: &str, changes: &LockDiff) -> Self {
        let pins = |list: &[(LineName, pep440_rs::Version)]| {
            list.iter()
                .map(|(line, version)| Pin {
                    name: line.name.to_string(),
                    marker: line.marker.clone(),
                    version: version.to_string(),
                })
                .collect()
        };
        let moves = |list: &[(LineName, pep440_rs::Version, pep440_rs::Version)]| {
            list.iter()
                .map(|(line, from, to)| Change {
                    name: line.name.to_string(),
                    marker: line.marker.clone(),
                    from: from.to_string(),
                    to: to.to_string(),
                })
                .collect()
        };
        Self {
            old: old.to_string(),
            new: new.to_string(),
            added: pins(&changes.added),
            removed: pins(&changes.removed),
            upgraded: moves(&changes.upgraded),
            downgraded: moves(&changes.downgraded),
        }
    }
}
