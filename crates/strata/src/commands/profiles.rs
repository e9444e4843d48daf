//! `strata profiles`: the project model as text, JSON or a Mermaid graph.

use anyhow::Result;
use strata_diagnostic::Diagnose;

use crate::ExitStatus;
use crate::args::{GlobalArgs, ProfilesArgs, ProfilesFormat};
use crate::commands::load_project;
use crate::output;
use crate::printer::Printer;

pub(crate) fn profiles(
    global: &GlobalArgs,
    args: &ProfilesArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let mut selected = Vec::new();
    for name in &args.profiles {
        let profile = project.profile(name).diagnosed()?;
        selected.push(&profile.name);
    }
    let text = match args.format {
        ProfilesFormat::Text => output::profiles::text(&project, &selected),
        ProfilesFormat::Json => output::profiles::json(&project, &selected)?,
        ProfilesFormat::Mermaid => output::profiles::mermaid(&project, &selected),
    };
    printer.data(&text)?;
    for engine in project.engines() {
        let Some(details) = &engine.engine else {
            continue;
        };
        for index in &details.indexes {
            let named = &project.index.named[index];
            if !named.unset_variables.is_empty() {
                printer.warning(&format!(
                    "Engine `{}` uses index `{index}`, whose URL `{}` needs {} (not set): `strata lock` will {} it",
                    engine.name,
                    named.declared,
                    named
                        .unset_variables
                        .iter()
                        .map(|variable| format!("`{variable}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    match details.when_index_unavailable {
                        strata_project::IndexUnavailable::Skip
                        | strata_project::IndexUnavailable::Optional => "skip",
                        strata_project::IndexUnavailable::Fail => "fail on",
                    }
                ));
            }
        }
    }
    Ok(ExitStatus::Success)
}
