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

    /// Lock every profile and engine of the project: pinned, hashed, consistent with parents.
    ///
    /// Profiles joined by `extends` are resolved once, together, so a parent's pins already
    /// fit everything its descendants need; each profile gets the part of that solution its
    /// own requirements reach, in `<lock-dir>/<name>.txt` (pip-tools' format with hashes and
    /// `# via`). Each engine is resolved on its own, keeping the pins of the profiles it
    /// extends exactly. Locks whose inputs did not change (the fingerprint in their header) are
    /// not resolved again and not rewritten, so a no-op run makes no network request.
    ///
    /// Nothing is written unless every requested profile resolved. An engine whose index is
    /// not configured is skipped and reported when it says `when-index-unavailable = "skip"`.
    ///
    /// `--check --refresh` also compares every lock with its index as it is now (every page
    /// revalidated): a pin that was yanked, a version or project the index no longer lists, a
    /// locked hash no file has any more. One line per finding, with the remedy.
    ///
    /// Exit status: 0 locked (or already current), 1 no solution or (`--check`) stale locks or
    /// (`--check --refresh`) drifted pins, 2 could not lock (or could not read the index).
    #[command(
        after_long_help = "Examples:\n  strata lock\n  strata lock backend vllm\n  \
strata lock --upgrade-package numpy\n  strata lock --check   # in CI: fail when a lock is stale\n  \
strata lock --check --refresh   # weekly: fail when the index moved away from a lock"
    )]
    Lock(LockArgs),

    /// Make a virtual environment hold exactly a profile's lock, then check it.
    ///
    /// Creates the environment with the machine's `python3 -m venv` when it does not exist,
    /// installs the lock with `pip install --require-hashes --no-deps` (every hash checked,
    /// nothing resolved at install time), removes every distribution the lock does not name
    /// (pip, setuptools and wheel excepted, as pip-sync does), and runs `strata check` on the
    /// result. An environment that already holds exactly the lock is left alone: pip is not
    /// run, and strata says there is nothing to change.
    ///
    /// The lock should be current: a lock whose inputs changed since it was written (what
    /// `strata lock --check` reports) is installed with a warning, or refused with `--locked`.
    ///
    /// Exit status: 0 synced and no broken requirements, 1 broken requirements in the result or
    /// (`--locked`) a stale lock, 2 could not sync.
    #[command(
        after_long_help = "Examples:\n  strata sync development\n  strata sync backend --venv /opt/venvs/backend\n  \
strata sync development --locked   # in CI: refuse a lock that is not current"
    )]
    Sync(SyncArgs),

    /// Resolve one requirements file into a pinned, hashed lock, as `pip-compile` does.
    ///
    /// A drop-in for `pip-compile` and `uv pip compile` on a single input: reads a pip-tools
    /// `.in` file (with its `-r`/`-c` includes), resolves it for the target, and writes pip-tools'
    /// format: a header with the command, `name==version`, `--hash=sha256:` lines for every file
    /// of each pinned version (with `--generate-hashes`) and `# via` annotations. An existing
    /// output file is read first and its pins are preferred, so a recompile changes nothing that
    /// need not change; `--upgrade` and `--upgrade-package` lift that. The output is written
    /// atomically and only when its content changed.
    ///
    /// Exit status 1 means the requirements have no solution (the explanation says why).
    #[command(
        after_long_help = "Examples:\n  strata compile requirements.in -o requirements.txt --generate-hashes\n  \
strata compile requirements/in/base.in -c constraints.txt --python-version 3.12\n  \
strata compile requirements.in -o requirements.txt --upgrade-package numpy"
    )]
    Compile(CompileArgs),

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

    /// Check the import contracts: the project's import-linter contracts and the engine rule.
    ///
    /// Reads import-linter's configuration where it already is (`[tool.importlinter]` in
    /// `pyproject.toml`, `[importlinter]` in `setup.cfg` or `.importlinter`) and checks its
    /// `layers`, `forbidden`, `independence` and `acyclic_siblings` contracts, with the chain of
    /// imports behind every violation.
    ///
    /// The engine rule (`STR001`): modules matching `[tool.strata.contracts] host` must not
    /// import an engine package when they are imported, directly or through what they import.
    /// Imports inside functions, under `if TYPE_CHECKING:` or guarded by `except ImportError`
    /// are allowed, and tests may import an engine after `pytest.importorskip`. The engine
    /// packages are `engine-packages` when declared, else derived from the locks: every
    /// distribution an engine's lock has and no plain profile's lock has (the engine itself,
    /// torch, xformers, ...), by the import names its wheel installs (`opencv-python-headless`
    /// is `cv2`), read once from the index and cached. Before the engines are locked, their
    /// own distribution names stand in (`tensorrt-llm` is `tensorrt_llm`).
    ///
    /// Exit status 1 means a contract is broken or a file does not parse.
    #[command(after_long_help = "Examples:\n  strata contracts\n  \
