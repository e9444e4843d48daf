//! `strata conflicts`: which profiles and engines can share one environment.

use std::fmt::Write;
use std::sync::Arc;

use anyhow::Result;
use serde::Serialize;
use strata_diagnostic::Diagnose;
use strata_lock::{Pairing, Verdict};
use strata_project::ProfileName;

use crate::ExitStatus;
use crate::args::{ConflictsArgs, DataFormat, GlobalArgs};
use crate::commands::{Resolvers, load_project};
use crate::output;
use crate::printer::Printer;

pub(crate) fn conflicts(
    global: &GlobalArgs,
    args: &ConflictsArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let names: Vec<ProfileName> = if args.profiles.is_empty() {
        strata_lock::default_subjects(&project)
    } else {
        let mut names = Vec::new();
        for name in &args.profiles {
            names.push(project.profile(name).diagnosed()?.name.clone());
        }
        names
    };
    let clients = Arc::new(std::sync::Mutex::new(Vec::new()));
    let watched = Arc::clone(&clients);
    let progress = printer.progress(move || {
        let clients: Vec<strata_index::IndexClient> = watched
            .lock()
            .map(|clients| clients.clone())
            .unwrap_or_default();
        clients.first().map_or_else(
            || "Pairing profiles and engines".to_string(),
            crate::commands::compile::progress_line,
        )
    });
    let mut resolvers = Resolvers::new(&args.index, &project, clients);
    let pairings = strata_lock::conflicts(&project, &mut resolvers, &names);
    drop(progress);
    let pairings = pairings.diagnosed()?;
    let text = match args.format {
        DataFormat::Text => render(&pairings),
        DataFormat::Json => {
            let pairs: Vec<PairJson> = pairings.iter().map(PairJson::from).collect();
            output::json::render(&serde_json::json!({ "pairs": pairs }))?
        }
    };
    printer.data(&text)?;
    let any_conflict = pairings.iter().any(|pairing| {
        matches!(
            pairing.verdict,
            Verdict::Conflict { .. } | Verdict::DifferentTargets { .. }
        )
    });
    Ok(if args.exit_code && any_conflict {
        ExitStatus::Problems
    } else {
        ExitStatus::Success
    })
}

fn render(pairings: &[Pairing]) -> String {
    let mut out = String::new();
    for pairing in pairings {
        let (first, second) = (&pairing.first, &pairing.second);
        let _ = match &pairing.verdict {
            Verdict::Compatible => {
                writeln!(out, "`{first}` and `{second}` can share an environment")
            }
            Verdict::DifferentTargets {
                first: first_target,
                second: second_target,
            } => writeln!(
                out,
                "`{first}` and `{second}` cannot share an environment: `{first}` is for \
                 {first_target}, `{second}` for {second_target}"
            ),
            Verdict::Skipped { reason } => {
                writeln!(out, "`{first}` and `{second}`: not paired, {reason}")
            }
            Verdict::Conflict {
                packages,
                explanation,
            } => {
                let names: Vec<String> = packages.iter().map(|name| format!("`{name}`")).collect();
                let _ = writeln!(
                    out,
                    "`{first}` and `{second}` cannot share an environment ({}):",
                    names.join(", ")
                );
                for line in explanation.lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        let _ = writeln!(out, "    {line}");
                    }
                }
                Ok(())
            }
        };
    }
    if pairings.is_empty() {
        out.push_str("Nothing to pair: name two or more profiles or engines\n");
    }
    out
}

/// `--format json`: one object per pair.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PairJson {
    first: String,
    second: String,
    compatible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    packages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
}

impl From<&Pairing> for PairJson {
    fn from(pairing: &Pairing) -> Self {
        let mut row = Self {
            first: pairing.first.to_string(),
            second: pairing.second.to_string(),
            compatible: matches!(pairing.verdict, Verdict::Compatible),
            reason: None,
            packages: Vec::new(),
            explanation: None,
        };
        match &pairing.verdict {
            Verdict::Compatible => {}
            Verdict::Skipped { reason } => {
                row.reason = Some("skipped".to_string());
                row.explanation = Some(reason.clone());
            }
            Verdict::DifferentTargets { first, second } => {
                row.reason = Some("different-targets".to_string());
                row.explanation = Some(format!("{first} and {second}"));
            }
            Verdict::Conflict {
                packages,
                explanation,
            } => {
                row.reason = Some("no-solution".to_string());
                row.packages = packages.iter().map(ToString::to_string).collect();
                row.explanation = Some(explanation.clone());
            }
        }
        row
    }
}
