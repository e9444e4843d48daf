//! Renderings of the project model for `strata profiles`.
//!
//! The JSON form is a stable interface (schema version 1, documented in the README): fields are
//! only ever added, and a change of meaning bumps `schema-version`.

use std::fmt::Write;

use serde::Serialize;
use strata_project::{
    EffectiveRequirement, Engine, PipOptions, Profile, ProfileName, Project, SourcedRequirement,
    TargetSpec,
};

use crate::printer::{DIM, EMPHASIS};

/// The widest requirement the origins column is aligned after.
const MAX_ALIGNED_WIDTH: usize = 80;

/// The profiles to show: the selection and everything it extends, in declaration order, or all.
fn shown<'a>(project: &'a Project, selected: &[&ProfileName]) -> Vec<&'a Profile> {
    if selected.is_empty() {
        return project.profiles.values().collect();
    }
    project
        .profiles
        .values()
        .filter(|profile| {
            selected.iter().any(|name| {
                *name == &profile.name || project.ancestors(name).contains(&&profile.name)
            })
        })
        .collect()
}

fn describe_target(target: &TargetSpec) -> String {
    let version = target.python_version.map_or_else(
        || "(python-version not set)".to_string(),
        |version| version.to_string(),
    );
    let platform = target
        .python_platform
        .map_or("(python-platform not set)", |platform| platform.name());
    format!("Python {version} on {platform}")
}

/// `target: Python 3.11 on linux`, or `targets: A; B` for a lock of several.
fn describe_targets(targets: &[TargetSpec]) -> String {
    let described: Vec<String> = targets.iter().map(describe_target).collect();
    match described.as_slice() {
        [one] => format!("target: {one}"),
        many => format!("targets: {}", many.join("; ")),
    }
}

/// Human-readable text.
pub(crate) fn text(project: &Project, selected: &[&ProfileName]) -> String {
    let mut out = String::new();
    let name = project
        .name
        .as_ref()
        .map_or_else(String::new, |name| format!("{name} "));
    let _ = writeln!(
        out,
        "{EMPHASIS}{name}{EMPHASIS:#}{DIM}({}){DIM:#}",
        crate::commands::display_path(&project.manifest)
    );
    let _ = writeln!(
        out,
        "default {}; locks in `{}`",
        describe_targets(&project.targets),
        project.lock_dir.display()
    );
    for profile in shown(project, selected) {
        out.push('\n');
        let kind = if profile.is_engine() {
            "engine"
        } else {
            "profile"
        };
        let _ = write!(out, "{EMPHASIS}{kind} {}{EMPHASIS:#}", profile.name);
        if let Some(engine) = &profile.engine {
            let _ = write!(out, " {}", engine.version);
        }
        if !profile.extends.is_empty() {
            let parents: Vec<&str> = profile.extends.iter().map(ProfileName::as_str).collect();
            let _ = write!(out, " {DIM}extends{DIM:#} {}", parents.join(", "));
        }
        out.push('\n');
        let _ = writeln!(out, "  {}", describe_targets(&profile.targets));
        match &profile.engine {
            Some(engine) => out.push_str(&engine_lines(project, profile, engine)),
            None => {
                if profile.image.is_some() {
                    let _ = writeln!(out, "  image: {}", image_description(project, profile));
                }
            }
        }
        let effective = project.effective_requirements(&profile.name);
        // Origins line up after the requirements, except after one longer than
        // `MAX_ALIGNED_WIDTH` (a direct URL): it would push every other origin that far right,
        // and past `u16::MAX` columns a format width is an error, so it overflows instead.
        let width = effective
            .iter()
            .map(|effective| {
                strata_project::display_requirement(&effective.requirement.requirement).len()
            })
            .chain(
                profile
                    .constraints
                    .iter()
                    .map(|constraint| constraint.requirement.to_string().len() + 3),
            )
            .filter(|width| *width <= MAX_ALIGNED_WIDTH)
            .max()
            .unwrap_or(0);
        for effective in &effective {
            let requirement =
                strata_project::display_requirement(&effective.requirement.requirement);
            let origin = &effective.requirement.origin;
            match effective.inherited_from {
                Some(parent) => {
                    let _ = writeln!(
                        out,
                        "  {DIM}{requirement:width$}  {origin} (from {parent}){DIM:#}"
                    );
                }
                None => {
                    let _ = writeln!(out, "  {requirement:width$}  {DIM}{origin}{DIM:#}");
                }
            }
        }
        for constraint in &profile.constraints {
            let requirement = format!("-c {}", constraint.requirement);
            let _ = writeln!(
                out,
                "  {requirement:width$}  {DIM}{}{DIM:#}",
                constraint.origin
            );
        }
    }
    out
}

