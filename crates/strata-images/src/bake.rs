//! `docker-bake.hcl`: the build graph of the project's first-party images, for
//! `docker buildx bake`.
//!
//! The file follows the conventions users of Bake expect (see the research note the images
//! issue points at): it sits at the project root so `docker buildx bake` finds it, leaves
//! `docker-bake.override.hcl` to the user, has a `default` group (every runtime image) and
//! `cpu`, `gpu` and `dev` groups, one variable per engine named after it
//! (`TRANSFORMERS_VERSION`) whose default is the version file's value, so
//! `TRANSFORMERS_VERSION=4.47.0 docker buildx bake` works as users expect, descriptions on every
//! variable and target (`--list=targets|variables` shows them), an abstract `_common` target
//! (context, platforms, the source and revision labels), and an empty `docker-metadata-action`
//! target every image inherits, so a workflow using docker/metadata-action keeps its tags.
//!
//! An image built from the project's own Dockerfile (`image = { build = ... }`) gets a target
//! that builds that Dockerfile as it is, with the build arguments strata knows and the
//! Dockerfile declares: the engine's version (`ENGINE_VERSION` and `<ENGINE>_VERSION`), its
//! lock (`LOCK`) and the manifest's base image (`BASE_IMAGE`). An image whose Dockerfile strata
//! writes (see [`crate::dockerfile()`]) gets a target for its `runtime` stage, named after the
//! profile, and one for its `dev` stage (`<name>-dev`) when it has one, each with the base fed
//! in as the named context `base`, the secret `pip-conf` (read from the environment variable
//! [`PIP_CONF_ENV`]; absent, the build uses the image's own pip configuration) and, when a lock
//! needs it, the SSH agent. An upstream engine runs the canonical image as it is and has
//! nothing to build.
//!
//! Each target caches to its own registry ref, `<cache>:buildcache-<target>`, with
//! `mode=max,ignore-error=true` (research note §6, item 14: not the GitHub Actions cache, whose
//! 10 GB cap CUDA images overrun), when `[tool.strata.images] cache` names a repository.
//!
//! The output depends on nothing but its inputs, in declaration order, so `strata images
//! --check` can compare it byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use strata_project::ImageSettings;

use crate::plan::{Image, ImagePlan, ImageSource};

/// The environment variable Bake reads the `pip-conf` secret from: a whole `pip.conf`, such as
/// `[global]\nindex-url = https://user:token@host/simple`.
pub const PIP_CONF_ENV: &str = "STRATA_PIP_CONF";

/// What the bake file needs beyond the plan, read from the project's files by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BakeInputs {
    /// By image: the build arguments its own Dockerfile declares (`ARG NAME`), so only those are
    /// passed.
    pub declared_args: BTreeMap<String, Vec<String>>,
    /// By image: the fingerprint its lock's header records, for the image's label.
    pub lock_fingerprints: BTreeMap<String, String>,
    /// Where the version of each engine is written, for its variable's description.
    pub version_sources: BTreeMap<String, String>,
    /// The images whose locks hold `git+ssh://` requirements: their targets forward the SSH
    /// agent.
    pub ssh: BTreeSet<String>,
}

/// The variable that holds an engine's version: `TRANSFORMERS_VERSION`, `TENSORRT_LLM_VERSION`.
pub fn version_variable(engine: &str) -> String {
    format!("{}_VERSION", engine.to_ascii_uppercase().replace('-', "_"))
}

