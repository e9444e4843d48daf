//! `strata completions SHELL`: the shell's completion script, made by `clap_complete` from the
//! same definition the arguments are parsed with, so it never lists a command strata lacks.

use anyhow::Result;
use clap::CommandFactory;

use crate::ExitStatus;
use crate::args::{Cli, CompletionsArgs};
use crate::printer::Printer;

pub(crate) fn completions(args: &CompletionsArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "strata", &mut script);
    printer.data(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}
