//! `strata why P`: every path to a distribution, and what holds its version.

use std::str::FromStr;

use anyhow::{Context, Result};
use pep508_rs::PackageName;
use strata_env::WhyOptions;

use crate::ExitStatus;
use crate::args::{DataFormat, WhyArgs};
use crate::commands::open_environment;
use crate::printer::Printer;

pub(crate) fn why(args: &WhyArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let package = PackageName::from_str(args.package.trim())
        .with_context(|| format!("Invalid package name `{}`", args.package))?;
    let environment = open_environment(&args.environment, printer)?;
    let why = strata_env::why(&environment.graph, &package, &WhyOptions::default())?;
    let text = match args.format {
        DataFormat::Text => strata_env::render_why(&why),
        DataFormat::Json => {
            let mut json = serde_json::to_string_pretty(&why)?;
            json.push('\n');
            json
        }
    };
    printer.data(&text)?;
    Ok(ExitStatus::Success)
}
