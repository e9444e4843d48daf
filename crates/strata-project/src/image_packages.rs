//! The captured package set of an upstream engine image: what the image already has installed.
//!
//! An engine with `image = { upstream = "vllm/vllm-openai:v{version}", packages = "FILE" }`
//! runs in an image that already holds torch, the engine and hundreds of other distributions,
//! at versions of the image maker's choosing (often local CUDA builds like `2.5.1+cu124` that
//! no index serves). `strata images capture ENGINE` runs `python3 -m pip list --format=freeze`
//! inside the image and writes its output to `FILE` under a header naming the image:
//!
//! ```text
//! # strata: captured from vllm/vllm-openai:v0.6.3 by `strata images capture vllm`
//! # What the image has installed (`python3 -m pip list --format=freeze`): the engine's
//! # lock keeps these versions. Capture again after changing the engine's version.
//! torch==2.5.1+cu124
//! vllm==0.6.3
//! ```
//!
//! The lock then treats each of those packages as installed and opaque (see `strata-lock`):
//! fixed at its captured version, never fetched, its dependencies taken as satisfied.
//!
//! **Only `name==version` lines.** `pip list --format=freeze` writes every installed
//! distribution that way, editable and direct-URL installs included; `pip freeze` instead
//! writes `name @ file:///...` or `-e ...` for those. Such a line is an error naming it,
//! rather than "provided, any version": a lock that reads "torch, some version" could not say
//! whether a requirement on torch holds in the image, and would stop describing what runs.
//! The remedy is to capture again with the command that writes every line with its version.
//!
//! **The header is checked.** It names the image the file was captured from; when the engine's
//! image is another one (its version file moved), the capture is stale, and reading it for that
//! engine is an error saying to capture again ([`ImagePackages::for_engine`]). A lock is never
//! made silently against the packages of another image.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;
use strata_diagnostic::{Diagnostic, Snippet};

use crate::model::{ImageSpec, ProfileName, Project};
use crate::text_file::{ReadFailure, read};

/// How the header line a capture file starts with begins; the image reference follows, up to
/// ` by `.
const HEADER_PREFIX: &str = "# strata: captured from ";

/// One package an image provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePackage {
    /// The distribution, normalized.
    pub name: PackageName,
    /// The installed version, local label included (`2.5.1+cu124`).
    pub version: Version,
    /// Its 1-based line in the capture file.
    pub line: usize,
}

/// A capture file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePackages {
    /// The file, relative to the project root (as messages name it).
    pub path: PathBuf,
    /// The image reference its header names.
    pub image: String,
    /// Every package, in name order.
    pub packages: Vec<ImagePackage>,
}

impl ImagePackages {
    /// Parses a capture file's text; `path` is how errors name it, `engine` the engine whose
    /// capture it is (for the remedy they print).
    ///
    /// ```
    /// use strata_project::ImagePackages;
    ///
    /// let text = "# strata: captured from vllm/vllm-openai:v0.6.3 by `strata images capture vllm`\n\
    ///             torch==2.5.1+cu124\nVLLM==0.6.3\n";
    /// let captured = ImagePackages::parse("docker/vllm.packages.txt".as_ref(), "vllm", text)?;
    /// assert_eq!(captured.image, "vllm/vllm-openai:v0.6.3");
    /// assert_eq!(captured.packages[0].version.to_string(), "2.5.1+cu124");
    /// assert_eq!(captured.packages[1].name.as_ref(), "vllm");
    /// # Ok::<(), strata_project::ImagePackagesError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// No header naming the image, a line that is not `name==version` (with its line), or a
    /// package listed twice.
    pub fn parse(path: &Path, engine: &str, text: &str) -> Result<Self, ImagePackagesError> {
        let image = text.lines().find_map(|line| {
            let rest = line.trim_end().strip_prefix(HEADER_PREFIX)?;
            let image = rest.split_once(" by ").map_or(rest, |(image, _)| image);
            (!image.is_empty()).then(|| image.to_string())
        });
        let Some(image) = image else {
            return Err(ImagePackagesError::NoHeader {
                path: path.to_path_buf(),
                engine: engine.to_string(),
            });
        };
        let packages = parse_lines(path, engine, text)?;
        Ok(Self {
            path: path.to_path_buf(),
            image,
            packages,
        })
    }

    /// The capture of `engine`'s image, read from the file its `packages` key names, and
    /// checked against the image the engine runs in today. `Ok(None)` when the engine is not
    /// upstream or names no capture file (it is locked as if from scratch).
    ///
    /// # Errors
    ///
    /// The file is missing or unreadable, does not parse ([`ImagePackages::parse`]), or was
    /// captured from another image than the engine's current one ([`ImagePackagesError::Stale`]).
    pub fn for_engine(
        project: &Project,
        engine: &ProfileName,
    ) -> Result<Option<Self>, ImagePackagesError> {
        let Some((image, relative)) = capture_file(project, engine) else {
            return Ok(None);
        };
        let text = match read(&project.root.join(relative), relative, None) {
            Ok(text) => text,
            Err(ReadFailure::Missing(_)) => {
                return Err(ImagePackagesError::Missing {
                    path: relative.to_path_buf(),
                    engine: engine.to_string(),
                    image: image.to_string(),
                });
            }
            Err(ReadFailure::Failed(error)) => {
                return Err(ImagePackagesError::Read(Box::new(error)));
            }
        };
        let captured = Self::parse(relative, engine.as_str(), &text)?;
        if captured.image != image {
            return Err(ImagePackagesError::Stale {
                path: relative.to_path_buf(),
                engine: engine.to_string(),
                captured: captured.image,
                image: image.to_string(),
            });
        }
        Ok(Some(captured))
    }

