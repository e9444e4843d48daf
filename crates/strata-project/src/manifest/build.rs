//! From the raw manifest to the validated model: names, `extends`, sources, engines.
//!
//! Order matters for the messages: names and `extends` are checked before any file is read, so a
//! typo in a profile name is reported as such and not as a confusing downstream failure.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use indexmap::IndexMap;
use pep508_rs::{ExtraName, PackageName, Requirement};
use toml::Spanned;

use super::images;
use super::schema::{GroupEntry, ProfileTable, PyProjectToml, StrataTable};
use crate::error::{Error, ErrorKind, Snippet, Unsupported};
use crate::graph;
use crate::model::{
    ContractSettings, Engine, ImageSettings, IndexSettings, IndexUnavailable, NamedIndex, Origin,
    PackageSource, PipOptions, Profile, ProfileName, Project, SourcedRequirement, TargetSpec,
};
use crate::requirements_in;
use crate::suggest::closest;
use crate::version_source;

/// A `pyproject.toml` read alongside the manifest (or the manifest itself).
pub(super) struct PyProject {
    pub(super) path: PathBuf,
    pub(super) source: String,
    pub(super) table: PyProjectToml,
}

/// What every validation step needs to know.
pub(super) struct Context<'a> {
    pub(super) root: &'a Path,
    pub(super) manifest: &'a Path,
    pub(super) source: &'a str,
    pub(super) pyproject: Option<&'a PyProject>,
    pub(super) env: super::EnvLookup<'a>,
}

impl Context<'_> {
    pub(super) fn snippet(&self, span: std::ops::Range<usize>) -> Snippet {
        Snippet::from_span(self.manifest, self.source, span)
    }

    /// A snippet for a TOML string value, underlining its content without the quotes.
    pub(super) fn string_snippet(
        &self,
        value: &Spanned<String>,
        inner: std::ops::Range<usize>,
    ) -> Snippet {
        let start = value.span().start + 1;
        self.snippet(start + inner.start..start + inner.end)
    }
}

pub(super) fn project(context: &Context<'_>, strata: StrataTable) -> Result<Project, Error> {
    let targets = target_specs(
        context,
        strata.python_version.as_ref(),
        strata.python_platform.as_ref(),
        strata.targets.as_ref(),
        None,
    )?;
    let index = index_settings(context, &strata)?;

    // Names first: every later message can then trust that names are valid and unique.
    let mut tables: IndexMap<ProfileName, (Spanned<String>, ProfileTable, bool)> = IndexMap::new();
    let profiles = strata
        .profiles
        .unwrap_or_default()
        .into_iter()
        .map(|entry| (entry, false));
    let engines = strata
        .engines
        .unwrap_or_default()
        .into_iter()
        .map(|entry| (entry, true));
    for ((key, table), is_engine) in profiles.chain(engines) {
        let name = ProfileName::parse(key.get_ref()).map_err(|reason| ErrorKind::InvalidValue {
            what: if is_engine {
                "engine name"
            } else {
                "profile name"
            }
            .to_string(),
            value: key.get_ref().clone(),
            reason,
            snippet: context.snippet(key.span()),
        })?;
        if tables.contains_key(&name) {
            return Err(ErrorKind::DuplicateName {
                name: name.to_string(),
                snippet: Some(context.snippet(key.span())),
            }
            .into());
        }
        tables.insert(name, (key, table, is_engine));
    }

    let extends = extends_of(context, &tables)?;
    images::check_dev_profiles(context, &tables, &extends)?;
    let images = images::settings(context, strata.images)?;
    let order = graph::topological_order(&extends).map_err(|cycle| {
        let closing = locate_extends(&tables, &cycle);
        ErrorKind::CycleInExtends {
            cycle: cycle.iter().map(ToString::to_string).collect(),
            snippet: closing.map(|span| context.snippet(span)),
        }
    })?;

    let mut built: IndexMap<ProfileName, Profile> = IndexMap::new();
    for name in &order {
        let (key, table, is_engine) = &tables[name];
        let parents = extends[name].clone();
        let inherited_targets = parents
            .first()
            .map_or(&targets, |parent| &built[parent].targets);
        let profile = profile(
            context,
            name,
            key,
            table,
            *is_engine,
            parents,
            inherited_targets,
            &index,
            &images,
        )?;
        built.insert(name.clone(), profile);
    }
    // Keep declaration order (profiles then engines) for output, not dependency order.
    let profiles = tables
        .keys()
        .map(|name| {
            let profile = built
                .swap_remove(name)
                .expect("every profile was built in topological order");
            (name.clone(), profile)
        })
        .collect();

    let contracts_table = strata.contracts.unwrap_or_default();
    let roots = match contracts_table.root {
        Some(roots) => roots.into_iter().map(PathBuf::from).collect(),
        None if context.root.join("src").is_dir() => vec![PathBuf::from("src")],
        None => vec![PathBuf::from(".")],
    };
    let name = context
        .pyproject
        .and_then(|pyproject| pyproject.table.project.as_ref())
        .and_then(|project| project.name.as_ref())
        .and_then(|name| PackageName::new(name.get_ref().clone()).ok());
    let version = context
        .pyproject
        .and_then(|pyproject| pyproject.table.project.as_ref())
        .and_then(|project| project.version.as_ref())
        .map(|version| {
            pep440_rs::Version::from_str(version.get_ref()).map_err(|error| {
                // `[project]` is in pyproject.toml, which is not always the manifest.
                let pyproject = context.pyproject.expect("the version was read from it");
                Error::from(ErrorKind::InvalidValue {
                    what: "project version".to_string(),
                    value: version.get_ref().clone(),
                    reason: error.to_string(),
                    snippet: Snippet::from_span(&pyproject.path, &pyproject.source, version.span()),
                })
            })
        })
        .transpose()?;
    let ci = super::ci::settings(context, strata.ci, &profiles)?;
    Ok(Project {
        root: context.root.to_path_buf(),
        manifest: context.manifest.to_path_buf(),
        name,
        version,
        targets,
        lock_dir: lock_dir(context, strata.lock_dir.as_ref())?,
        index,
        pylock: strata.pylock.unwrap_or(true),
        profiles,
        contracts: ContractSettings {
            roots,
            host: contracts_table.host.unwrap_or_default(),
            engine_packages: contracts_table.engine_packages,
        },
        images,
        ci,
    })
}

