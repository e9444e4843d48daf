//! Which image each engine runs in, and its tag.

use std::path::PathBuf;

use pep440_rs::Version;
use serde::Serialize;
use strata_project::{ImageSpec, ProfileName, Project};

/// The images of a project's engines and roles, in declaration order (profiles, then engines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ImagePlan {
    /// The repository first-party images are tagged in: `[tool.strata.images] repository`, else
    /// [`default_repository`].
    pub repository: String,
    /// Every profile and engine that declares an `image`.
    pub images: Vec<Image>,
}

/// One image: an engine's, or a role image of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Image {
    /// The profile or engine; also the bake target's name.
    pub name: ProfileName,
    /// Whether it is an engine's image (else a role image of a profile).
    pub engine: bool,
    /// The version it is tagged with: an engine's from its version file, a role image's from
    /// `[project].version`; none for a role image of a project without a static version.
    #[serde(serialize_with = "display", skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    /// The full image reference it runs in: the upstream image at the version, or the
    /// first-party tag ([`image_tag`]).
    pub image: String,
    /// Where the image comes from.
    pub source: ImageSource,
    /// Whether it needs a GPU (an engine's `gpu = true`, or a generated image on the project's
    /// GPU base): it runs with the GPUs passed through.
    pub gpu: bool,
    /// Its lock, relative to the project root: what a first-party image installs.
    pub lock: PathBuf,
}

/// The dev stage of a generated image: a profile that extends the image's, whose lock it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DevStage {
    /// The profile.
    pub profile: ProfileName,
    /// Its lock, relative to the project root.
    pub lock: PathBuf,
    /// The dev image's reference: the runtime image's with `-dev` appended to the tag.
    pub image: String,
}

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ImageSource {
    /// A canonical upstream image, run as it is.
    Upstream {
        /// The manifest's template, like `vllm/vllm-openai:v{version}`.
        template: String,
    },
    /// An upstream image with the packages the project needs and it lacks installed on top
    /// (`image = { upstream = ..., packages = FILE }`: the engine's lock holds exactly those),
    /// from a Dockerfile strata generates.
    Overlay {
        /// The manifest's template, like `vllm/vllm-openai:v{version}`.
        template: String,
        /// The upstream image at the engine's version.
        upstream: String,
        /// The Dockerfile strata writes, relative to the project root.
        path: PathBuf,
    },
    /// Built from a Dockerfile strata generates ([`crate::dockerfile()`]): the lock installed
    /// on `base`.
    Generated {
        /// The Dockerfile strata writes, relative to the project root.
        path: PathBuf,
        /// The base image.
        base: String,
        /// The dev stage, when the manifest names a dev profile.
        #[serde(skip_serializing_if = "Option::is_none")]
        dev: Option<DevStage>,
    },
    /// Built from the project's own Dockerfile.
    Dockerfile {
        /// The Dockerfile, relative to the project root.
        path: PathBuf,
        /// The base image the manifest names, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        base: Option<String>,
    },
}

