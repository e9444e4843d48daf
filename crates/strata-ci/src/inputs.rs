//! What an engine is made of, as the CI plan compares it between two revisions: the files the
//! model reads for it, and what each of them says about it.
//!
//! [`input_lines`] lists what decides the engine's lock and image, each line with the file it is
//! written in: its effective requirements and constraints (with the file they come from, not the
//! line: a comment added above a requirement moves it down a line and changes nothing), its
//! version (the version file), and its target, index configuration, engine settings, image and
//! the images settings (the manifest). A changed file triggers the engine only when its lines
//! for that engine differ ([`file_inputs`]): a comment edit in `base.in` triggers nothing, and
//! a line of `base.in` that only another profile reads triggers only that profile's engines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use strata_project::{Origin, ProfileName, Project};

/// The files `project`'s model reads for `engine`: the manifest (and the `pyproject.toml` it
/// reads `[project]` from), every requirements file its requirements and constraints come from,
/// and its version file; relative to the project root.
pub fn model_files(project: &Project, engine: &ProfileName) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let relative = |path: &std::path::Path| {
        path.strip_prefix(&project.root)
            .unwrap_or(path)
            .to_path_buf()
    };
    out.insert(relative(&project.manifest));
    out.insert(PathBuf::from("pyproject.toml"));
    let mut origins: Vec<&Origin> = project
        .effective_requirements(engine)
        .into_iter()
        .map(|effective| &effective.requirement.origin)
        .collect();
    let mut lineage: Vec<&ProfileName> = project.ancestors(engine);
    lineage.push(engine);
    for name in lineage {
        origins.extend(
            project.profiles[name]
                .constraints
                .iter()
                .map(|constraint| &constraint.origin),
        );
    }
    for origin in origins {
        match origin {
            Origin::File { path, .. }
            | Origin::Manifest { path, .. }
            | Origin::VersionFile { path, .. } => {
                out.insert(path.clone());
            }
            _ => {}
        }
    }
    out
}

/// What decides `engine`'s lock and image in `project`, line by line, each with the file it is
/// written in (relative to the project root): a requirement or constraint with its file (not its
/// line), the engine's version with its version file, and the settings with the manifest.
pub fn input_lines(project: &Project, engine: &ProfileName) -> Vec<(PathBuf, String)> {
    let manifest = project
        .manifest
        .strip_prefix(&project.root)
        .unwrap_or(&project.manifest)
        .to_path_buf();
    let owner = |origin: &Origin| match origin {
        Origin::File { path, .. }
        | Origin::Manifest { path, .. }
        | Origin::VersionFile { path, .. } => path.clone(),
        Origin::Project | Origin::Extra(_) | Origin::Group(_) => PathBuf::from("pyproject.toml"),
    };
    let mut out = Vec::new();
    for effective in project.effective_requirements(engine) {
        let origin = &effective.requirement.origin;
        out.push((
            owner(origin),
            format!(
                "requirement {}\t{}",
                effective.requirement.requirement,
                origin_file(origin)
            ),
        ));
    }
    let mut lineage: Vec<&ProfileName> = project.ancestors(engine);
    lineage.push(engine);
    for name in lineage {
        let profile = &project.profiles[name];
        for constraint in &profile.constraints {
            out.push((
                owner(&constraint.origin),
                format!(
                    "constraint {name} {}\t{}",
                    constraint.requirement,
                    origin_file(&constraint.origin)
                ),
            ));
        }
        out.push((
            manifest.clone(),
            format!("pip {name} {:?}", profile.pip_options),
        ));
    }
    let profile = &project.profiles[engine];
    let settings = [
        format!("targets {:?}", profile.targets),
        format!("image {:?}", profile.image),
        format!("images {:?}", project.images),
        format!("index {:?}", project.index),
    ];
    out.extend(settings.into_iter().map(|line| (manifest.clone(), line)));
    if let Some(details) = &profile.engine {
        out.push((
            manifest.clone(),
            format!(
                "engine {} {:?} {} {} {}",
                details.package,
                details.indexes,
                details.isolated_from_parent,
                details.move_parent_pins,
                details.gpu
            ),
        ));
    }
    out
}

/// The lines of [`input_lines`] written in `file`.
pub fn file_inputs(project: &Project, engine: &ProfileName, file: &Path) -> Vec<String> {
    input_lines(project, engine)
        .into_iter()
        .filter(|(owner, _)| owner == file)
        .map(|(_, line)| line)
        .collect()
}

/// Where a requirement comes from, without its line.
fn origin_file(origin: &Origin) -> String {
    match origin {
        Origin::File { path, .. } | Origin::Manifest { path, .. } => path.display().to_string(),
        other => other.to_string(),
    }
}