/// The lock directory, checked against the file system: a file where it or one of its parents
/// should be would only fail later, as an OS error without the setting's line, after the whole
/// resolve. A directory that does not exist yet is fine: `strata lock` creates it.
fn lock_dir(context: &Context<'_>, value: Option<&Spanned<String>>) -> Result<PathBuf, Error> {
    let lock_dir = value.map_or_else(
        || PathBuf::from("locks"),
        |dir| PathBuf::from(dir.get_ref()),
    );
    let mut prefix = PathBuf::new();
    for component in lock_dir.components() {
        prefix.push(component);
        let is_file =
            fs_err::metadata(context.root.join(&prefix)).is_ok_and(|metadata| !metadata.is_dir());
        if is_file {
            return Err(ErrorKind::LockDirNotADirectory {
                lock_dir,
                file: prefix,
                snippet: value
                    .map(|value| context.string_snippet(value, 0..value.get_ref().chars().count())),
            }
            .into());
        }
    }
    Ok(lock_dir)
}

/// The targets a table declares over the ones it inherits (`None` for the project's own):
/// `targets = [...]`, else `python-version`/`python-platform` over the first inherited target
/// (one target), else the inherited ones. `targets` beside either setting is an error, and so
/// are two targets that no environment marker tells apart (a multi-target lock selects its
/// lines by marker).
fn target_specs(
    context: &Context<'_>,
    python_version: Option<&Spanned<String>>,
    python_platform: Option<&Spanned<String>>,
    targets: Option<&Spanned<Vec<super::schema::TargetTable>>>,
    inherited: Option<&[TargetSpec]>,
) -> Result<Vec<TargetSpec>, Error> {
    let Some(list) = targets else {
        let own = target_spec(context, python_version, python_platform)?;
        return Ok(match inherited {
            None => vec![own],
            Some(inherited) if own == TargetSpec::default() => inherited.to_vec(),
            Some(inherited) => vec![TargetSpec {
                python_version: own.python_version.or(inherited[0].python_version),
                python_platform: own.python_platform.or(inherited[0].python_platform),
            }],
        });
    };
    let written: Vec<String> = list
        .get_ref()
        .iter()
        .map(|entry| {
            format!(
                "{} on {}",
                entry.python_version.get_ref(),
                entry.python_platform.get_ref()
            )
        })
        .collect();
    let invalid = |reason: &str| -> Error {
        ErrorKind::InvalidValue {
            what: "target list".to_string(),
            value: format!("[{}]", written.join(", ")),
            reason: reason.to_string(),
            snippet: context.snippet(list.span()),
        }
        .into()
    };
    if python_version.is_some() || python_platform.is_some() {
        return Err(invalid(
            "give either `targets` or `python-version`/`python-platform`, not both",
        ));
    }
    if list.get_ref().is_empty() {
        return Err(invalid("list at least one target, or leave `targets` out"));
    }
    let mut out: Vec<TargetSpec> = Vec::new();
    for entry in list.get_ref() {
        let spec = target_spec(
            context,
            Some(&entry.python_version),
            Some(&entry.python_platform),
        )?;
        let marks = |spec: &TargetSpec| {
            spec.target()
                .expect("both settings are given")
                .marker_identity()
        };
        if out.iter().any(|known| marks(known) == marks(&spec)) {
            return Err(invalid(
                "two targets share the Python version, `sys_platform` and `platform_machine`: no marker tells their lines apart",
            ));
        }
        out.push(spec);
    }
    Ok(out)
}

