//! The strata command line: argument parsing, output and exit codes, and no logic of its own.
//!
//! Commands call the library crates in order and return an [`ExitStatus`]; errors are rendered
//! once, here, as `error:` / `Caused by:` / `hint:`. The binary's `main` only calls [`main`].

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, IndexCommand};
use crate::printer::{Printer, Verbosity};

mod args;
mod commands;
mod diagnostics;
mod env_vars;
mod output;
mod printer;
mod settings;

/// How a command ended, mapped to the process exit code in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did its job and found nothing wrong: exit 0.
    Success,
    /// The command did its job and found problems (conflicts, stale locks, broken contracts): 1.
    Problems,
    /// The command could not do its job (bad input, network failure, internal error): 2.
    Failure,
    /// `strata run`: the exit code of the command it ran in the container, passed on as it is.
    Child(u8),
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => Self::SUCCESS,
            ExitStatus::Problems => Self::from(1),
            ExitStatus::Failure => Self::from(2),
            ExitStatus::Child(code) => Self::from(code),
        }
    }
}

/// Runs strata with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout and usage errors to stderr; usage errors
            // are bad input, exit 2, which is also clap's own convention.
            let _ = error.print();
            return if error.use_stderr() {
                ExitStatus::Failure.into()
            } else {
                ExitStatus::Success.into()
            };
        }
    };
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose > 0 {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let mut printer = Printer::new(cli.global.color, verbosity);
    let result = match &cli.command {
        Command::Profiles(args) => commands::profiles(&cli.global, args, &mut printer),
        Command::Index(IndexCommand::Versions(args)) => {
            commands::index_versions(&cli.global, args, &mut printer)
        }
        Command::Index(IndexCommand::Metadata(args)) => {
            commands::index_metadata(&cli.global, args, &mut printer)
        }
        Command::Lock(args) => commands::lock(&cli.global, args, &mut printer),
        Command::Sync(args) => commands::sync(&cli.global, args, &mut printer),
        Command::Compile(args) => commands::compile(&cli.global, args, &mut printer),
        Command::Cache(command) => commands::cache(command, &mut printer),
        Command::Contracts(args) => commands::contracts(&cli.global, args, &mut printer),
        Command::Check(args) => commands::check(&cli.global, args, &mut printer),
        Command::Tree(args) => commands::tree(&cli.global, args, &mut printer),
        Command::Why(args) => commands::why(&cli.global, args, &mut printer),
        Command::Diff(args) => commands::diff(&cli.global, args, &mut printer),
        Command::Conflicts(args) => commands::conflicts(&cli.global, args, &mut printer),
        Command::Outdated(args) => commands::outdated(&cli.global, args, &mut printer),
        Command::Bump(args) => commands::bump(&cli.global, args, &mut printer),
        Command::Version(args) => commands::version(&cli.global, args, &mut printer),
        Command::Build(args) => commands::build(&cli.global, args, &mut printer),
        Command::Completions(args) => commands::completions(args, &mut printer),
        Command::Run(args) => commands::run(&cli.global, args, &mut printer),
        Command::Images(args) => commands::images(&cli.global, args, &mut printer),
        Command::Ci(args) => match &args.command {
            crate::args::CiCommand::Plan(args) => {
                commands::ci_plan(&cli.global, args, &mut printer)
            }
            crate::args::CiCommand::Workflow(args) => {
                commands::ci_workflow(&cli.global, args, &mut printer)
            }
            crate::args::CiCommand::Run(args) => commands::ci_run(&cli.global, args, &mut printer),
        },
    };
    match result {
        Ok(status) => status.into(),
        Err(error) if is_broken_pipe(&error) => ExitStatus::Success.into(),
        Err(error) => {
            printer.error(&diagnostics::render(&error));
            ExitStatus::Failure.into()
        }
    }
}

/// A reader that went away (`strata profiles | head`) is not a failure of strata.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