/// The `ARG` names a Dockerfile declares, in order, each once (`ARG NAME`, `ARG NAME=default`,
/// several on one line), as the build arguments a bake target may pass it.
///
/// ```
/// let text = "ARG BASE_IMAGE=python:3.12\nFROM ${BASE_IMAGE}\narg lock other=1\n";
/// assert_eq!(strata_images::declared_args(text), ["BASE_IMAGE", "lock", "other"]);
/// ```
pub fn declared_args(dockerfile: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in dockerfile.lines() {
        let mut words = line.split_whitespace();
        if !words
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("ARG"))
        {
            continue;
        }
        for word in words {
            let name = word.split('=').next().unwrap_or(word);
            if !name.is_empty() && !out.iter().any(|known| known == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// An HCL string literal: quotes and backslashes escaped, and `${` and `%{` doubled so Bake
/// does not read a template in a value strata wrote.
fn quoted(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

/// The variable that holds the project's version, which role images are tagged with.
const PROJECT_VERSION: &str = "VERSION";

/// The variable an image's tag takes its version from.
fn version_of(image: &Image) -> Option<String> {
    image.version.as_ref()?;
    Some(if image.engine {
        version_variable(image.name.as_str())
    } else {
        PROJECT_VERSION.to_string()
    })
}

/// One bake target, before it is written out.
struct Target<'a> {
    name: String,
    image: &'a Image,
    description: String,
    dockerfile: String,
    stage: Option<&'static str>,
    /// The `base` context, as an HCL expression.
    base: Option<String>,
    args: Vec<(String, String)>,
    /// The tag's suffix after the version: `-dev` for a dev stage.
    suffix: &'static str,
    generated: bool,
}

/// The `docker-bake.hcl` of `plan`.
pub fn bake_file(plan: &ImagePlan, settings: &ImageSettings, inputs: &BakeInputs) -> String {
    let built: Vec<&Image> = plan
        .images
        .iter()
        .filter(|image| !matches!(image.source, ImageSource::Upstream { .. }))
        .collect();
    let targets: Vec<Target<'_>> = built
        .iter()
        .flat_map(|image| targets(image, inputs))
        .collect();
    let mut out = String::new();
    out.push_str(
        "# docker-bake.hcl: generated by `strata images --write` from the manifest and the\n\
         # engines' version files; `strata images --check` says when it is stale. Do not edit:\n\
         # put local changes in docker-bake.override.hcl, which Bake reads after this file.\n\
         #   docker buildx bake                 # every runtime image\n\
         #   docker buildx bake dev             # the dev images\n\
         #   docker buildx bake --print         # the resolved plan, as JSON\n",
    );
    let upstream: Vec<String> = plan
        .images
        .iter()
        .filter(|image| matches!(image.source, ImageSource::Upstream { .. }))
        .map(|image| format!("{} ({})", image.name, image.image))
        .collect();
    if !upstream.is_empty() {
        let _ = writeln!(
            out,
            "# Upstream images, run as they are (`strata run ENGINE`): {}",
            upstream.join(", ")
        );
    }
    if targets.iter().any(|target| target.generated) {
        let _ = writeln!(
            out,
            "# Index credentials: put a whole pip.conf in ${PIP_CONF_ENV}; it reaches pip as a\n\
             # build secret, never a layer."
        );
    }
    out.push('\n');
    variable(
        &mut out,
        "REPOSITORY",
        &plan.repository,
        "Repository the images are tagged in ([tool.strata.images] repository)",
    );
    variable(
        &mut out,
        "REVISION",
        "",
        "Source revision for the org.opencontainers.image.revision label (CI sets it)",
    );
    if let Some(version) = built
        .iter()
        .find(|image| !image.engine)
        .and_then(|image| image.version.as_ref())
    {
        variable(
            &mut out,
            PROJECT_VERSION,
            &version.to_string(),
            "Version of the project ([project].version), which role images are tagged with",
        );
    }
    for image in built.iter().filter(|image| image.engine) {
        let name = image.name.as_str();
        let from = inputs
            .version_sources
            .get(name)
            .map_or_else(String::new, |source| format!(", from {source}"));
        if let Some(version) = &image.version {
            variable(
                &mut out,
                &version_variable(name),
                &version.to_string(),
                &format!("Version of engine {name}{from}"),
            );
        }
    }
    let runtime: Vec<&Target<'_>> = targets
        .iter()
        .filter(|target| target.suffix.is_empty())
        .collect();
    let group = |out: &mut String, name: &str, members: &mut dyn Iterator<Item = &&Target<'_>>| {
        let names: Vec<String> = members.map(|target| quoted(&target.name)).collect();
        let _ = writeln!(
            out,
            "group \"{name}\" {{\n  targets = [{}]\n}}\n",
            names.join(", ")
        );
    };
    group(&mut out, "default", &mut runtime.iter());
    group(
        &mut out,
        "cpu",
        &mut runtime.iter().filter(|target| !target.image.gpu),
    );
    group(
        &mut out,
        "gpu",
        &mut runtime.iter().filter(|target| target.image.gpu),
    );
    let dev: Vec<&Target<'_>> = targets
        .iter()
        .filter(|target| !target.suffix.is_empty())
        .collect();
    group(&mut out, "dev", &mut dev.iter());
    out.push_str(
        "# Tags and labels of docker/metadata-action, when a workflow uses it; empty otherwise.\n\
         target \"docker-metadata-action\" {}\n\n\
         target \"_common\" {\n  context   = \".\"\n",
    );
    if !settings.platforms.is_empty() {
        let platforms: Vec<String> = settings
            .platforms
            .iter()
            .map(|platform| quoted(platform))
            .collect();
        let _ = writeln!(out, "  platforms = [{}]", platforms.join(", "));
    }
    out.push_str("  labels = {\n");
    if let Some(source) = &settings.source {
        let _ = writeln!(
            out,
            "    \"org.opencontainers.image.source\"   = {}",
            quoted(source)
        );
    }
    out.push_str("    \"org.opencontainers.image.revision\" = REVISION\n  }\n}\n");
    for target in &targets {
        write_target(&mut out, target, settings, inputs);
    }
    out
}

/// The targets of one built image: its runtime stage, and its dev stage when it has one.
fn targets<'a>(image: &'a Image, inputs: &BakeInputs) -> Vec<Target<'a>> {
    let name = image.name.as_str();
    let what = if image.engine { "Engine" } else { "Profile" };
    let gpu = if image.gpu { ", GPU" } else { "" };
    match &image.source {
        ImageSource::Upstream { .. } => Vec::new(),
        ImageSource::Overlay { template, path, .. } => {
            // The upstream image follows the engine's variable, so `VLLM_VERSION=... docker
            // buildx bake` builds the overlay on that version's image.
            let variable = version_variable(name);
            let base = template
                .split("{version}")
                .map(|part| {
                    let part = quoted(part);
                    part[1..part.len() - 1].to_string()
                })
                .collect::<Vec<_>>()
                .join(&format!("${{{variable}}}"));
            vec![Target {
                name: name.to_string(),
                image,
                description: format!(
                    "{what} {name}: what its lock adds to {}{gpu}",
                    template.replace("{version}", &format!("${variable}"))
                ),
                dockerfile: path.display().to_string(),
                stage: Some("runtime"),
                base: Some(format!("\"docker-image://{base}\"")),
                args: Vec::new(),
                suffix: "",
                generated: true,
            }]
        }
        ImageSource::Dockerfile { path, base } => {
            let declared = inputs.declared_args.get(name);
            let declares =
                |arg: &str| declared.is_some_and(|args| args.iter().any(|known| known == arg));
            let mut args: Vec<(String, String)> = Vec::new();
            if let Some(variable) = version_of(image) {
                for candidate in ["ENGINE_VERSION", variable.as_str()] {
                    if image.engine && declares(candidate) {
                        args.push((candidate.to_string(), variable.clone()));
                    }
                }
            }
            if declares("LOCK") {
                args.push((
                    "LOCK".to_string(),
                    quoted(&image.lock.display().to_string()),
                ));
            }
            if let Some(base) = base
                && declares("BASE_IMAGE")
            {
                args.push(("BASE_IMAGE".to_string(), quoted(base)));
            }
            vec![Target {
                name: name.to_string(),
                image,
                description: format!("{what} {name}: {}{gpu}", path.display()),
                dockerfile: path.display().to_string(),
                stage: None,
                base: None,
                args,
                suffix: "",
                generated: false,
            }]
        }
        ImageSource::Generated { path, base, dev } => {
            let mut out = vec![Target {
                name: name.to_string(),
                image,
                description: format!("{what} {name}: its lock on {base}{gpu}"),
                dockerfile: path.display().to_string(),
                stage: Some("runtime"),
                base: Some(quoted(&format!("docker-image://{base}"))),
                args: Vec::new(),
                suffix: "",
                generated: true,
            }];
            if let Some(dev) = dev {
                out.push(Target {
                    name: format!("{name}-dev"),
                    image,
                    description: format!(
                        "{what} {name} with profile {}'s lock added, for development{gpu}",
                        dev.profile
                    ),
                    dockerfile: path.display().to_string(),
                    stage: Some("dev"),
                    base: Some(quoted(&format!("docker-image://{base}"))),
                    args: Vec::new(),
                    suffix: "-dev",
                    generated: true,
                });
            }
            out
        }
    }
}

