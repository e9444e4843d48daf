//! `[tool.strata.images]` and each profile's `image = {...}`: validated when the manifest loads,
//! because every value here ends up in a generated Dockerfile's `RUN` line or in the bake file,
//! and a value that would be read as shell or as HCL must never get that far.

use std::path::PathBuf;

use indexmap::IndexMap;
use toml::Spanned;

use super::build::Context;
use super::schema::{ImageTable, ImagesTable, ProfileTable};
use crate::error::{Error, ErrorKind};
use crate::model::{BaseImage, ImageSettings, ImageSpec, ProfileName};

/// `[tool.strata.images]`, each value checked.
pub(super) fn settings(
    context: &Context<'_>,
    table: Option<ImagesTable>,
) -> Result<ImageSettings, Error> {
    let Some(table) = table else {
        return Ok(ImageSettings::default());
    };
    let repository = |value: Option<Spanned<String>>, what: &str| {
        value
            .map(|value| repository(context, &value, what))
            .transpose()
    };
    let mut os_packages = Vec::new();
    for package in table.os_packages.into_iter().flatten() {
        os_packages.push(checked(
            context,
            &package,
            "images.os-packages",
            os_package,
        )?);
    }
    let mut platforms = Vec::new();
    for platform in table.platforms.into_iter().flatten() {
        platforms.push(checked(
            context,
            &platform,
            "images.platforms",
            self::platform,
        )?);
    }
    let ca_bundle = table
        .ca_bundle
        .map(|file| {
            let path = PathBuf::from(file.get_ref());
            if context.root.join(&path).is_file() {
                Ok(path)
            } else {
                Err(invalid(
                    context,
                    &file,
                    "images.ca-bundle",
                    "no such file (a PEM file, relative to the project root)".to_string(),
                ))
            }
        })
        .transpose()?;
    let image = |value: Option<Spanned<String>>, what: &str| {
        value
            .map(|value| checked(context, &value, what, image_reference))
            .transpose()
    };
    Ok(ImageSettings {
        repository: repository(table.repository, "images.repository")?,
        cpu_base: image(table.cpu_base, "images.cpu-base")?,
        gpu_base: image(table.gpu_base, "images.gpu-base")?,
        os_packages,
        ca_bundle,
        cache: repository(table.cache, "images.cache")?,
        platforms,
        source: image(table.source, "images.source")?,
    })
}