/// What a profile's `image` is, in a few words.
fn image_description(project: &Project, profile: &Profile) -> String {
    match &profile.image {
        Some(strata_project::ImageSpec::Upstream { image, .. }) => format!("{image} (upstream)"),
        Some(strata_project::ImageSpec::Build { dockerfile, .. }) => {
            format!("built from `{}`", dockerfile.display())
        }
        Some(strata_project::ImageSpec::Generated { base, dev }) => {
            let base = base.resolve(&project.images).unwrap_or("?");
            let dev = dev
                .as_ref()
                .map_or_else(String::new, |dev| format!(", dev stage adds `{dev}`"));
            format!("its lock on `{base}` (Dockerfile by `strata images`{dev})")
        }
        None => "none".to_string(),
    }
}

fn engine_lines(project: &Project, profile: &Profile, engine: &Engine) -> String {
    let mut out = String::new();
    let image = image_description(project, profile);
    let _ = writeln!(
        out,
        "  image: {image}; gpu: {}",
        if engine.gpu { "yes" } else { "no" }
    );
    let _ = writeln!(
        out,
        "  version: {} from `{}` at `{}`",
        engine.version,
        engine.version_source.file.display(),
        engine.version_source.key
    );
    if !engine.indexes.is_empty() {
        let _ = writeln!(
            out,
            "  indexes: {} (when unavailable: {})",
            engine.indexes.join(", "),
            match engine.when_index_unavailable {
                strata_project::IndexUnavailable::Fail => "fail",
                strata_project::IndexUnavailable::Skip => "skip",
                strata_project::IndexUnavailable::Optional => "optional",
            }
        );
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonModel<'a> {
    schema_version: u32,
    project: JsonProject<'a>,
    /// The first of `targets`, as before profiles could have several.
    target: &'a TargetSpec,
    targets: &'a [TargetSpec],
    lock_dir: &'a std::path::Path,
    index: &'a strata_project::IndexSettings,
    profiles: Vec<JsonProfile<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonProject<'a> {
    root: &'a std::path::Path,
    manifest: &'a std::path::Path,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonProfile<'a> {
    name: &'a ProfileName,
    kind: &'static str,
    extends: &'a [ProfileName],
    /// The first of `targets`, as before profiles could have several.
    target: &'a TargetSpec,
    targets: &'a [TargetSpec],
    requirements: Vec<EffectiveRequirement<'a>>,
    constraints: &'a [SourcedRequirement],
    pip_options: &'a PipOptions,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a strata_project::ImageSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    engine: Option<&'a Engine>,
}

/// JSON, schema version 1.
pub(crate) fn json(project: &Project, selected: &[&ProfileName]) -> serde_json::Result<String> {
    let model = JsonModel {
        schema_version: 1,
        project: JsonProject {
            root: &project.root,
            manifest: &project.manifest,
            name: project.name.as_ref().map(ToString::to_string),
        },
        target: &project.targets[0],
        targets: &project.targets,
        lock_dir: &project.lock_dir,
        index: &project.index,
        profiles: shown(project, selected)
            .into_iter()
            .map(|profile| JsonProfile {
                name: &profile.name,
                kind: if profile.is_engine() {
                    "engine"
                } else {
                    "profile"
                },
                extends: &profile.extends,
                target: profile.target(),
                targets: &profile.targets,
                requirements: project.effective_requirements(&profile.name),
                constraints: &profile.constraints,
                pip_options: &profile.pip_options,
                image: profile.image.as_ref(),
                engine: profile.engine.as_ref(),
            })
            .collect(),
    };
    super::json::render(&model)
}

/// A Mermaid flowchart: profiles as boxes, engines as hexagons, `extends` as arrows from parent
/// to child (the direction users draw: `base --> backend`).
pub(crate) fn mermaid(project: &Project, selected: &[&ProfileName]) -> String {
    // Mermaid node ids cannot safely contain `-`; labels carry the real name.
    let id = |name: &ProfileName| format!("p_{}", name.as_str().replace('-', "_"));
    let profiles = shown(project, selected);
    let mut out = String::from("flowchart TD\n");
    for profile in &profiles {
        match &profile.engine {
            Some(engine) => {
                let gpu = if engine.gpu { " · GPU" } else { "" };
                let _ = writeln!(
                    out,
                    "    {}{{{{\"{} {}{gpu}\"}}}}:::engine",
                    id(&profile.name),
                    profile.name,
                    engine.version
                );
            }
            None => {
                let _ = writeln!(out, "    {}[\"{}\"]", id(&profile.name), profile.name);
            }
        }
    }
    for profile in &profiles {
        for parent in &profile.extends {
            let _ = writeln!(out, "    {} --> {}", id(parent), id(&profile.name));
        }
    }
    out.push_str("    classDef engine stroke-width:2px,stroke-dasharray:4 2\n");
    out
}