strata contracts --format github\n  strata contracts --root src --format json")]
    Contracts(ContractsArgs),

    /// Run a command in an engine's or a profile's image, with the project mounted: the
    /// `docker run` line written from the manifest.
    ///
    /// The image is the engine's `image`: the upstream one at its version file's version
    /// (`vllm/vllm-openai:v0.6.3`), or the first-party tag `<repository>:<engine>-<version>`
    /// (`[tool.strata.images] repository`, else the project's name); a profile's role image is
    /// `<repository>:<profile>-<project version>`. `--dev` runs the image's dev stage
    /// (`<tag>-dev`). The project root is bind-mounted at `/workspace`, which is also the
    /// working directory, and its source roots (`[tool.strata.contracts] root`, `src` when it
    /// exists) are on `PYTHONPATH`, so the code runs as it is on disk, without a rebuild. A GPU
    /// image gets every GPU (`--gpus all`; with podman, the CDI device `nvidia.com/gpu=all`).
    /// The command after `--` is the container's entrypoint and its arguments; without one the
    /// image's own runs.
    ///
    /// Exit status: the command's own; 2 when strata cannot start the runtime.
    #[command(
        after_long_help = "Examples:\n  strata run vllm -- pytest tests/engines\n  \
strata run transformers -- python -m llmbench.run --engine transformers\n  \
strata run transformers --dev -- pytest tests/engines   # in the dev image, with pytest\n  \
strata run vllm --dry-run -- pytest   # print the command instead of running it"
    )]
    Run(RunArgs),

    /// The project's images: which image each engine and role runs in, the Dockerfiles strata
    /// generates, and the `docker-bake.hcl` that builds the first-party ones.
    ///
    /// An image is upstream (`image = { upstream = "vllm/vllm-openai:v{version}" }`, run as it
    /// is), built from the project's own Dockerfile (`image = { build = "..." }`, with the
    /// build arguments it declares among `ENGINE_VERSION`, `<ENGINE>_VERSION`, `LOCK` and
    /// `BASE_IMAGE`), or generated (`image = { base = "cpu" }`): strata writes
    /// `docker/<name>.Dockerfile` (the lock installed with `pip --require-hashes` in a builder
    /// stage and copied onto the base, OS packages and the CA bundle of `[tool.strata.images]`,
    /// a non-root user, a `dev` stage adding a dev profile's lock) and its ignore file. The
    /// generated `docker-bake.hcl` (at the project root, where `docker buildx bake` finds it)
    /// has a target per image and stage, a variable per engine whose default is the version
    /// file's value, the groups `default`, `cpu`, `gpu` and `dev`, registry caches, and the
    /// version, revision, source and lock-fingerprint labels. Local changes belong in
    /// `docker-bake.override.hcl`.
    ///
    /// Exit status: 0; with `--check`, 1 when a generated file is missing or stale.
    #[command(
        after_long_help = "Examples:\n  strata images\n  strata images --write\n  \
strata images --check   # in CI: fail when a generated file is stale\n  \
strata images --format json"
    )]
    Images(ImagesArgs),

    /// CI plans: which engine cells (build, test, probes) a change triggers, and why.
    ///
    /// `strata ci plan` compares the head with the merge-base of `--base` (renames count as
    /// both paths, deletions count), or takes the changed files from `--changed` (`-` reads
    /// them from stdin, one per line). A file the model reads (the manifest, a requirements
    /// file, a version file) triggers an engine only when the engine's inputs differ between
    /// the base and the head, so a comment edit triggers nothing; an engine's lock and image
    /// build files trigger it; other files trigger the cells whose globs they match (`src/**`
    /// for the test cells). A test or probe cell runs when its engine's build runs. `--all`
    /// plans every cell (scheduled runs). An empty plan is a valid answer.
    ///
    /// Exit status: 0; 2 when git fails or a matrix would exceed GitHub's 256 jobs.
    #[command(after_long_help = "Examples:\n  strata ci plan --base origin/main\n  \
strata ci plan --base origin/main --format matrix\n  \
git diff --name-only HEAD~1 | strata ci plan --changed -\n  \
strata ci plan --all --github-output   # in a workflow: matrices and a summary")]
    Ci(CiArgs),

    /// Check an installed environment, or a lock, for broken requirements, as `pip check` does.
    ///
    /// Reads every `.dist-info` and `.egg-info` of the environment and evaluates each
    /// distribution's requirements against the interpreter's markers. Reports missing
    /// requirements and version conflicts in `pip check`'s words, plus distributions installed
    /// twice and unreadable metadata. Unlike pip, a requirement on `foo[bar]` also checks the
    /// requirements `foo` declares for its `bar` extra.
    ///
    /// The environment is `--site-packages`, `--python`, `--venv`, `VIRTUAL_ENV`, `./.venv`,
    /// else the `python3` on `PATH` (asked once for its paths and markers).
    ///
    /// With `--lock FILE` or `--profile NAME` it checks a lock instead, before anything is
    /// installed: every pin's requirements (from the index's metadata, cached) against the other
    /// pins, on the lock's target. What pip would install from the lock with `--no-deps` is
    /// what gets checked.
    ///
    /// Exit status 1 means problems were found.
    #[command(
        after_long_help = "Examples:\n  strata check\n  strata check --venv .venv \
--format json\n  strata check --site-packages /opt/venv/lib/python3.11/site-packages\n  \
strata check --profile backend\n  strata check --lock requirements.txt --python-version 3.11"
    )]
    Check(CheckArgs),

    /// Show the dependency tree of an installed environment or a lock, with every edge's
    /// specifier.
    ///
    /// Forward, each dependency shows the specifier its parent demands and the installed version
    /// (`numpy [required: >=1.17,<2.0.0, installed: 2.1.1]`); `--invert` shows dependents
    /// instead (`accelerate==0.33.0 [requires: numpy>=1.17,<2.0.0]`), as
    /// `pipdeptree --reverse` does. Violated and missing requirements are marked, and cycles are
    /// shown once. `--lock FILE` or `--profile NAME` shows a lock's tree instead.
    #[command(after_long_help = "Examples:\n  strata tree\n  \