    /// The version the image provides of `name`, if it has it.
    pub fn version(&self, name: &PackageName) -> Option<&Version> {
        self.packages
            .binary_search_by(|package| package.name.cmp(name))
            .ok()
            .map(|at| &self.packages[at].version)
    }

    /// The text of a capture file: the header naming `image` and `engine`'s capture command,
    /// then the packages of `freeze` (the output of `pip list --format=freeze`) one per line in
    /// name order, each `name==version` as pip wrote it.
    ///
    /// # Errors
    ///
    /// A line of `freeze` that is not `name==version` (located in the output, as `path` is
    /// where it was going), or a package listed twice.
    pub fn render(
        path: &Path,
        engine: &str,
        image: &str,
        freeze: &str,
    ) -> Result<String, ImagePackagesError> {
        let packages = parse_lines(path, engine, freeze)?;
        let lines: Vec<&str> = freeze.lines().map(str::trim).collect();
        let mut out = format!(
            "{HEADER_PREFIX}{image} by `strata images capture {engine}`\n\
             # What the image has installed (`python3 -m pip list --format=freeze`): the engine's\n\
             # lock keeps these versions. Capture again after changing the engine's version.\n"
        );
        for package in &packages {
            out.push_str(lines[package.line - 1]);
            out.push('\n');
        }
        Ok(out)
    }
}

/// The engine's current image and the capture file its manifest names (relative to the project
/// root), when it has both.
pub fn capture_file<'a>(project: &'a Project, engine: &ProfileName) -> Option<(&'a str, &'a Path)> {
    let profile = project.profiles.get(engine)?;
    profile.engine.as_ref()?;
    match profile.image.as_ref()? {
        ImageSpec::Upstream {
            image,
            packages: Some(packages),
            ..
        } => Some((image, packages)),
        _ => None,
    }
}

fn parse_lines(
    path: &Path,
    engine: &str,
    text: &str,
) -> Result<Vec<ImagePackage>, ImagePackagesError> {
    let mut packages: Vec<ImagePackage> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let bad = |reason: String| ImagePackagesError::BadLine {
            path: path.to_path_buf(),
            engine: engine.to_string(),
            line,
            reason,
            snippet: Box::new(Snippet::from_line(path, line, raw, 0..raw.chars().count())),
        };
        let Some((name, version)) = trimmed.split_once("==") else {
            let reason = if trimmed.starts_with('-') {
                "an option or editable install (`pip freeze` writes those), with no version"
            } else if trimmed.contains(" @ ") {
                "a direct URL install (`pip freeze` writes those), with no version"
            } else {
                "it is not `name==version`"
            };
            return Err(bad(reason.to_string()));
        };
        let name = PackageName::from_str(name.trim())
            .map_err(|error| bad(format!("`{}` is not a package name: {error}", name.trim())))?;
        let version = version.trim();
        let version = Version::from_str(version.strip_prefix('=').unwrap_or(version))
            .map_err(|error| bad(format!("`{version}` is not a PEP 440 version: {error}")))?;
        if let Some(first) = packages.iter().find(|package| package.name == name) {
            return Err(bad(format!(
                "`{name}` is listed twice (line {} already has it)",
                first.line
            )));
        }
        packages.push(ImagePackage {
            name,
            version,
            line,
        });
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(packages)
}

/// What is wrong with an engine's capture file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImagePackagesError {
    /// The manifest names a capture file that does not exist yet.
    #[error(
        "Engine `{engine}` names `{}` as the package set of its image `{image}`, and it does not exist",
        path.display()
    )]
    Missing {
        /// The file, relative to the project root.
        path: PathBuf,
        /// The engine.
        engine: String,
        /// Its image.
        image: String,
    },
    /// The file could not be read (not UTF-8, too large, no permission).
    #[error(transparent)]
    Read(Box<crate::Error>),
    /// The file has no header naming the image it was captured from.
    #[error(
        "`{}` does not say which image it was captured from (no `{HEADER_PREFIX}IMAGE` line)",
        path.display()
    )]
    NoHeader {
        /// The file.
        path: PathBuf,
        /// The engine.
        engine: String,
    },
    /// A line that is not `name==version`.
    #[error("Line {line} of `{}` is not a package the image provides: {reason}", path.display())]
    BadLine {
        /// The file (or, capturing, the file the output was going to).
        path: PathBuf,
        /// The engine.
        engine: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong with it.
        reason: String,
        /// The line (boxed: the error travels through every `Result` of locking).
        snippet: Box<Snippet>,
    },
    /// The file was captured from another image than the engine's current one.
    #[error(
        "`{}` was captured from `{captured}`, but engine `{engine}` now runs in `{image}`: its package set is stale",
        path.display()
    )]
    Stale {
        /// The file.
        path: PathBuf,
        /// The engine.
        engine: String,
        /// The image its header names.
        captured: String,
        /// The engine's image today.
        image: String,
    },
}