/// Parses a `python-version` or `python-platform` value with the parsers that later compute
/// markers and wheel tags, so a value the model holds is one the resolver understands.
fn target_spec(
    context: &Context<'_>,
    python_version: Option<&Spanned<String>>,
    python_platform: Option<&Spanned<String>>,
) -> Result<TargetSpec, Error> {
    let invalid = |value: &Spanned<String>, what: &str, reason: String| -> Error {
        let text = value.get_ref();
        ErrorKind::InvalidValue {
            what: what.to_string(),
            value: text.clone(),
            reason,
            snippet: context.string_snippet(value, 0..text.chars().count()),
        }
        .into()
    };
    let python_version = python_version
        .map(|value| {
            strata_dist::PythonVersion::from_str(value.get_ref()).map_err(|_| {
                invalid(
                    value,
                    "python-version",
                    "expected `3.<minor>` or `3.<minor>.<patch>`, such as `3.11` or `3.11.7`"
                        .to_string(),
                )
            })
        })
        .transpose()?;
    let python_platform = python_platform
        .map(|value| {
            strata_dist::Platform::from_str(value.get_ref()).map_err(|error| {
                // The parser's message lists every accepted name; keep ours to the near miss.
                let reason = match error.suggestion() {
                    Some(suggestion) => format!("did you mean `{suggestion}`?"),
                    None => "expected a name like `x86_64-manylinux_2_28`, \
                             `aarch64-manylinux_2_28`, `x86_64-unknown-linux-gnu`, `linux`, \
                             `macos` or `windows`"
                        .to_string(),
                };
                invalid(value, "python-platform", reason)
            })
        })
        .transpose()?;
    Ok(TargetSpec {
        python_version,
        python_platform,
    })
}

fn index_settings(context: &Context<'_>, strata: &StrataTable) -> Result<IndexSettings, Error> {
    let mut named = IndexMap::new();
    for (key, table) in strata.indexes.iter().flatten() {
        ProfileName::parse(key.get_ref()).map_err(|reason| ErrorKind::InvalidValue {
            what: "index name".to_string(),
            value: key.get_ref().clone(),
            reason,
            snippet: context.snippet(key.span()),
        })?;
        let declared = table.url.get_ref().clone();
        let (url, unset_variables) = expand_variables(&declared, context.env);
        // A variable's value is checked too, but never shown: it may hold a token.
        if let Some(expanded) = &url {
            let what = format!("indexes.{}.url", key.get_ref());
            check_index_url(context, &table.url, expanded, &what)?;
        }
        named.insert(
            key.get_ref().clone(),
            NamedIndex {
                declared,
                url,
                unset_variables,
                explicit: table.explicit.unwrap_or(false),
            },
        );
    }
    let mut sources = IndexMap::new();
    for (key, entry) in strata.sources.iter().flatten() {
        let package = pep508_rs::PackageName::new(key.get_ref().clone()).map_err(|error| {
            ErrorKind::InvalidValue {
                what: "package name in `sources`".to_string(),
                value: key.get_ref().clone(),
                reason: error.to_string(),
                snippet: context.snippet(key.span()),
            }
        })?;
        let index = &entry.get_ref().index;
        if !named.contains_key(index.get_ref()) {
            let known: Vec<String> = named.keys().cloned().collect();
            return Err(ErrorKind::InvalidValue {
                what: format!("sources.{}.index", key.get_ref()),
                value: index.get_ref().clone(),
                reason: if known.is_empty() {
                    "no `[tool.strata.indexes]` are declared".to_string()
                } else {
                    format!("declared indexes: {}", known.join(", "))
                },
                snippet: context.string_snippet(index, 0..index.get_ref().chars().count()),
            }
            .into());
        }
        let duplicate = sources.insert(
            package.to_string(),
            PackageSource {
                index: index.get_ref().clone(),
                snippet: context.snippet(key.span()),
            },
        );
        if duplicate.is_some() {
            return Err(ErrorKind::InvalidValue {
                what: "package name in `sources`".to_string(),
                value: key.get_ref().clone(),
                reason: format!("`{package}` is bound to an index twice"),
                snippet: context.snippet(key.span()),
            }
            .into());
        }
    }
    if let Some(url) = &strata.index_url {
        check_index_url(context, url, url.get_ref(), "index-url")?;
    }
    for url in strata.extra_index_url.iter().flatten() {
        check_index_url(context, url, url.get_ref(), "extra-index-url")?;
    }
    let strings = |values: &Option<Vec<Spanned<String>>>| -> Vec<String> {
        values
            .iter()
            .flatten()
            .map(|value| value.get_ref().clone())
            .collect()
    };
    Ok(IndexSettings {
        index_url: strata.index_url.as_ref().map(|url| url.get_ref().clone()),
        extra_index_urls: strings(&strata.extra_index_url),
        find_links: strings(&strata.find_links),
        named,
        sources,
    })
}

/// An index URL must be one the index client can read: absolute, `https://`, `http://` or
/// `file://`. Checked here, with the setting's line, rather than when `strata lock` first asks
/// the index, where the line is no longer known. `text` is the value after `${VAR}` expansion;
/// it is shown only when it is what the manifest says, and with any credentials masked.
fn check_index_url(
    context: &Context<'_>,
    value: &Spanned<String>,
    text: &str,
    key: &str,
) -> Result<(), Error> {
    let problem = match url::Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http" | "file") => return Ok(()),
        Ok(url) => format!(
            "strata reads indexes over `https://`, `http://` or `file://`, not `{}://`",
            url.scheme()
        ),
        Err(error) => format!("{error}: expected an absolute URL like `https://host/simple`"),
    };
    let declared = value.get_ref();
    let reason = if text == declared {
        problem
    } else {
        format!("once its variables are expanded, {problem}")
    };
    Err(ErrorKind::InvalidValue {
        what: key.to_string(),
        value: mask_credentials(declared),
        reason,
        snippet: context.string_snippet(value, 0..declared.chars().count()),
    }
    .into())
}

