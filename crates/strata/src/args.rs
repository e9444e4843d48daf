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

    /// Ask the package index about a package: its versions, or one version's requirements.
    ///
    /// Uses the same indexes as `strata lock` (the manifest's, else pip's configuration) and the
    /// same cache. Metadata is read without downloading whole wheels: from a PEP 658 file where
    /// the index has one, else with HTTP range requests on the wheel; `-v` shows what it cost.
    #[command(subcommand)]
    Index(IndexCommand),

    /// Inspect or clean strata's cache of index pages and metadata.
    #[command(subcommand)]
    Cache(CacheCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum IndexCommand {
    /// List the versions of a package available for the target.
    ///
    /// Each version is marked `yanked`, `pre-release`, `no file for target` (no compatible wheel
    /// and no sdist) or `requires-python` (every file excludes the target's Python).
    #[command(after_long_help = "Examples:\n  strata index versions numpy\n  \
strata index versions torch --python-version 3.12 --python-platform aarch64-manylinux_2_28")]
    Versions(IndexVersionsArgs),

    /// Show the requirements of one version, read from the file pip would install on the target.
    #[command(
        after_long_help = "Examples:\n  strata index metadata torch==2.9.1 --python-version 3.11 \
--python-platform x86_64-manylinux_2_28 -v\n  strata index metadata 'numpy==1.26.4' --format json"
    )]
    Metadata(IndexMetadataArgs),
}

#[derive(Debug, Args)]
pub(crate) struct IndexVersionsArgs {
    /// The package name.
    pub(crate) package: String,
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    #[command(flatten)]
    pub(crate) index: IndexArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct IndexMetadataArgs {
    /// The package and exact version, as `NAME==VERSION`.
    pub(crate) requirement: String,
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    #[command(flatten)]
    pub(crate) index: IndexArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

/// The target environment: which Python and platform files must suit.
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// Target Python version, like `3.11` (default: the project's, else `3.12`).
    #[arg(long, value_name = "VERSION")]
    pub(crate) python_version: Option<String>,
    /// Target platform as uv names it, like `x86_64-manylinux_2_28` (default: the project's,
    /// else `x86_64-manylinux_2_28`).
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) python_platform: Option<String>,
}

/// Which indexes to use and how to reach them.
#[derive(Debug, Args)]
pub(crate) struct IndexArgs {
    /// The package index (default: the manifest's `index-url`, `STRATA_INDEX_URL`, uv's and
    /// pip's variables, pip's configuration files, then pip's own default).
    #[arg(long, value_name = "URL")]
    pub(crate) index_url: Option<String>,
    /// More indexes, after `--index-url` (repeatable).
    #[arg(long, value_name = "URL")]
    pub(crate) extra_index_url: Vec<String>,
    /// Local directories of wheels and sdists (repeatable).
    #[arg(long, value_name = "DIR")]
    pub(crate) find_links: Vec<String>,
    /// How to combine indexes: `first-index` takes each package from the first index that has
    /// it (safe against dependency confusion); `unsafe-best-match` merges all, as pip does.
    #[arg(long, value_enum, default_value_t = IndexStrategyArg::FirstIndex)]
    pub(crate) index_strategy: IndexStrategyArg,
    /// Use only the cache; fail naming what is missing.
    #[arg(long)]
    pub(crate) offline: bool,
    /// Revalidate every cached index page.
    #[arg(long)]
    pub(crate) refresh: bool,
    /// Revalidate this package's cached page (repeatable).
    #[arg(long, value_name = "PACKAGE")]
    pub(crate) refresh_package: Vec<String>,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub(crate) concurrency: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IndexStrategyArg {
    FirstIndex,
    UnsafeBestMatch,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Print the cache directory (`STRATA_CACHE_DIR`, else the platform's cache directory).
    Dir,
    /// Remove the whole cache.
    Clean,
    /// Remove what killed runs left behind and index pages unused for 30 days.
    Prune,
}

/// Formats of data commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DataFormat {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
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