impl Diagnostic for ImagePackagesError {
    fn hints(&self) -> Vec<String> {
        match self {
            Self::Missing { engine, .. }
            | Self::Stale { engine, .. }
            | Self::NoHeader { engine, .. } => vec![format!(
                "Run `strata images capture {engine}` (with docker or podman here; `--print` shows the command to run where the image is)"
            )],
            Self::BadLine { engine, .. } => vec![format!(
                "The file is the output of `python3 -m pip list --format=freeze`, which writes every installed package as `name==version`: capture it again with `strata images capture {engine}`"
            )],
            Self::Read(error) => error.hints(),
        }
    }

    fn snippet(&self) -> Option<Snippet> {
        match self {
            Self::BadLine { snippet, .. } => Some(Snippet::clone(snippet)),
            Self::Read(error) => error.snippet(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "# strata: captured from vllm/vllm-openai:v0.6.3 by `strata images capture vllm`\n";

    fn parse(text: &str) -> Result<ImagePackages, ImagePackagesError> {
        ImagePackages::parse(Path::new("docker/vllm.packages.txt"), "vllm", text)
    }

    #[test]
    fn packages_are_read_normalized_in_name_order_with_their_lines() {
        let captured = parse(&format!(
            "{HEADER}\n# a comment\nZipp==3.20.0\ntorch==2.5.1+cu124\n  Typing_Extensions == 4.12.2  \n"
        ))
        .unwrap();
        assert_eq!(captured.image, "vllm/vllm-openai:v0.6.3");
        let read: Vec<(String, String, usize)> = captured
            .packages
            .iter()
            .map(|p| (p.name.to_string(), p.version.to_string(), p.line))
            .collect();
        assert_eq!(
            read,
            [
                ("torch".to_string(), "2.5.1+cu124".to_string(), 5),
                ("typing-extensions".to_string(), "4.12.2".to_string(), 6),
                ("zipp".to_string(), "3.20.0".to_string(), 4),
            ]
        );
        let torch = PackageName::from_str("torch").unwrap();
        assert_eq!(captured.version(&torch).unwrap().to_string(), "2.5.1+cu124");
        assert!(
            captured
                .version(&PackageName::from_str("numpy").unwrap())
                .is_none()
        );
    }

    #[test]
    fn lines_without_a_version_are_errors_naming_the_line() {
        for (line, says) in [
            (
                "torch @ file:///wheels/torch-2.5.1-cp312-linux_x86_64.whl",
                "direct URL",
            ),
            ("-e git+https://example.invalid/x.git#egg=x", "editable"),
            ("torch>=2", "not `name==version`"),
            ("torch==not-a-version", "PEP 440"),
            ("tor ch==1.0", "package name"),
        ] {
            let error = parse(&format!("{HEADER}numpy==2.1.1\n{line}\n")).unwrap_err();
            let ImagePackagesError::BadLine { line: at, .. } = &error else {
                panic!("{line}: {error:?}");
            };
            assert_eq!(*at, 3, "{line}");
            assert!(error.to_string().contains(says), "{line}: {error}");
            assert!(
                error.to_string().contains("docker/vllm.packages.txt"),
                "{error}"
            );
            assert_eq!(error.snippet().unwrap().line, 3);
            assert!(error.hints()[0].contains("strata images capture vllm"));
        }
    }

    #[test]
    fn a_package_twice_and_a_missing_header_are_errors() {
        let error = parse(&format!("{HEADER}numpy==2.1.1\nNumPy==2.1.2\n")).unwrap_err();
        assert!(
            error.to_string().contains("listed twice (line 2"),
            "{error}"
        );
        let error = parse("numpy==2.1.1\n").unwrap_err();
        assert!(
            matches!(error, ImagePackagesError::NoHeader { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn a_rendered_capture_reads_back_as_the_freeze_output() {
        let freeze = "vllm==0.6.3\r\ntorch==2.5.1+cu124\n\n";
        let path = Path::new("docker/vllm.packages.txt");
        let text = ImagePackages::render(path, "vllm", "vllm/vllm-openai:v0.6.3", freeze).unwrap();
        assert!(text.starts_with(HEADER), "{text}");
        let captured = parse(&text).unwrap();
        let read: Vec<String> = captured
            .packages
            .iter()
            .map(|p| format!("{}=={}", p.name, p.version))
            .collect();
        assert_eq!(read, ["torch==2.5.1+cu124", "vllm==0.6.3"]);
        let error =
            ImagePackages::render(path, "vllm", "x", "torch==2.5.1\nWARNING: x\n").unwrap_err();
        assert!(
            matches!(error, ImagePackagesError::BadLine { line: 2, .. }),
            "{error:?}"
        );
    }
}