/// A profile's `image = {...}`. `engine` is the engine's version and `gpu` flag; `None` for a
/// profile, which may have a generated image or its own Dockerfile but no upstream one (an
/// upstream image is chosen by an engine's version).
pub(super) fn spec(
    context: &Context<'_>,
    image: &Spanned<ImageTable>,
    engine: Option<(&pep440_rs::Version, bool)>,
    settings: &ImageSettings,
) -> Result<ImageSpec, Error> {
    let table = image.get_ref();
    let wrong = |reason: &str| {
        Error::from(ErrorKind::InvalidValue {
            what: "image".to_string(),
            value: context.source[image.span()].to_string(),
            reason: reason.to_string(),
            snippet: context.snippet(image.span()),
        })
    };
    if let (None, Some(packages)) = (&table.upstream, &table.packages) {
        return Err(invalid(
            context,
            packages,
            "image.packages",
            "the captured package set of an upstream image: it goes with `upstream` only"
                .to_string(),
        ));
    }
    match (&table.upstream, &table.build, &table.base, &table.dev) {
        (Some(upstream), None, None, None) => {
            let Some((version, _)) = engine else {
                return Err(wrong(
                    "a profile has no version to choose an upstream image by: use \
                     `{ base = \"cpu\" }` for an image strata generates, or \
                     `{ build = \"Dockerfile\" }`",
                ));
            };
            Ok(ImageSpec::Upstream {
                template: upstream.get_ref().clone(),
                image: upstream
                    .get_ref()
                    .replace("{version}", &version.to_string()),
                packages: table
                    .packages
                    .as_ref()
                    .map(|packages| PathBuf::from(packages.get_ref())),
            })
        }
        (None, Some(build), base, None) => Ok(ImageSpec::Build {
            dockerfile: PathBuf::from(build.get_ref()),
            base: base.as_ref().map(|base| base.get_ref().clone()),
        }),
        (None, None, base, dev) => {
            let gpu = engine.is_some_and(|(_, gpu)| gpu);
            let base = match base {
                None if gpu => BaseImage::Gpu,
                None => BaseImage::Cpu,
                Some(value) => match value.get_ref().as_str() {
                    "cpu" => BaseImage::Cpu,
                    "gpu" => BaseImage::Gpu,
                    _ => BaseImage::Image(checked(context, value, "image.base", image_reference)?),
                },
            };
            let key = match base {
                BaseImage::Cpu => Some("cpu-base"),
                BaseImage::Gpu => Some("gpu-base"),
                BaseImage::Image(_) => None,
            };
            if let Some(key) = key
                && base.resolve(settings).is_none()
            {
                return Err(wrong(&format!(
                    "it builds on the project's {} base, and `[tool.strata.images]` has no \
                     `{key}`: add `{key} = \"<image>\"` there, or name one here with \
                     `base = \"<image>\"`",
                    &key[..3]
                )));
            }
            let dev = dev
                .as_ref()
                .map(|dev| {
                    ProfileName::parse(dev.get_ref())
                        .map_err(|reason| invalid(context, dev, "image.dev", reason))
                })
                .transpose()?;
            Ok(ImageSpec::Generated { base, dev })
        }
        _ => Err(wrong(
            "expected `{ upstream = \"repo:tag\" }`, `{ build = \"Dockerfile\" }` or \
             `{ base = \"cpu\" }`",
        )),
    }
}

/// Checks every `image = { dev = "..." }`: the dev profile exists and extends the image's
/// profile, so its lock agrees with the image's pin for pin and installing it on top changes
/// nothing already there.
pub(super) fn check_dev_profiles(
    context: &Context<'_>,
    tables: &IndexMap<ProfileName, (Spanned<String>, ProfileTable, bool)>,
    extends: &IndexMap<ProfileName, Vec<ProfileName>>,
) -> Result<(), Error> {
    for (name, (_, table, _)) in tables {
        let Some(dev) = table
            .image
            .as_ref()
            .and_then(|image| image.get_ref().dev.as_ref())
        else {
            continue;
        };
        let reason = match ProfileName::parse(dev.get_ref()) {
            Ok(dev_name) if !tables.contains_key(&dev_name) => Some(format!(
                "no profile is named `{dev_name}`; profiles: {}",
                tables
                    .keys()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Ok(dev_name) if !extends_transitively(extends, &dev_name, name) => Some(format!(
                "`{dev_name}` does not extend `{name}`, so its pins may differ; add \
                 `extends = [\"{name}\"]` to it"
            )),
            Ok(_) => None,
            Err(reason) => Some(reason),
        };
        if let Some(reason) = reason {
            return Err(invalid(context, dev, "image.dev", reason));
        }
    }
    Ok(())
}

fn extends_transitively(
    extends: &IndexMap<ProfileName, Vec<ProfileName>>,
    child: &ProfileName,
    ancestor: &ProfileName,
) -> bool {
    let mut stack = vec![child];
    let mut seen = Vec::new();
    while let Some(name) = stack.pop() {
        for parent in extends.get(name).into_iter().flatten() {
            if parent == ancestor {
                return true;
            }
            if !seen.contains(&parent) {
                seen.push(parent);
                stack.push(parent);
            }
        }
    }
    false
}

fn invalid(context: &Context<'_>, value: &Spanned<String>, what: &str, reason: String) -> Error {
    ErrorKind::InvalidValue {
        what: what.to_string(),
        value: value.get_ref().clone(),
        reason,
        snippet: context.string_snippet(value, 0..value.get_ref().chars().count()),
    }
    .into()
}

fn checked(
    context: &Context<'_>,
    value: &Spanned<String>,
    what: &str,
    check: fn(&str) -> Result<(), String>,
) -> Result<String, Error> {
    check(value.get_ref())
        .map(|()| value.get_ref().clone())
        .map_err(|reason| invalid(context, value, what, reason))
}

/// A Debian package name (`[a-z0-9][a-z0-9+.-]+`), optionally pinned (`git=1:2.39.5-0+deb12u1`):
/// it is written into an `apt-get install` line, so nothing a shell would read is let through.
fn os_package(text: &str) -> Result<(), String> {
    let (name, version) = text.split_once('=').unwrap_or((text, ""));
    let name_ok = name.len() >= 2
        && name.starts_with(|char: char| char.is_ascii_lowercase() || char.is_ascii_digit())
        && name.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'+' | b'.' | b'-')
        });
    let version_ok = !text.contains('=')
        || (!version.is_empty()
            && version.bytes().all(|byte| {
                byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'-' | b'~' | b':')
            }));
    if name_ok && version_ok {
        Ok(())
    } else {
        Err("a Debian package name (`git`, `libgl1`), optionally `=version`".to_string())
    }
}