strata tree --invert --package numpy\n  strata tree --package torch --depth 1 --format mermaid\n  \
strata tree --profile vllm --invert --package torch")]
    Tree(TreeArgs),

    /// Explain why a distribution is installed (or locked), and which requirements hold its
    /// version.
    ///
    /// Lists every path from a top-level distribution (one a user asked for, or one nothing
    /// requires) to the package, then the binding constraints: the requirements on it with an
    /// upper bound the installed version sits against, or that it violates.
    ///
    /// On a lock (`--lock FILE`, `--profile NAME`) the index says which versions exist, so a
    /// constraint binds when it excludes the newest release, and for each one strata names the
    /// version that would be picked without it. With `--profile`, the profile's own requirement
    /// lines count too, named by file and line.
    #[command(
        after_long_help = "Examples:\n  strata why numpy\n  strata why numpy --format json\n  \
strata why numpy --profile backend"
    )]
    Why(WhyArgs),

    /// Show what changed between two locks: added, removed, upgraded and downgraded packages.
    ///
    /// Each side is a lock file (`requirements.txt` from strata, pip-compile or uv, or a
    /// `pylock.toml`), a profile name of the project (its lock), or `REV:PATH` for a lock as
    /// git has it at a revision, so a pull request's lock changes read as one list. Exit
    /// status 0 whatever the difference, unless `--exit-code` asks for 1 when there is one.
    #[command(
        after_long_help = "Examples:\n  strata diff locks/vllm.txt locks/transformers.txt\n  \
strata diff origin/main:locks/base.txt base\n  strata diff base backend --format json"
    )]
    Diff(DiffArgs),

    /// Show which profiles and engines can share one environment, and why the others cannot.
    ///
    /// Each pair is resolved as one environment (both with everything they extend, on their
    /// common target); where that has no solution, the resolver's explanation says which
    /// packages clash. By default every engine and every profile nothing extends is paired;
    /// two profiles of one hierarchy are always locked together and are not asked again.
    /// Exit status 0, unless `--exit-code` asks for 1 when a pair cannot share.
    #[command(
        after_long_help = "Examples:\n  strata conflicts\n  strata conflicts vllm transformers\n  \
strata conflicts --format json"
    )]
    Conflicts(ConflictsArgs),

    /// Show the engines whose version file is behind the index: newer releases of each engine
    /// package on its own indexes and target.
    ///
    /// An engine's version file is the single source of truth for its version; this says how
    /// far it is behind (final releases only, yanked ones left out) and where the version is
    /// written. Engines whose index is not configured are listed as skipped. Exit status 0,
    /// unless `--exit-code` asks for 1 when an engine is behind.
    #[command(
        after_long_help = "Examples:\n  strata outdated\n  strata outdated vllm --format json\n  \
strata outdated --exit-code    # in a scheduled CI job"
    )]
    Outdated(OutdatedArgs),

    /// Move an engine to another version: rewrite its version file, then relock it.
    ///
    /// The version file is the single source of truth, so the bump is an edit of that one
    /// value (`--to V`, default the newest allowed release `strata outdated` shows), with its
    /// quoting, comments and every other line kept; then `strata lock ENGINE`. Without `--to`,
    /// when a release has no solution the next older allowed one is tried, at most five. When
    /// none locks, the version file is put back as it was and the locks are untouched.
    #[command(
        after_long_help = "Examples:\n  strata bump vllm\n  strata bump vllm --to 0.10.1\n  \
strata bump transformers --no-lock"
    )]
    Bump(BumpArgs),

    /// Print the project's own version, or bump it (`strata version bump`).
    ///
    /// The version is `[project].version`, or, when it is dynamic, read from the file the
    /// manifest names: `version-file = { path = "src/PACKAGE/version.py" }` in `[tool.strata]`
    /// (a module's `__version__ = "..."`, or a file holding only the version), hatch's
    /// `[tool.hatch.version] path`, or setuptools' `[tool.setuptools.dynamic] version` `attr`
    /// or `file`. Files are read as text, never imported. Exit status 2 when no version is
    /// declared, naming the file and what to add.
    #[command(
        after_long_help = "Examples:\n  strata version\n  strata version --format json\n  \
strata version bump minor --commit --tag"
    )]
    Version(VersionArgs),

    /// Build the project's sdist and wheel with its PEP 517 backend, reproducibly.
    ///
    /// `[build-system].requires` is resolved for the machine's interpreter into a build lock,
    /// `<lock-dir>/build-system.txt` (hashed, pinned; reused while its requirements, target and
    /// indexes are unchanged, so a second build resolves nothing), and installed with `pip
    /// --require-hashes --no-deps` into an isolated environment kept in the cache per lock. What
    /// the backend's `get_requires_for_build_*` hooks add is locked too. When the manifest has a
    /// profile named `build`, its lock's pins are preferred, so the backend builds with the
    /// versions the build role pins. As `python -m build` does, the sdist is built first and the
    /// wheel from the unpacked sdist; `--sdist` or `--wheel` alone builds that one from the
    /// source tree. Both are checked (file name, metadata, `RECORD` hashes) before they are moved
    /// into the output directory; a failing backend leaves nothing there. Exit status: 0 built,
    /// 2 the backend failed (its output and exit status are shown) or a check failed.
    #[command(
        after_long_help = "Examples:\n  strata build\n  strata build --wheel -o wheelhouse\n  \
strata build --locked   # in CI: refuse to change the build lock\n  strata build --format json"
    )]
    Build(BuildArgs),

    /// Print the shell completion script for strata: commands, options and their values.
    ///
    /// Load it in the shell's startup file, or install it where the shell looks for completions.
    #[command(after_long_help = "Examples:\n  \
