//! `strata why P`: every path to a distribution, and what holds its version, in an installed
//! environment or a lock.

use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep508_rs::PackageName;
use strata_env::WhyOptions;

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, WhyArgs};
use crate::commands::open_subject;
use crate::output;
use crate::printer::Printer;

pub(crate) fn why(
    global: &GlobalArgs,
    args: &WhyArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let package = PackageName::from_str(args.package.trim())
        .with_context(|| format!("Invalid package name `{}`", args.package))?;
    let mut subject = open_subject(
        global,
        &args.environment,
        std::slice::from_ref(&package),
        printer,
    )?;
    if subject.environment.graph.find(&package).is_none() {
        bail!("{}", subject.absent(&package));
    }
    let options = WhyOptions {
        available: subject.available.remove(&package),
        top_level: std::mem::take(&mut subject.top_level),
        ..WhyOptions::default()
    };
    let why = strata_env::why(&subject.environment.graph, &package, &options)?;
    let text = match args.format {
        DataFormat::Text => strata_env::render_why(&why),
        DataFormat::Json => output::json::render(&why)?,
    };
    printer.data(&text)?;
    Ok(ExitStatus::Success)
}