/// `os/arch[/variant]`, as BuildKit names platforms.
fn platform(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split('/').collect();
    let ok = (2..=3).contains(&parts.len())
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
        });
    if ok {
        Ok(())
    } else {
        Err("`os/arch` or `os/arch/variant`, like `linux/amd64` or `linux/arm/v7`".to_string())
    }
}

/// An image reference or URL as the bake file and Dockerfiles quote it: no whitespace, quotes,
/// backslashes or control characters.
fn image_reference(text: &str) -> Result<(), String> {
    if text.is_empty()
        || text
            .chars()
            .any(|char| char.is_whitespace() || char.is_control() || matches!(char, '"' | '\\'))
    {
        Err("one reference, without spaces or quotes".to_string())
    } else {
        Ok(())
    }
}

/// An image repository as Docker's reference grammar has it: an optional registry host (with a
/// `.` or a port, or `localhost`) and lowercase path components joined by `/`, each of
/// letters and digits separated by `.`, `_`, `__` or dashes. No tag: strata adds the tags.
fn repository(context: &Context<'_>, value: &Spanned<String>, what: &str) -> Result<String, Error> {
    let text = value.get_ref();
    let mut components: Vec<&str> = text.split('/').collect();
    let host = components.first().is_some_and(|first| {
        components.len() > 1 && (first.contains(['.', ':']) || *first == "localhost")
    });
    let problem = if host {
        let host = components.remove(0);
        let (name, port) = host.split_once(':').unwrap_or((host, ""));
        (name.is_empty()
            || !name
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-'))
            || (host.contains(':')
                && (port.is_empty() || !port.bytes().all(|byte| byte.is_ascii_digit()))))
        .then(|| format!("`{host}` is not a registry host (`name.domain` or `name:port`)"))
    } else {
        None
    };
    let problem = problem.or_else(|| {
        components
            .iter()
            .find(|component| !is_path_component(component))
            .map(|component| {
                if component.contains(':') {
                    "a repository has no tag: strata tags each image `<engine>-<version>`"
                        .to_string()
                } else {
                    format!(
                        "`{component}`: lowercase letters and digits, joined by `.`, `_` or `-`"
                    )
                }
            })
    });
    match problem {
        None => Ok(text.clone()),
        Some(reason) => Err(invalid(context, value, what, reason)),
    }
}

fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |byte: &u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    if bytes.first().is_none_or(|byte| !alnum(byte)) || bytes.last().is_none_or(|byte| !alnum(byte))
    {
        return false;
    }
    let mut at = 0;
    while at < bytes.len() {
        if alnum(&bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && !alnum(&bytes[at]) {
            at += 1;
        }
        let separator = &component[start..at];
        if !(separator == "."
            || separator == "_"
            || separator == "__"
            || separator.bytes().all(|byte| byte == b'-'))
        {
            return false;
        }
    }
    true
}