echo 'source <(strata completions bash)' >> ~/.bashrc\n  \
strata completions zsh > \"${fpath[1]}/_strata\"\n  \
strata completions fish > ~/.config/fish/completions/strata.fish")]
    Completions(CompletionsArgs),
}

/// `strata completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `strata build`.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches, as clap models them"
)]
pub(crate) struct BuildArgs {
    /// Build only the sdist (from the source tree).
    #[arg(long)]
    pub(crate) sdist: bool,
    /// Build only the wheel (from the source tree); with `--sdist` too, both, the wheel from
    /// the sdist.
    #[arg(long)]
    pub(crate) wheel: bool,
    /// Where the distributions go (default: `dist/` next to the manifest).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
    /// The Python the build environment is made with, and whose version and platform the build
    /// lock is resolved for.
    #[arg(long, value_name = "PATH", default_value = "python3")]
    pub(crate) python: PathBuf,
    /// Refuse (exit 2) to write or change the build lock: it must already cover what the build
    /// needs.
    #[arg(long)]
    pub(crate) locked: bool,
    /// Resolve the build lock again, ignoring its pins.
    #[arg(short = 'U', long)]
    pub(crate) upgrade: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    /// Where the build requirements are resolved from and downloaded.
    #[command(flatten, next_help_heading = "Index")]
    pub(crate) index: IndexArgs,
}