/// `scheme://user:password@host/...` with the user information replaced by `****`.
fn mask_credentials(text: &str) -> String {
    if let Some((scheme, rest)) = text.split_once("://") {
        let authority = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority].rfind('@') {
            return format!("{scheme}://****@{}", &rest[at + 1..]);
        }
    }
    text.to_string()
}

/// Expands `${VAR}` references; returns `None` and the unset names when any is unset.
fn expand_variables(declared: &str, env: super::EnvLookup<'_>) -> (Option<String>, Vec<String>) {
    let mut out = String::new();
    let mut unset = Vec::new();
    let mut written = 0;
    for (span, variable) in crate::model::variable_references(declared) {
        out.push_str(&declared[written..span.start]);
        match env(variable) {
            Some(value) if !value.is_empty() => out.push_str(&value),
            _ => unset.push(variable.to_string()),
        }
        written = span.end;
    }
    out.push_str(&declared[written..]);
    if unset.is_empty() {
        (Some(out), unset)
    } else {
        (None, unset)
    }
}

type Tables = IndexMap<ProfileName, (Spanned<String>, ProfileTable, bool)>;

fn extends_of(
    context: &Context<'_>,
    tables: &Tables,
) -> Result<IndexMap<ProfileName, Vec<ProfileName>>, Error> {
    let mut out = IndexMap::new();
    for (name, (_, table, _)) in tables {
        let mut parents = Vec::new();
        for parent in table.extends.iter().flatten() {
            let found = tables
                .keys()
                .find(|known| known.as_str() == parent.get_ref());
            let Some(found) = found else {
                let known: Vec<String> = tables.keys().map(ToString::to_string).collect();
                return Err(ErrorKind::UnknownProfile {
                    profile: name.to_string(),
                    parent: parent.get_ref().clone(),
                    suggestion: closest(parent.get_ref(), known.iter().map(String::as_str))
                        .map(str::to_string),
                    known,
                    snippet: context.string_snippet(parent, 0..parent.get_ref().chars().count()),
                }
                .into());
            };
            if tables[found].2 {
                // An engine is solved alone, with its own indexes and on its parents' pins; a
                // profile below it would be solved with neither, so its lock could disagree
                // with the engine's without a word.
                return Err(ErrorKind::InvalidValue {
                    what: "extends".to_string(),
                    value: parent.get_ref().clone(),
                    reason: format!(
                        "`{found}` is an engine, and nothing extends an engine; add `{name}`'s \
                         requirements to it"
                    ),
                    snippet: context.string_snippet(parent, 0..parent.get_ref().chars().count()),
                }
                .into());
            }
            parents.push(found.clone());
        }
        out.insert(name.clone(), parents);
    }
    Ok(out)
}

