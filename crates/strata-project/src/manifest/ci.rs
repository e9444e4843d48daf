//! `[tool.strata.ci]`: the runners and cells of the CI plan, checked when the manifest loads so a
//! cell naming an engine that does not exist, or a path that can never match, is a located error
//! and not a silently empty fan-out.

use indexmap::IndexMap;
use toml::Spanned;

use super::build::Context;
use super::schema::{CellTable, CiTable};
use crate::error::{Error, ErrorKind};
use crate::model::{CellSpec, CiSettings, Profile, ProfileName};

/// `[tool.strata.ci]`, each value checked against the profiles already built.
pub(super) fn settings(
    context: &Context<'_>,
    table: Option<CiTable>,
    profiles: &IndexMap<ProfileName, Profile>,
) -> Result<CiSettings, Error> {
    let mut settings = CiSettings::default();
    let Some(table) = table else {
        return Ok(settings);
    };
    if let Some(workflow) = table.workflow {
        let text = workflow.get_ref();
        let yaml = std::path::Path::new(text)
            .extension()
            .is_some_and(|extension| extension == "yml" || extension == "yaml");
        if !yaml || text.starts_with('/') {
            return Err(invalid(
                context,
                &workflow,
                "ci.workflow",
                "a `.yml` file relative to the project root, like `.github/workflows/strata.yml`",
            ));
        }
        settings.workflow = text.into();
    }
    if let Some(install) = table.install {
        // Written into the workflow as an environment value: GitHub would evaluate an
        // expression in it before any shell quoting applies.
        if install.get_ref().trim().is_empty() || install.get_ref().contains("${{") {
            return Err(invalid(
                context,
                &install,
                "ci.install",
                "a shell command that puts `strata` on PATH, without `${{ ... }}` expressions",
            ));
        }
        settings.install = Some(install.into_inner());
    }
    if let Some(runners) = table.runners {
        if let Some(cpu) = runners.cpu {
            settings.cpu_runner = labels(context, cpu, "ci.runners.cpu")?;
        }
        if let Some(gpu) = runners.gpu {
            settings.gpu_runner = labels(context, gpu, "ci.runners.gpu")?;
        }
    }
    if let Some(test) = table.test {
        let default = settings.test.clone();
        settings.test = cell(context, test, profiles, Some(&default))?;
    }
    for (name, body) in table.cells.into_iter().flatten() {
        if ProfileName::parse(name.get_ref()).is_err()
            || matches!(name.get_ref().as_str(), "build" | "test")
        {
            return Err(invalid(
                context,
                &name,
                "cell name",
                "lowercase letters, digits, `-` and `_`, starting with a letter; not `build`/`test`",
            ));
        }
        let spec = cell(context, body, profiles, None)?;
        if spec.command.is_empty() {
            return Err(invalid(
                context,
                &name,
                "cell",
                "a cell needs `command = [\"program\", \"arg\", ...]`",
            ));
        }
        settings.cells.insert(name.get_ref().clone(), spec);
    }
    Ok(settings)
}

/// A cell's table; `default` fills what the `test` cell leaves out.
fn cell(
    context: &Context<'_>,
    table: CellTable,
    profiles: &IndexMap<ProfileName, Profile>,
    default: Option<&CellSpec>,
) -> Result<CellSpec, Error> {
    let command = match table.command {
        Some(command) => command.into_iter().map(Spanned::into_inner).collect(),
        None => default.map(|cell| cell.command.clone()).unwrap_or_default(),
    };
    let mut engines = Vec::new();
    for engine in table.engines.into_iter().flatten() {
        let found = profiles
            .values()
            .find(|profile| profile.name.as_str() == engine.get_ref() && profile.is_engine());
        let Some(found) = found else {
            let known: Vec<&str> = profiles
                .values()
                .filter(|profile| profile.is_engine())
                .map(|profile| profile.name.as_str())
                .collect();
            return Err(invalid(
                context,
                &engine,
                "ci cell engine",
                &format!("no engine of that name; engines: {}", known.join(", ")),
            ));
        };
        engines.push(found.name.clone());
    }
    let paths = match table.paths {
        Some(paths) => {
            let mut out = Vec::new();
            for path in paths {
                let text = path.get_ref();
                if text.is_empty() || text.starts_with('/') || text.contains('\\') {
                    return Err(invalid(
                        context,
                        &path,
                        "ci cell path",
                        "a glob relative to the project root, with `/` (`src/**`, `tests/*.py`)",
                    ));
                }
                out.push(path.into_inner());
            }
            out
        }
        None => default.map(|cell| cell.paths.clone()).unwrap_or_default(),
    };
    Ok(CellSpec {
        command,
        engines,
        paths,
    })
}

/// `runs-on` labels: written into the workflow as they are, so nothing YAML or an expression
/// would read gets through.
fn labels(
    context: &Context<'_>,
    values: Vec<Spanned<String>>,
    what: &str,
) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for value in values {
        let text = value.get_ref();
        if text.is_empty()
            || !text
                .chars()
                .all(|char| char.is_ascii_alphanumeric() || matches!(char, '-' | '_' | '.'))
        {
            return Err(invalid(
                context,
                &value,
                what,
                "a runner label: letters, digits, `-`, `_` and `.`",
            ));
        }
        out.push(value.into_inner());
    }
    if out.is_empty() {
        return Err(ErrorKind::InvalidValue {
            what: what.to_string(),
            value: "[]".to_string(),
            reason: "at least one runner label".to_string(),
            snippet: context.snippet(0..0),
        }
        .into());
    }
    Ok(out)
}

fn invalid(context: &Context<'_>, value: &Spanned<String>, what: &str, reason: &str) -> Error {
    ErrorKind::InvalidValue {
        what: what.to_string(),
        value: value.get_ref().clone(),
        reason: reason.to_string(),
        snippet: context.string_snippet(value, 0..value.get_ref().chars().count()),
    }
    .into()
}
