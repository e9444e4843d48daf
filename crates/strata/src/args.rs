//! Command-line arguments (clap derive only). Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Locks, environments, images and CI plans for Python ML projects whose dependencies cannot
/// share one environment.
///
/// A project declares a hierarchy of dependency profiles (base -> backend -> build -> dev) and
/// isolated engines (vllm, tensorrt-llm, transformers) in `[tool.strata]` of `pyproject.toml` or
/// in `strata.toml`. strata reads that model and does the work around it.
#[derive(Debug, Parser)]
#[command(
    name = "strata",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_long_help = "Exit status: 0 success, 1 problems found (conflicts, stale locks, \
broken contracts), 2 could not do the job (bad input, network failure).\n\n\
Examples:\n  strata profiles --project examples/ml-engines\n  \
strata profiles --format mermaid > docs/profiles.mmd"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// The project directory or manifest file.
    ///
    /// By default strata walks up from the working directory to the first directory with a
    /// `strata.toml`, or a `pyproject.toml` with a `[tool.strata]` table.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) project: Option<PathBuf>,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Print more about what strata does (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// When to use colour: `auto` (on a terminal, unless `NO_COLOR` is set), `always`, `never`.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub(crate) color: ColorChoice,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the project model: profiles, engines, targets and where every requirement comes from.
    ///
    /// Lists every profile and engine with its parents (`extends`), its target (Python version
    /// and platform) and each effective requirement with its origin: a file and line, an extra
    /// (`extra:vllm`), a dependency group (`group:dev`), an engine's version file, or the parent
    /// it is inherited from.
    ///
    /// `--format mermaid` draws the hierarchy as a Mermaid graph, like the diagrams projects keep
    /// in their docs; `--format json` is the stable machine-readable form (see the README).
    #[command(after_long_help = "Examples:\n  strata profiles\n  \
strata profiles backend --format json\n  strata profiles --format mermaid")]
    Profiles(ProfilesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    /// Show only these profiles or engines (default: all).
    #[arg(value_name = "PROFILE")]
    pub(crate) profiles: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ProfilesFormat::Text)]
    pub(crate) format: ProfilesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfilesFormat {
    /// Human-readable text.
    Text,
    /// JSON, schema version 1 (documented in the README).
    Json,
    /// A Mermaid flowchart of profiles and engines.
    Mermaid,
}