#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with passes a reference to the field"
)]
fn display<S: serde::Serializer>(
    value: &Option<Version>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

impl ImagePlan {
    /// The plan of `project`'s images.
    pub fn of(project: &Project) -> Self {
        let repository = project
            .images
            .repository
            .clone()
            .unwrap_or_else(|| default_repository(project));
        let lock_of = |name: &ProfileName| project.lock_dir.join(format!("{name}.txt"));
        let images = project
            .profiles
            .values()
            .filter_map(|profile| {
                let spec = profile.image.as_ref()?;
                let version = match &profile.engine {
                    Some(engine) => Some(engine.version.clone()),
                    None => project.version.clone(),
                };
                let tagged = format!(
                    "{repository}:{}",
                    image_tag(&profile.name, version.as_ref())
                );
                let mut gpu = profile.engine.as_ref().is_some_and(|engine| engine.gpu);
                let (image, source) = match spec {
                    ImageSpec::Upstream {
                        template,
                        image,
                        packages: None,
                    } => (
                        image.clone(),
                        ImageSource::Upstream {
                            template: template.clone(),
                        },
                    ),
                    ImageSpec::Upstream {
                        template,
                        image,
                        packages: Some(_),
                    } => (
                        tagged,
                        ImageSource::Overlay {
                            template: template.clone(),
                            upstream: image.clone(),
                            path: PathBuf::from(format!("docker/{}.Dockerfile", profile.name)),
                        },
                    ),
                    ImageSpec::Generated { base, dev } => {
                        gpu |= base.is_gpu();
                        let dev = dev.as_ref().map(|dev| DevStage {
                            profile: dev.clone(),
                            lock: lock_of(dev),
                            image: format!("{tagged}-dev"),
                        });
                        let source = ImageSource::Generated {
                            path: PathBuf::from(format!("docker/{}.Dockerfile", profile.name)),
                            base: base
                                .resolve(&project.images)
                                .expect("the manifest loader checked the project's bases")
                                .to_string(),
                            dev,
                        };
                        (tagged, source)
                    }
                    ImageSpec::Build { dockerfile, base } => (
                        tagged,
                        ImageSource::Dockerfile {
                            path: dockerfile.clone(),
                            base: base.clone(),
                        },
                    ),
                };
                Some(Image {
                    name: profile.name.clone(),
                    engine: profile.is_engine(),
                    version,
                    image,
                    source,
                    gpu,
                    lock: lock_of(&profile.name),
                })
            })
            .collect();
        Self { repository, images }
    }

    /// The image of profile or engine `name`, when it declares one.
    pub fn image(&self, name: &str) -> Option<&Image> {
        self.images.iter().find(|image| image.name.as_str() == name)
    }
}

/// The repository a project's first-party images are tagged in when the manifest names none:
/// the project's name (`[project].name`), else its directory's, as a repository path component
/// (lowercase; runs of other characters become one `-`), else `strata`.
pub fn default_repository(project: &Project) -> String {
    let name = project.name.as_ref().map_or_else(
        || {
            project
                .root
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        },
        ToString::to_string,
    );
    let mut out = String::new();
    for char in name.chars() {
        if char.is_ascii_alphanumeric() {
            out.push(char.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "strata".to_string()
    } else {
        out.to_string()
    }
}

/// A first-party image's tag: `<name>-<version>`, as the seeds tag them
/// (`transformers-4.47.1`), or `<name>` without a version, within Docker's tag grammar
/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: a local version's `+` becomes `-`, and the tag is cut
/// at 128 characters.
///
/// ```
/// let engine = strata_project::ProfileName::parse("vllm")?;
/// let version = "0.6.3+cu124".parse()?;
/// assert_eq!(strata_images::image_tag(&engine, Some(&version)), "vllm-0.6.3-cu124");
/// assert_eq!(strata_images::image_tag(&engine, None), "vllm");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn image_tag(name: &ProfileName, version: Option<&Version>) -> String {
    version
        .map_or_else(|| name.to_string(), |version| format!("{name}-{version}"))
        .chars()
        .map(|char| {
            if char.is_ascii_alphanumeric() || matches!(char, '_' | '.' | '-') {
                char
            } else {
                '-'
            }
        })
        .take(128)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(manifest: &str, pyproject: Option<&str>) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("v.yaml"), "v: \"4.47.1\"\n").unwrap();
        match pyproject {
            Some(pyproject) => fs_err::write(
                dir.path().join("pyproject.toml"),
                format!("{pyproject}\n[tool.strata]\n{manifest}"),
            )
            .unwrap(),
            None => fs_err::write(dir.path().join("strata.toml"), manifest).unwrap(),
        }
        let project = Project::discover(dir.path(), &|_| None).unwrap();
        (dir, project)
    }

    const ENGINE: &str = r#"
[tool.strata.profiles.base]
requirements = ["numpy"]
[tool.strata.engines.transformers]
extends = ["base"]
version = { file = "v.yaml", key = "v" }
image = { build = "docker/Dockerfile.transformers", base = "python:3.12-slim" }
"#;

    #[test]
    fn a_first_party_image_is_tagged_engine_dash_version_in_the_projects_repository() {
        let (_dir, project) = project(
            "",
            Some(&format!(
                "[project]\nname = \"LLM_Bench\"\nversion = \"1\"\n{ENGINE}"
            )),
        );
        let plan = ImagePlan::of(&project);
        assert_eq!(plan.repository, "llm-bench");
        let transformers = plan.image("transformers").unwrap();
        assert_eq!(transformers.image, "llm-bench:transformers-4.47.1");
        assert_eq!(transformers.lock, PathBuf::from("locks/transformers.txt"));
        assert_eq!(
            transformers.source,
            ImageSource::Dockerfile {
                path: PathBuf::from("docker/Dockerfile.transformers"),
                base: Some("python:3.12-slim".to_string())
            }
        );
    }

    #[test]
    fn the_manifest_names_the_repository() {
        let manifest = ENGINE.replace("tool.strata.", "");
        let (_dir, project) = project(
            &format!("[images]\nrepository = \"registry.internal:5000/team/app\"\n{manifest}"),
            None,
        );
        assert_eq!(
            ImagePlan::of(&project).image("transformers").unwrap().image,
            "registry.internal:5000/team/app:transformers-4.47.1"
        );
    }
}