fn write_target(
    out: &mut String,
    target: &Target<'_>,
    settings: &ImageSettings,
    inputs: &BakeInputs,
) {
    let image = target.image;
    let name = image.name.as_str();
    let _ = writeln!(out, "\ntarget \"{}\" {{", target.name);
    let _ = writeln!(out, "  description = {}", quoted(&target.description));
    out.push_str("  inherits    = [\"_common\", \"docker-metadata-action\"]\n");
    let _ = writeln!(out, "  dockerfile  = {}", quoted(&target.dockerfile));
    if let Some(stage) = target.stage {
        let _ = writeln!(out, "  target      = {}", quoted(stage));
    }
    if let Some(base) = &target.base {
        let _ = writeln!(out, "  contexts    = {{ base = {base} }}");
    }
    if !target.args.is_empty() {
        let width = target
            .args
            .iter()
            .map(|(key, _)| key.len())
            .max()
            .unwrap_or(0);
        out.push_str("  args = {\n");
        for (key, value) in &target.args {
            let _ = writeln!(out, "    {key:<width$} = {value}");
        }
        out.push_str("  }\n");
    }
    if target.generated {
        let _ = writeln!(
            out,
            "  secret      = [{}]",
            quoted(&format!("id=pip-conf,env={PIP_CONF_ENV}"))
        );
        if inputs.ssh.contains(name) {
            out.push_str("  ssh         = [\"default\"]\n");
        }
    }
    let version = version_of(image);
    let tag = match &version {
        Some(variable) => format!("${{REPOSITORY}}:{name}-${{{variable}}}{}", target.suffix),
        None => format!("${{REPOSITORY}}:{name}{}", target.suffix),
    };
    let _ = writeln!(out, "  tags        = [\"{tag}\"]");
    if let Some(cache) = &settings.cache {
        let reference = format!("{cache}:buildcache-{}", target.name);
        let _ = writeln!(
            out,
            "  cache-from  = [{}]",
            quoted(&format!("type=registry,ref={reference}"))
        );
        let _ = writeln!(
            out,
            "  cache-to    = [{}]",
            quoted(&format!(
                "type=registry,ref={reference},mode=max,ignore-error=true"
            ))
        );
    }
    out.push_str("  labels = {\n");
    if let Some(variable) = &version {
        let _ = writeln!(out, "    \"org.opencontainers.image.version\" = {variable}");
    }
    if let Some(fingerprint) = inputs.lock_fingerprints.get(name) {
        let _ = writeln!(
            out,
            "    \"dev.strata.lock-fingerprint\"     = {}",
            quoted(fingerprint)
        );
    }
    out.push_str("  }\n}\n");
}

fn variable(out: &mut String, name: &str, default: &str, description: &str) {
    let _ = writeln!(
        out,
        "variable \"{name}\" {{\n  type        = string\n  default     = {}\n  description = {}\n}}\n",
        quoted(default),
        quoted(description)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_strata_writes_is_never_read_as_a_template_or_cut_short() {
        assert_eq!(
            quoted(r#"a "b" \ ${X} %{if}"#),
            r#""a \"b\" \\ $${X} %%{if}""#
        );
    }

    #[test]
    fn engine_variables_are_upper_case_with_underscores() {
        assert_eq!(version_variable("tensorrt-llm"), "TENSORRT_LLM_VERSION");
        assert_eq!(version_variable("vllm"), "VLLM_VERSION");
    }
}