/// The span of the `extends` entry by which the last profile of `cycle` names the first.
fn locate_extends(tables: &Tables, cycle: &[ProfileName]) -> Option<std::ops::Range<usize>> {
    let [.., from, to] = cycle else {
        return None;
    };
    let (_, table, _) = tables.get(from)?;
    table
        .extends
        .iter()
        .flatten()
        .find(|parent| parent.get_ref() == to.as_str())
        .map(Spanned::span)
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
fn profile(
    context: &Context<'_>,
    name: &ProfileName,
    key: &Spanned<String>,
    table: &ProfileTable,
    is_engine: bool,
    extends: Vec<ProfileName>,
    inherited_targets: &[TargetSpec],
    index: &IndexSettings,
    images: &ImageSettings,
) -> Result<Profile, Error> {
    let mut targets = target_specs(
        context,
        table.python_version.as_ref(),
        table.python_platform.as_ref(),
        table.targets.as_ref(),
        Some(inherited_targets),
    )?;
    if is_engine && targets.len() > 1 {
        if let Some(list) = &table.targets {
            return Err(ErrorKind::InvalidValue {
                what: "target list".to_string(),
                value: format!("{} targets", targets.len()),
                reason: "an engine runs in one image: give it one target".to_string(),
                snippet: context.snippet(list.span()),
            }
            .into());
        }
        // An engine under a profile of several targets is locked for the first of them.
        targets.truncate(1);
    }
    let mut requirements = Vec::new();
    let mut constraints = Vec::new();
    let mut pip_options = PipOptions::default();

    for value in table.requirements.iter().flatten() {
        requirements.push(inline_requirement(context, value)?);
    }
    for value in table.constraints.iter().flatten() {
        let constraint = inline_requirement(context, value)?;
        if let Some(form) = requirements_in::constraint_extras(&constraint.requirement) {
            return Err(ErrorKind::Unsupported {
                form,
                text: value.get_ref().clone(),
                snippet: context.string_snippet(value, 0..value.get_ref().chars().count()),
            }
            .into());
        }
        constraints.push(constraint);
    }
    if let Some(file) = &table.file {
        let path = context.root.join(file.get_ref());
        let referrer = context.string_snippet(file, 0..file.get_ref().chars().count());
        let in_file = requirements_in::read(&path, context.root, &referrer)?;
        let origin = |line: requirements_in::FileLine| Origin::File {
            path: line.path,
            line: line.line,
        };
        requirements.extend(in_file.requirements.into_iter().map(|(requirement, line)| {
            SourcedRequirement {
                requirement,
                origin: origin(line),
            }
        }));
        constraints.extend(in_file.constraints.into_iter().map(|(requirement, line)| {
            SourcedRequirement {
                requirement,
                origin: origin(line),
            }
        }));
        check_option_lines(&in_file.option_lines, context, index)?;
        if let Some((text, snippet)) = in_file.unhashed_urls.first() {
            return Err(requirements_in::unhashed_url_error(text, snippet.clone()));
        }
        pip_options = in_file.options;
    }
    for include in table.include.iter().flatten() {
        requirements.extend(include_requirements(context, include)?);
    }

    let engine = if is_engine {
        Some(engine(context, name, key, table, index)?)
    } else {
        None
    };
    let image = table
        .image
        .as_ref()
        .map(|image| {
            let engine = engine.as_ref().map(|engine| (&engine.version, engine.gpu));
            images::spec(context, image, engine, images)
        })
        .transpose()?;
    if let Some(engine) = &engine {
        let requirement = Requirement::from_str(&format!("{}=={}", engine.package, engine.version))
            .expect("a package name and a valid version form a valid requirement");
        requirements.push(SourcedRequirement {
            requirement,
            origin: Origin::VersionFile {
                path: engine.version_source.file.clone(),
                key: engine.version_source.key.clone(),
            },
        });
    }
    if requirements.is_empty() && constraints.is_empty() && extends.is_empty() {
        return Err(ErrorKind::NoSources {
            profile: name.to_string(),
            snippet: Some(context.snippet(key.span())),
        }
        .into());
    }
    Ok(Profile {
        name: name.clone(),
        extends,
        targets,
        requirements,
        constraints,
        pip_options,
        image,
        engine,
    })
}

/// A profile's `.in` file may repeat the project's index settings (so pip-tools can still
/// read it), but `strata lock` resolves a whole hierarchy with one index configuration and one
/// pre-release policy: a value the manifest does not declare would be ignored, so it is an error.
fn check_option_lines(
    lines: &[requirements_in::OptionLine],
    context: &Context<'_>,
    index: &IndexSettings,
) -> Result<(), Error> {
    let same_url = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    for line in lines {
        let value = line.value.clone().unwrap_or_default();
        let declared = match line.option {
            "--index-url" => index
                .index_url
                .as_deref()
                .is_some_and(|url| same_url(url, &value)),
            "--extra-index-url" => index
                .extra_index_urls
                .iter()
                .any(|url| same_url(url, &value)),
            "--find-links" => index.find_links.iter().any(|declared| {
                same_url(declared, &value)
                    || requirements_in::normalize(&context.root.join(declared))
                        == requirements_in::normalize(&line.directory.join(&value))
            }),
            _ => false,
        };
        if declared {
            continue;
        }
        let form = match line.option {
            "--index-url" => Unsupported::IndexOptionInProfile {
                key: "index-url",
                value,
            },
            "--extra-index-url" => Unsupported::IndexOptionInProfile {
                key: "extra-index-url",
                value,
            },
            "--find-links" => Unsupported::IndexOptionInProfile {
                key: "find-links",
                // pip reads a relative path next to the file; the manifest's are relative to it.
                value: if value.contains("://") {
                    value
                } else {
                    requirements_in::display_path(&line.directory.join(&value), context.root)
                        .display()
                        .to_string()
                },
            },
            _ => Unsupported::PreInProfile,
        };
        return Err(ErrorKind::Unsupported {
            form,
            text: line.snippet.text.trim().to_string(),
            snippet: line.snippet.clone(),
        }
        .into());
    }
    Ok(())
}

fn inline_requirement(
    context: &Context<'_>,
    value: &Spanned<String>,
) -> Result<SourcedRequirement, Error> {
    let text = value.get_ref();
    let requirement = parse_requirement(text, |range| context.string_snippet(value, range))?;
    let line = context.snippet(value.span()).line;
    Ok(SourcedRequirement {
        requirement,
        origin: Origin::Manifest {
            path: context.manifest.to_path_buf(),
            line,
        },
    })
}

/// Parses a PEP 508 requirement; `snippet` maps a character range of `text` to the input file.
/// A profile's lock always records hashes, so a direct URL must carry its own.
fn parse_requirement(
    text: &str,
    snippet: impl Fn(std::ops::Range<usize>) -> Snippet,
) -> Result<Requirement, Error> {
    let requirement = requirements_in::requirement(text, &snippet)?;
    if requirements_in::is_unhashed_url(&requirement) {
        return Err(requirements_in::unhashed_url_error(
            text,
            snippet(0..text.chars().count()),
        ));
    }
    Ok(requirement)
}

fn include_requirements(
    context: &Context<'_>,
    include: &Spanned<String>,
) -> Result<Vec<SourcedRequirement>, Error> {
    let text = include.get_ref().as_str();
    let whole = || context.string_snippet(include, 0..text.chars().count());
    let (kind, name) = match text.split_once(':') {
        Some((kind, name)) => (kind, Some(name)),
        None => (text, None),
    };
    if !matches!(
        (kind, name),
        ("project", None) | ("extra" | "group", Some(_))
    ) {
        return Err(ErrorKind::UnknownInclude {
            include: text.to_string(),
            snippet: whole(),
        }
        .into());
    }
    let no_project = || ErrorKind::NoProjectTable {
        include: text.to_string(),
        pyproject: crate::requirements_in::normalize(&context.root.join("pyproject.toml")),
        snippet: Some(whole()),
    };
    let pyproject = context.pyproject.ok_or_else(no_project)?;
    match (kind, name) {
        ("project", _) => {
            let project = pyproject.table.project.as_ref().ok_or_else(no_project)?;
            if project.is_dynamic("dependencies") {
                return Err(ErrorKind::Unsupported {
                    form: Unsupported::Dynamic {
                        field: "dependencies",
                    },
                    text: text.to_string(),
                    snippet: whole(),
                }
                .into());
            }
            project
                .dependencies
                .iter()
                .flatten()
                .map(|value| pyproject_requirement(pyproject, value, Origin::Project))
                .collect()
        }
        ("extra", Some(extra)) => {
            let mut out = Vec::new();
            let mut stack = Vec::new();
            expand_extra(
                pyproject,
                extra,
                &whole(),
                &pep508_rs::MarkerTree::TRUE,
                &mut stack,
                &mut out,
            )?;
            Ok(out)
        }
        (_, Some(group)) => {
            let mut out = Vec::new();
            let mut stack = Vec::new();
            expand_group(pyproject, group, &whole(), &mut stack, &mut out)?;
            Ok(out)
        }
        _ => unreachable!("include kinds were matched above"),
    }
}

fn pyproject_requirement(
    pyproject: &PyProject,
    value: &Spanned<String>,
    origin: Origin,
) -> Result<SourcedRequirement, Error> {
    let requirement = parse_requirement(value.get_ref(), |range| {
        let start = value.span().start + 1;
        Snippet::from_span(
            &pyproject.path,
            &pyproject.source,
            start + range.start..start + range.end,
        )
    })?;
    Ok(SourcedRequirement {
        requirement,
        origin,
    })
}

/// Expands `[project.optional-dependencies].NAME`. A self-reference (`myproj[a,b]` inside an
/// extra of `myproj`) is replaced by the named extras' requirements, as pip and uv do, with the
/// self-reference's marker added to each.
fn expand_extra(
    pyproject: &PyProject,
    extra: &str,
    referrer: &Snippet,
    marker: &pep508_rs::MarkerTree,
    stack: &mut Vec<String>,
    out: &mut Vec<SourcedRequirement>,
) -> Result<(), Error> {
    let project = pyproject
        .table
        .project
        .as_ref()
        .ok_or_else(|| ErrorKind::NoProjectTable {
            include: format!("extra:{extra}"),
            pyproject: pyproject.path.clone(),
            snippet: Some(referrer.clone()),
        })?;
    if project.is_dynamic("optional-dependencies") {
        return Err(ErrorKind::Unsupported {
            form: Unsupported::Dynamic {
                field: "optional-dependencies",
            },
            text: format!("extra:{extra}"),
            snippet: referrer.clone(),
        }
        .into());
    }
    let extras = project.optional_dependencies.as_ref();
    let wanted = ExtraName::new(extra.to_string()).ok();
    let found = extras.and_then(|extras| {
        extras
            .iter()
            .find(|(name, _)| ExtraName::new((*name).clone()).ok() == wanted)
    });
    let Some((declared_name, entries)) = found else {
        let known: Vec<String> = extras
            .map(|extras| extras.keys().cloned().collect())
            .unwrap_or_default();
        return Err(ErrorKind::UnknownExtra {
            extra: extra.to_string(),
            suggestion: closest(extra, known.iter().map(String::as_str)).map(str::to_string),
            known,
            snippet: referrer.clone(),
        }
        .into());
    };
    if stack.contains(declared_name) {
        let mut chain: Vec<String> = stack.iter().map(|name| format!("extra:{name}")).collect();
        chain.push(format!("extra:{declared_name}"));
        return Err(ErrorKind::IncludeLoop {
            chain,
            snippet: referrer.clone(),
        }
        .into());
    }
    stack.push(declared_name.clone());
    let self_name = project
        .name
        .as_ref()
        .and_then(|name| PackageName::new(name.get_ref().clone()).ok());
    for value in entries {
        let mut sourced =
            pyproject_requirement(pyproject, value, Origin::Extra(declared_name.clone()))?;
        sourced.requirement.marker.and(marker.clone());
        if self_name.as_ref() == Some(&sourced.requirement.name) {
            let here = {
                let start = value.span().start + 1;
                Snippet::from_span(
                    &pyproject.path,
                    &pyproject.source,
                    start..start + value.get_ref().len(),
                )
            };
            for nested in sourced.requirement.extras.clone() {
                expand_extra(
                    pyproject,
                    nested.as_ref(),
                    &here,
                    &sourced.requirement.marker,
                    stack,
                    out,
                )?;
            }
            continue;
        }
        out.push(sourced);
    }
    stack.pop();
    Ok(())
}

/// A group's reference to its own project (`myproj`, `myproj[a,b]`) means the project as it is
/// installed from its source tree: `[project].dependencies` plus the named extras, with the
/// reference's marker added to each. The project itself is never looked up on an index, where
/// it may be absent or, worse, be someone else's package of the same name.
fn expand_self(
    pyproject: &PyProject,
    reference: &Requirement,
    referrer: &Snippet,
    out: &mut Vec<SourcedRequirement>,
) -> Result<(), Error> {
    if pyproject
        .table
        .project
        .as_ref()
        .is_some_and(|project| project.is_dynamic("dependencies"))
    {
        return Err(ErrorKind::Unsupported {
            form: Unsupported::Dynamic {
                field: "dependencies",
            },
            text: referrer.text.trim().to_string(),
            snippet: referrer.clone(),
        }
        .into());
    }
    let dependencies = pyproject
        .table
        .project
        .as_ref()
        .and_then(|project| project.dependencies.as_ref());
    for value in dependencies.into_iter().flatten() {
        let mut sourced = pyproject_requirement(pyproject, value, Origin::Project)?;
        sourced.requirement.marker.and(reference.marker.clone());
        out.push(sourced);
    }
    for extra in &reference.extras {
        let mut stack = Vec::new();
        expand_extra(
            pyproject,
            extra.as_ref(),
            referrer,
            &reference.marker,
            &mut stack,
            out,
        )?;
    }
    Ok(())
}

/// Expands a PEP 735 dependency group, following `{include-group = "..."}` entries.
/// See: <https://peps.python.org/pep-0735/>
fn expand_group(
    pyproject: &PyProject,
    group: &str,
    referrer: &Snippet,
    stack: &mut Vec<String>,
    out: &mut Vec<SourcedRequirement>,
) -> Result<(), Error> {
    let groups = pyproject.table.dependency_groups.as_ref();
    let normalized = normalize_group(group);
    let found = groups.and_then(|groups| {
        groups
            .iter()
            .find(|(name, _)| normalize_group(name) == normalized)
    });
    let Some((declared_name, entries)) = found else {
        let known: Vec<String> = groups
            .map(|groups| groups.keys().cloned().collect())
            .unwrap_or_default();
        return Err(ErrorKind::UnknownGroup {
            group: group.to_string(),
            suggestion: closest(group, known.iter().map(String::as_str)).map(str::to_string),
            known,
            snippet: referrer.clone(),
        }
        .into());
    };
    if stack.contains(declared_name) {
        let mut chain: Vec<String> = stack.iter().map(|name| format!("group:{name}")).collect();
        chain.push(format!("group:{declared_name}"));
        return Err(ErrorKind::IncludeLoop {
            chain,
            snippet: referrer.clone(),
        }
        .into());
    }
    stack.push(declared_name.clone());
    let self_name = pyproject
        .table
        .project
        .as_ref()
        .and_then(|project| project.name.as_ref())
        .and_then(|name| PackageName::new(name.get_ref().clone()).ok());
    for entry in entries {
        match entry.get_ref() {
            GroupEntry::Requirement(text) => {
                let value = Spanned::new(entry.span(), text.clone());
                let sourced =
                    pyproject_requirement(pyproject, &value, Origin::Group(declared_name.clone()))?;
                if self_name.as_ref() == Some(&sourced.requirement.name) {
                    let here = Snippet::from_span(&pyproject.path, &pyproject.source, entry.span());
                    expand_self(pyproject, &sourced.requirement, &here, out)?;
                    continue;
                }
                out.push(sourced);
            }
            GroupEntry::Include { include_group } => {
                let here = Snippet::from_span(&pyproject.path, &pyproject.source, entry.span());
                expand_group(pyproject, include_group, &here, stack, out)?;
            }
        }
    }
    stack.pop();
    Ok(())
}

/// PEP 735 group names are compared after PEP 503 normalization.
fn normalize_group(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_was_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_was_separator {
                out.push('-');
            }
            last_was_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_was_separator = false;
        }
    }
    out
}

