//! Which image each engine runs in, and its tag.

use std::path::PathBuf;

use pep440_rs::Version;
use serde::Serialize;
use strata_project::{ImageSpec, ProfileName, Project};

/// The images of a project's engines, in declaration order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ImagePlan {
    /// The repository first-party images are tagged in: `[tool.strata.images] repository`, else
    /// [`default_repository`].
    pub repository: String,
    /// Every engine that declares an `image`.
    pub engines: Vec<EngineImage>,
}

/// One engine's image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct EngineImage {
    /// The engine.
    pub engine: ProfileName,
    /// Its version, from its version file.
    #[serde(serialize_with = "display")]
    pub version: Version,
    /// The full image reference it runs in: the upstream image at the version, or the
    /// first-party tag `<repository>:<engine>-<version>`.
    pub image: String,
    /// Where the image comes from.
    pub source: ImageSource,
    /// Whether the engine needs a GPU (`gpu = true`): it runs with the GPUs passed through.
    pub gpu: bool,
    /// Its lock, relative to the project root: what a first-party image installs.
    pub lock: PathBuf,
}

/// Where an engine's image comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ImageSource {
    /// A canonical upstream image, run as it is.
    Upstream {
        /// The manifest's template, like `vllm/vllm-openai:v{version}`.
        template: String,
    },
    /// Built from a Dockerfile strata generates ([`crate::dockerfile()`]): the engine's lock
    /// installed on `base`.
    Generated {
        /// The Dockerfile strata writes, relative to the project root.
        path: PathBuf,
        /// The base image: a pinned image with Python.
        base: String,
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

fn display<S: serde::Serializer>(value: &Version, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

impl ImagePlan {
    /// The plan of `project`'s engines.
    pub fn of(project: &Project) -> Self {
        let repository = project
            .images
            .repository
            .clone()
            .unwrap_or_else(|| default_repository(project));
        let engines = project
            .engines()
            .filter_map(|profile| {
                let engine = profile.engine.as_ref()?;
                let (image, source) = match engine.image.as_ref()? {
                    ImageSpec::Upstream {
                        template, image, ..
                    } => (
                        image.clone(),
                        ImageSource::Upstream {
                            template: template.clone(),
                        },
                    ),
                    ImageSpec::Generated { base } => (
                        format!("{repository}:{}", image_tag(&profile.name, &engine.version)),
                        ImageSource::Generated {
                            path: PathBuf::from(format!("docker/{}.Dockerfile", profile.name)),
                            base: base.clone(),
                        },
                    ),
                    ImageSpec::Build { dockerfile, base } => (
                        format!("{repository}:{}", image_tag(&profile.name, &engine.version)),
                        ImageSource::Dockerfile {
                            path: dockerfile.clone(),
                            base: base.clone(),
                        },
                    ),
                };
                Some(EngineImage {
                    engine: profile.name.clone(),
                    version: engine.version.clone(),
                    image,
                    source,
                    gpu: engine.gpu,
                    lock: project.lock_dir.join(format!("{}.txt", profile.name)),
                })
            })
            .collect();
        Self {
            repository,
            engines,
        }
    }

    /// The image of engine `name`, when it declares one.
    pub fn engine(&self, name: &str) -> Option<&EngineImage> {
        self.engines
            .iter()
            .find(|engine| engine.engine.as_str() == name)
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

/// A first-party image's tag: `<engine>-<version>`, as the seeds tag them
/// (`transformers-4.47.1`), within Docker's tag grammar `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`: a
/// local version's `+` becomes `-`, and the tag is cut at 128 characters.
///
/// ```
/// let engine = strata_project::ProfileName::parse("vllm")?;
/// assert_eq!(strata_images::image_tag(&engine, &"0.6.3+cu124".parse()?), "vllm-0.6.3-cu124");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn image_tag(engine: &ProfileName, version: &Version) -> String {
    format!("{engine}-{version}")
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
        let transformers = plan.engine("transformers").unwrap();
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
            ImagePlan::of(&project)
                .engine("transformers")
                .unwrap()
                .image,
            "registry.internal:5000/team/app:transformers-4.47.1"
        );
    }
}
