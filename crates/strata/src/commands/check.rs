//! `strata check`: broken requirements of an installed environment, in `pip check`'s words.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;
use strata_env::{Environment, EnvironmentSource, Extras, Finding, InterpreterRequest};

use crate::ExitStatus;
use crate::args::{CheckArgs, DataFormat, EnvironmentArgs};
use crate::env_vars;
use crate::printer::Printer;
use crate::settings;

/// Opens the environment `--site-packages`, `--python`, `--venv`, `VIRTUAL_ENV` or `./.venv`
/// names (else `python3`'s).
pub(crate) fn open_environment(
    args: &EnvironmentArgs,
    printer: &mut Printer,
) -> Result<Environment> {
    let source = match &args.site_packages {
        Some(directory) => EnvironmentSource::SitePackages(directory.clone()),
        None => EnvironmentSource::Interpreter(InterpreterRequest {
            python: args.python.clone(),
            venv: args.venv.clone(),
            virtual_env: env_vars::var(env_vars::VIRTUAL_ENV)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            working_directory: std::env::current_dir()?,
        }),
    };
    let cache = settings::cache_dir();
    let environment = Environment::open_with_cache(&source, Extras::Follow, Some(&cache))?;
    printer.verbose(&format!(
        "Read {} distributions from {}{}",
        environment.graph.distributions().len(),
        environment
            .site_packages
            .iter()
            .map(|path| format!("`{}`", path.display()))
            .collect::<Vec<_>>()
            .join(", "),
        environment
            .python
            .as_ref()
            .map(|python| format!(" (interpreter `{}`)", python.display()))
            .unwrap_or_default()
    ));
    Ok(environment)
}

#[derive(Serialize)]
struct CheckJson<'a> {
    site_packages: &'a [PathBuf],
    findings: &'a [Finding],
}

pub(crate) fn check(args: &CheckArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let environment = open_environment(&args.environment, printer)?;
    let findings = strata_env::check(&environment);
    let text = match args.format {
        DataFormat::Text if findings.is_empty() => "No broken requirements found.\n".to_string(),
        DataFormat::Text => findings.iter().fold(String::new(), |mut text, finding| {
            let _ = writeln!(text, "{finding}");
            text
        }),
        DataFormat::Json => {
            let mut json = serde_json::to_string_pretty(&CheckJson {
                site_packages: &environment.site_packages,
                findings: &findings,
            })?;
            json.push('\n');
            json
        }
    };
    printer.data(&text)?;
    Ok(if findings.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}