/// Which installed environment, or which lock, to inspect.
#[derive(Debug, Args)]
pub(crate) struct EnvironmentArgs {
    /// The Python interpreter of the environment (asked once for its paths and markers).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["venv", "site_packages", "lock", "profile"])]
    pub(crate) python: Option<PathBuf>,
    /// A virtual environment directory; its `bin/python` is asked.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["site_packages", "lock", "profile"])]
    pub(crate) venv: Option<PathBuf>,
    /// Read this site-packages directory directly, without running Python; markers are those
    /// of CPython on this machine, with the version taken from the path.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["lock", "profile"])]
    pub(crate) site_packages: Option<PathBuf>,
    /// Inspect this lock instead of an installed environment: a `requirements.txt` lock
    /// (strata's, pip-compile's, uv's) or a `pylock.toml`. Requirements come from the index's
    /// metadata (cached); the target is the lock header's, else `--python-version` and
    /// `--python-platform`, else the project's.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "profile",
        help_heading = "Lock mode"
    )]
    pub(crate) lock: Option<PathBuf>,
    /// Inspect the lock of this profile or engine of the project, on its target.
    #[arg(long, value_name = "NAME", help_heading = "Lock mode")]
    pub(crate) profile: Option<String>,
    #[command(flatten, next_help_heading = "Lock mode")]
    pub(crate) target: TargetArgs,
    #[command(flatten, next_help_heading = "Index (lock mode)")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) environment: EnvironmentArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct TreeArgs {
    #[command(flatten)]
    pub(crate) environment: EnvironmentArgs,
    /// Show dependents instead of dependencies (the reverse tree).
    #[arg(long, visible_alias = "reverse")]
    pub(crate) invert: bool,
    /// Start from these distributions (comma-separated or repeated).
    #[arg(long, short, value_name = "PACKAGE", value_delimiter = ',')]
    pub(crate) package: Vec<String>,
    /// Leave these distributions and what lies below them out (comma-separated or repeated).
    #[arg(long, value_name = "PACKAGE", value_delimiter = ',')]
    pub(crate) exclude: Vec<String>,
    /// Show at most this many levels below the roots.
    #[arg(long, value_name = "N")]
    pub(crate) depth: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
    pub(crate) format: TreeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TreeFormat {
    /// pipdeptree-style text.
    Text,
    /// JSON: nested nodes with each edge's specifier and whether it is satisfied.
    Json,
    /// A Graphviz digraph.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

#[derive(Debug, Args)]
pub(crate) struct BumpArgs {
    /// The engine to bump.
    pub(crate) engine: String,
    /// The version to move to, the only one tried (default: the newest final release on the
    /// engine's indexes that its requirements allow and that locks).
    #[arg(long, value_name = "VERSION")]
    pub(crate) to: Option<String>,
    /// Only rewrite the version file; lock later.
    #[arg(long)]
    pub(crate) no_lock: bool,
    /// Output format: `json` prints what happened to the version file and the relock's
    /// per-lock summary as one object on stdout.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    #[command(flatten, next_help_heading = "Index")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Args)]
pub(crate) struct OutdatedArgs {
    /// Only these engines (default: all).
    pub(crate) engines: Vec<String>,
    /// Exit with status 1 when an engine is behind the index.
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    #[command(flatten, next_help_heading = "Index")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ConflictsArgs {
    /// The profiles and engines to pair (default: every engine and every profile nothing
    /// extends).
    pub(crate) profiles: Vec<String>,
    /// Exit with status 1 when a pair cannot share an environment.
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    #[command(flatten, next_help_heading = "Index")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old lock: a file, a profile name, or `REV:PATH`.
    pub(crate) old: String,
    /// The new lock: a file, a profile name, or `REV:PATH`.
    pub(crate) new: String,
    /// Exit with status 1 when the locks differ.
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct WhyArgs {
    /// The distribution to explain.
    pub(crate) package: String,
    #[command(flatten)]
    pub(crate) environment: EnvironmentArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub(crate) struct LockArgs {
    /// Lock only these profiles or engines and what they extend. A profile's whole hierarchy is
    /// solved (and written) with it, so parents and all their children keep agreeing.
    #[arg(value_name = "PROFILE")]
    pub(crate) profiles: Vec<String>,
    /// Ignore every existing pin.
    #[arg(short = 'U', long)]
    pub(crate) upgrade: bool,
    /// Ignore the existing pin of this package, or move it to a version with `P==V`
    /// (repeatable).
    #[arg(short = 'P', long, value_name = "PACKAGE[==VERSION]")]
    pub(crate) upgrade_package: Vec<String>,
    /// Resolve nothing: exit 1 naming every lock that is missing or stale. With `--refresh`,
    /// also compare every pin with its index now (yanked, no longer listed, a locked file's
    /// hash gone). Refused together with `--force`, `--upgrade`, `--upgrade-package`,
    /// `--layered` or `--keep-going`, which are about a resolve it would not run.
    #[arg(
        long,
        conflicts_with_all = ["force", "upgrade", "upgrade_package", "layered", "keep_going"]
    )]
    pub(crate) check: bool,
    /// Resolve even the locks whose inputs did not change.
    #[arg(long)]
    pub(crate) force: bool,
    /// Lock each profile alone, parents first, children constrained by their parents' pins
    /// (pip-tools' behaviour, for teams migrating step by step) instead of one solve per
    /// hierarchy.
    #[arg(long)]
    pub(crate) layered: bool,
    /// Write the locks that succeeded and report the ones that failed, instead of writing
    /// nothing when one fails.
    #[arg(long)]
    pub(crate) keep_going: bool,
    #[command(flatten)]
    pub(crate) index: IndexArgs,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// The profile or engine whose lock to install.
    pub(crate) profile: String,
    /// The virtual environment (default: `.venvs/<profile>` next to the manifest).
    #[arg(long, value_name = "DIR")]
    pub(crate) venv: Option<std::path::PathBuf>,
    /// The Python that creates a missing environment.
    #[arg(long, value_name = "PATH", default_value = "python3")]
    pub(crate) python: std::path::PathBuf,
    /// Refuse (exit 1) a lock that is not current for the project's inputs, instead of
    /// installing it with a warning.
    #[arg(long)]
    pub(crate) locked: bool,
    /// Leave the project itself out. By default it is installed editable (`pip install -e`,
    /// its own requirements being the lock's pins) when `pyproject.toml` has a `[build-system]`
    /// and the profile includes the project (`include = ["project"]`), so its tests import it
    /// without `PYTHONPATH`.
    #[arg(long)]
    pub(crate) no_install_project: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    /// Where pip downloads the locked files from: the indexes `strata lock` uses (for an
    /// engine, its own indexes first).
    #[command(flatten, next_help_heading = "Index")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CompileArgs {
    /// The requirements file to resolve (pip-tools `.in` syntax).
    pub(crate) input: std::path::PathBuf,
    /// Where to write the lock (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output_file: Option<std::path::PathBuf>,
    /// Constraints files: they limit versions and never add packages (repeatable).
    #[arg(short, long = "constraint", value_name = "FILE")]
    pub(crate) constraints: Vec<std::path::PathBuf>,
    /// Override files: their requirements replace every requirement on the same package in
    /// the whole graph, for a broken upper bound upstream (repeatable).
    #[arg(long = "override", value_name = "FILE")]
    pub(crate) overrides: Vec<std::path::PathBuf>,
    /// Record the sha256 of every file of each pinned version, for `pip install --require-hashes`.
    #[arg(long)]
    pub(crate) generate_hashes: bool,
    /// Ignore the pins of the existing output file.
    #[arg(short = 'U', long)]
    pub(crate) upgrade: bool,
    /// Ignore the existing pin of this package (repeatable).
    #[arg(short = 'P', long, value_name = "PACKAGE")]
    pub(crate) upgrade_package: Vec<String>,
    /// Pre-releases: `if-necessary-or-explicit` (named by a requirement, or nothing else exists)
    /// or `allow`.
    #[arg(long, value_enum, default_value_t = PrereleaseArg::IfNecessaryOrExplicit)]
    pub(crate) prerelease: PrereleaseArg,
    /// Never use sdists of these packages (`:all:` for every package; repeatable).
    #[arg(long, value_name = "PACKAGE")]
    pub(crate) only_binary: Vec<String>,
    /// Never use wheels of these packages (`:all:` for every package; repeatable).
    #[arg(long, value_name = "PACKAGE")]
    pub(crate) no_binary: Vec<String>,
    /// Output format: `json` prints the pins, what was written and the warnings as one object
    /// on stdout (with the lock's text in it when there is no `--output-file`).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    #[command(flatten)]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PrereleaseArg {
    IfNecessaryOrExplicit,
    Allow,
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
#[derive(Debug, Clone, Args)]
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
    /// Time allowed for each request to the index, retries included, before it fails
    /// (default: `STRATA_HTTP_TIMEOUT`, else 300).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) http_timeout: Option<std::time::Duration>,
}

/// A positive number of seconds (`300`, `1.5`), for `--http-timeout` and `STRATA_HTTP_TIMEOUT`.
pub(crate) fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds (such as 300)"))?;
    // `NaN` parses too, and is not above zero either.
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!(
            "`{text}` allows no time at all: give a number of seconds above 0 (such as 300)"
        ));
    }
    std::time::Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` seconds is more time than a request can be given"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IndexStrategyArg {
    FirstIndex,
    UnsafeBestMatch,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Print the cache directory (`STRATA_CACHE_DIR`, else the platform's cache directory).
    Dir(CacheArgs),
    /// Remove the whole cache; a directory that is not strata's cache (no `.strata-cache-root`
    /// marker, and files strata never writes) is refused and left as it is.
    Clean(CacheArgs),
    /// Remove what killed runs left behind and index pages unused for 30 days.
    Prune(CacheArgs),
}

impl CacheCommand {
    /// The options every `strata cache` command takes.
    pub(crate) fn args(&self) -> &CacheArgs {
        match self {
            Self::Dir(args) | Self::Clean(args) | Self::Prune(args) => args,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct CacheArgs {
    /// Output format: `json` prints one object on stdout: the directory (`path`), and what
    /// `clean` and `prune` removed (`removed`: files and bytes; `prune` adds `remaining`).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
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

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ImagesArgs {
    #[command(subcommand)]
    pub(crate) command: Option<ImagesCommand>,

    /// Write `docker-bake.hcl` and the Dockerfiles strata generates, with their ignore files
    /// (atomically, only what changed).
    #[arg(long, conflicts_with = "check")]
    pub(crate) write: bool,

    /// Exit 1 naming every generated file that is missing or not what `--write` would write.
    #[arg(long)]
    pub(crate) check: bool,

    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

/// `strata images <command>`.
#[derive(Debug, Subcommand)]
pub(crate) enum ImagesCommand {
    /// Capture the packages an upstream engine's image has installed into the file its
    /// `image = { upstream = ..., packages = FILE }` names, for `strata lock`.
    ///
    /// Runs `python3 -m pip list --format=freeze` in the engine's image at its version file's
    /// version (`docker run --rm --entrypoint python3 IMAGE -m pip list --format=freeze`) and
    /// writes the output, under a header line naming the image, to `FILE` (atomically).
    /// `strata lock` then resolves the engine with every one of those packages fixed at its
    /// captured version, and its lock installs only what the image lacks. Capture again
    /// whenever the engine's version changes: a capture of another image is an error.
    ///
    /// Exit status: 2 when the engine is not upstream, names no `packages` file, or the
    /// runtime is missing or fails.
    #[command(after_long_help = "Examples:\n  strata images capture vllm\n  \
strata images capture vllm --runtime podman\n  \
strata images capture vllm --print   # the command to run where the image is")]
    Capture(CaptureArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CaptureArgs {
    /// The upstream engine whose image's packages to capture.
    pub(crate) engine: String,

    /// The container runtime.
    #[arg(long, value_enum, default_value_t = RuntimeArg::Docker)]
    pub(crate) runtime: RuntimeArg,

    /// Print the command on stdout instead of running it (for a machine without the runtime).
    #[arg(long)]
    pub(crate) print: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The engine (or profile with a role image) whose image runs the command.
    pub(crate) engine: String,

    /// Run in the image's dev stage (`<tag>-dev`: its dev profile's lock added, with the test
    /// tools a `pytest` run needs).
    #[arg(long)]
    pub(crate) dev: bool,

    /// The command and its arguments, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub(crate) command: Vec<String>,

    /// Pass every GPU through, even to an engine without `gpu = true`.
    #[arg(long)]
    pub(crate) gpus: bool,

    #[command(flatten)]
    pub(crate) container: ContainerRunArgs,
}

/// How `strata run` and `strata ci run` start the container, or print its command.
#[derive(Debug, Args)]
pub(crate) struct ContainerRunArgs {
    /// The container runtime.
    #[arg(long, value_enum, default_value_t = RuntimeArg::Docker)]
    pub(crate) runtime: RuntimeArg,

    /// Print the command on stdout instead of running it.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Output format of `--dry-run`: the shell line, or JSON with the image and the argument
    /// vector.
    #[arg(long, value_enum, default_value_t = DataFormat::Text, requires = "dry_run")]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct CiArgs {
    #[command(subcommand)]
    pub(crate) command: CiCommand,
}

/// `strata ci <command>`.
#[derive(Debug, Subcommand)]
pub(crate) enum CiCommand {
    /// The cells a change triggers, with the reason for each.
    Plan(CiPlanArgs),

    /// The GitHub Actions workflow that runs the plan: plan, check, build, cell, write-back,
    /// aggregate and promote jobs, every action pinned by commit.
    ///
    /// Prints the workflow; `--write` writes it to `[tool.strata.ci] workflow` (default
    /// `.github/workflows/strata.yml`), `--check` exits 1 when that file is missing or stale.
    /// strata never overwrites a file it did not write.
    #[command(
        after_long_help = "Examples:\n  strata ci workflow\n  strata ci workflow --write\n  \
strata ci workflow --check"
    )]
    Workflow(CiWorkflowArgs),

    /// Run one cell of the plan (`test-vllm`, `invariants-transformers`) in its engine's image,
    /// with the project mounted, as `strata run` does; exits with the cell's exit code.
    #[command(after_long_help = "Examples:\n  strata ci run test-vllm\n  \
strata ci run test-transformers --tag-suffix -ci-0123abc --dry-run")]
    Run(CiRunArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CiWorkflowArgs {
    /// Write the workflow (atomically, only when it changed), creating its directory.
    #[arg(long, conflicts_with = "check")]
    pub(crate) write: bool,

    /// Exit 1 when the workflow file is missing or not what `--write` would write.
    #[arg(long)]
    pub(crate) check: bool,

    /// Output: the workflow's text, or JSON with its path and status.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Args)]
pub(crate) struct CiRunArgs {
    /// The cell's id, as the plan names it (`test-vllm`).
    pub(crate) cell: String,

    /// Appended to a first-party image's tag: the workflow's cells run the image their run
    /// built (`<tag>-ci-<commit>`). Upstream images are run as they are.
    #[arg(
        long,
        value_name = "SUFFIX",
        default_value = "",
        allow_hyphen_values = true
    )]
    pub(crate) tag_suffix: String,

    #[command(flatten)]
    pub(crate) container: ContainerRunArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CiPlanArgs {
    /// Compare with the merge-base of this revision and `--head` (a branch, tag or commit).
    #[arg(long, value_name = "REF")]
    pub(crate) base: Option<String>,

    /// The revision whose changes are planned.
    #[arg(long, value_name = "REF", default_value = "HEAD", requires = "base")]
    pub(crate) head: String,

    /// The changed files, relative to the current directory (`-`: read them from stdin, one
    /// per line); with `--base`, the project there is what their content is compared with.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "all")]
    pub(crate) changed: Vec<String>,

    /// Every cell, whatever changed (scheduled runs).
    #[arg(long, conflicts_with = "base")]
    pub(crate) all: bool,

    /// Output: text, JSON, or GitHub's `strategy.matrix` of the cells (`{"include": [...]}`).
    #[arg(long, value_enum, default_value_t = CiFormat::Text)]
    pub(crate) format: CiFormat,

    /// Also append `builds`, `cells`, `has-builds` and `has-cells` to `$GITHUB_OUTPUT`, and a
    /// summary table to `$GITHUB_STEP_SUMMARY`.
    #[arg(long)]
    pub(crate) github_output: bool,
}

/// `strata ci plan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CiFormat {
    /// The cells, each with its reasons.
    Text,
    /// The whole plan (`schema-version` 1).
    Json,
    /// The non-build cells as GitHub's `strategy.matrix` (`{"include": [...]}`).
    Matrix,
}