fn engine(
    context: &Context<'_>,
    name: &ProfileName,
    key: &Spanned<String>,
    table: &ProfileTable,
    index: &IndexSettings,
) -> Result<Engine, Error> {
    let Some(version) = &table.version else {
        return Err(ErrorKind::MissingEngineVersion {
            engine: name.to_string(),
            snippet: context.snippet(key.span()),
        }
        .into());
    };
    let version_table = version.get_ref();
    let package_text = version_table
        .package
        .as_ref()
        .map_or_else(|| name.to_string(), |package| package.get_ref().clone());
    let package =
        PackageName::new(package_text.clone()).map_err(|error| ErrorKind::InvalidValue {
            what: "package name".to_string(),
            value: package_text,
            reason: error.to_string(),
            snippet: context.snippet(version.span()),
        })?;
    let file = PathBuf::from(version_table.file.get_ref());
    let version_source = version_source::read(
        name.as_str(),
        context.root,
        &file,
        version_table.key.get_ref(),
        Some(context.string_snippet(
            &version_table.file,
            0..version_table.file.get_ref().chars().count(),
        )),
        Some(context.string_snippet(
            &version_table.key,
            0..version_table.key.get_ref().chars().count(),
        )),
    )?;
    let mut indexes = Vec::new();
    for entry in table.indexes.iter().flatten() {
        if !index.named.contains_key(entry.get_ref()) {
            let known: Vec<String> = index.named.keys().cloned().collect();
            return Err(ErrorKind::InvalidValue {
                what: "index".to_string(),
                value: entry.get_ref().clone(),
                reason: if known.is_empty() {
                    "no `[tool.strata.indexes]` are declared".to_string()
                } else {
                    format!("declared indexes: {}", known.join(", "))
                },
                snippet: context.string_snippet(entry, 0..entry.get_ref().chars().count()),
            }
            .into());
        }
        indexes.push(entry.get_ref().clone());
    }
    let when_index_unavailable = match table.when_index_unavailable.as_ref() {
        None => IndexUnavailable::Fail,
        Some(value) => match value.get_ref().as_str() {
            "fail" => IndexUnavailable::Fail,
            "skip" => IndexUnavailable::Skip,
            "optional" => IndexUnavailable::Optional,
            other => {
                return Err(ErrorKind::InvalidValue {
                    what: "when-index-unavailable".to_string(),
                    value: other.to_string(),
                    reason: "expected `fail`, `skip` or `optional`".to_string(),
                    snippet: context.string_snippet(value, 0..other.chars().count()),
                }
                .into());
            }
        },
    };
    Ok(Engine {
        version: version_source.version.clone(),
        package,
        version_source,
        gpu: table.gpu.unwrap_or(false),
        indexes,
        when_index_unavailable,
        isolated_from_parent: table.isolated_from_parent.unwrap_or(false),
        move_parent_pins: table.move_parent_pins.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use strata_diagnostic::Diagnostic as _;

    use super::*;

    #[test]
    fn variables_expand_and_unset_ones_are_reported() {
        let env = |name: &str| (name == "HOST").then(|| "mirror.invalid".to_string());
        assert_eq!(
            expand_variables("https://${HOST}/simple", &env),
            (Some("https://mirror.invalid/simple".to_string()), vec![])
        );
        assert_eq!(
            expand_variables("${NVIDIA_INDEX_URL}", &env),
            (None, vec!["NVIDIA_INDEX_URL".to_string()])
        );
    }

    #[test]
    fn a_file_in_the_way_of_the_lock_directory_is_named_and_a_missing_one_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("strata.toml");
        fs_err::write(
            &manifest,
            "lock-dir = \"out/locks\"\n[profiles.base]\nrequirements = [\"numpy\"]\n",
        )
        .unwrap();
        fs_err::write(dir.path().join("out"), "").unwrap();
        let error = Project::load(&manifest, &|_| None).unwrap_err();
        let ErrorKind::LockDirNotADirectory { file, snippet, .. } = error.kind() else {
            panic!("unexpected {error:?}");
        };
        assert_eq!(file, Path::new("out"));
        assert_eq!(snippet.as_ref().map(|snippet| snippet.line), Some(1));
        fs_err::remove_file(dir.path().join("out")).unwrap();
        let project = Project::load(&manifest, &|_| None).unwrap();
        assert_eq!(project.lock_dir, Path::new("out/locks"));
    }

    #[test]
    fn a_named_index_url_is_checked_after_expansion_without_showing_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("strata.toml");
        fs_err::write(
            &manifest,
            "[indexes.gpu]\nurl = \"${GPU_URL}\"\n[profiles.base]\nrequirements = [\"numpy\"]\n",
        )
        .unwrap();
        let bad = |_: &str| Some("secret-token not a url".to_string());
        let error = Project::load(&manifest, &bad).unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidValue { what, .. } if what == "indexes.gpu.url"),
            "{error:?}"
        );
        assert!(!error.to_string().contains("secret-token"), "{error}");
        assert_eq!(error.snippet().map(|snippet| snippet.line), Some(2));
        let good = |_: &str| Some("https://gpu.invalid/simple".to_string());
        assert!(Project::load(&manifest, &good).is_ok());
        // Unset, it is reported where the index is used, as before.
        assert!(Project::load(&manifest, &|_| None).is_ok());
    }

    #[test]
    fn credentials_in_a_bad_index_url_are_masked() {
        assert_eq!(
            mask_credentials("ftp://user:token@mirror.invalid/simple"),
            "ftp://****@mirror.invalid/simple"
        );
        assert_eq!(mask_credentials("not a url"), "not a url");
    }

    #[test]
    fn image_packages_go_with_upstream_only() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("v.yaml"), "version: 0.6.3\n").unwrap();
        let manifest = dir.path().join("strata.toml");
        let engine = |image: &str| {
            format!(
                "python-version = \"3.12\"\n[engines.vllm]\nrequirements = [\"vllm\"]\n\
                 version = {{ file = \"v.yaml\", key = \"version\" }}\nimage = {image}\n"
            )
        };
        fs_err::write(
            &manifest,
            engine(r#"{ upstream = "vllm/vllm-openai:v{version}", packages = "docker/vllm.txt" }"#),
        )
        .unwrap();
        let project = Project::load(&manifest, &|_| None).unwrap();
        let image = project.profiles.values().next().unwrap().image.clone();
        assert_eq!(
            image,
            Some(crate::ImageSpec::Upstream {
                template: "vllm/vllm-openai:v{version}".to_string(),
                image: "vllm/vllm-openai:v0.6.3".to_string(),
                packages: Some(PathBuf::from("docker/vllm.txt")),
            })
        );
        fs_err::write(
            &manifest,
            engine(r#"{ base = "python:3.12", packages = "docker/vllm.txt" }"#),
        )
        .unwrap();
        let error = Project::load(&manifest, &|_| None).unwrap_err();
        assert!(
            error.to_string().starts_with("Invalid image.packages `docker/vllm.txt`: the captured package set of an upstream image"),
            "{error}"
        );
        let snippet = error.snippet().unwrap();
        assert_eq!((snippet.line, snippet.width), (5, "docker/vllm.txt".len()));
    }

    #[test]
    fn group_names_compare_normalized() {
        assert_eq!(normalize_group("Dev__Tools.x"), "dev-tools-x");
    }
}