/// `--runtime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RuntimeArg {
    /// Docker.
    Docker,
    /// Podman.
    Podman,
}

impl From<RuntimeArg> for strata_images::Runtime {
    fn from(runtime: RuntimeArg) -> Self {
        match runtime {
            RuntimeArg::Docker => Self::Docker,
            RuntimeArg::Podman => Self::Podman,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ContractsArgs {
    /// The source root to scan instead of `[tool.strata.contracts] root` (packages are found
    /// in `DIR/src/<package>` or `DIR/<package>`).
    ///
    /// Without a project, `--root` alone runs import-linter's contracts found in `DIR` (or its
    /// parent, for `src`).
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ContractsFormat::Text)]
    pub(crate) format: ContractsFormat,

    /// Parse every file, neither reading nor writing the import cache.
    ///
    /// By default, the imports of each file are kept in the cache directory
    /// (`contracts-v1/`) and reused while the file's size and modification time are unchanged;
    /// the verdicts are the same either way.
    #[arg(long)]
    pub(crate) no_cache: bool,

    /// Where the engines' locked wheels are read from, to learn their import names (once;
    /// cached) when `[tool.strata.contracts] engine-packages` does not list them.
    #[command(flatten, next_help_heading = "Index (engine packages from the locks)")]
    pub(crate) index: IndexArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ContractsFormat {
    /// `path:line:col: CODE message` lines, then import-linter's per-contract summary.
    Text,
    /// JSON: every finding with its chain of imports, and each contract's verdict.
    Json,
    /// GitHub Actions annotations (`::error file=...,line=...::message`).
    Github,
}

#[derive(Debug, Args)]
pub(crate) struct VersionArgs {
    #[command(subcommand)]
    pub(crate) command: Option<VersionCommand>,

    /// Output format: `json` prints `version`, the `file` and `line` that hold it, and which
    /// declaration led there (`declared-by`).
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Move the project's version forward by PEP 440's rules, rewriting only that value.
    ///
    /// The value is replaced where it is written, every other byte of its file kept (quotes,
    /// comments, formatting), written atomically and read back. The new version must be
    /// higher than the current one. `--commit` commits just that file as `Release VERSION`,
    /// refusing when anything else in the work tree is changed or untracked; `--tag` then adds
    /// an annotated `vVERSION` tag, refusing one that exists. Both are checked before the file is
    /// written.
    ///
    /// A pre- or dev-release bump of a final release starts the next patch's, since `1.3.0a0`
    /// comes before `1.3.0`. `major`, `minor` and `patch` finalize a pre- or dev-release of the
    /// release they reach, and otherwise increment. The epoch is kept, a local label dropped.
    /// The table below shows each bump.
    #[command(after_long_help = "What each bump gives:
  major  1.2.3 -> 2.0.0        2.0.0rc1 -> 2.0.0
  minor  1.2.3 -> 1.3.0        1.3.0a0 -> 1.3.0      1.3.1a0 -> 1.4.0
  patch  1.2.3 -> 1.2.4        1.3.1a0 -> 1.3.1      1.3.0.post1 -> 1.3.1
  pre    1.3.0 -> 1.3.1a0      1.3.1a0 -> 1.3.1a1    1.3.1.dev0 -> 1.3.1a0
         --pre-kind rc: 1.3.0 -> 1.3.1rc0, 1.3.1a1 -> 1.3.1rc0, 1.3.1rc0 -> 1.3.1rc1
  post   1.3.0 -> 1.3.0.post0  1.3.0.post0 -> 1.3.0.post1
  dev    1.3.0 -> 1.3.1.dev0   1.3.1.dev0 -> 1.3.1.dev1  1.3.1a0 -> 1.3.1a1.dev0

Examples:
  strata version bump patch
  strata version bump pre --pre-kind rc
  strata version bump 2.0.0 --dry-run
  strata version bump minor --commit --tag")]
    Bump(VersionBumpArgs),
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub(crate) struct VersionBumpArgs {
    /// `major`, `minor`, `patch`, `pre`, `post`, `dev`, or an exact PEP 440 version.
    #[arg(value_name = "SEGMENT|VERSION")]
    pub(crate) to: String,

    /// The kind of pre-release `pre` moves to: `alpha`, `beta` or `rc` (default: the current
    /// pre-release's kind, else `alpha`). A new kind starts at 0.
    #[arg(long, value_enum, value_name = "KIND")]
    pub(crate) pre_kind: Option<PreKind>,

    /// Accept a version lower than, or equal to, the current one.
    #[arg(long)]
    pub(crate) allow_downgrade: bool,

    /// Print the change (`FILE:LINE: OLD -> NEW`) and write nothing.
    #[arg(long, conflicts_with_all = ["commit", "tag"])]
    pub(crate) dry_run: bool,

    /// Commit the changed file, and only it, with the message `Release VERSION`.
    #[arg(long)]
    pub(crate) commit: bool,

    /// After the commit, create the annotated tag `vVERSION` (needs `--commit`).
    #[arg(long, requires = "commit")]
    pub(crate) tag: bool,

    /// Output format: `json` prints the old and new version, the file and line, and what was
    /// written, committed and tagged.
    #[arg(long, value_enum, default_value_t = DataFormat::Text)]
    pub(crate) format: DataFormat,
}

/// PEP 440's pre-release kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PreKind {
    /// `a`.
    Alpha,
    /// `b`.
    Beta,
    /// `rc`.
    Rc,
}
